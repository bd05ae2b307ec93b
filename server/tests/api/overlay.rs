use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{assert_error, event, spawn_app};

#[tokio::test]
async fn unknown_app_key_is_401() {
    let app = spawn_app().await;
    let res = app
        .anon
        .get(app.url("/api/v1/overlay/content"))
        .header("x-cairn-app-key", "pk_nope")
        .send()
        .await
        .expect("get");
    assert_error(res, 401, "unknown_app_key").await;
    let res = app
        .anon
        .get(app.url("/api/v1/overlay/content"))
        .send()
        .await
        .expect("get");
    assert_error(res, 401, "unknown_app_key").await;
}

#[tokio::test]
async fn only_allowed_origins_may_call() {
    let app = spawn_app().await;
    let res = app
        .overlay(Method::GET, "/content")
        .header("origin", "https://evil.test")
        .send()
        .await
        .expect("get");
    assert_error(res, 403, "forbidden").await;

    let own = app.server.url.clone();
    let res = app
        .overlay(Method::GET, "/content")
        .header("origin", &own)
        .send()
        .await
        .expect("get");
    assert_eq!(res.status(), 200);
    assert_eq!(
        res.headers()
            .get("access-control-allow-origin")
            .and_then(|v| v.to_str().ok()),
        Some(own.as_str())
    );

    let preflight = app
        .anon
        .request(Method::OPTIONS, app.url("/api/v1/overlay/events"))
        .header("origin", "https://erp.test")
        .header("access-control-request-method", "POST")
        .send()
        .await
        .expect("options");
    assert_eq!(preflight.status(), 204);
    let allowed = preflight
        .headers()
        .get("access-control-allow-headers")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    assert!(allowed.contains("x-cairn-app-key"));
}

#[tokio::test]
async fn content_has_an_etag_and_answers_304() {
    let app = spawn_app().await;
    let res = app
        .overlay(Method::GET, "/content")
        .send()
        .await
        .expect("get");
    let etag = res
        .headers()
        .get("etag")
        .and_then(|v| v.to_str().ok())
        .expect("etag")
        .to_string();
    let res = app
        .overlay(Method::GET, "/content")
        .header("if-none-match", &etag)
        .send()
        .await
        .expect("get");
    assert_eq!(res.status(), 304);
}

