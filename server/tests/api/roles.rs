//! The role matrix: what each role may do, route by route.

use cairn_server::roles::{Permission, Role};
use cairn_server::{auth, store};
use reqwest::{Client, Method};
use serde_json::{Value, json};

use crate::helpers::{spawn_app, tour_doc};
use crate::isolation::{PUBLIC, body_for, fill, org_data};

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

/// What each route of the OpenAPI document needs. `None`: any signed-in user. Routes that take no
/// session (overlay, probes, schema, login) are in `isolation::PUBLIC` or under `/api/v1/overlay/`.
fn needs(method: &Method, path: &str) -> Option<Option<Permission>> {
    use Permission::*;
    let m = method.as_str();
    let p = path.trim_start_matches("/api/v1");
    Some(match (m, p) {
        ("POST", "/auth/logout") | ("GET", "/auth/me") => None,
        ("GET", "/apps") => Some(ReadApps),
        ("PATCH", "/apps/{id}") | ("GET", "/apps/{id}/identity-secret") => Some(ManageApps),
        ("GET", "/tours" | "/tours/{id}" | "/tours/{id}/versions" | "/tours/{id}/diff")
        | ("GET", "/tours/{id}/versions/{version}" | "/tours/{id}/xliff") => Some(ReadContent),
        ("POST", "/tours" | "/tours/{id}/preview" | "/tours/{id}/author-link")
        | ("PUT", "/tours/{id}" | "/tours/{id}/xliff") => Some(EditContent),
        ("POST", "/tours/{id}/publish" | "/tours/{id}/rollback") => Some(PublishContent),
        // Tooltips and checklists: the same permissions as tours, route for route.
        ("GET", p) if p.starts_with("/tooltips") || p.starts_with("/checklists") => {
            Some(ReadContent)
        }
        ("POST", p)
            if (p.starts_with("/tooltips") || p.starts_with("/checklists"))
                && (p.ends_with("/publish") || p.ends_with("/rollback")) =>
        {
            Some(PublishContent)
        }
        ("POST" | "PUT", p) if p.starts_with("/tooltips") || p.starts_with("/checklists") => {
            Some(EditContent)
        }
        ("GET" | "POST", "/tokens") | ("DELETE", "/tokens/{id}") => Some(ManageUsers),
        ("GET" | "POST", "/integrations")
        | ("PATCH", "/integrations/{id}")
        | ("GET", "/deliveries")
        | ("POST", "/deliveries/{id}/retry") => Some(ManageApps),
        ("GET", "/tickets" | "/tickets/sla-policy" | "/tickets/{id}" | "/users") => {
            Some(ReadTickets)
        }
        ("PATCH", "/tickets/{id}")
        | ("POST", "/tickets/{id}/entries" | "/tickets/{id}/escalate") => Some(WorkTickets),
        ("GET", "/analytics/tours/{id}/steps") => Some(ReadAnalytics),
        ("GET", p) if p.starts_with("/reports/") => Some(ReadAnalytics),
        _ => return None,
    })
}

/// Each role against every management route of the OpenAPI document: a role without the route's
/// permission gets 403, a role with it never does. A route missing from `needs` fails the test.
#[tokio::test]
async fn every_role_against_every_route() {
    let app = spawn_app().await;
    let db = app.server.db().await.expect("db");
    let ids = org_data(&app).await;
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
    let doc: Value = app
        .anon
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .expect("openapi")
        .json()
        .await
        .expect("json");
    let mut routes = Vec::new();
    let mut unknown = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        // Overlay and author-mode routes authenticate by app key or signed link, not by role.
        if PUBLIC.contains(&path.as_str())
            || path.starts_with("/api/v1/overlay/")
            || path.starts_with("/api/v1/author/")
        {
            continue;
        }
        for method in item.as_object().expect("methods").keys() {
            let method = Method::from_bytes(method.to_uppercase().as_bytes()).expect("method");
            match (needs(&method, path), fill(path, &ids)) {
                (Some(need), Some(url)) => routes.push((method, path.clone(), url, need)),
                _ => unknown.push(format!("{method} {path}")),
            }
        }
    }
    assert!(
        unknown.is_empty(),
        "routes without a role expectation (add them to `needs`): {unknown:?}"
    );
    // Signing out last.
    routes.sort_by_key(|(_, path, _, _)| path.ends_with("/auth/logout"));

    let mut checks = 0;
    for role in Role::ALL {
        let email = format!("matrix-{role}@demo.test");
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
        for (method, path, url, need) in &routes {
            let mut req = client.request(method.clone(), app.url(url));
            if *method != Method::GET && *method != Method::DELETE {
                req = req.json(&body_for(path, &ids.app));
            }
            let res = req.send().await.expect("request");
            let status = res.status().as_u16();
            let text = res.text().await.unwrap_or_default();
            let allowed = need.is_none_or(|p| role.allows(p));
            if allowed {
                assert!(
                    !matches!(status, 401 | 403) && status < 500,
                    "{role} {method} {path} should be allowed, got {status} {text}"
                );
            } else {
                assert_eq!(
                    status, 403,
                    "{role} {method} {path} should be forbidden: {text}"
                );
            }
            checks += 1;
        }
    }
    println!(
        "role matrix: {} roles × {} routes = {checks} checks",
        Role::ALL.len(),
        routes.len()
    );
}
