//! Walks every route of `/api/v1/openapi.json` as a second organisation, with the first one's real
//! ids, and checks that nothing of the first organisation comes back. A route the walk cannot
//! exercise (an unknown path parameter, an answer showing the request never reached the tenant
//! check) fails the test: a new route must be covered, not skipped.

use cairn_server::roles::Role;
use cairn_server::{auth, store};
use reqwest::{Client, Method};
use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app, tour_doc};

/// Routes that are public by design: they hold no tenant data. They are walked too (no leak), but
/// may answer 200.
pub const PUBLIC: [&str; 6] = [
    "/healthz",
    "/readyz",
    "/metrics",
    "/api/v1/openapi.json",
    "/api/v1/schema/{file}",
    "/api/v1/auth/login",
];

/// Organisation A's ids, one per kind of path parameter.
pub struct Ids {
    pub tour: String,
    pub tooltip: String,
    pub checklist: String,
    pub ticket: String,
    pub token: String,
    pub app: String,
    pub integration: String,
    pub delivery: String,
}

/// The URL of `path` with A's ids, or `None` when a parameter is not known to the walk.
pub fn fill(path: &str, ids: &Ids) -> Option<String> {
    let id = if path.starts_with("/api/v1/tickets/") {
        &ids.ticket
    } else if path.starts_with("/api/v1/tokens/") {
        &ids.token
    } else if path.starts_with("/api/v1/apps/") {
        &ids.app
    } else if path.starts_with("/api/v1/integrations/") {
        &ids.integration
    } else if path.starts_with("/api/v1/deliveries/") {
        &ids.delivery
    } else if path.starts_with("/api/v1/tooltips/") {
        &ids.tooltip
    } else if path.starts_with("/api/v1/checklists/") {
        &ids.checklist
    } else {
        // Tours and everything keyed by a tour (versions, diff, preview, XLIFF, analytics).
        &ids.tour
    };
    let url = path
        .replace("{id}", id)
        .replace("{version}", "1")
        .replace("{file}", "tour.v1.json");
    if url.contains('{') {
        return None;
    }
    // Required query parameters.
    Some(if path.ends_with("/diff") {
        format!("{url}?from=1")
    } else if path.ends_with("/xliff") {
        format!("{url}?locale=de")
    } else {
        url
    })
}

pub fn body_for(path: &str, app_id: &str) -> Value {
    if path.ends_with("/tours") {
        json!({ "app_id": app_id, "document": tour_doc("x") })
    } else if path.ends_with("/tours/{id}") {
        tour_doc("hijack")
    } else if path.ends_with("/tooltips") {
        json!({ "app_id": app_id, "document": hint_doc("tooltip") })
    } else if path.ends_with("/tooltips/{id}") {
        hint_doc("tooltip")
    } else if path.ends_with("/checklists") {
        json!({ "app_id": app_id, "document": hint_doc("checklist") })
    } else if path.ends_with("/checklists/{id}") {
        hint_doc("checklist")
    } else if path.ends_with("/rollback") {
        json!({ "version": 1 })
    } else if path.ends_with("/tokens") {
        json!({ "name": "n", "scopes": ["content:read"] })
    } else if path.ends_with("/integrations") {
        json!({ "kind": "webhook", "name": "n", "config": { "url": "http://127.0.0.1:9/n" } })
    } else if path.ends_with("/integrations/{id}") {
        json!({ "enabled": false })
    } else if path.ends_with("/entries") {
        json!({ "body": "B writes into A's ticket" })
    } else if path.ends_with("/escalate") {
        json!({ "tier": 3, "note": "B escalates A's ticket" })
    } else if path.ends_with("/overlay/events") {
        json!({ "events": [] })
    } else if path.ends_with("/overlay/tickets") {
        json!({ "message": "from B", "context": { "page_url": "http://b.test/" } })
    } else {
        json!({})
    }
}

/// A valid tooltip or checklist (one whose item links to a page: a tour id would be refused as
/// unknown before the walk reached the tenant check of a create).
pub fn hint_doc(kind: &str) -> Value {
    if kind == "tooltip" {
        json!({ "title": "hijack", "target": { "strategies": [{ "kind": "id", "value": "x" }] } })
    } else {
        json!({ "title": "hijack", "items": [{ "id": "a", "title": "A", "action": { "type": "link", "url": "/x" } }] })
    }
}

/// The id of the demo organisation's first document of a kind (`tooltips`, `checklists`).
async fn first_id(app: &TestApp, kind: &str) -> String {
    let list: Value = app
        .admin
        .get(app.url(&format!("/api/v1/{kind}")))
        .send()
        .await
        .expect("list")
        .json()
        .await
        .expect("json");
    list[0]["id"]
        .as_str()
        .expect("a seeded document")
        .to_string()
}

/// An integration, a ticket (and its delivery) and a token in the demo organisation, with the
/// demo tour and application: one real id for every kind of path parameter.
pub async fn org_data(app: &TestApp) -> Ids {
    let tour = app.server.demo_tour_id.clone();
    let app_id = app.demo_app_id().await;
    let integration: Value = app
        .admin
        .post(app.url("/api/v1/integrations"))
        .json(&json!({ "kind": "webhook", "name": "org A hook", "config": { "url": "http://127.0.0.1:9/hooks/a" } }))
        .send()
        .await
        .expect("integration")
        .json()
        .await
        .expect("json");
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
    let deliveries: Value = app
        .admin
        .get(app.url("/api/v1/deliveries"))
        .send()
        .await
        .expect("deliveries")
        .json()
        .await
        .expect("json");
    Ids {
        tour: tour.clone(),
        tooltip: first_id(app, "tooltips").await,
        checklist: first_id(app, "checklists").await,
        ticket: ticket["id"].as_str().expect("ticket id").to_string(),
        token: token["id"].as_str().expect("token id").to_string(),
        app: app_id.clone(),
        integration: integration["id"]
            .as_str()
            .expect("integration id")
            .to_string(),
        delivery: deliveries[0]["id"]
            .as_str()
            .expect("a delivery for the ticket")
            .to_string(),
    }
}

