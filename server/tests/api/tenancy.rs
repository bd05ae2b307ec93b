use cairn_server::{auth, store};
use reqwest::{Client, Method};
use serde_json::{Value, json};

use crate::helpers::{assert_error, spawn_app};

/// A second organisation's admin sees none of the first one's data, and its ids answer 404.
#[tokio::test]
async fn another_organisation_sees_nothing() {
    let app = spawn_app().await;
    // A ticket in the demo organisation.
    let report = json!({ "message": "help", "context": { "page_url": "http://host.test/" } });
    let filed: Value = app
        .overlay(Method::POST, "/tickets")
        .json(&report)
        .send()
        .await
        .expect("post")
        .json()
        .await
        .expect("json");
    let ticket_id = filed["id"].as_str().expect("id").to_string();

    let db = app.server.db().await.expect("db");
    let org = store::users::create_org(&db, "Other Corp")
        .await
        .expect("org");
    let hash = auth::hash_password("other password 1").expect("hash");
    store::users::create_user(
        &db,
        &org,
        "eve@other.test",
        &hash,
        cairn_server::roles::Role::Admin,
    )
    .await
    .expect("user");
    let eve = Client::builder()
        .cookie_store(true)
        .build()
        .expect("client");
    let res = eve
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({ "email": "eve@other.test", "password": "other password 1" }))
        .send()
        .await
        .expect("login");
    assert_eq!(res.status(), 200);

    for path in ["/api/v1/tours", "/api/v1/tickets", "/api/v1/apps"] {
        let list: Value = eve
            .get(app.url(path))
            .send()
            .await
            .expect("get")
            .json()
            .await
            .expect("json");
        assert_eq!(list, json!([]), "{path} leaks");
    }
    let tour = app.server.demo_tour_id.clone();
    for path in [
        format!("/api/v1/tours/{tour}"),
        format!("/api/v1/tickets/{ticket_id}"),
        format!("/api/v1/analytics/tours/{tour}/steps"),
    ] {
        let res = eve.get(app.url(&path)).send().await.expect("get");
        assert_error(res, 404, "not_found").await;
    }
    let res = eve
        .post(app.url(&format!("/api/v1/tours/{tour}/publish")))
        .json(&json!({}))
        .send()
        .await
        .expect("post");
    assert_error(res, 404, "not_found").await;
    let res = eve
        .put(app.url(&format!("/api/v1/tours/{tour}")))
        .json(&crate::helpers::tour_doc("hijack"))
        .send()
        .await
        .expect("put");
    assert_error(res, 404, "not_found").await;
    let res = eve
        .post(app.url("/api/v1/tours"))
        .json(&json!({ "app_id": app.demo_app_id().await, "document": crate::helpers::tour_doc("x") }))
        .send()
        .await
        .expect("post");
    assert_error(res, 404, "not_found").await;
}
