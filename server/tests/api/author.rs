//! Record in app: author links and the author-mode API the host page calls with their token.

use cairn_server::roles::Role;
use cairn_server::{auth, store};
use reqwest::{Client, Method};
use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_error, spawn_app, tour_doc};

async fn new_tour(app: &TestApp, title: &str) -> String {
    let app_id = app.demo_app_id().await;
    let created: Value = app
        .admin
        .post(app.url("/api/v1/tours"))
        .json(&json!({ "app_id": app_id, "document": tour_doc(title) }))
        .send()
        .await
        .expect("create")
        .json()
        .await
        .expect("json");
    created["id"].as_str().expect("id").to_string()
}

async fn author_link(app: &TestApp, tour: &str) -> Value {
    let res = app
        .admin
        .post(app.url(&format!("/api/v1/tours/{tour}/author-link")))
        .send()
        .await
        .expect("author link");
    assert_eq!(res.status(), 201);
    res.json().await.expect("json")
}

fn author(app: &TestApp, method: Method, token: &str) -> reqwest::RequestBuilder {
    app.anon
        .request(method, app.url("/api/v1/author/tour"))
        .header("x-cairn-author", token)
}

#[tokio::test]
async fn an_author_link_reads_and_saves_its_tours_draft() {
    let app = spawn_app().await;
    let tour = new_tour(&app, "Record me").await;
    let link = author_link(&app, &tour).await;
    let token = link["token"].as_str().expect("token");
    assert_eq!(
        link["url"],
        format!("{}/demo/?cairn_author={token}", app.server.url),
        "the demo application's link opens the demo page"
    );
    let now = app.server.clock.now_ms();
    let expires = link["expires_at"].as_i64().expect("expires_at");
    assert!(
        (now + 25 * 60_000..=now + 31 * 60_000).contains(&expires),
        "about 30 minutes: {expires} vs {now}"
    );

    let draft: Value = author(&app, Method::GET, token)
        .send()
        .await
        .expect("get")
        .json()
        .await
        .expect("json");
    assert_eq!(draft["tour_id"], tour.as_str());
    assert_eq!(draft["draft"]["title"], "Record me");

    let mut doc = tour_doc("Record me");
    doc["steps"][1]["target"] =
        json!({ "strategies": [{ "kind": "attr", "name": "data-test", "value": "new-request" }] });
    let res = author(&app, Method::PUT, token)
        .header("origin", &app.server.url)
        .json(&doc)
        .send()
        .await
        .expect("put");
    assert_eq!(res.status(), 200);
    let saved: Value = res.json().await.expect("json");
    assert_eq!(
        saved["draft"]["steps"][1]["target"]["strategies"][0]["value"],
        "new-request"
    );
    // The editor sees the same draft.
    let detail: Value = app
        .admin
        .get(app.url(&format!("/api/v1/tours/{tour}")))
        .send()
        .await
        .expect("get")
        .json()
        .await
        .expect("json");
    assert_eq!(detail["draft"], saved["draft"]);
    assert_eq!(detail["has_unpublished_changes"], true);

    // Same validation as PUT /tours/{id}: 422 with pointers.
    let mut bad = tour_doc("Record me");
    bad["steps"][0]["title"] = json!("");
    bad["steps"][1]["id"] = json!("one");
    let body = assert_error(
        author(&app, Method::PUT, token)
            .json(&bad)
            .send()
            .await
            .expect("put"),
        422,
        "unprocessable",
    )
    .await;
    let pointers: Vec<&str> = body["error"]["details"]["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .filter_map(|e| e["pointer"].as_str())
        .collect();
    assert!(pointers.contains(&"/steps/0/title"), "{body}");
    assert!(pointers.contains(&"/steps/1/id"), "{body}");
}

#[tokio::test]
async fn author_tokens_are_refused_when_missing_forged_expired_or_for_another_purpose() {
    let app = spawn_app().await;
    let tour = new_tour(&app, "Mine").await;
    let other = new_tour(&app, "Another tour").await;
    let link = author_link(&app, &tour).await;
    let token = link["token"].as_str().expect("token").to_string();

    let res = app
        .anon
        .get(app.url("/api/v1/author/tour"))
        .send()
        .await
        .expect("get");
    assert_error(res, 401, "invalid_link").await;

    // The same token pointed at another tour of the same organisation: the signature no longer holds.
    let forged = token.replace(&tour, &other);
    assert_ne!(forged, token);
    for method in [Method::GET, Method::PUT] {
        let res = author(&app, method, &forged)
            .json(&tour_doc("hijack"))
            .send()
            .await
            .expect("request");
        assert_error(res, 401, "invalid_link").await;
    }
    let other_now: Value = app
        .admin
        .get(app.url(&format!("/api/v1/tours/{other}")))
        .send()
        .await
        .expect("get")
        .json()
        .await
        .expect("json");
    assert_eq!(other_now["title"], "Another tour");

    // A preview token is not an author token.
    let preview = token.replacen("author.", "preview.", 1);
    let res = author(&app, Method::GET, &preview)
        .send()
        .await
        .expect("get");
    assert_error(res, 401, "invalid_link").await;

    // From an origin the application does not allow: refused even with a valid token.
    let res = author(&app, Method::GET, &token)
        .header("origin", "https://evil.test")
        .send()
        .await
        .expect("get");
    assert_error(res, 403, "forbidden").await;

    // Valid now; after 31 minutes, expired.
    let res = author(&app, Method::GET, &token).send().await.expect("get");
    assert_eq!(res.status(), 200);
    app.server.clock.advance_ms(31 * 60 * 1000);
    let res = author(&app, Method::PUT, &token)
        .json(&tour_doc("too late"))
        .send()
        .await
        .expect("put");
    let body = assert_error(res, 401, "invalid_link").await;
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("expired")),
        "{body}"
    );
}

