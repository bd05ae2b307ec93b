//! Walks every route of `/api/v1/openapi.json` as a second organisation, with the first one's ids,
//! and checks that nothing of the first organisation comes back.

use cairn_server::roles::Role;
use cairn_server::{auth, store};
use reqwest::{Client, Method};
use serde_json::{Value, json};

use crate::helpers::{spawn_app, tour_doc};

/// Routes that are public by design: they hold no tenant data.
const PUBLIC: [&str; 6] = [
    "/healthz",
    "/readyz",
    "/metrics",
    "/api/v1/openapi.json",
    "/api/v1/schema/{file}",
    "/api/v1/auth/login",
];

#[tokio::test]
async fn every_route_refuses_another_organisations_ids() {
    let app = spawn_app().await;
    let tour = app.server.demo_tour_id.clone();
    let app_id = app.demo_app_id().await;

    // Organisation A's data: a ticket, a token, an event, a second version.
    let report = json!({ "message": "secret words of org A", "context": { "page_url": "http://a.test/", "tour_id": tour, "step_id": "supplier" } });
    let ticket: Value = app
        .overlay(Method::POST, "/tickets")
        .json(&report)
        .send()
        .await
        .expect("ticket")
        .json()
        .await
        .expect("json");
    let ticket_id = ticket["id"].as_str().expect("id").to_string();
    let token: Value = app
        .admin
        .post(app.url("/api/v1/tokens"))
        .json(&json!({ "name": "org A token", "scopes": ["content:read"] }))
        .send()
        .await
        .expect("token")
        .json()
        .await
        .expect("json");
    let token_id = token["id"].as_str().expect("id").to_string();
    let secrets = [
        tour.clone(),
        ticket_id.clone(),
        token_id.clone(),
        app_id.clone(),
        app.server.demo_app_key.clone(),
        "secret words of org A".to_string(),
        "Create your first purchase request".to_string(),
        cairn_server::testing::TEST_ADMIN_EMAIL.to_string(),
    ];

    // Organisation B's admin.
    let db = app.server.db().await.expect("db");
    let org_b = store::users::create_org(&db, "Other Corp")
        .await
        .expect("org");
    let hash = auth::hash_password("other password 1").expect("hash");
    store::users::create_user(&db, &org_b, "eve@other.test", &hash, Role::Admin)
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

    let doc: Value = app
        .anon
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .expect("openapi")
        .json()
        .await
        .expect("json");
    let mut covered = 0;
    for (path, item) in doc["paths"].as_object().expect("paths") {
        if PUBLIC.contains(&path.as_str()) {
            continue;
        }
        for method in item.as_object().expect("methods").keys() {
            let id = if path.contains("/tickets/") {
                &ticket_id
            } else if path.contains("/tokens/") {
                &token_id
            } else {
                &tour
            };
            let url = app.url(&path.replace("{id}", id).replace("{version}", "1"));
            let url = if path.ends_with("/diff") {
                format!("{url}?from=1")
            } else {
                url
            };
            let method = Method::from_bytes(method.to_uppercase().as_bytes()).expect("method");
            let body = if path.ends_with("/tours") {
                json!({ "app_id": app_id, "document": tour_doc("x") })
            } else if path.ends_with("/tours/{id}") {
                tour_doc("hijack")
            } else if path.ends_with("/rollback") {
                json!({ "version": 1 })
            } else if path.ends_with("/tokens") {
                json!({ "name": "n", "scopes": ["content:read"] })
            } else {
                json!({})
            };
            let mut req = eve.request(method.clone(), &url);
            if path.starts_with("/api/v1/overlay/") {
                // Overlay routes authenticate by app key: B has none of A's, so B tries without.
                req = req.header("x-cairn-app-key", "pk_of_org_b_does_not_exist");
            }
            if method != Method::GET && method != Method::DELETE {
                req = req.json(&body);
            }
            let res = req.send().await.expect("request");
            let status = res.status().as_u16();
            let text = res.text().await.unwrap_or_default();
            for s in &secrets {
                assert!(
                    !text.contains(s.as_str()),
                    "{method} {path} leaked {s:?} to another organisation: {status} {text}"
                );
            }
            assert!(
                matches!(status, 200 | 201 | 204 | 401 | 403 | 404 | 422),
                "{method} {path} answered {status}: {text}"
            );
            if path.contains("{id}") {
                assert!(
                    matches!(status, 401 | 403 | 404),
                    "{method} {path} with a foreign id answered {status}: {text}"
                );
            }
            covered += 1;
        }
    }
    println!("isolation: {covered} routes walked with a second organisation's credentials");
    assert!(covered >= 20, "walked only {covered} routes");

    // And nothing of B's attempts changed A's data.
    let tour_now: Value = app
        .admin
        .get(app.url(&format!("/api/v1/tours/{tour}")))
        .send()
        .await
        .expect("get")
        .json()
        .await
        .expect("json");
    assert_eq!(tour_now["title"], "Create your first purchase request");
    assert_eq!(tour_now["published_version"], 1);
    let tokens: Value = app
        .admin
        .get(app.url("/api/v1/tokens"))
        .send()
        .await
        .expect("get")
        .json()
        .await
        .expect("json");
    assert_eq!(tokens[0]["revoked"], false);
}
