//! Connectors against small local HTTP servers that check each product's documented request shape and
//! answer as the product does; and the outbox's retries.

use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app};

#[derive(Clone, Debug)]
struct Seen {
    method: String,
    path: String,
    headers: Vec<(String, String)>,
    body: Value,
    raw: String,
}

impl Seen {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

#[derive(Default)]
struct ReceiverState {
    seen: Vec<Seen>,
    fail_first: usize,
    fail_status: u16,
    answer: Value,
}

/// A fake help desk on a free port.
struct Receiver {
    url: String,
    state: Arc<Mutex<ReceiverState>>,
}

impl Receiver {
    fn start(answer: Value, fail_first: usize, fail_status: u16) -> Receiver {
        let state = Arc::new(Mutex::new(ReceiverState {
            fail_first,
            fail_status,
            answer,
            ..Default::default()
        }));
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let url = format!(
            "http://127.0.0.1:{}",
            listener.local_addr().expect("addr").port()
        );
        let shared = state.clone();
        let server = HttpServer::new(move || {
            let shared = shared.clone();
            App::new().default_service(web::to(move |req: HttpRequest, body: web::Bytes| {
                let shared = shared.clone();
                async move {
                    let raw = String::from_utf8_lossy(&body).to_string();
                    let mut s = shared.lock().expect("lock");
                    s.seen.push(Seen {
                        method: req.method().to_string(),
                        path: req.path().to_string(),
                        headers: req
                            .headers()
                            .iter()
                            .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("").to_string()))
                            .collect(),
                        body: serde_json::from_str(&raw).unwrap_or(Value::Null),
                        raw,
                    });
                    if s.seen.len() <= s.fail_first {
                        return HttpResponse::build(
                            actix_web::http::StatusCode::from_u16(s.fail_status).expect("status"),
                        )
                        .body("temporarily down");
                    }
                    HttpResponse::Created().json(s.answer.clone())
                }
            }))
        })
        .workers(1)
        .listen(listener)
        .expect("listen")
        .run();
        tokio::spawn(server);
        Receiver { url, state }
    }

    fn seen(&self) -> Vec<Seen> {
        self.state.lock().expect("lock").seen.clone()
    }
}

async fn add_integration(app: &TestApp, kind: &str, config: Value) -> Value {
    let res = app
        .admin
        .post(app.url("/api/v1/integrations"))
        .json(&json!({ "kind": kind, "name": format!("{kind} test"), "config": config }))
        .send()
        .await
        .expect("post");
    assert_eq!(res.status(), 201, "create {kind}");
    res.json().await.expect("json")
}

async fn file_ticket(app: &TestApp) -> String {
    let report = json!({ "message": "The supplier list is empty", "context": {
        "page_url": "http://host.test/demo/", "tour_id": app.server.demo_tour_id, "tour_title": "Create your first purchase request",
        "step_id": "supplier", "step_index": 1, "step_title": "Pick the supplier", "version": 1, "element_found": true,
        "steps_seen": ["new-request", "supplier"], "user_agent": "Chrome", "viewport": { "width": 1280, "height": 800 } } });
    let filed: Value = app
        .overlay(Method::POST, "/tickets")
        .json(&report)
        .send()
        .await
        .expect("post")
        .json()
        .await
        .expect("json");
    filed["id"].as_str().expect("id").to_string()
}

async fn wait_for<F: Fn() -> bool>(what: &str, f: F) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !f() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

async fn deliveries(app: &TestApp) -> Value {
    app.admin
        .get(app.url("/api/v1/deliveries"))
        .send()
        .await
        .expect("get")
        .json()
        .await
        .expect("json")
}

