use reqwest::Method;
use serde_json::json;

use crate::helpers::{assert_error, event, spawn_app};

#[tokio::test]
async fn malformed_json_is_400() {
    let app = spawn_app().await;
    let res = app
        .overlay(Method::POST, "/events")
        .header("content-type", "application/json")
        .body("{\"events\": [")
        .send()
        .await
        .expect("post");
    assert_error(res, 400, "invalid_json").await;
}

#[tokio::test]
async fn wrong_shape_is_422() {
    let app = spawn_app().await;
    let res = app
        .overlay(Method::POST, "/events")
        .json(&json!({ "events": [{ "id": 3 }] }))
        .send()
        .await
        .expect("post");
    assert_error(res, 422, "unprocessable").await;
    let res = app
        .overlay(Method::POST, "/tickets")
        .json(&json!({ "message": "  ", "context": { "page_url": "x" } }))
        .send()
        .await
        .expect("post");
    let body = assert_error(res, 422, "unprocessable").await;
    assert_eq!(body["error"]["details"]["errors"][0]["pointer"], "/message");
}

#[tokio::test]
async fn oversized_bodies_are_413() {
    let app = spawn_app().await;
    let huge = "x".repeat(300 * 1024);
    let res = app
        .overlay(Method::POST, "/tickets")
        .json(&json!({ "message": huge, "context": { "page_url": "x" } }))
        .send()
        .await
        .expect("post");
    assert_error(res, 413, "payload_too_large").await;
    let res = app
        .admin
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({ "email": "x".repeat(2 * 1024 * 1024), "password": "y" }))
        .send()
        .await
        .expect("post");
    assert_error(res, 413, "payload_too_large").await;
}

#[tokio::test]
async fn malformed_event_ids_are_refused_and_nothing_is_stored() {
    let app = spawn_app().await;
    let tour = app.server.demo_tour_id.clone();
    let res = app
        .overlay(Method::POST, "/events")
        .json(&json!({ "events": [ event("goodid-00000001", "step_viewed", &tour, "supplier", 1), event("bad id", "step_viewed", &tour, "supplier", 1) ] }))
        .send()
        .await
        .expect("post");
    let body = assert_error(res, 422, "unprocessable").await;
    assert_eq!(
        body["error"]["details"]["errors"][0]["pointer"],
        "/events/1"
    );
    let res = app
        .overlay(Method::POST, "/events")
        .json(
            &json!({ "events": [ event("goodid-00000001", "step_viewed", &tour, "supplier", 1) ] }),
        )
        .send()
        .await
        .expect("post");
    assert_eq!(
        res.json::<serde_json::Value>().await.expect("json")["accepted"],
        1
    );
}

#[tokio::test]
async fn non_json_content_type_is_415() {
    let app = spawn_app().await;
    let res = app
        .overlay(Method::POST, "/events")
        .header("content-type", "text/plain")
        .body("{}")
        .send()
        .await
        .expect("post");
    assert_error(res, 415, "unsupported_media_type").await;
}
