use serde_json::{Value, json};

use crate::helpers::{assert_error, spawn_app, tour_doc};

#[tokio::test]
async fn scoped_bearer_tokens_shown_once_and_revocable() {
    let app = spawn_app().await;
    let res = app
        .admin
        .post(app.url("/api/v1/tokens"))
        .json(&json!({ "name": "reporting script", "scopes": ["content:read", "analytics:read"] }))
        .send()
        .await
        .expect("create");
    assert_eq!(res.status(), 201);
    let created: Value = res.json().await.expect("json");
    let token = created["token"].as_str().expect("token").to_string();
    assert!(token.starts_with("cairn_"));

    let list: Value = app
        .admin
        .get(app.url("/api/v1/tokens"))
        .send()
        .await
        .expect("list")
        .json()
        .await
        .expect("json");
    assert_eq!(list[0]["name"], "reporting script");
    assert!(
        !list.to_string().contains(&token),
        "the secret is never listed"
    );

    let bearer =
        |req: reqwest::RequestBuilder| req.header("authorization", format!("Bearer {token}"));
    let res = bearer(app.anon.get(app.url("/api/v1/tours")))
        .send()
        .await
        .expect("get");
    assert_eq!(res.status(), 200);
    // The admin's role would allow it, the token's scopes do not.
    let res = bearer(app.anon.post(app.url("/api/v1/tours")))
        .json(&json!({ "app_id": app.demo_app_id().await, "document": tour_doc("x") }))
        .send()
        .await
        .expect("post");
    assert_error(res, 403, "forbidden").await;

    let id = created["id"].as_str().expect("id");
    let res = app
        .admin
        .delete(app.url(&format!("/api/v1/tokens/{id}")))
        .send()
        .await
        .expect("revoke");
    assert_eq!(res.status(), 204);
    let res = bearer(app.anon.get(app.url("/api/v1/tours")))
        .send()
        .await
        .expect("get");
    assert_error(res, 401, "unauthorized").await;

    let res = app
        .anon
        .get(app.url("/api/v1/tours"))
        .header("authorization", "Bearer cairn_forged")
        .send()
        .await
        .expect("get");
    assert_error(res, 401, "unauthorized").await;
}

#[tokio::test]
async fn unknown_scopes_are_422() {
    let app = spawn_app().await;
    let res = app
        .admin
        .post(app.url("/api/v1/tokens"))
        .json(&json!({ "name": "x", "scopes": ["everything"] }))
        .send()
        .await
        .expect("create");
    let body = assert_error(res, 422, "unprocessable").await;
    assert_eq!(
        body["error"]["details"]["unknown_scopes"],
        json!(["everything"])
    );
}
