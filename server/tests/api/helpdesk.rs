use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_error, spawn_app};

async fn file(app: &TestApp, message: &str) -> String {
    let report = json!({ "message": message, "context": { "page_url": "http://host.test/demo/", "tour_id": app.server.demo_tour_id, "step_id": "supplier", "step_index": 1 } });
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

async fn ticket(app: &TestApp, id: &str) -> Value {
    app.admin
        .get(app.url(&format!("/api/v1/tickets/{id}")))
        .send()
        .await
        .expect("get")
        .json()
        .await
        .expect("json")
}

#[tokio::test]
async fn agents_work_a_ticket_with_an_audit_trail() {
    let app = spawn_app().await;
    let id = file(&app, "The supplier list is empty").await;
    let t = ticket(&app, &id).await;
    assert_eq!(t["status"], "new");
    assert_eq!(t["priority"], 4);
    assert_eq!(t["tier"], 1);
    assert_eq!(t["entries"][0]["kind"], "created");

    // Internal note: no first response yet.
    let res = app
        .admin
        .post(app.url(&format!("/api/v1/tickets/{id}/entries")))
        .json(&json!({ "body": "Probably the SAP sync", "internal": true }))
        .send()
        .await
        .expect("note");
    assert_eq!(res.status(), 201);
    assert_eq!(
        ticket(&app, &id).await["sla"]["first_responded_at"],
        Value::Null
    );

    // A public reply opens it and stops the response clock.
    let res = app
        .admin
        .post(app.url(&format!("/api/v1/tickets/{id}/entries")))
        .json(&json!({ "body": "We are on it." }))
        .send()
        .await
        .expect("reply");
    assert_eq!(res.status(), 201);
    let t = ticket(&app, &id).await;
    assert_eq!(t["status"], "open");
    assert!(t["sla"]["first_responded_at"].as_i64().is_some());

    // Assign, reprioritise, escalate with a note.
    let t: Value = app.admin.patch(app.url(&format!("/api/v1/tickets/{id}"))).json(&json!({ "owner": cairn_server::testing::TEST_ADMIN_EMAIL, "priority": 2, "category": "Suppliers" })).send().await.expect("patch").json().await.expect("json");
    assert_eq!(t["owner"], cairn_server::testing::TEST_ADMIN_EMAIL);
    assert_eq!(t["priority"], 2);
    assert_eq!(t["category"], "Suppliers");
    let res = app
        .admin
        .post(app.url(&format!("/api/v1/tickets/{id}/escalate")))
        .json(&json!({ "tier": 2, "note": " " }))
        .send()
        .await
        .expect("escalate");
    let body = assert_error(res, 422, "unprocessable").await;
    assert_eq!(body["error"]["details"]["errors"][0]["pointer"], "/note");
    let t: Value = app
        .admin
        .post(app.url(&format!("/api/v1/tickets/{id}/escalate")))
        .json(&json!({ "tier": 3, "note": "Needs the ERP team" }))
        .send()
        .await
        .expect("escalate")
        .json()
        .await
        .expect("json");
    assert_eq!(t["tier"], 3);
    let res = app
        .admin
        .post(app.url(&format!("/api/v1/tickets/{id}/escalate")))
        .json(&json!({ "tier": 2, "note": "down?" }))
        .send()
        .await
        .expect("escalate");
    assert_error(res, 422, "unprocessable").await;

    // Resolve, then a closed ticket cannot move.
    let t: Value = app
        .admin
        .patch(app.url(&format!("/api/v1/tickets/{id}")))
        .json(&json!({ "status": "resolved" }))
        .send()
        .await
        .expect("patch")
        .json()
        .await
        .expect("json");
    assert_eq!(t["status"], "resolved");
    assert!(t["sla"]["resolved_at"].as_i64().is_some());
    app.admin
        .patch(app.url(&format!("/api/v1/tickets/{id}")))
        .json(&json!({ "status": "closed" }))
        .send()
        .await
        .expect("patch");
    let res = app
        .admin
        .patch(app.url(&format!("/api/v1/tickets/{id}")))
        .json(&json!({ "status": "open" }))
        .send()
        .await
        .expect("patch");
    assert_error(res, 409, "conflict").await;

    let kinds: Vec<String> = ticket(&app, &id).await["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .map(|e| e["kind"].as_str().unwrap_or("").to_string())
        .collect();
    for k in [
        "created",
        "note",
        "reply",
        "assigned",
        "priority",
        "category",
        "escalated",
        "status",
    ] {
        assert!(
            kinds.iter().any(|x| x == k),
            "{k} missing from the audit trail {kinds:?}"
        );
    }

    // Queue filters.
    let other = file(&app, "Another one").await;
    let list: Value = app
        .admin
        .get(app.url("/api/v1/tickets?status=new"))
        .send()
        .await
        .expect("get")
        .json()
        .await
        .expect("json");
    assert_eq!(list.as_array().map(Vec::len), Some(1));
    assert_eq!(list[0]["id"], other.as_str());
    let list: Value = app
        .admin
        .get(app.url("/api/v1/tickets?owner=me"))
        .send()
        .await
        .expect("get")
        .json()
        .await
        .expect("json");
    assert_eq!(list[0]["id"], id.as_str());
    let list: Value = app
        .admin
        .get(app.url("/api/v1/tickets?tier=3"))
        .send()
        .await
        .expect("get")
        .json()
        .await
        .expect("json");
    assert_eq!(list.as_array().map(Vec::len), Some(1));
    let res = app
        .admin
        .get(app.url("/api/v1/tickets?status=bogus"))
        .send()
        .await
        .expect("get");
    assert_error(res, 400, "bad_request").await;
}

#[tokio::test]
async fn a_ticket_past_its_response_target_is_breached() {
    let app = spawn_app().await;
    let id = file(&app, "Blocked").await;
    let t = ticket(&app, &id).await;
    assert_eq!(t["sla"]["response_breached"], false);
    let due = t["sla"]["first_response_due"].as_i64().expect("due")
        - t["created_at"].as_i64().expect("created");
    assert_eq!(due, 8 * 60 * 60 * 1000, "P4: first response within 8 h");

    // Nine hours later, without a reply.
    app.server.clock.advance_ms(9 * 60 * 60 * 1000);
    let t = ticket(&app, &id).await;
    assert_eq!(t["sla"]["response_breached"], true);
    assert_eq!(t["sla"]["resolution_breached"], false);
    let breached: Value = app
        .admin
        .get(app.url("/api/v1/tickets?breached=true"))
        .send()
        .await
        .expect("get")
        .json()
        .await
        .expect("json");
    assert_eq!(breached[0]["id"], id.as_str());

    // A late reply keeps the breach on record.
    app.admin
        .post(app.url(&format!("/api/v1/tickets/{id}/entries")))
        .json(&json!({ "body": "Sorry for the wait" }))
        .send()
        .await
        .expect("reply");
    assert_eq!(ticket(&app, &id).await["sla"]["response_breached"], true);
}