#[tokio::test]
async fn another_organisation_gets_no_author_link_and_its_token_reaches_only_its_own_tour() {
    let app = spawn_app().await;
    let tour = new_tour(&app, "Org A's tour").await;

    let db = app.server.db().await.expect("db");
    let org_b = store::users::create_org(&db, "Other Corp")
        .await
        .expect("org");
    let hash = auth::hash_password("other password 1").expect("hash");
    store::users::create_user(&db, &org_b, "eve@other.test", &hash, Role::Admin)
        .await
        .expect("user");
    let b_app = store::apps::create(&db, &org_b, "B's app", &["https://b.test".to_string()])
        .await
        .expect("app");
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

    // B cannot get a link to A's tour.
    let res = eve
        .post(app.url(&format!("/api/v1/tours/{tour}/author-link")))
        .send()
        .await
        .expect("link");
    assert_error(res, 404, "not_found").await;

    // B's own tour: a link to B's app's origin, whose token reads B's tour and nothing else.
    let created: Value = eve
        .post(app.url("/api/v1/tours"))
        .json(&json!({ "app_id": b_app.id, "document": tour_doc("Org B's tour") }))
        .send()
        .await
        .expect("create")
        .json()
        .await
        .expect("json");
    let b_tour = created["id"].as_str().expect("id").to_string();
    let link: Value = eve
        .post(app.url(&format!("/api/v1/tours/{b_tour}/author-link")))
        .send()
        .await
        .expect("link")
        .json()
        .await
        .expect("json");
    let token = link["token"].as_str().expect("token");
    assert_eq!(link["url"], format!("https://b.test/?cairn_author={token}"));
    let draft: Value = author(&app, Method::GET, token)
        .header("origin", "https://b.test")
        .send()
        .await
        .expect("get")
        .json()
        .await
        .expect("json");
    assert_eq!(draft["tour_id"], b_tour.as_str());
    assert_eq!(draft["draft"]["title"], "Org B's tour");
    // B's token with A's tour id (and A's organisation) swapped in: refused, A's draft untouched.
    let forged = token.replace(&b_tour, &tour).replace(&org_b, "x");
    let res = author(&app, Method::PUT, &forged)
        .json(&tour_doc("hijack"))
        .send()
        .await
        .expect("put");
    assert_error(res, 401, "invalid_link").await;
    let a_now: Value = app
        .admin
        .get(app.url(&format!("/api/v1/tours/{tour}")))
        .send()
        .await
        .expect("get")
        .json()
        .await
        .expect("json");
    assert_eq!(a_now["title"], "Org A's tour");

    // An agent (no content editing) cannot ask for an author link.
    let org_a = store::users::first_org(&db)
        .await
        .expect("org")
        .expect("an organisation");
    let hash = auth::hash_password("agent password 1").expect("hash");
    store::users::create_user(&db, &org_a, "agent@test.local", &hash, Role::Agent)
        .await
        .expect("user");
    let agent = Client::builder()
        .cookie_store(true)
        .build()
        .expect("client");
    let res = agent
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({ "email": "agent@test.local", "password": "agent password 1" }))
        .send()
        .await
        .expect("login");
    assert_eq!(res.status(), 200);
    let res = agent
        .post(app.url(&format!("/api/v1/tours/{tour}/author-link")))
        .send()
        .await
        .expect("link");
    assert_error(res, 403, "forbidden").await;
}

#[tokio::test]
async fn author_mode_preflight_allows_the_token_header() {
    let app = spawn_app().await;
    let res = app
        .anon
        .request(Method::OPTIONS, app.url("/api/v1/author/tour"))
        .header("origin", "https://host.test")
        .header("access-control-request-method", "PUT")
        .header(
            "access-control-request-headers",
            "x-cairn-author, content-type",
        )
        .send()
        .await
        .expect("preflight");
    assert_eq!(res.status(), 204);
    let headers = res.headers();
    let allowed = headers
        .get("access-control-allow-headers")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    assert!(allowed.contains("x-cairn-author"), "{allowed}");
    let methods = headers
        .get("access-control-allow-methods")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    assert!(methods.contains("PUT"), "{methods}");
}
