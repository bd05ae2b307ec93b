//! Draft previews: only a valid, unexpired token of the application's organisation shows a draft;
//! employees keep getting the published content, from the shared cache.

use cairn_server::store;
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_error, spawn_app, tour_doc};

async fn content(app: &TestApp, key: &str, preview: Option<&str>) -> reqwest::Response {
    let mut req = app
        .anon
        .get(app.url("/api/v1/overlay/content"))
        .header("x-cairn-app-key", key);
    if let Some(t) = preview {
        req = req.header("x-cairn-preview", t);
    }
    req.send().await.expect("content")
}

async fn tour_titles(res: reqwest::Response) -> Vec<(String, String)> {
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.expect("json");
    body["tours"]
        .as_array()
        .expect("tours")
        .iter()
        .map(|t| {
            (
                t["id"].as_str().unwrap_or_default().to_string(),
                t["doc"]["steps"][0]["title"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
            )
        })
        .collect()
}

async fn preview_link(app: &TestApp, tour: &str) -> Value {
    let res = app
        .admin
        .post(app.url(&format!("/api/v1/tours/{tour}/preview")))
        .send()
        .await
        .expect("preview");
    assert_eq!(res.status(), 201);
    res.json().await.expect("json")
}

#[tokio::test]
async fn the_draft_is_shown_only_with_a_valid_token() {
    let app = spawn_app().await;
    let key = app.server.demo_app_key.clone();
    let tour = app.server.demo_tour_id.clone();
    let mut draft = serde_json::to_value(cairn_server::seed::demo_tour()).expect("doc");
    draft["steps"][0]["title"] = json!("Draft-only step title");
    let res = app
        .admin
        .put(app.url(&format!("/api/v1/tours/{tour}")))
        .json(&draft)
        .send()
        .await
        .expect("put");
    assert_eq!(res.status(), 200);

    // Employees: the published version, before and after a preview.
    let published = tour_titles(content(&app, &key, None).await).await;
    assert!(published.iter().all(|(_, t)| t != "Draft-only step title"));

    let link = preview_link(&app, &tour).await;
    let token = link["token"].as_str().expect("token").to_string();
    assert_eq!(
        link["url"],
        format!("{}/demo/?cairn_preview={token}", app.server.url)
    );
    let ttl = link["expires_at"].as_i64().expect("expiry") - cairn_server::db::now_ms();
    assert!((14 * 60_000..=15 * 60_000).contains(&ttl), "ttl {ttl}");

    let res = content(&app, &key, Some(&token)).await;
    assert_eq!(
        res.headers()
            .get("cache-control")
            .and_then(|v| v.to_str().ok()),
        Some("no-store")
    );
    assert!(res.headers().get("etag").is_none());
    let previewed = tour_titles(res).await;
    assert!(previewed.contains(&(tour.clone(), "Draft-only step title".to_string())));
    assert_eq!(previewed.len(), published.len(), "replaced, not added");

    let after = content(&app, &key, None).await;
    let etag = after.headers().get("etag").cloned().expect("etag");
    assert_eq!(
        tour_titles(after).await,
        published,
        "the cache holds no draft"
    );
    let not_modified = app
        .anon
        .get(app.url("/api/v1/overlay/content"))
        .header("x-cairn-app-key", &key)
        .header("if-none-match", etag)
        .send()
        .await
        .expect("get");
    assert_eq!(not_modified.status(), 304);

    // Forged, malformed and expired tokens: 401, with the error shape.
    let forged = token.replace(&tour, &uuid_like());
    let body = assert_error(
        content(&app, &key, Some(&forged)).await,
        401,
        "invalid_link",
    )
    .await;
    assert!(!body.to_string().contains("Draft-only"));
    assert_error(
        content(&app, &key, Some("nonsense")).await,
        401,
        "invalid_link",
    )
    .await;
    app.server.clock.advance_ms(16 * 60_000);
    let body = assert_error(content(&app, &key, Some(&token)).await, 401, "invalid_link").await;
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("expired"))
    );
}

fn uuid_like() -> String {
    "00000000-0000-4000-8000-000000000000".into()
}

