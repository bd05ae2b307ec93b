use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{assert_error, spawn_app};

async fn overlay_title(app: &crate::helpers::TestApp) -> String {
    let content: Value = app
        .overlay(Method::GET, "/content")
        .send()
        .await
        .expect("get")
        .json()
        .await
        .expect("json");
    content["tours"][0]["doc"]["steps"][0]["title"]
        .as_str()
        .expect("title")
        .to_string()
}

#[tokio::test]
async fn history_diff_and_rollback() {
    let app = spawn_app().await;
    let id = app.server.demo_tour_id.clone();
    let mut doc = serde_json::to_value(cairn_server::seed::demo_tour()).expect("doc");
    doc["steps"][0]["title"] = json!("Start here");
    app.admin
        .put(app.url(&format!("/api/v1/tours/{id}")))
        .json(&doc)
        .send()
        .await
        .expect("put");
    let v2: Value = app
        .admin
        .post(app.url(&format!("/api/v1/tours/{id}/publish")))
        .json(&json!({ "message": "clearer first step" }))
        .send()
        .await
        .expect("publish")
        .json()
        .await
        .expect("json");
    assert_eq!(v2["version"], 2);
    assert_eq!(overlay_title(&app).await, "Start here");

    let versions: Value = app
        .admin
        .get(app.url(&format!("/api/v1/tours/{id}/versions")))
        .send()
        .await
        .expect("get")
        .json()
        .await
        .expect("json");
    assert_eq!(versions[0]["version"], 2);
    assert_eq!(versions[0]["message"], "clearer first step");
    assert_eq!(
        versions[0]["published_by"],
        cairn_server::testing::TEST_ADMIN_EMAIL
    );
    assert_eq!(versions[1]["version"], 1);

    let diff: Value = app
        .admin
        .get(app.url(&format!("/api/v1/tours/{id}/diff?from=1&to=2")))
        .send()
        .await
        .expect("get")
        .json()
        .await
        .expect("json");
    assert_eq!(
        diff,
        json!([{ "pointer": "/steps/0/title", "op": "changed", "before": "Start a new request", "after": "Start here" }])
    );

    let v1: Value = app
        .admin
        .get(app.url(&format!("/api/v1/tours/{id}/versions/1")))
        .send()
        .await
        .expect("get")
        .json()
        .await
        .expect("json");
    assert_eq!(v1["document"]["steps"][0]["title"], "Start a new request");

    let v3: Value = app
        .admin
        .post(app.url(&format!("/api/v1/tours/{id}/rollback")))
        .json(&json!({ "version": 1 }))
        .send()
        .await
        .expect("rollback")
        .json()
        .await
        .expect("json");
    assert_eq!(v3["version"], 3);
    assert_eq!(overlay_title(&app).await, "Start a new request");
    let tour: Value = app
        .admin
        .get(app.url(&format!("/api/v1/tours/{id}")))
        .send()
        .await
        .expect("get")
        .json()
        .await
        .expect("json");
    assert_eq!(tour["draft"]["steps"][0]["title"], "Start a new request");
    assert_eq!(tour["published_version"], 3);

    let res = app
        .admin
        .get(app.url(&format!("/api/v1/tours/{id}/versions/99")))
        .send()
        .await
        .expect("get");
    assert_error(res, 404, "not_found").await;
}

/// Publishes that race each get the next number: on SQLite a read-then-write transaction that
/// began deferred would fail with SQLITE_BUSY (a 500) once another publish committed in between.
#[tokio::test]
async fn concurrent_publishes_each_get_the_next_version() {
    let app = spawn_app().await;
    let id = app.server.demo_tour_id.clone();
    let url = app.url(&format!("/api/v1/tours/{id}/publish"));
    let mut publishes = tokio::task::JoinSet::new();
    for i in 0..8 {
        let request = app
            .admin
            .post(&url)
            .json(&json!({ "message": format!("release {i}") }));
        publishes.spawn(async move {
            let res = request.send().await.expect("publish request");
            let status = res.status();
            let body: Value = res.json().await.expect("json");
            assert_eq!(status, 200, "{body}");
            body["version"].as_u64().expect("version")
        });
    }
    let mut versions = publishes.join_all().await;
    versions.sort_unstable();
    assert_eq!(versions, (2..=9).collect::<Vec<u64>>());
}
