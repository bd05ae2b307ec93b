use cairn_server::roles::Role;
use cairn_server::{auth, store};
use reqwest::{Client, Method};
use serde_json::{Value, json};

use crate::helpers::{spawn_app, tour_doc};

/// Each role against each management route: allowed routes never answer 403, the others always do.
#[tokio::test]
async fn role_matrix() {
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
    let org = me["org_id"].as_str().expect("org").to_string();
    let tour = app.server.demo_tour_id.clone();
    let app_id = app.demo_app_id().await;

    let routes: Vec<(Method, String, Option<Value>, [bool; 4])> = vec![
        //                                                     admin author agent analyst
        (
            Method::GET,
            "/api/v1/tours".into(),
            None,
            [true, true, true, true],
        ),
        (
            Method::GET,
            format!("/api/v1/tours/{tour}"),
            None,
            [true, true, true, true],
        ),
        (
            Method::POST,
            "/api/v1/tours".into(),
            Some(json!({ "app_id": app_id, "document": tour_doc("t") })),
            [true, true, false, false],
        ),
        (
            Method::PUT,
            format!("/api/v1/tours/{tour}"),
            Some(serde_json::to_value(cairn_server::seed::demo_tour()).expect("doc")),
            [true, true, false, false],
        ),
        (
            Method::POST,
            format!("/api/v1/tours/{tour}/publish"),
            Some(json!({})),
            [true, true, false, false],
        ),
        (
            Method::GET,
            "/api/v1/tickets".into(),
            None,
            [true, false, true, true],
        ),
        (
            Method::GET,
            format!("/api/v1/analytics/tours/{tour}/steps"),
            None,
            [true, true, false, true],
        ),
        (
            Method::GET,
            "/api/v1/apps".into(),
            None,
            [true, true, true, true],
        ),
    ];

    for (i, role) in Role::ALL.into_iter().enumerate() {
        let email = format!("{role}@demo.test");
        let hash = auth::hash_password("role password 1").expect("hash");
        store::users::create_user(&db, &org, &email, &hash, role)
            .await
            .expect("user");
        let client = Client::builder()
            .cookie_store(true)
            .build()
            .expect("client");
        let res = client
            .post(app.url("/api/v1/auth/login"))
            .json(&json!({ "email": email, "password": "role password 1" }))
            .send()
            .await
            .expect("login");
        assert_eq!(res.status(), 200);
        for (method, path, body, allowed) in &routes {
            let mut req = client.request(method.clone(), app.url(path));
            if let Some(b) = body {
                req = req.json(b);
            }
            let status = req.send().await.expect("request").status().as_u16();
            if allowed[i] {
                assert!(
                    status < 400,
                    "{role} {method} {path} should be allowed, got {status}"
                );
            } else {
                assert_eq!(status, 403, "{role} {method} {path} should be forbidden");
            }
        }
    }
}
