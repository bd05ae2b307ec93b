//! The editor end to end, in Chromium against the real server: an author builds, targets, publishes
//! and rolls back a tour; an agent works a ticket filed with its step context. Every main screen is
//! checked with axe-core and photographed into `target/e2e-screenshots/`; the editor's time to
//! interactive is printed.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use cairn_server::roles::Role;
use cairn_server::testing::TestServer;
use cairn_server::{auth, store};
use fantoccini::Locator;
use fantoccini::key::Key;
use serde_json::{Value, json};

use crate::harness::Browser;

const PASSWORD: &str = "editor e2e password";

/// `target/e2e-screenshots/`, created if missing.
fn screenshots_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target"));
    let target = if target.is_relative() {
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("..")
            .join(target)
    } else {
        target
    };
    let dir = target.join("e2e-screenshots");
    std::fs::create_dir_all(&dir).expect("create the screenshots folder");
    dir
}

pub(crate) async fn screenshot(browser: &Browser, name: &str) {
    let png = browser.client.screenshot().await.expect("screenshot");
    let path = screenshots_dir().join(format!("{name}.png"));
    std::fs::write(&path, png).expect("write screenshot");
    eprintln!("screenshot: {}", path.display());
}

/// A user of the demo organisation with `role`.
pub(crate) async fn user(server: &TestServer, email: &str, role: Role) {
    let db = server.db().await.expect("db");
    let org = store::users::first_org(&db)
        .await
        .expect("query")
        .expect("the demo organisation");
    let hash = auth::hash_password(PASSWORD).expect("hash");
    store::users::create_user(&db, &org, email, &hash, role)
        .await
        .expect("create user");
}

pub(crate) async fn api_client(server: &TestServer, email: &str) -> reqwest::Client {
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .expect("client");
    let res = client
        .post(format!("{}/api/v1/auth/login", server.url))
        .json(&json!({ "email": email, "password": PASSWORD }))
        .send()
        .await
        .expect("login");
    assert_eq!(res.status(), 200, "API login of {email}");
    client
}

pub(crate) async fn get(client: &reqwest::Client, url: String) -> Value {
    let res = client.get(&url).send().await.expect("get");
    assert!(res.status().is_success(), "GET {url}: {}", res.status());
    res.json().await.expect("json")
}

