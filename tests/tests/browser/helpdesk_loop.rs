//! The help-desk loop end to end: an employee of the demo app (identified and verified as
//! "sam.rivera") gets stuck on step 2, is offered a guide that matches their words, declines it,
//! says who is affected and how urgent it is, and files a ticket; an agent answers publicly (and
//! adds an internal note) in the editor's ticket view; back in the app, the launcher shows a badge
//! and the reply under "My tickets".

use std::time::{Duration, Instant};

use cairn_server::testing::{TEST_ADMIN_EMAIL, TEST_ADMIN_PASSWORD, TestServer};
use serde_json::{Value, json};
use sqlx::Row;

use crate::editor_ui::{click, element, fill, sign_in};
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

async fn send(req: reqwest::RequestBuilder, status: u16) -> Value {
    let res = req.send().await.expect("request");
    let code = res.status().as_u16();
    let body: Value = res.json().await.unwrap_or(Value::Null);
    assert_eq!(code, status, "{body}");
    body
}

/// Publishes a one-step guide about missing suppliers on the demo pages: what deflection offers.
async fn publish_supplier_guide(server: &TestServer, admin: &reqwest::Client) -> String {
    let apps = send(admin.get(format!("{}/api/v1/apps", server.url)), 200).await;
    let app_id = apps[0]["id"].as_str().expect("the demo app").to_string();
    let tour = send(
        admin
            .post(format!("{}/api/v1/tours", server.url))
            .json(&json!({
                "app_id": app_id,
                "document": {
                    "title": "Add a missing supplier",
                    "description": "What to do when a supplier is not in the list.",
                    "targeting": { "url_patterns": ["/demo/*"] },
                    "steps": [{
                        "id": "ask",
                        "title": "Ask purchasing",
                        "body": "Purchasing adds new suppliers within a day."
                    }]
                }
            })),
        201,
    )
    .await;
    let id = tour["id"].as_str().expect("tour id").to_string();
    send(
        admin
            .post(format!("{}/api/v1/tours/{id}/publish", server.url))
            .json(&json!({ "message": "first" })),
        200,
    )
    .await;
    id
}

/// Sets a form field inside the overlay as typing would.
async fn type_into(browser: &Browser, selector: &str, text: &str) {
    browser
        .js(&format!(
            "var t = {}; t.value = {}; t.dispatchEvent(new Event('input', {{ bubbles: true }})); return true;",
            in_overlay(selector),
            json!(text)
        ))
        .await;
}

async fn text_of(browser: &Browser, what: &str, selector: &str) -> String {
    browser
        .wait_for(what, &format!("{}.textContent", in_overlay(selector)))
        .await
        .as_str()
        .unwrap_or_default()
        .to_string()
}

