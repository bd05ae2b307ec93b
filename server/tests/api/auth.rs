use serde_json::json;

use crate::helpers::{assert_error, spawn_app};

#[tokio::test]
async fn management_routes_need_a_session() {
    let app = spawn_app().await;
    for path in [
        "/api/v1/tours",
        "/api/v1/tickets",
        "/api/v1/apps",
        "/api/v1/auth/me",
    ] {
        let res = app.anon.get(app.url(path)).send().await.expect("get");
        assert_error(res, 401, "unauthorized").await;
    }
}

#[tokio::test]
async fn wrong_password_is_refused_and_logout_ends_the_session() {
    let app = spawn_app().await;
    let res = app
        .anon
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({ "email": cairn_server::testing::TEST_ADMIN_EMAIL, "password": "wrong" }))
        .send()
        .await
        .expect("post");
    assert_error(res, 401, "bad_credentials").await;

    let me = app
        .admin
        .get(app.url("/api/v1/auth/me"))
        .send()
        .await
        .expect("me");
    assert_eq!(me.status(), 200);
    let res = app
        .admin
        .post(app.url("/api/v1/auth/logout"))
        .send()
        .await
        .expect("logout");
    assert_eq!(res.status(), 204);
    let me = app
        .admin
        .get(app.url("/api/v1/auth/me"))
        .send()
        .await
        .expect("me");
    assert_error(me, 401, "unauthorized").await;
}

#[tokio::test]
async fn session_cookie_is_httponly_and_samesite_strict() {
    let app = spawn_app().await;
    let res = app
        .anon
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({ "email": cairn_server::testing::TEST_ADMIN_EMAIL, "password": cairn_server::testing::TEST_ADMIN_PASSWORD }))
        .send()
        .await
        .expect("post");
    let cookie = res
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Strict"), "{cookie}");
}

#[tokio::test]
async fn cross_origin_writes_are_refused() {
    let app = spawn_app().await;
    let id = app.server.demo_tour_id.clone();
    let res = app
        .admin
        .post(app.url(&format!("/api/v1/tours/{id}/publish")))
        .header("origin", "https://evil.test")
        .json(&json!({}))
        .send()
        .await
        .expect("post");
    assert_error(res, 403, "forbidden").await;
}
