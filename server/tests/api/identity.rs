use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_error, spawn_app};

async fn secret(app: &TestApp) -> String {
    let id = app.demo_app_id().await;
    let s: Value = app
        .admin
        .get(app.url(&format!("/api/v1/apps/{id}/identity-secret")))
        .send()
        .await
        .expect("get")
        .json()
        .await
        .expect("json");
    s["secret"].as_str().expect("secret").to_string()
}

fn report(identity: Value) -> Value {
    json!({ "message": "help", "impact": "team", "urgency": "blocking", "category": "Something is broken",
            "context": { "page_url": "http://host.test/" }, "identity": identity })
}

async fn require_verification(app: &TestApp, on: bool) {
    let id = app.demo_app_id().await;
    let res = app
        .admin
        .patch(app.url(&format!("/api/v1/apps/{id}")))
        .json(&json!({ "require_verified_identity": on }))
        .send()
        .await
        .expect("patch");
    assert_eq!(res.status(), 200);
}

#[tokio::test]
async fn verified_identity_files_and_sees_its_tickets_with_replies() {
    let app = spawn_app().await;
    let secret = secret(&app).await;
    let hash = cairn_server::identity::identity_hash(&secret, "sam");
    let res = app
        .overlay(Method::POST, "/tickets")
        .json(&report(
            json!({ "id": "sam", "hash": hash, "attributes": { "role": "buyer" } }),
        ))
        .send()
        .await
        .expect("post");
    assert_eq!(res.status(), 201);
    let filed: Value = res.json().await.expect("json");
    let ticket: Value = app
        .admin
        .get(app.url(&format!(
            "/api/v1/tickets/{}",
            filed["id"].as_str().expect("id")
        )))
        .send()
        .await
        .expect("get")
        .json()
        .await
        .expect("json");
    assert_eq!(ticket["context"]["user_id"], "sam");
    assert_eq!(ticket["context"]["user_verified"], true);
    assert_eq!(ticket["context"]["user_attributes"]["role"], "buyer");
    assert_eq!(ticket["priority"], 2, "team × blocking");
    assert_eq!(ticket["category"], "Something is broken");

    app.admin
        .post(app.url(&format!(
            "/api/v1/tickets/{}/entries",
            ticket["id"].as_str().expect("id")
        )))
        .json(&json!({ "body": "Fixed the supplier list." }))
        .send()
        .await
        .expect("reply");
    app.admin
        .post(app.url(&format!(
            "/api/v1/tickets/{}/entries",
            ticket["id"].as_str().expect("id")
        )))
        .json(&json!({ "body": "internal only", "internal": true }))
        .send()
        .await
        .expect("note");

    let mine: Value = app
        .overlay(Method::GET, "/my-tickets")
        .header("x-cairn-user-id", "sam")
        .header("x-cairn-user-hash", &hash)
        .send()
        .await
        .expect("get")
        .json()
        .await
        .expect("json");
    assert_eq!(mine[0]["number"], 1);
    assert_eq!(mine[0]["status"], "open");
    assert_eq!(
        mine[0]["replies"].as_array().map(Vec::len),
        Some(1),
        "public replies only: {mine}"
    );
    assert_eq!(mine[0]["replies"][0]["body"], "Fixed the supplier list.");
    assert!(mine[0]["last_reply_at"].as_i64().is_some());
}

#[tokio::test]
async fn forged_missing_and_borrowed_hashes_are_refused() {
    let app = spawn_app().await;
    let secret = secret(&app).await;
    let sam_hash = cairn_server::identity::identity_hash(&secret, "sam");

    // Forged hash, or someone else's hash: refused outright.
    let res = app
        .overlay(Method::POST, "/tickets")
        .json(&report(json!({ "id": "sam", "hash": "00ff" })))
        .send()
        .await
        .expect("post");
    assert_error(res, 403, "forbidden").await;
    let res = app
        .overlay(Method::POST, "/tickets")
        .json(&report(json!({ "id": "eve", "hash": sam_hash })))
        .send()
        .await
        .expect("post");
    assert_error(res, 403, "forbidden").await;

    // My tickets: never without a valid hash.
    let res = app
        .overlay(Method::GET, "/my-tickets")
        .header("x-cairn-user-id", "sam")
        .send()
        .await
        .expect("get");
    assert_error(res, 403, "forbidden").await;
    let res = app
        .overlay(Method::GET, "/my-tickets")
        .header("x-cairn-user-id", "eve")
        .header("x-cairn-user-hash", &sam_hash)
        .send()
        .await
        .expect("get");
    assert_error(res, 403, "forbidden").await;

    // Without a hash: accepted as unverified while the app allows it, refused once it requires it.
    let res = app
        .overlay(Method::POST, "/tickets")
        .json(&report(json!({ "id": "sam" })))
        .send()
        .await
        .expect("post");
    assert_eq!(res.status(), 201);
    let tickets: Value = app
        .admin
        .get(app.url("/api/v1/tickets"))
        .send()
        .await
        .expect("get")
        .json()
        .await
        .expect("json");
    assert_eq!(tickets[0]["context"]["user_verified"], false);
    require_verification(&app, true).await;
    let res = app
        .overlay(Method::POST, "/tickets")
        .json(&report(json!({ "id": "sam" })))
        .send()
        .await
        .expect("post");
    assert_error(res, 403, "forbidden").await;
    let content: Value = app
        .overlay(Method::GET, "/content")
        .send()
        .await
        .expect("get")
        .json()
        .await
        .expect("json");
    assert_eq!(content["require_verified_identity"], true);
    // Anonymous help stays possible.
    let res = app
        .overlay(Method::POST, "/tickets")
        .json(&json!({ "message": "anon", "context": { "page_url": "x" } }))
        .send()
        .await
        .expect("post");
    assert_eq!(res.status(), 201);
}

#[tokio::test]
async fn unknown_categories_and_bad_origins_are_422() {
    let app = spawn_app().await;
    let mut r = report(json!(null));
    r["category"] = json!("Nonsense");
    let res = app
        .overlay(Method::POST, "/tickets")
        .json(&r)
        .send()
        .await
        .expect("post");
    let body = assert_error(res, 422, "unprocessable").await;
    assert_eq!(
        body["error"]["details"]["errors"][0]["pointer"],
        "/category"
    );
    let id = app.demo_app_id().await;
    let res = app
        .admin
        .patch(app.url(&format!("/api/v1/apps/{id}")))
        .json(&json!({ "allowed_origins": ["https://erp.test/path"] }))
        .send()
        .await
        .expect("patch");
    assert_error(res, 422, "unprocessable").await;
    let res = app
        .admin
        .patch(app.url(&format!("/api/v1/apps/{id}")))
        .json(&json!({ "allowed_origins": ["https://erp.test"] }))
        .send()
        .await
        .expect("patch");
    assert_eq!(res.status(), 200);
    let res = app
        .overlay(Method::GET, "/content")
        .header("origin", "https://erp.test")
        .send()
        .await
        .expect("get");
    assert_eq!(
        res.status(),
        200,
        "the new origin is allowed at once (cache invalidated)"
    );
}