#[tokio::test]
async fn a_never_published_tour_is_added_for_the_previewer_only() {
    let app = spawn_app().await;
    let key = app.server.demo_app_key.clone();
    let app_id = app.demo_app_id().await;
    let created: Value = app
        .admin
        .post(app.url("/api/v1/tours"))
        .json(&json!({ "app_id": app_id, "document": tour_doc("Unpublished") }))
        .send()
        .await
        .expect("create")
        .json()
        .await
        .expect("json");
    let id = created["id"].as_str().expect("id").to_string();
    let before = tour_titles(content(&app, &key, None).await).await;
    assert!(before.iter().all(|(t, _)| *t != id));

    let token = preview_link(&app, &id).await["token"]
        .as_str()
        .expect("token")
        .to_string();
    let res = content(&app, &key, Some(&token)).await;
    let body: Value = res.json().await.expect("json");
    let added = body["tours"]
        .as_array()
        .expect("tours")
        .iter()
        .find(|t| t["id"] == id.as_str())
        .expect("the draft is added");
    assert_eq!(added["version"], 0);
    assert_eq!(added["doc"]["title"], "Unpublished");
    assert_eq!(tour_titles(content(&app, &key, None).await).await, before);
}

#[tokio::test]
async fn a_token_works_only_for_its_own_organisation_and_roles_that_edit() {
    let app = spawn_app().await;
    let tour = app.server.demo_tour_id.clone();
    let token = preview_link(&app, &tour).await["token"]
        .as_str()
        .expect("token")
        .to_string();

    // Another organisation's application key with this organisation's token: refused.
    let db = app.server.db().await.expect("db");
    let org_b = store::users::create_org(&db, "Other Corp")
        .await
        .expect("org");
    let other = store::apps::create(&db, &org_b, "Other app", &["https://b.test".into()])
        .await
        .expect("app");
    let body = assert_error(
        content(&app, &other.public_key, Some(&token)).await,
        401,
        "invalid_link",
    )
    .await;
    assert!(!body.to_string().contains("purchase"));

    // Unknown tours and anonymous callers get no link.
    let res = app
        .admin
        .post(app.url(&format!("/api/v1/tours/{}/preview", uuid_like())))
        .send()
        .await
        .expect("post");
    assert_error(res, 404, "not_found").await;
    let res = app
        .anon
        .post(app.url(&format!("/api/v1/tours/{tour}/preview")))
        .send()
        .await
        .expect("post");
    assert_eq!(res.status(), 401);

    // The overlay may send the header cross-origin.
    let preflight = app
        .anon
        .request(Method::OPTIONS, app.url("/api/v1/overlay/content"))
        .header("origin", "https://erp.test")
        .header("access-control-request-method", "GET")
        .header(
            "access-control-request-headers",
            "x-cairn-app-key, x-cairn-preview",
        )
        .send()
        .await
        .expect("options");
    let allowed = preflight
        .headers()
        .get("access-control-allow-headers")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    assert!(allowed.contains("x-cairn-preview"), "{allowed}");
}

#[tokio::test]
async fn a_custom_application_opens_on_its_first_allowed_origin() {
    let app = spawn_app().await;
    let db = app.server.db().await.expect("db");
    let me: Value = app
        .admin
        .get(app.url("/api/v1/auth/me"))
        .send()
        .await
        .expect("me")
        .json()
        .await
        .expect("json");
    let org = me["org_id"].as_str().expect("org");
    let erp = store::apps::create(
        &db,
        org,
        "ERP",
        &["https://erp.example.test/".into(), "https://b.test".into()],
    )
    .await
    .expect("app");
    let created: Value = app
        .admin
        .post(app.url("/api/v1/tours"))
        .json(&json!({ "app_id": erp.id, "document": tour_doc("ERP tour") }))
        .send()
        .await
        .expect("create")
        .json()
        .await
        .expect("json");
    let link = preview_link(&app, created["id"].as_str().expect("id")).await;
    let token = link["token"].as_str().expect("token");
    assert_eq!(
        link["url"],
        format!("https://erp.example.test/?cairn_preview={token}")
    );
    // A token for the ERP's tour shows nothing in the demo application.
    assert_error(
        content(&app, &app.server.demo_app_key, Some(token)).await,
        401,
        "invalid_link",
    )
    .await;
}
