//! The walking skeleton end to end: an employee on the demo app follows the tour, gets stuck on step 2
//! and files a ticket; the help desk sees it with its context, and the step table counts it; then a
//! submitted purchase request ticks the demo checklist's item done by the app's event.

use std::time::{Duration, Instant};

use cairn_server::testing::{TEST_ADMIN_EMAIL, TEST_ADMIN_PASSWORD, TestServer};
use serde_json::{Value, json};
use sqlx::Row;

use crate::harness::{Browser, in_overlay};

async fn admin_client(server: &TestServer) -> reqwest::Client {
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .expect("client");
    let res = client
        .post(format!("{}/api/v1/auth/login", server.url))
        .json(&json!({ "email": TEST_ADMIN_EMAIL, "password": TEST_ADMIN_PASSWORD }))
        .send()
        .await
        .expect("login");
    assert_eq!(res.status(), 200);
    client
}

async fn get_json(client: &reqwest::Client, url: String) -> Value {
    client
        .get(url)
        .send()
        .await
        .expect("get")
        .json()
        .await
        .expect("json")
}

#[tokio::test]
async fn employee_follows_the_demo_tour_and_files_a_ticket_from_step_2() {
    let started = Instant::now();
    let progress = |what: &str| eprintln!("e2e {:>6} ms  {what}", started.elapsed().as_millis());
    let server = TestServer::spawn().await.expect("server");
    let browser = Browser::start().await;
    browser
        .client
        .goto(&format!("{}/demo/", server.url))
        .await
        .expect("open /demo/");

    // Step 1 is shown, titled as authored, next to its element.
    progress("Step 1 is shown, titled as authored, next to its element.");
    let title = browser
        .wait_for(
            "the first step",
            &format!("{}.textContent", in_overlay("[data-cairn=step-title]")),
        )
        .await;
    assert_eq!(title, "Start a new request");
    browser
        .assert_accessible("the demo page with step 1 open", None)
        .await;
    let geometry = browser
        .js(&format!(
            "var p = {}.getBoundingClientRect(); var t = document.querySelector('[data-test=new-request]').getBoundingClientRect();
             return {{ gap: p.top - t.bottom, overlapX: Math.min(p.right, t.right) - Math.max(p.left, t.left), visible: p.width > 0 && p.height > 0 }};",
            in_overlay("[data-cairn=step]")
        ))
        .await;
    assert_eq!(geometry["visible"], true, "{geometry}");
    let gap = geometry["gap"].as_f64().expect("gap");
    assert!(
        (0.0..40.0).contains(&gap),
        "the popover sits just below its element (placement bottom): {geometry}"
    );
    assert!(
        geometry["overlapX"].as_f64().expect("overlap") > 0.0,
        "and horizontally next to it: {geometry}"
    );
    assert_eq!(
        browser
            .js(&format!(
                "return {}.getAttribute('data-element-found')",
                in_overlay("[data-cairn=step]")
            ))
            .await,
        "true"
    );

    // Next → step 2.
    progress("Next → step 2.");
    browser.click_overlay("[data-cairn=next]").await;
    browser
        .wait_for(
            "step 2",
            &format!(
                "{}.getAttribute('data-step-id') === 'supplier'",
                in_overlay("[data-cairn=step]")
            ),
        )
        .await;

    // Still stuck? → the form → a ticket number.
    progress("Still stuck? → the form → a ticket number.");
    browser.click_overlay("[data-cairn=stuck]").await;
    browser
        .wait_for("the stuck form", &in_overlay("[data-cairn=stuck-form]"))
        .await;
    browser
        .js(&format!(
            "var t = {}; t.value = 'I cannot find our usual supplier in the list'; t.dispatchEvent(new Event('input', {{ bubbles: true }})); return true;",
            in_overlay("[data-cairn=stuck-message]")
        ))
        .await;
    browser.click_overlay("[data-cairn=stuck-submit]").await;
    let number = browser
        .wait_for(
            "the ticket number",
            &format!("{}.textContent", in_overlay("[data-cairn=ticket-number]")),
        )
        .await;
    assert!(
        number.as_str().is_some_and(|n| n.contains("#1")),
        "ticket number shown: {number}"
    );

    // The help desk sees the ticket with the step's whole context.
    progress("The help desk sees the ticket with its whole context.");
    let admin = admin_client(&server).await;
    let tickets = get_json(&admin, format!("{}/api/v1/tickets", server.url)).await;
    let ticket = &tickets[0];
    assert_eq!(ticket["number"], 1);
    assert_eq!(
        ticket["message"],
        "I cannot find our usual supplier in the list"
    );
    assert_eq!(ticket["app_name"], "Acme Purchasing (demo)");
    let ctx = &ticket["context"];
    assert!(
        ctx["page_url"]
            .as_str()
            .is_some_and(|u| u.contains("/demo/")),
        "{ctx}"
    );
    assert_eq!(ctx["tour_id"], server.demo_tour_id.as_str());
    assert_eq!(ctx["step_id"], "supplier");
    assert_eq!(ctx["step_index"], 1);
    assert_eq!(ctx["version"], 1);
    assert_eq!(ctx["element_found"], true);
    assert_eq!(ctx["steps_seen"], json!(["new-request", "supplier"]));
    assert!(
        ctx["user_agent"]
            .as_str()
            .is_some_and(|ua| ua.contains("Chrome")),
        "{ctx}"
    );
    assert!(
        ctx["viewport"]["width"].as_u64().is_some_and(|w| w > 0),
        "{ctx}"
    );
    assert!(
        ctx["viewport"]["height"].as_u64().is_some_and(|h| h > 0),
        "{ctx}"
    );

    // The step table counts the views and the ticket on step 2 (events arrive in batches).
    progress(
        "The step table counts the views and the ticket on step 2 (events arrive in batches).",
    );
    let url = format!(
        "{}/api/v1/analytics/tours/{}/steps",
        server.url, server.demo_tour_id
    );
    let deadline = Instant::now() + Duration::from_secs(15);
    let stats = loop {
        let stats = get_json(&admin, url.clone()).await;
        let s = &stats["steps"];
        if s[0]["views"].as_i64() >= Some(1)
            && s[1]["views"].as_i64() >= Some(1)
            && s[1]["stuck_opened"].as_i64() >= Some(1)
        {
            break stats;
        }
        assert!(
            Instant::now() < deadline,
            "events never reached the step table: {stats}"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    };
    let steps = &stats["steps"];
    assert_eq!(steps[0]["advances"], 1, "{stats}");
    // Events carry the segments the reports compare, and how long step 1 was on screen.
    let db = server.db().await.expect("db");
    let advanced = sqlx::query(
        "SELECT role, department, duration_ms FROM events WHERE kind = 'step_advanced' AND step_index = 0",
    )
    .fetch_one(&db.pool)
    .await
    .expect("the advance from step 1");
    let role: Option<String> = advanced.try_get(0).expect("role");
    let department: Option<String> = advanced.try_get(1).expect("department");
    let duration: Option<i64> = advanced.try_get(2).expect("duration");
    assert_eq!(role.as_deref(), Some("employee"));
    assert_eq!(department.as_deref(), Some("Finance"));
    assert!(
        duration.is_some_and(|ms| ms > 0),
        "time on step 1: {duration:?}"
    );
    assert_eq!(steps[1]["tickets"], 1, "{stats}");
    assert_eq!(steps[0]["tickets"], 0, "{stats}");
    assert!(
        steps[1]["tickets_per_1000_views"]
            .as_f64()
            .is_some_and(|r| r > 0.0),
        "{stats}"
    );

    // Back to the tour: close the form, walk to the end; the last step completes the tour.
    progress(
        "Back to the tour: close the form, walk to the end; the last step completes the tour.",
    );
    browser.click_overlay("[data-cairn=stuck-close]").await;
    let steps_total = 4;
    for _ in 1..steps_total {
        browser
            .wait_for("a step", &in_overlay("[data-cairn=next]"))
            .await;
        browser.click_overlay("[data-cairn=next]").await;
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
    progress("waiting for the tour to close");
    browser
        .wait_for(
            "the tour to close",
            &format!("!{}", in_overlay("[data-cairn=step]")),
        )
        .await;
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let stats = get_json(&admin, url.clone()).await;
        if stats["steps"][3]["completions"].as_i64() == Some(1) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "completion never counted: {stats}"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }

    // The demo checklist's third item is done by the app: submitting a request calls `cairn.track`.
    progress("Submitting a request ticks the checklist item the app's event completes.");
    let item = in_overlay("[data-cairn=checklist-item][data-item-id=request]");
    browser.js("cairn.openLauncher(); return true;").await;
    let before = browser
        .wait_for(
            "the demo checklist",
            &format!("{item}.getAttribute('data-done')"),
        )
        .await;
    assert_eq!(before, "false", "not done before the request is submitted");
    browser
        .js("document.getElementById('description').value = '2 docking stations'; document.querySelector('[data-test=submit-request]').click(); return true;")
        .await;
    browser
        .wait_for(
            "the item done by the submitted request",
            &format!("{item}.getAttribute('data-done') === 'true'"),
        )
        .await;
    browser.close().await;
}
