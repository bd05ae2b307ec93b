use serde_json::Value;

use crate::helpers::spawn_app;

#[tokio::test]
async fn health_and_readiness() {
    let app = spawn_app().await;
    for path in ["/healthz", "/readyz"] {
        let res = app.anon.get(app.url(path)).send().await.expect("request");
        assert_eq!(res.status(), 200, "{path}");
    }
}

#[tokio::test]
async fn openapi_lists_every_route() {
    let app = spawn_app().await;
    let doc: Value = app
        .anon
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .expect("get")
        .json()
        .await
        .expect("json");
    assert!(doc["openapi"].as_str().is_some_and(|v| v.starts_with("3.")));
    let paths = doc["paths"].as_object().expect("paths");
    for (path, method) in [
        ("/api/v1/tours", "get"),
        ("/api/v1/tours", "post"),
        ("/api/v1/tours/{id}", "get"),
        ("/api/v1/tours/{id}", "put"),
        ("/api/v1/tours/{id}/publish", "post"),
        ("/api/v1/tickets", "get"),
        ("/api/v1/tickets/{id}", "get"),
        ("/api/v1/analytics/tours/{id}/steps", "get"),
        ("/api/v1/overlay/content", "get"),
        ("/api/v1/overlay/events", "post"),
        ("/api/v1/overlay/tickets", "post"),
        ("/healthz", "get"),
        ("/readyz", "get"),
    ] {
        assert!(
            paths.get(path).and_then(|p| p.get(method)).is_some(),
            "{method} {path} missing from OpenAPI"
        );
    }
}

#[tokio::test]
async fn unknown_routes_answer_json() {
    let app = spawn_app().await;
    let res = app
        .anon
        .get(app.url("/api/v1/nope"))
        .send()
        .await
        .expect("get");
    crate::helpers::assert_error(res, 404, "not_found").await;
}

#[tokio::test]
async fn demo_page_embeds_the_snippet_under_a_strict_csp() {
    let app = spawn_app().await;
    let res = app.anon.get(app.url("/demo/")).send().await.expect("get");
    assert_eq!(res.status(), 200);
    let csp = res
        .headers()
        .get("content-security-policy")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    assert!(
        csp.contains("script-src 'self' 'wasm-unsafe-eval'"),
        "{csp}"
    );
    let html = res.text().await.expect("text");
    assert!(html.contains(&format!(
        r#"<script src="/overlay/cairn.js" data-app-key="{}" async>"#,
        app.server.demo_app_key
    )));
}

/// The loader keeps its URL and is revalidated; it names the glue and the wasm by the bundle's hash,
/// and those hashed URLs are immutable (an unhashed or stale one is revalidated).
#[tokio::test]
async fn the_loader_imports_the_bundle_by_immutable_hashed_urls() {
    let app = spawn_app().await;
    let res = app
        .anon
        .get(app.url("/overlay/cairn.js"))
        .send()
        .await
        .expect("get");
    if res.status() == 503 {
        // A binary built without `cargo xtask build` says so instead (what `cargo xtask test` avoids).
        crate::helpers::assert_error(res, 503, "bundle_not_built").await;
        return;
    }
    assert_eq!(res.status(), 200);
    let cache = |res: &reqwest::Response| {
        res.headers()
            .get("cache-control")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string()
    };
    assert_eq!(cache(&res), "no-cache");
    let loader = res.text().await.expect("text");
    assert!(!loader.contains("CAIRN_BUNDLE_HASH"), "{loader}");
    let hash = loader
        .split("?v=")
        .nth(1)
        .map(|rest| {
            rest.chars()
                .take_while(char::is_ascii_hexdigit)
                .collect::<String>()
        })
        .unwrap_or_default();
    assert_eq!(hash.len(), 16, "{loader}");
    for file in ["cairn_overlay.js", "cairn_overlay_bg.wasm"] {
        let hashed = app
            .anon
            .get(app.url(&format!("/overlay/{file}?v={hash}")))
            .send()
            .await
            .expect("get");
        assert_eq!(hashed.status(), 200, "{file}");
        assert_eq!(
            cache(&hashed),
            "public, max-age=31536000, immutable",
            "{file}"
        );
        for other in [String::new(), "?v=0000000000000000".to_string()] {
            let res = app
                .anon
                .get(app.url(&format!("/overlay/{file}{other}")))
                .send()
                .await
                .expect("get");
            assert_eq!(cache(&res), "no-cache", "{file}{other}");
        }
    }
}