#[tokio::test]
async fn stuck_deflection_declined_ticket_filed_reply_seen_in_my_tickets() {
    let started = Instant::now();
    let progress = |what: &str| eprintln!("e2e {:>6} ms  {what}", started.elapsed().as_millis());
    let server = TestServer::spawn().await.expect("server");
    let admin = admin_client(&server).await;
    let guide = publish_supplier_guide(&server, &admin).await;
    let browser = Browser::start().await;
    browser
        .client
        .goto(&format!("{}/demo/", server.url))
        .await
        .expect("open /demo/");
    browser
        .wait_for(
            "the overlay",
            "document.getElementById('cairn-root').getAttribute('data-cairn-state') === 'ready'",
        )
        .await;
    browser
        .js(&format!(
            "window.cairn.start({}); return true;",
            json!(server.demo_tour_id)
        ))
        .await;

    progress("Step 2, Still stuck?");
    browser
        .wait_for("step 1", &in_overlay("[data-step-id=new-request]"))
        .await;
    browser.click_overlay("[data-cairn=next]").await;
    browser
        .wait_for("step 2", &in_overlay("[data-step-id=supplier]"))
        .await;
    browser.click_overlay("[data-cairn=stuck]").await;
    browser
        .wait_for("the stuck form", &in_overlay("[data-cairn=stuck-form]"))
        .await;
    // The app's categories, impact and urgency in the employee's words.
    let options = browser
        .js(&format!(
            "return Array.from({}.options).map(o => o.textContent)",
            in_overlay("[data-cairn=stuck-category]")
        ))
        .await;
    assert_eq!(
        options,
        json!([
            "Choose…",
            "How do I…?",
            "Something is broken",
            "Access or permissions",
            "Other"
        ])
    );
    let legends = browser
        .js(&format!(
            "return Array.from({}.querySelectorAll('legend')).map(l => l.textContent)",
            in_overlay("[data-cairn=stuck-form]")
        ))
        .await;
    assert_eq!(legends, json!(["Who is affected?", "How urgent is it?"]));

    progress("Words that match a published guide → deflection offered");
    type_into(
        &browser,
        "[data-cairn=stuck-message]",
        "I cannot find our usual supplier in the list",
    )
    .await;
    browser.click_overlay("[data-cairn=stuck-submit]").await;
    browser
        .wait_for("suggestions", &in_overlay("[data-cairn=deflection-tour]"))
        .await;
    let offered = browser
        .js(&format!(
            "return Array.from({}.querySelectorAll('[data-cairn=deflection-tour]')).map(li => li.getAttribute('data-tour-id'))",
            in_overlay("[data-cairn=stuck-form]")
        ))
        .await;
    // The guide, not the tour the employee is stuck in.
    assert_eq!(offered, json!([guide]));
    let hidden = browser
        .js(&format!(
            "return [{}.hidden, {}.hidden]",
            in_overlay("[data-cairn=stuck-fields]"),
            in_overlay("[data-cairn=stuck-submit]")
        ))
        .await;
    assert_eq!(
        hidden,
        json!([true, true]),
        "the fields wait behind the suggestions"
    );

    progress("Declined → impact and urgency → ticket filed");
    browser
        .click_overlay("[data-cairn=deflection-decline]")
        .await;
    browser
        .wait_for(
            "the fields again",
            &format!("!{}.hidden", in_overlay("[data-cairn=stuck-fields]")),
        )
        .await;
    browser
        .js(&format!(
            "var f = {}; f.querySelector('select').value = 'Access or permissions';
             f.querySelector('[name=stuck-impact][value=team]').click();
             f.querySelector('[name=stuck-urgency][value=blocking]').click(); return true;",
            in_overlay("[data-cairn=stuck-form]")
        ))
        .await;
    browser.click_overlay("[data-cairn=stuck-submit]").await;
    let filed = text_of(&browser, "the ticket number", "[data-cairn=ticket-number]").await;
    assert!(filed.contains("#1"), "{filed}");

    progress("The help desk sees impact, urgency, priority and the verified requester");
    let tickets = send(admin.get(format!("{}/api/v1/tickets", server.url)), 200).await;
    let ticket = &tickets[0];
    assert_eq!(ticket["number"], 1);
    assert_eq!(ticket["impact"], "team");
    assert_eq!(ticket["urgency"], "blocking");
    assert_eq!(ticket["priority"], 2);
    assert_eq!(ticket["category"], "Access or permissions");
    assert_eq!(ticket["context"]["user_id"], "sam.rivera");
    assert_eq!(ticket["context"]["user_verified"], true);
    assert_eq!(
        ticket["context"]["user_attributes"]["department"],
        "Finance"
    );
    assert_eq!(ticket["context"]["step_id"], "supplier");

    progress("The deflection offer reached the server, counted once, no acceptance");
    let db = server.db().await.expect("db");
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let rows = sqlx::query(
            "SELECT kind, content_id, step_id FROM events WHERE kind LIKE 'deflection%' ORDER BY kind",
        )
        .fetch_all(&db.pool)
        .await
        .expect("events");
        let rows: Vec<(String, String, Option<String>)> = rows
            .iter()
            .map(|r| (r.get(0), r.get(1), r.get(2)))
            .collect();
        if !rows.is_empty() {
            // Deflection events carry no step, so the per-step table keeps its meaning.
            assert_eq!(
                rows,
                [("deflection_offered".to_string(), guide.clone(), None)]
            );
            break;
        }
        assert!(Instant::now() < deadline, "no deflection event arrived");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }

    progress("The agent answers in the editor: a public reply and an internal note");
    let id = ticket["id"].as_str().expect("ticket id");
    sign_in(&browser, &server.url, TEST_ADMIN_EMAIL, TEST_ADMIN_PASSWORD).await;
    browser
        .client
        .goto(&format!("{}/editor/#/tickets/{id}", server.url))
        .await
        .expect("open the ticket");
    element(&browser, "[data-test=ticket-context]").await;
    let offered = browser
        .wait_for(
            "the guides offered before filing, in the ticket's context",
            "document.querySelector('[data-test=deflections-offered] li').textContent",
        )
        .await;
    assert_eq!(
        offered,
        json!(guide),
        "the declined suggestion is on the ticket"
    );
    fill(
        &browser,
        "[data-test=entry-body]",
        "Access granted: pick **Acme Tools** again.",
    )
    .await;
    click(&browser, "[data-test=send-reply]").await;
    browser
        .wait_for(
            "the reply in the ticket's trail",
            "document.querySelector('[data-test=entry][data-kind=reply]')",
        )
        .await;
    fill(
        &browser,
        "[data-test=entry-body]",
        "Internal: granted via the SAP role",
    )
    .await;
    click(&browser, "[data-test=add-note]").await;
    browser
        .wait_for(
            "the note in the ticket's trail",
            "document.querySelector('[data-test=entry][data-kind=note][data-internal=true]')",
        )
        .await;

    progress("Back in the app: a badge, then the reply under My tickets");
    browser
        .client
        .goto(&format!("{}/demo/", server.url))
        .await
        .expect("back to the demo app");
    let badge = text_of(
        &browser,
        "the badge",
        "[data-cairn=launcher-badge]:not([hidden])",
    )
    .await;
    assert_eq!(badge, "1");
    let label = browser
        .js(&format!(
            "return {}.getAttribute('aria-label')",
            in_overlay("[data-cairn=launcher-button]")
        ))
        .await;
    assert_eq!(label, "Help, 1 new reply");
    browser.click_overlay("[data-cairn=launcher-button]").await;
    browser
        .wait_for("my ticket", &in_overlay("[data-cairn=my-ticket]"))
        .await;
    let mine = browser
        .js(&format!(
            "var t = {}; return {{ number: t.getAttribute('data-ticket-number'),
               status: t.querySelector('[data-cairn=ticket-status]').textContent,
               replies: Array.from(t.querySelectorAll('[data-cairn=ticket-reply]')).map(r => r.textContent),
               strong: t.querySelector('[data-cairn=ticket-reply] strong').textContent }}",
            in_overlay("[data-cairn=my-ticket]")
        ))
        .await;
    assert_eq!(mine["number"], "1", "{mine}");
    assert_eq!(mine["status"], "open", "{mine}");
    let replies = mine["replies"].as_array().expect("replies");
    assert_eq!(replies.len(), 1, "public replies only: {mine}");
    let reply = replies[0].as_str().unwrap_or_default();
    assert!(
        reply.contains("Access granted: pick Acme Tools again.") && reply.contains("admin"),
        "{mine}"
    );
    assert_eq!(
        mine["strong"], "Acme Tools",
        "markdown as DOM nodes: {mine}"
    );
    // Seen: the badge goes away and stays away after a reload.
    browser
        .wait_for(
            "the badge to clear",
            &format!("{}.hidden", in_overlay("[data-cairn=launcher-badge]")),
        )
        .await;
    browser.client.refresh().await.expect("reload");
    browser
        .wait_for(
            "the overlay",
            "document.getElementById('cairn-root').getAttribute('data-cairn-state') === 'ready'",
        )
        .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let badge = browser
        .js(&format!(
            "var b = {}; return b ? b.hidden : true",
            in_overlay("[data-cairn=launcher-badge]")
        ))
        .await;
    assert_eq!(badge, json!(true));
    browser.close().await;
}