/// The published demo tour once the overlay receives version `version` (polled for a few seconds:
/// fails if it never arrives).
async fn published_version(server: &TestServer, version: u64) -> Value {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let (v, doc) = published_tour(server).await;
        if v == version {
            return doc;
        }
        assert!(
            Instant::now() < deadline,
            "the overlay still gets version {v}, not {version}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// What the overlay of the demo application receives (published content, no preview token).
pub(crate) async fn overlay_content(server: &TestServer) -> Value {
    reqwest::Client::new()
        .get(format!("{}/api/v1/overlay/content", server.url))
        .header("x-cairn-app-key", &server.demo_app_key)
        .send()
        .await
        .expect("content")
        .json()
        .await
        .expect("json")
}

/// The published demo tour as the overlay receives it: (version, document).
async fn published_tour(server: &TestServer) -> (u64, Value) {
    let content = overlay_content(server).await;
    let tour = content["tours"]
        .as_array()
        .and_then(|t| t.iter().find(|t| t["id"] == server.demo_tour_id.as_str()))
        .cloned()
        .unwrap_or_else(|| panic!("the demo tour is published: {content}"));
    (
        tour["version"].as_u64().expect("version"),
        tour["doc"].clone(),
    )
}

fn step_titles(doc: &Value) -> Vec<String> {
    doc["steps"]
        .as_array()
        .map(|s| {
            s.iter()
                .filter_map(|s| s["title"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

async fn css(browser: &Browser, selector: &str) -> fantoccini::elements::Element {
    browser
        .client
        .wait()
        .at_most(Duration::from_secs(15))
        .for_element(Locator::Css(selector))
        .await
        .unwrap_or_else(|e| panic!("no element {selector}: {e}"))
}

/// Clicks the element matching `selector`; found again if the page redrew it between finding and
/// clicking (the ticket view redraws after each action).
pub(crate) async fn click(browser: &Browser, selector: &str) {
    let mut attempts = 0;
    loop {
        match css(browser, selector).await.click().await {
            Ok(()) => return,
            Err(e) if attempts < 3 && e.to_string().contains("stale element") => {
                attempts += 1;
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            Err(e) => panic!("click {selector}: {e}"),
        }
    }
}

pub(crate) async fn fill(browser: &Browser, selector: &str, text: &str) {
    let input = css(browser, selector).await;
    input.clear().await.expect("clear");
    input
        .send_keys(text)
        .await
        .unwrap_or_else(|e| panic!("type into {selector}: {e}"));
}

async fn choose(browser: &Browser, selector: &str, value: &str) {
    css(browser, selector)
        .await
        .select_by_value(value)
        .await
        .unwrap_or_else(|e| panic!("choose {value} in {selector}: {e}"));
}

/// Polls a JavaScript expression with a readable failure (the harness's `wait_for` reports the
/// overlay state, which means nothing here).
pub(crate) async fn until(browser: &Browser, what: &str, expression: &str) -> Value {
    let script = format!("try {{ return ({expression}); }} catch (e) {{ return null; }}");
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let v = browser.js(&script).await;
        if !matches!(&v, Value::Null | Value::Bool(false)) && v != json!("") && v != json!(0) {
            return v;
        }
        if Instant::now() > deadline {
            let page = browser
                .js("return document.querySelector('main') ? document.querySelector('main').innerText.slice(0, 1500) : document.body.innerText.slice(0, 1500);")
                .await;
            panic!("timed out waiting for {what}; the page says:\n{page}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

pub(crate) async fn sign_in(browser: &Browser, server: &TestServer, email: &str) {
    browser
        .client
        .goto(&format!("{}/editor/", server.url))
        .await
        .expect("open the editor");
    fill(browser, "[data-test=login-email]", email).await;
    fill(browser, "[data-test=login-password]", PASSWORD).await;
    click(browser, "[data-test=login-submit]").await;
    css(browser, "[data-test=nav-tours]").await;
}

pub(crate) fn text_of(selector: &str) -> String {
    format!(
        "(document.querySelector({}) || {{}}).textContent || ''",
        json!(selector)
    )
}

#[tokio::test]
async fn author_builds_targets_publishes_and_rolls_back_a_tour() {
    let server = TestServer::spawn().await.expect("server");
    user(&server, "author@test.local", Role::Author).await;
    let api = api_client(&server, "author@test.local").await;
    let (v_before, doc_before) = published_tour(&server).await;
    let titles_before = step_titles(&doc_before);
    assert_eq!(titles_before.len(), 4, "the demo tour has four steps");

    let browser = Browser::start().await;
    sign_in(&browser, &server, "author@test.local").await;

    // Time to interactive: a fresh load of the editor, signed in, to the tours list on screen.
    browser
        .client
        // A new query string: a full page load, not a same-document hash change.
        .goto(&format!("{}/editor/?fresh=1#/tours", server.url))
        .await
        .expect("reload");
    css(&browser, "[data-test=tour-row]").await;
    let tti = until(
        &browser,
        "the ready mark",
        "(performance.getEntriesByName('cairn-editor-ready')[0] || {}).startTime",
    )
    .await;
    let nav = browser
        .js("var n = performance.getEntriesByType('navigation')[0]; return { dcl: n.domContentLoadedEventEnd, load: n.loadEventEnd };")
        .await;
    eprintln!(
        "editor time to interactive: {:.0} ms from navigation start to the tours list rendered (DOMContentLoaded {:.0} ms, load {:.0} ms)",
        tti.as_f64().unwrap_or_default(),
        nav["dcl"].as_f64().unwrap_or_default(),
        nav["load"].as_f64().unwrap_or_default()
    );
    screenshot(&browser, "tours-list").await;
    browser.assert_accessible("the tours list", None).await;

    // The builder.
    click(
        &browser,
        &format!("[data-test=tour-row][data-id='{}'] a", server.demo_tour_id),
    )
    .await;
    until(
        &browser,
        "four step cards",
        "document.querySelectorAll('[data-test=step]').length === 4",
    )
    .await;
    assert!(
        browser
            .js(&format!("return {};", text_of("[data-test=status]")))
            .await
            .as_str()
            .is_some_and(|s| s.starts_with("Published v1")),
        "the published state is visible"
    );

    // Add a step: it lands last with its title field focused.
    click(&browser, "[data-test=add-step]").await;
    until(
        &browser,
        "a fifth step",
        "document.querySelectorAll('[data-test=step]').length === 5",
    )
    .await;
    let focused = browser
        .js("var a = document.activeElement; return a && a.getAttribute('data-test') === 'step-title' && a.closest('[data-test=step]').getAttribute('data-index');")
        .await;
    assert_eq!(focused, json!("4"), "the new step's title has focus");
    fill(
        &browser,
        "[data-test=step]:nth-child(5) [data-test=step-title]",
        "Ask your manager to approve",
    )
    .await;
    fill(
        &browser,
        "[data-test=step]:nth-child(5) [data-test=step-body]",
        "Your manager gets an **email**.",
    )
    .await;

    // Reorder with the keyboard: Alt+ArrowUp on the focused step moves it above the last original.
    let last = css(&browser, "[data-test=step]:nth-child(5)").await;
    last.send_keys(&format!("{}{}", char::from(Key::Alt), char::from(Key::Up)))
        .await
        .expect("Alt+ArrowUp");
    until(
        &browser,
        "the new step in 4th place",
        "document.querySelectorAll('[data-test=step]')[3].querySelector('[data-test=step-title]').value === 'Ask your manager to approve'",
    )
    .await;
    let moved = until(
        &browser,
        "the move announced",
        &text_of("[data-test=moves]"),
    )
    .await;
    assert_eq!(moved, "Step 5 moved to position 4.");
    let focus_kept = browser
        .js("return document.activeElement.getAttribute('data-index');")
        .await;
    assert_eq!(focus_kept, json!("3"), "focus follows the moved step");

    // Drag and drop: the first step's handle dropped on the second step swaps them (the editor's
    // own dragstart/dragover/drop handlers, driven with synthetic drag events), then Move up on
    // the new second step puts the order back.
    browser
        .js("var steps = document.querySelectorAll('[data-test=step]'); var dt = new DataTransfer();
             steps[0].querySelector('[data-test=drag-handle]').dispatchEvent(new DragEvent('dragstart', { bubbles: true, dataTransfer: dt }));
             steps[1].dispatchEvent(new DragEvent('dragover', { bubbles: true, cancelable: true, dataTransfer: dt }));
             steps[1].dispatchEvent(new DragEvent('drop', { bubbles: true, cancelable: true, dataTransfer: dt }));
             return true;")
        .await;
    until(
        &browser,
        "the first two steps swapped",
        &format!(
            "document.querySelectorAll('[data-test=step-title]')[0].value === {} && document.querySelectorAll('[data-test=step-title]')[1].value === {}",
            json!(titles_before[1]),
            json!(titles_before[0])
        ),
    )
    .await;
    click(
        &browser,
        "[data-test=step]:nth-child(2) [data-test=step-up]",
    )
    .await;
    until(
        &browser,
        "the order restored",
        &format!(
            "document.querySelectorAll('[data-test=step-title]')[0].value === {}",
            json!(titles_before[0])
        ),
    )
    .await;

    // Targeting: one attribute rule, role is one of ["approver"]; the summary follows live.
    click(&browser, "[data-test=rule-add]").await;
    fill(&browser, "[data-test=rule-attribute]", "role").await;
    fill(&browser, "[data-test=rule-values]", "approver").await;
    let summary = until(
        &browser,
        "the summary naming the role",
        &format!(
            "{}.includes('with role approver') && {}",
            text_of("[data-test=targeting-summary]"),
            text_of("[data-test=targeting-summary]")
        ),
    )
    .await;
    assert_eq!(
        summary,
        "Shown to: users with role approver on /demo/*, once"
    );
    // Unsaved work survives a reload: it comes back from this browser's local draft.
    browser.client.refresh().await.expect("reload the builder");
    css(&browser, "[data-test=restored-draft]").await;
    until(
        &browser,
        "the restored steps and rule",
        &format!(
            "document.querySelectorAll('[data-test=step]').length === 5 && {}.includes('with role approver')",
            text_of("[data-test=targeting-summary]")
        ),
    )
    .await;
    // A save that fails because the session ended loses nothing: sign in again, the work is back.
    browser
        .js("fetch('/api/v1/auth/logout', { method: 'POST', credentials: 'same-origin' }); return true;")
        .await;
    until(
        &browser,
        "the session gone",
        "fetch('/api/v1/auth/me').then(function (r) { window.__me = r.status; }) && window.__me === 401",
    )
    .await;
    click(&browser, "[data-test=save-draft]").await;
    let note = until(
        &browser,
        "the login screen saying the changes are kept",
        "document.querySelector('[data-test=login-email]') && document.querySelector('.note').textContent",
    )
    .await;
    assert!(
        note.as_str()
            .is_some_and(|n| n.contains("unsaved changes are kept")),
        "{note}"
    );
    fill(&browser, "[data-test=login-email]", "author@test.local").await;
    fill(&browser, "[data-test=login-password]", PASSWORD).await;
    click(&browser, "[data-test=login-submit]").await;
    css(&browser, "[data-test=restored-draft]").await;
    until(
        &browser,
        "the unsaved work back after signing in again",
        &format!(
            "document.querySelectorAll('[data-test=step]').length === 5 && {}.includes('with role approver')",
            text_of("[data-test=targeting-summary]")
        ),
    )
    .await;
    screenshot(&browser, "tour-builder").await;
    browser.assert_accessible("the tour builder", None).await;

    // Branch when the first step's element is missing: jump to step 3 (only later steps are offered).
    let goto_third = browser
        .js("return document.querySelector('[data-test=step-when-absent]').options[3].value;")
        .await;
    let goto_third = goto_third.as_str().unwrap_or_default().to_string();
    assert!(goto_third.starts_with("goto:"), "{goto_third}");
    choose(&browser, "[data-test=step-when-absent]", &goto_third).await;

    // Publish with a message.
    fill(
        &browser,
        "[data-test=publish-note]",
        "Add the approval step",
    )
    .await;
    click(&browser, "[data-test=publish]").await;
    until(
        &browser,
        "the publish confirmation",
        &format!(
            "{}.includes('Published version 2')",
            text_of("[data-test=save-status]")
        ),
    )
    .await;
    let doc = published_version(&server, v_before + 1).await;
    let titles = step_titles(&doc);
    assert_eq!(titles.len(), 5);
    assert_eq!(titles[3], "Ask your manager to approve");
    assert_eq!(titles[4], titles_before[3]);
    assert_eq!(doc["steps"][3]["body"], "Your manager gets an **email**.");
    assert_eq!(
        doc["steps"][0]["when_absent"]["goto"],
        doc["steps"][2]["id"]
    );
    assert_eq!(
        doc["targeting"]["attributes"],
        json!([{ "attribute": "role", "one_of": ["approver"] }])
    );

    // Version history: the message and author, a diff, then roll back to v1.
    click(&browser, "[data-test=version-history]").await;
    until(
        &browser,
        "two versions",
        "document.querySelectorAll('[data-test=version-row]').length === 2",
    )
    .await;
    let top = browser
        .js(&format!(
            "return {};",
            text_of("[data-test=version-row][data-version='2']")
        ))
        .await;
    let top = top.as_str().unwrap_or_default();
    assert!(
        top.contains("Add the approval step") && top.contains("author@test.local"),
        "{top}"
    );
    click(&browser, "[data-test=diff-show]").await;
    until(
        &browser,
        "the changes from v1 to v2",
        "Array.from(document.querySelectorAll('[data-test=diff-change]')).some(function (c) { return c.getAttribute('data-pointer').indexOf('/targeting/attributes') === 0; })",
    )
    .await;
    screenshot(&browser, "versions").await;
    browser.assert_accessible("the version history", None).await;

    click(&browser, "[data-test=rollback][data-version='1']").await;
    click(&browser, "[data-test=rollback-confirm]").await;
    until(
        &browser,
        "the rollback confirmation",
        &format!(
            "{}.includes('version 1 is live again as version 3')",
            text_of("[data-test=versions-feedback]")
        ),
    )
    .await;
    // A rollback is a new version.
    let doc = published_version(&server, v_before + 2).await;
    assert_eq!(step_titles(&doc), titles_before);
    assert!(doc["targeting"].get("attributes").is_none(), "{doc}");
    let versions = get(
        &api,
        format!(
            "{}/api/v1/tours/{}/versions",
            server.url, server.demo_tour_id
        ),
    )
    .await;
    assert_eq!(versions[0]["message"], "Rollback to version 1");
    browser.close().await;
}

#[tokio::test]
async fn agent_works_a_ticket_from_the_queue() {
    let server = TestServer::spawn().await.expect("server");
    user(&server, "agent@test.local", Role::Agent).await;
    user(&server, "boss@test.local", Role::Admin).await;
    let admin = api_client(&server, "boss@test.local").await;

    // Two tickets from the overlay: one verified employee stuck on step 2 (P2), one anonymous (P4).
    let tour = get(
        &admin,
        format!("{}/api/v1/tours/{}", server.url, server.demo_tour_id),
    )
    .await;
    let step = tour["draft"]["steps"][1].clone();
    let step_id = step["id"].as_str().expect("step id").to_string();
    let apps = get(&admin, format!("{}/api/v1/apps", server.url)).await;
    let app_id = apps[0]["id"].as_str().expect("app id");
    let secret = get(
        &admin,
        format!("{}/api/v1/apps/{app_id}/identity-secret", server.url),
    )
    .await["secret"]
        .as_str()
        .expect("secret")
        .to_string();
    let hash = cairn_server::identity::identity_hash(&secret, "sam");
    let overlay = |method: reqwest::Method, path: &str| {
        reqwest::Client::new()
            .request(method, format!("{}/api/v1/overlay{path}", server.url))
            .header("x-cairn-app-key", &server.demo_app_key)
    };
    let page_url = format!("{}/demo/?order=42", server.url);
    let filed: Value = overlay(reqwest::Method::POST, "/tickets")
        .json(&json!({
            "message": "The supplier I need is not in the list",
            "category": "Something is broken",
            "impact": "team",
            "urgency": "blocking",
            "context": {
                "page_url": page_url,
                "tour_id": server.demo_tour_id,
                "tour_title": tour["draft"]["title"],
                "step_id": step_id,
                "step_index": 1,
                "step_title": step["title"],
                "version": 1,
                "element_found": false,
                "steps_seen": ["new-request", step_id],
                "user_agent": "Mozilla/5.0 (X11; Linux x86_64) Chrome/131",
                "viewport": { "width": 1280, "height": 800 }
            },
            "identity": { "id": "sam", "attributes": { "role": "buyer", "department": "Finance" }, "hash": hash }
        }))
        .send()
        .await
        .expect("file")
        .json()
        .await
        .expect("json");
    let ticket_id = filed["id"].as_str().expect("ticket id").to_string();
    let other = overlay(reqwest::Method::POST, "/tickets")
        .json(&json!({ "message": "Where is the policy?", "context": { "page_url": page_url } }))
        .send()
        .await
        .expect("file");
    assert_eq!(other.status(), 201);

    let browser = Browser::start().await;
    sign_in(&browser, &server, "agent@test.local").await;
    click(&browser, "[data-test=nav-tickets]").await;
    until(
        &browser,
        "two tickets",
        "document.querySelectorAll('[data-test=ticket-row]').length === 2",
    )
    .await;
    // Filter: P2 only, then also by status and breach (the server filters).
    choose(&browser, "[data-test=queue-priority]", "2").await;
    until(
        &browser,
        "the P2 ticket only",
        &format!(
            "document.querySelectorAll('[data-test=ticket-row]').length === 1 && document.querySelector('[data-test=ticket-row]').getAttribute('data-id') === '{ticket_id}'"
        ),
    )
    .await;
    choose(&browser, "[data-test=queue-breached]", "true").await;
    until(
        &browser,
        "no breached P2 ticket",
        "document.querySelectorAll('[data-test=ticket-row]').length === 0 && document.querySelector('.empty')",
    )
    .await;
    choose(&browser, "[data-test=queue-breached]", "").await;
    choose(&browser, "[data-test=queue-status]", "new").await;
    until(
        &browser,
        "the new P2 ticket",
        "document.querySelectorAll('[data-test=ticket-row]').length === 1",
    )
    .await;
    screenshot(&browser, "ticket-queue").await;
    browser.assert_accessible("the ticket queue", None).await;

    // The ticket with its whole context.
    click(&browser, "[data-test=ticket-row] a").await;
    let context = until(
        &browser,
        "the step context",
        &text_of("[data-test=ticket-context]"),
    )
    .await;
    let context = context.as_str().unwrap_or_default();
    for expected in [
        page_url.as_str(),
        step["title"].as_str().unwrap_or("?"),
        "v1",
        "Chrome/131",
        "1280 × 800 px",
        "sam",
        "Verified",
        "department: Finance",
        "role: buyer",
    ] {
        assert!(
            context.contains(expected),
            "the context shows {expected:?}: {context}"
        );
    }
    assert_eq!(
        browser
            .js(&format!("return {};", text_of("[data-test=element-found]")))
            .await,
        "No"
    );
    let summary = browser
        .js(&format!(
            "return {};",
            text_of("[data-test=ticket-summary]")
        ))
        .await;
    let summary = summary.as_str().unwrap_or_default();
    assert!(
        summary.contains("P2") && summary.contains("My team") && summary.contains("Blocking me"),
        "{summary}"
    );
    assert!(
        browser
            .js(&format!(
                "return {};",
                text_of("[data-test=ticket-message]")
            ))
            .await
            .as_str()
            .is_some_and(|m| m.contains("not in the list"))
    );
    let link = browser
        .js("return document.querySelector('[data-test=open-tour-step]').getAttribute('href');")
        .await;
    assert_eq!(
        link,
        json!(format!("#/tours/{}/steps/{step_id}", server.demo_tour_id))
    );
    screenshot(&browser, "ticket-view").await;
    browser.assert_accessible("the ticket view", None).await;

    // Reply, note, escalate, resolve.
    fill(
        &browser,
        "[data-test=entry-body]",
        "Pick “Other supplier” and type its name.",
    )
    .await;
    click(&browser, "[data-test=send-reply]").await;
    until(
        &browser,
        "the public reply in the trail",
        "document.querySelector('[data-test=entry][data-kind=reply]')",
    )
    .await;
    fill(
        &browser,
        "[data-test=entry-body]",
        "Supplier list sync is broken since Monday.",
    )
    .await;
    click(&browser, "[data-test=add-note]").await;
    until(
        &browser,
        "the internal note in the trail",
        "document.querySelector('[data-test=entry][data-kind=note][data-internal=true]')",
    )
    .await;
    // Assign to oneself, from the organisation's users.
    until(
        &browser,
        "the owner picker filled",
        "document.querySelector('[data-test=assign-owner] option[value=\"agent@test.local\"]')",
    )
    .await;
    choose(&browser, "[data-test=assign-owner]", "agent@test.local").await;
    click(&browser, "[data-test=assign]").await;
    until(
        &browser,
        "the owner shown",
        &format!(
            "{} === 'agent@test.local'",
            text_of("[data-test=ticket-owner]")
        ),
    )
    .await;
    // The escalation note is required: without it nothing is sent.
    click(&browser, "[data-test=escalate]").await;
    until(
        &browser,
        "the note marked missing",
        "document.querySelector('[data-test=escalate-note][aria-invalid=true]')",
    )
    .await;
    choose(&browser, "[data-test=escalate-tier]", "2").await;
    fill(
        &browser,
        "[data-test=escalate-note]",
        "Needs the ERP team to fix the sync.",
    )
    .await;
    click(&browser, "[data-test=escalate]").await;
    until(
        &browser,
        "tier L2",
        &format!("{} === 'L2'", text_of("[data-test=ticket-tier]")),
    )
    .await;
    click(&browser, "[data-test=status-resolved]").await;
    until(
        &browser,
        "the ticket resolved",
        "document.querySelector('[data-test=ticket-detail][data-status=resolved]')",
    )
    .await;

    // The audit trail, through the API.
    let detail = get(&admin, format!("{}/api/v1/tickets/{ticket_id}", server.url)).await;
    assert_eq!(detail["status"], "resolved");
    assert_eq!(detail["tier"], 2);
    let entries = detail["entries"].as_array().expect("entries");
    let kinds: Vec<&str> = entries.iter().filter_map(|e| e["kind"].as_str()).collect();
    assert_eq!(
        kinds,
        [
            "created",
            "reply",
            "note",
            "assigned",
            "escalated",
            "status"
        ],
        "{detail}"
    );
    let entries = &entries[1..];
    assert_eq!(entries[0]["internal"], false);
    assert_eq!(entries[1]["internal"], true);
    assert_eq!(entries[2]["body"], "assigned to agent@test.local");
    assert_eq!(
        entries[3]["body"],
        "L1 → L2: Needs the ERP team to fix the sync."
    );
    assert_eq!(entries[4]["body"], "open → resolved");
    assert!(
        entries.iter().all(|e| e["author"] == "agent@test.local"),
        "{detail}"
    );

    // The employee sees the public reply, never the note.
    let mine: Value = overlay(reqwest::Method::GET, "/my-tickets")
        .header("x-cairn-user-id", "sam")
        .header("x-cairn-user-hash", &hash)
        .send()
        .await
        .expect("my tickets")
        .json()
        .await
        .expect("json");
    let text = mine.to_string();
    assert!(
        text.contains("Pick “Other supplier” and type its name."),
        "{mine}"
    );
    assert!(!text.contains("Supplier list sync"), "{mine}");
    assert_eq!(mine[0]["status"], "resolved");

    // The link opens the tour at that step, with focus on it.
    click(&browser, "[data-test=open-tour-step]").await;
    until(
        &browser,
        "the step focused in the builder",
        &format!(
            "document.activeElement && document.activeElement.getAttribute('data-step-id') === '{step_id}'"
        ),
    )
    .await;

    // Deliveries are for admins: the agent is told so; an admin sees the (empty) list.
    browser
        .client
        .goto(&format!("{}/editor/#/deliveries", server.url))
        .await
        .expect("open deliveries");
    until(
        &browser,
        "the agent refused",
        "document.querySelector('.error-box[role=alert]')",
    )
    .await;
    click(&browser, "[data-test=sign-out]").await;
    fill(&browser, "[data-test=login-email]", "boss@test.local").await;
    fill(&browser, "[data-test=login-password]", PASSWORD).await;
    click(&browser, "[data-test=login-submit]").await;
    until(
        &browser,
        "the deliveries page",
        "document.querySelector('h1').textContent === 'Deliveries' && document.querySelector('main .empty')",
    )
    .await;
    browser.assert_accessible("the deliveries view", None).await;
    browser.close().await;
}