async fn wait_delivery_status(app: &TestApp, status: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let d = deliveries(app).await;
        if d[0]["status"] == status {
            return d;
        }
        assert!(
            Instant::now() < deadline,
            "delivery never became {status}: {d}"
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

fn basic(user: &str, pass: &str) -> String {
    // Independent of the server's encoder: a known RFC 4648 vector for these credentials.
    let known = [
        ("agent@acme.test:tok", "YWdlbnRAYWNtZS50ZXN0OnRvaw=="),
        (
            "agent@acme.test/token:tok",
            "YWdlbnRAYWNtZS50ZXN0L3Rva2VuOnRvaw==",
        ),
        ("admin:pw", "YWRtaW46cHc="),
        ("key1:X", "a2V5MTpY"),
    ];
    let creds = format!("{user}:{pass}");
    let encoded = known
        .iter()
        .find(|(c, _)| *c == creds)
        .map(|(_, e)| *e)
        .expect("a known vector");
    format!("Basic {encoded}")
}

#[tokio::test]
async fn servicenow_incident() {
    let app = spawn_app().await;
    let rx = Receiver::start(
        json!({ "result": { "sys_id": "9d385017c611228701d22104cc95c371", "number": "INC0010042" } }),
        0,
        500,
    );
    add_integration(
        &app,
        "servicenow",
        json!({ "instance_url": rx.url, "username": "admin", "password": "pw" }),
    )
    .await;
    let ticket = file_ticket(&app).await;
    wait_for("the incident", || !rx.seen().is_empty()).await;
    let r = &rx.seen()[0];
    assert_eq!(
        (r.method.as_str(), r.path.as_str()),
        ("POST", "/api/now/table/incident")
    );
    assert_eq!(
        r.header("authorization"),
        Some(basic("admin", "pw").as_str())
    );
    assert_eq!(r.header("content-type"), Some("application/json"));
    assert!(
        r.body["short_description"]
            .as_str()
            .is_some_and(|s| s.contains("The supplier list is empty"))
    );
    let description = r.body["description"].as_str().expect("description");
    assert!(
        description.contains("Step 2: Pick the supplier (supplier), version 1"),
        "{description}"
    );
    assert!(r.body["impact"].is_string() && r.body["urgency"].is_string());
    wait_delivery_status(&app, "delivered").await;
    let t: Value = app
        .admin
        .get(app.url(&format!("/api/v1/tickets/{ticket}")))
        .send()
        .await
        .expect("get")
        .json()
        .await
        .expect("json");
    assert_eq!(t["external"][0]["kind"], "servicenow");
    assert_eq!(t["external"][0]["id"], "INC0010042");
    assert!(
        t["external"][0]["url"]
            .as_str()
            .is_some_and(|u| u.ends_with("sys_id=9d385017c611228701d22104cc95c371"))
    );
}

#[tokio::test]
async fn jira_service_management_request() {
    let app = spawn_app().await;
    let rx = Receiver::start(
        json!({ "issueId": "107001", "issueKey": "HELP-7", "_links": { "web": "https://acme.atlassian.net/servicedesk/customer/portal/1/HELP-7" } }),
        0,
        500,
    );
    add_integration(&app, "jira", json!({ "base_url": rx.url, "email": "agent@acme.test", "api_token": "tok", "service_desk_id": "1", "request_type_id": "25" })).await;
    file_ticket(&app).await;
    wait_for("the request", || !rx.seen().is_empty()).await;
    let r = &rx.seen()[0];
    assert_eq!(
        (r.method.as_str(), r.path.as_str()),
        ("POST", "/rest/servicedeskapi/request")
    );
    assert_eq!(
        r.header("authorization"),
        Some(basic("agent@acme.test", "tok").as_str())
    );
    assert_eq!(r.body["serviceDeskId"], "1");
    assert_eq!(r.body["requestTypeId"], "25");
    assert!(r.body["requestFieldValues"]["summary"].is_string());
    assert!(r.body["requestFieldValues"]["description"].is_string());
    let d = wait_delivery_status(&app, "delivered").await;
    assert_eq!(d[0]["external_id"], "HELP-7");
}

#[tokio::test]
async fn zendesk_ticket() {
    let app = spawn_app().await;
    let rx = Receiver::start(
        json!({ "ticket": { "id": 35436, "url": "https://acme.zendesk.com/api/v2/tickets/35436.json" } }),
        0,
        500,
    );
    add_integration(
        &app,
        "zendesk",
        json!({ "base_url": rx.url, "email": "agent@acme.test", "api_token": "tok" }),
    )
    .await;
    file_ticket(&app).await;
    wait_for("the ticket", || !rx.seen().is_empty()).await;
    let r = &rx.seen()[0];
    assert_eq!(
        (r.method.as_str(), r.path.as_str()),
        ("POST", "/api/v2/tickets.json")
    );
    assert_eq!(
        r.header("authorization"),
        Some(basic("agent@acme.test/token", "tok").as_str())
    );
    assert!(r.body["ticket"]["subject"].is_string());
    assert!(r.body["ticket"]["comment"]["body"].is_string());
    let d = wait_delivery_status(&app, "delivered").await;
    assert_eq!(d[0]["external_id"], "35436");
}

#[tokio::test]
async fn zammad_ticket() {
    let app = spawn_app().await;
    let rx = Receiver::start(
        json!({ "id": 123, "number": "31001", "title": "x" }),
        0,
        500,
    );
    add_integration(&app, "zammad", json!({ "base_url": rx.url, "token": "ztok", "group": "Users", "customer": "guess:employee@acme.test" })).await;
    file_ticket(&app).await;
    wait_for("the ticket", || !rx.seen().is_empty()).await;
    let r = &rx.seen()[0];
    assert_eq!(
        (r.method.as_str(), r.path.as_str()),
        ("POST", "/api/v1/tickets")
    );
    assert_eq!(r.header("authorization"), Some("Token token=ztok"));
    assert!(r.body["title"].is_string());
    assert_eq!(r.body["group"], "Users");
    assert_eq!(r.body["customer"], "guess:employee@acme.test");
    assert!(r.body["article"]["body"].is_string());
    let d = wait_delivery_status(&app, "delivered").await;
    assert_eq!(d[0]["external_id"], "31001");
}

#[tokio::test]
async fn freshservice_ticket() {
    let app = spawn_app().await;
    let rx = Receiver::start(json!({ "ticket": { "id": 4321, "subject": "x" } }), 0, 500);
    add_integration(
        &app,
        "freshservice",
        json!({ "base_url": rx.url, "api_key": "key1", "requester_email": "employee@acme.test" }),
    )
    .await;
    file_ticket(&app).await;
    wait_for("the ticket", || !rx.seen().is_empty()).await;
    let r = &rx.seen()[0];
    assert_eq!(
        (r.method.as_str(), r.path.as_str()),
        ("POST", "/api/v2/tickets")
    );
    assert_eq!(r.header("authorization"), Some(basic("key1", "X").as_str()));
    for field in ["subject", "description", "email", "priority", "status"] {
        assert!(
            !r.body[field].is_null(),
            "{field} is required by Freshservice"
        );
    }
    let d = wait_delivery_status(&app, "delivered").await;
    assert_eq!(d[0]["external_id"], "4321");
}

#[tokio::test]
async fn signed_webhook_is_verifiable_and_replay_safe() {
    let app = spawn_app().await;
    let rx = Receiver::start(json!({}), 0, 500);
    let created = add_integration(
        &app,
        "webhook",
        json!({ "url": format!("{}/hooks/cairn", rx.url) }),
    )
    .await;
    let secret = created["signing_secret"]
        .as_str()
        .expect("secret shown once")
        .to_string();
    let listed: Value = app
        .admin
        .get(app.url("/api/v1/integrations"))
        .send()
        .await
        .expect("list")
        .json()
        .await
        .expect("json");
    assert!(!listed.to_string().contains(&secret));
    file_ticket(&app).await;
    wait_for("the webhook", || !rx.seen().is_empty()).await;
    let r = &rx.seen()[0];
    assert_eq!(r.path, "/hooks/cairn");
    assert_eq!(r.header("x-cairn-event"), Some("ticket.created"));
    let sig = r.header("x-cairn-signature").expect("signature");
    let ts: i64 = sig
        .split(',')
        .next()
        .and_then(|t| t.strip_prefix("t="))
        .and_then(|t| t.parse().ok())
        .expect("timestamp");
    assert_eq!(
        sig,
        cairn_server::integrations::connectors::signature(&secret, ts, &r.raw)
    );
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("time")
        .as_secs() as i64;
    assert!((now - ts).abs() < 300, "timestamp is current");
    assert_eq!(r.body["ticket"]["context"]["step_id"], "supplier");
    assert_eq!(r.header("x-cairn-delivery"), r.body["delivery_id"].as_str());
}

#[tokio::test]
async fn outbox_retries_three_failures_then_delivers_exactly_once() {
    let app = spawn_app().await;
    let rx = Receiver::start(
        json!({ "result": { "sys_id": "abc", "number": "INC1" } }),
        3,
        503,
    );
    add_integration(
        &app,
        "servicenow",
        json!({ "instance_url": rx.url, "username": "admin", "password": "pw" }),
    )
    .await;
    file_ticket(&app).await;
    for attempt in 1..=3 {
        wait_for(&format!("attempt {attempt}"), || rx.seen().len() >= attempt).await;
        // Let the failure be recorded, then jump past the backoff.
        let deadline = Instant::now() + Duration::from_secs(10);
        while deliveries(&app).await[0]["attempts"].as_i64() != Some(attempt as i64) {
            assert!(Instant::now() < deadline, "failure {attempt} not recorded");
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        app.server.clock.advance_ms(3_600_000);
    }
    let d = wait_delivery_status(&app, "delivered").await;
    assert_eq!(d[0]["attempts"], 4);
    assert_eq!(d[0]["external_id"], "INC1");
    tokio::time::sleep(Duration::from_millis(300)).await;
    app.server.clock.advance_ms(3_600_000);
    tokio::time::sleep(Duration::from_millis(300)).await;
    let successes = rx.seen().len() - 3;
    assert_eq!(successes, 1, "exactly one incident, never two");
}

#[tokio::test]
async fn bad_credentials_go_to_the_dead_letter_state_and_can_be_retried() {
    let app = spawn_app().await;
    let rx = Receiver::start(json!({ "ticket": { "id": 1 } }), 1, 401);
    add_integration(
        &app,
        "zendesk",
        json!({ "base_url": rx.url, "email": "a@b.c", "api_token": "wrong" }),
    )
    .await;
    file_ticket(&app).await;
    let d = wait_delivery_status(&app, "dead").await;
    assert_eq!(d[0]["last_status"], 401);
    let id = d[0]["id"].as_str().expect("id");
    let res = app
        .admin
        .post(app.url(&format!("/api/v1/deliveries/{id}/retry")))
        .send()
        .await
        .expect("retry");
    assert_eq!(res.status(), 204);
    wait_delivery_status(&app, "delivered").await;
}

#[tokio::test]
async fn incomplete_integrations_are_422() {
    let app = spawn_app().await;
    let res = app
        .admin
        .post(app.url("/api/v1/integrations"))
        .json(&json!({ "kind": "jira", "name": "x", "config": { "base_url": "ftp://x" } }))
        .send()
        .await
        .expect("post");
    let body = crate::helpers::assert_error(res, 422, "unprocessable").await;
    let pointers: Vec<&str> = body["error"]["details"]["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .filter_map(|e| e["pointer"].as_str())
        .collect();
    assert!(
        pointers.contains(&"/config/email") && pointers.contains(&"/config/base_url"),
        "{pointers:?}"
    );
}

/// The employee sees where the help desk works their ticket: "My tickets" carries the incident
/// number and link the connector stored.
#[tokio::test]
async fn the_employee_sees_the_help_desk_ticket_in_my_tickets() {
    let app = spawn_app().await;
    let rx = Receiver::start(
        json!({ "result": { "sys_id": "abc123", "number": "INC0010077" } }),
        0,
        500,
    );
    add_integration(
        &app,
        "servicenow",
        json!({ "instance_url": rx.url, "username": "admin", "password": "pw" }),
    )
    .await;
    let app_id = app.demo_app_id().await;
    let secret: Value = app
        .admin
        .get(app.url(&format!("/api/v1/apps/{app_id}/identity-secret")))
        .send()
        .await
        .expect("get")
        .json()
        .await
        .expect("json");
    let secret = secret["secret"].as_str().expect("secret");
    let hash = cairn_server::identity::identity_hash(secret, "sam");
    let res = app
        .overlay(Method::POST, "/tickets")
        .json(
            &json!({ "message": "Cannot log in", "context": { "page_url": "http://host.test/" },
                       "identity": { "id": "sam", "hash": hash } }),
        )
        .send()
        .await
        .expect("post");
    assert_eq!(res.status(), 201);
    wait_delivery_status(&app, "delivered").await;
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
    assert_eq!(
        mine[0]["external"][0]["system"], "servicenow test",
        "{mine}"
    );
    assert_eq!(mine[0]["external"][0]["id"], "INC0010077", "{mine}");
    assert!(
        mine[0]["external"][0]["url"]
            .as_str()
            .is_some_and(|u| u.ends_with("sys_id=abc123")),
        "{mine}"
    );
}