#[tokio::test]
async fn events_are_counted_once_and_feed_the_step_table() {
    let app = spawn_app().await;
    let tour = app.server.demo_tour_id.clone();
    let batch = json!({ "events": [
        event("e0000000000000001", "step_viewed", &tour, "new-request", 0),
        event("e0000000000000002", "step_advanced", &tour, "new-request", 0),
        event("e0000000000000003", "step_viewed", &tour, "supplier", 1),
        event("e0000000000000004", "stuck_opened", &tour, "supplier", 1),
    ]});
    let res: Value = app
        .overlay(Method::POST, "/events")
        .json(&batch)
        .send()
        .await
        .expect("post")
        .json()
        .await
        .expect("json");
    assert_eq!(res, json!({ "accepted": 4, "duplicates": 0 }));
    // The same batch again (a retry after a lost response) changes nothing.
    let res: Value = app
        .overlay(Method::POST, "/events")
        .json(&batch)
        .send()
        .await
        .expect("post")
        .json()
        .await
        .expect("json");
    assert_eq!(res, json!({ "accepted": 0, "duplicates": 4 }));

    let report = json!({ "message": "I cannot find my supplier", "context": {
        "page_url": "http://host.test/demo/", "tour_id": tour, "step_id": "supplier", "step_index": 1, "version": 1,
        "element_found": true, "steps_seen": ["new-request", "supplier"], "user_agent": "test", "viewport": { "width": 1280, "height": 800 }
    }});
    let res = app
        .overlay(Method::POST, "/tickets")
        .json(&report)
        .send()
        .await
        .expect("post");
    assert_eq!(res.status(), 201);
    let filed: Value = res.json().await.expect("json");
    assert_eq!(filed["number"], 1);
    assert_eq!(filed["status"], "new");

    let stats: Value = app
        .admin
        .get(app.url(&format!("/api/v1/analytics/tours/{tour}/steps")))
        .send()
        .await
        .expect("get")
        .json()
        .await
        .expect("json");
    let steps = stats["steps"].as_array().expect("steps");
    assert_eq!(steps[0]["step_id"], "new-request");
    assert_eq!(steps[0]["views"], 1);
    assert_eq!(steps[0]["advances"], 1);
    assert_eq!(steps[0]["tickets"], 0);
    assert_eq!(steps[1]["views"], 1);
    assert_eq!(steps[1]["stuck_opened"], 1);
    assert_eq!(steps[1]["tickets"], 1);
    assert_eq!(steps[1]["tickets_per_1000_views"], 1000.0);
    assert_eq!(steps[2]["tickets_per_1000_views"], Value::Null);

    let tickets: Value = app
        .admin
        .get(app.url("/api/v1/tickets"))
        .send()
        .await
        .expect("get")
        .json()
        .await
        .expect("json");
    let ticket = &tickets[0];
    assert_eq!(ticket["number"], 1);
    assert_eq!(ticket["message"], "I cannot find my supplier");
    assert_eq!(ticket["context"]["step_id"], "supplier");
    assert_eq!(ticket["context"]["element_found"], true);
    assert_eq!(
        ticket["context"]["steps_seen"],
        json!(["new-request", "supplier"])
    );
    let one: Value = app
        .admin
        .get(app.url(&format!(
            "/api/v1/tickets/{}",
            ticket["id"].as_str().expect("id")
        )))
        .send()
        .await
        .expect("get")
        .json()
        .await
        .expect("json");
    assert_eq!(one["number"], 1);
}

#[tokio::test]
async fn tickets_are_numbered_per_organisation_in_order() {
    let app = spawn_app().await;
    let mut numbers = Vec::new();
    for i in 0..3 {
        let report = json!({ "message": format!("help {i}"), "context": { "page_url": "http://host.test/" } });
        let filed: Value = app
            .overlay(Method::POST, "/tickets")
            .json(&report)
            .send()
            .await
            .expect("post")
            .json()
            .await
            .expect("json");
        numbers.push(filed["number"].as_i64().expect("number"));
    }
    assert_eq!(numbers, [1, 2, 3]);
}

/// `?key=` is the loader's form: a cross-origin GET without a custom header needs no preflight.
/// It is checked like the header: unknown keys 401, origins outside the allowed list 403.
#[tokio::test]
async fn content_takes_the_key_from_the_query_too() {
    let app = spawn_app().await;
    let own = app.server.url.clone();
    let url = |key: &str| app.url(&format!("/api/v1/overlay/content?key={key}"));
    let res = app
        .anon
        .get(url(&app.server.demo_app_key))
        .header("origin", &own)
        .send()
        .await
        .expect("get");
    assert_eq!(res.status(), 200);
    assert_eq!(
        res.headers()
            .get("access-control-allow-origin")
            .and_then(|v| v.to_str().ok()),
        Some(own.as_str())
    );
    let body: Value = res.json().await.expect("json");
    assert_eq!(body["tours"].as_array().map(Vec::len), Some(1), "{body}");

    let res = app
        .anon
        .get(url(&app.server.demo_app_key))
        .header("origin", "https://evil.test")
        .send()
        .await
        .expect("get");
    assert_error(res, 403, "forbidden").await;
    for bad in ["pk_nope", "", "%FF%FE"] {
        let res = app.anon.get(url(bad)).send().await.expect("get");
        assert_error(res, 401, "unknown_app_key").await;
    }
    // The header wins over the query.
    let res = app
        .overlay(Method::GET, "/content?key=pk_nope")
        .send()
        .await
        .expect("get");
    assert_eq!(res.status(), 200);
}