#[tokio::test]
async fn every_route_refuses_another_organisations_ids() {
    let app = spawn_app().await;
    let tour = app.server.demo_tour_id.clone();
    let app_id = app.demo_app_id().await;

    let ids = org_data(&app).await;
    let secrets = [
        ids.tour.clone(),
        ids.tooltip.clone(),
        ids.checklist.clone(),
        "What is a cost center?".to_string(),
        "Get started with purchasing".to_string(),
        ids.ticket.clone(),
        ids.token.clone(),
        ids.app.clone(),
        ids.integration.clone(),
        ids.delivery.clone(),
        app.server.demo_app_key.clone(),
        "secret words of org A".to_string(),
        "org A hook".to_string(),
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
    let mut total = 0;
    let mut covered = 0;
    let mut uncovered = Vec::new();
    let mut routes: Vec<(&String, &String)> = doc["paths"]
        .as_object()
        .expect("paths")
        .iter()
        .flat_map(|(path, item)| {
            item.as_object()
                .expect("methods")
                .keys()
                .map(move |m| (path, m))
        })
        .collect();
    // Signing out last: every other route is walked signed in as B.
    routes.sort_by_key(|(path, _)| path.ends_with("/auth/logout"));
    for (path, method) in routes {
        {
            total += 1;
            let method = Method::from_bytes(method.to_uppercase().as_bytes()).expect("method");
            let Some(url) = fill(path, &ids) else {
                uncovered.push(format!("{method} {path}: unknown path parameter"));
                continue;
            };
            let mut req = eve.request(method.clone(), app.url(&url));
            if path.starts_with("/api/v1/overlay/") {
                // Overlay routes authenticate by app key: B has none of A's, so B tries its own
                // made-up key, and A's preview token is not B's to have.
                req = req.header("x-cairn-app-key", "pk_of_org_b_does_not_exist");
            }
            if path.starts_with("/api/v1/author/") {
                // Author mode authenticates by a signed link: B forges one naming A's tour.
                req = req.header(
                    "x-cairn-author",
                    format!("author.org-a.{}.99999999999999.00ff", ids.tour),
                );
            }
            if method != Method::GET && method != Method::DELETE {
                req = req.json(&body_for(path, &app_id));
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
            let reached = if PUBLIC.contains(&path.as_str()) {
                status < 500
            } else if path.contains("{id}")
                || path.starts_with("/api/v1/overlay/")
                || path.starts_with("/api/v1/author/")
            {
                matches!(status, 401 | 403 | 404)
            } else {
                matches!(status, 200 | 201 | 204 | 403 | 404 | 422)
            };
            if reached {
                covered += 1;
            } else {
                uncovered.push(format!("{method} {path}: answered {status} {text}"));
            }
        }
    }
    println!(
        "isolation: {covered} of {total} routes walked with a second organisation's credentials"
    );
    assert!(
        uncovered.is_empty(),
        "routes the isolation walk did not exercise (teach `fill`/`body_for` about them):\n{}",
        uncovered.join("\n")
    );
    assert!(
        total >= 40,
        "the OpenAPI document lists only {total} routes"
    );

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
    assert_eq!(tour_now["has_unpublished_changes"], false);
    for kind in ["tooltips", "checklists"] {
        let list: Value = app
            .admin
            .get(app.url(&format!("/api/v1/{kind}")))
            .send()
            .await
            .expect("list")
            .json()
            .await
            .expect("json");
        assert_eq!(list.as_array().map(Vec::len), Some(1), "{kind}: {list}");
        assert_eq!(list[0]["published_version"], 1, "{kind}");
        assert_eq!(list[0]["has_unpublished_changes"], false, "{kind}");
    }
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
    let integrations: Value = app
        .admin
        .get(app.url("/api/v1/integrations"))
        .send()
        .await
        .expect("get")
        .json()
        .await
        .expect("json");
    assert_eq!(integrations[0]["name"], "org A hook");
    assert_eq!(integrations[0]["enabled"], true);
}

/// A's preview token, used with B's application key, shows B nothing of A.
#[tokio::test]
async fn a_preview_token_does_not_cross_organisations() {
    let app = spawn_app().await;
    let tour = app.server.demo_tour_id.clone();
    let link: Value = app
        .admin
        .post(app.url(&format!("/api/v1/tours/{tour}/preview")))
        .send()
        .await
        .expect("preview")
        .json()
        .await
        .expect("json");
    let db = app.server.db().await.expect("db");
    let org_b = store::users::create_org(&db, "Other Corp")
        .await
        .expect("org");
    let b_app = store::apps::create(&db, &org_b, "B app", &[])
        .await
        .expect("app");
    let res = app
        .anon
        .get(app.url("/api/v1/overlay/content"))
        .header("x-cairn-app-key", &b_app.public_key)
        .header("x-cairn-preview", link["token"].as_str().expect("token"))
        .send()
        .await
        .expect("content");
    assert_eq!(res.status(), 401);
    let text = res.text().await.unwrap_or_default();
    assert!(
        !text.contains(&tour) && !text.contains("purchase"),
        "{text}"
    );
}