/// The other branch: the employee follows the suggested guide; when it ends the form asks whether it
/// solved the problem, "This solved it" counts a confirmed deflection and files nothing.
#[tokio::test]
async fn a_followed_suggestion_that_solves_it_files_nothing_and_counts_once() {
    let server = TestServer::spawn().await.expect("server");
    let admin = admin_client(&server).await;
    let guide = publish_supplier_guide(&server, &admin).await;
    let browser = Browser::start().await;
    browser
        .client
        .goto(&format!("{}/demo/", server.url))
        .await
        .expect("open /demo/");
    browser
        .wait_for(
            "the overlay",
            "document.getElementById('cairn-root').getAttribute('data-cairn-state') === 'ready'",
        )
        .await;
    // From the launcher this time: Contact support opens the same form.
    browser.click_overlay("[data-cairn=launcher-button]").await;
    browser
        .wait_for("the launcher", &in_overlay("[data-cairn=contact-support]"))
        .await;
    browser.click_overlay("[data-cairn=contact-support]").await;
    browser
        .wait_for("the stuck form", &in_overlay("[data-cairn=stuck-message]"))
        .await;
    type_into(
        &browser,
        "[data-cairn=stuck-message]",
        "where is the supplier I need?",
    )
    .await;
    browser.click_overlay("[data-cairn=stuck-submit]").await;
    browser
        .wait_for(
            "the suggestion",
            &in_overlay(&format!(
                "[data-cairn=deflection-show][data-tour-id='{guide}']"
            )),
        )
        .await;
    browser
        .click_overlay(&format!(
            "[data-cairn=deflection-show][data-tour-id='{guide}']"
        ))
        .await;

    // The guide runs; finishing it brings the question back, with the words kept.
    browser
        .wait_for("the guide's step", &in_overlay("[data-step-id=ask]"))
        .await;
    browser.click_overlay("[data-cairn=next]").await;
    let question = text_of(&browser, "the question", "[data-cairn=deflection-question]").await;
    assert_eq!(question, "Did “Add a missing supplier” solve your problem?");
    let kept = browser
        .js(&format!(
            "return {}.value",
            in_overlay("[data-cairn=stuck-message]")
        ))
        .await;
    assert_eq!(kept, "where is the supplier I need?");
    browser
        .click_overlay("[data-cairn=deflection-solved]")
        .await;
    text_of(&browser, "the thanks", "[data-cairn=deflection-thanks]").await;

    // Counted: the guide was offered (the demo tour may be too, it mentions suppliers) and one
    // confirmed deflection for the guide; no ticket.
    let db = server.db().await.expect("db");
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let rows = sqlx::query(
            "SELECT kind, content_id FROM events WHERE kind LIKE 'deflection%' ORDER BY kind",
        )
        .fetch_all(&db.pool)
        .await
        .expect("events");
        let rows: Vec<(String, String)> = rows.iter().map(|r| (r.get(0), r.get(1))).collect();
        let accepted: Vec<_> = rows
            .iter()
            .filter(|(k, _)| k == "deflection_accepted")
            .collect();
        if !accepted.is_empty() {
            assert_eq!(
                accepted,
                [&("deflection_accepted".to_string(), guide.clone())]
            );
            assert!(
                rows.contains(&("deflection_offered".to_string(), guide.clone())),
                "{rows:?}"
            );
            break;
        }
        assert!(
            Instant::now() < deadline,
            "deflection events missing: {rows:?}"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    let tickets = send(admin.get(format!("{}/api/v1/tickets", server.url)), 200).await;
    assert_eq!(tickets, json!([]), "nothing filed");
    browser.close().await;
}
