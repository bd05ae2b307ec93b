//! Issue 6's acceptance flow in one run, in Chromium against the real server: an author signs in to
//! the editor, records a 3-step tour on the demo page with the picker (real clicks, no selectors
//! typed), targets it to one role, previews the draft, publishes; an employee with the role sees it
//! on the picked elements, one without does not; version 2 reaches the employee and a rollback in
//! the version history brings version 1 back. axe-core runs on the author toolbar with the step
//! popover open and on the tour builder.

use std::time::{Duration, Instant};

use cairn_server::roles::Role;
use cairn_server::testing::TestServer;
use serde_json::json;

use crate::authoring::{
    assert_step_on, click_author, describe, new_tab, open_author_mode, pick, screenshot, wait_saved,
};
use crate::editor::{api_client, click, fill, get, overlay_content, sign_in, text_of, until, user};
use crate::harness::{Browser, in_overlay};

const AUTHOR: &str = "flow-author@test.local";
const TITLE: &str = "Raise a purchase request";
/// The recorded steps: (title, element picked on the demo page).
const STEPS: [(&str, &str); 3] = [
    ("Start here", "[data-test=new-request]"),
    ("Choose the supplier", "#supplier"),
    ("Send it", "[data-test=submit-request]"),
];
const V2_TITLE: &str = "Start your request here";

/// The version of `tour_id` the overlay receives without a preview token (`None`: not delivered),
/// polled until it is `want` (the content cache is invalidated on publish; fails if it never is).
async fn wait_delivered(server: &TestServer, tour_id: &str, want: Option<u64>) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let content = overlay_content(server).await;
        let got = content["tours"]
            .as_array()
            .and_then(|t| t.iter().find(|t| t["id"] == tour_id))
            .and_then(|t| t["version"].as_u64());
        if got == want {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "the overlay gets version {got:?} of the tour, not {want:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Loads the demo page as an employee and identifies them with `role`, after the page's own
/// `identify` (demo.js polls for `window.cairn` every 50 ms, and the runtime is ready only after
/// `window.cairn` exists: a 60 ms timer set once it is ready fires after that poll).
async fn employee_page(browser: &Browser, server: &TestServer, id: &str, role: &str) {
    browser
        .client
        .goto(&format!("{}/demo/", server.url))
        .await
        .expect("open the demo page");
    browser
        .wait_for(
            "the overlay ready",
            "document.getElementById('cairn-root').getAttribute('data-cairn-state') === 'ready'",
        )
        .await;
    browser
        .js(&format!(
            "setTimeout(function () {{ window.cairn.identify({}); window.__identified = true; }}, 60); return true;",
            json!({ "id": id, "attributes": { "role": role } })
        ))
        .await;
    browser
        .wait_for("the employee identified", "window.__identified === true")
        .await;
}

/// Publishes the builder's draft with `message` and waits for the editor to confirm `version`.
async fn publish(author: &Browser, message: &str, version: u64) {
    fill(author, "[data-test=publish-note]", message).await;
    click(author, "[data-test=publish]").await;
    until(
        author,
        &format!("the editor confirming version {version}"),
        &format!(
            "{}.includes('Published version {version}.')",
            text_of("[data-test=save-status]")
        ),
    )
    .await;
}

/// The tour ids the launcher lists once it is open (it always lists the seeded demo tour, so an
/// empty list cannot pass for "not listed").
async fn launcher_tours(browser: &Browser, server: &TestServer) -> Vec<String> {
    browser.click_overlay("[data-cairn=launcher-button]").await;
    let ids = browser
        .wait_for(
            "the launcher listing the demo tour",
            &format!(
                "(function () {{ var ids = Array.from(document.getElementById('cairn-root').shadowRoot.querySelectorAll('[data-cairn=launcher-tour]')).map(function (b) {{ return b.getAttribute('data-tour-id'); }});
                 return ids.indexOf({demo}) >= 0 && ids; }})()",
                demo = json!(server.demo_tour_id)
            ),
        )
        .await;
    serde_json::from_value(ids).expect("tour ids")
}

/// Starts the tour from the launcher and checks its first step (title and element).
async fn start_from_launcher(browser: &Browser, server: &TestServer, tour_id: &str, title: &str) {
    let listed = launcher_tours(browser, server).await;
    assert!(
        listed.iter().any(|t| t == tour_id),
        "the launcher lists the tour: {listed:?}"
    );
    browser
        .click_overlay(&format!(
            "[data-cairn=launcher-tour][data-tour-id='{tour_id}']"
        ))
        .await;
    assert_step_on(browser, 1, title, STEPS[0].1).await;
}

#[tokio::test]
async fn author_records_targets_previews_publishes_and_rolls_back_for_employees() {
    let started = Instant::now();
    let progress = |what: &str| eprintln!("e2e {:>6} ms  {what}", started.elapsed().as_millis());
    let server = TestServer::spawn().await.expect("server");
    user(&server, AUTHOR, Role::Author).await;
    let api = api_client(&server, AUTHOR).await;
    progress("The author signs in and records three steps in the app.");
    let author = Browser::start().await;
    sign_in(&author, &server, AUTHOR).await;
    // A new tour from the tours list: a title and the application, then the builder opens on it.
    until(
        &author,
        "the applications in the new-tour form",
        "document.querySelector('[data-test=new-tour-app] option')",
    )
    .await;
    fill(&author, "[data-test=new-tour-title]", TITLE).await;
    click(&author, "[data-test=new-tour-create]").await;
    let hash = until(
        &author,
        "the builder of the new tour",
        "location.hash.startsWith('#/tours/') && document.querySelector('[data-test=step]') && location.hash",
    )
    .await;
    let tour_id = hash
        .as_str()
        .and_then(|h| h.strip_prefix("#/tours/"))
        .expect("the new tour's id in the URL")
        .to_string();
    let editor_tab = open_author_mode(&author, TITLE).await;
    for (i, (title, selector)) in STEPS.into_iter().enumerate() {
        pick(&author, selector).await;
        if i == 0 {
            author
                .assert_accessible("the author toolbar with the step popover open", None)
                .await;
            screenshot(&author, "author-flow-popover").await;
        }
        describe(&author, title, i + 2).await;
    }
    click_author(
        &author,
        "[data-cairn=author-step][data-step-id=step-1] [data-cairn=author-step-delete]",
    )
    .await;
    click_author(&author, "[data-cairn=author-save]").await;
    wait_saved(&author, 3).await;
    author
        .client
        .close_window()
        .await
        .expect("close the app tab");
    author
        .client
        .switch_to_window(editor_tab.clone())
        .await
        .expect("back to the editor");

    progress("Back in the builder: the recorded steps, targeting to one role.");
    author.client.refresh().await.expect("reload the tour page");
    until(
        &author,
        "the three recorded steps in the builder",
        &format!(
            "Array.from(document.querySelectorAll('[data-test=step-title]')).map(function (i) {{ return i.value; }}).join('|') === {}",
            json!(STEPS.map(|s| s.0).join("|"))
        ),
    )
    .await;
    click(&author, "[data-test=rule-add]").await;
    fill(&author, "[data-test=rule-attribute]", "role").await;
    assert_eq!(
        author
            .js("return document.querySelector('[data-test=rule-op]').value")
            .await,
        "one_of"
    );
    fill(&author, "[data-test=rule-values]", "approver").await;
    let summary = until(
        &author,
        "the summary naming the role",
        &format!(
            "{t}.includes('with role approver') && {t}",
            t = text_of("[data-test=targeting-summary]")
        ),
    )
    .await;
    assert_eq!(
        summary,
        "Shown to: users with role approver on /demo/, once"
    );
    screenshot(&author, "author-flow-builder").await;
    author.assert_accessible("the tour builder", None).await;

    progress("Preview draft: the draft tour runs in a tab of the author's only.");
    click(&author, "[data-test=preview-draft]").await;
    let preview_tab = new_tab(&author, &editor_tab, "Preview draft").await;
    until(
        &author,
        "the preview link in the editor",
        "document.querySelector('[data-test=preview-link]')",
    )
    .await;
    author
        .client
        .switch_to_window(preview_tab)
        .await
        .expect("switch to the preview");
    author
        .wait_for(
            "the preview tab on the demo page",
            "location.pathname === '/demo/' && location.search.indexOf('cairn_preview=') >= 0",
        )
        .await;
    assert_step_on(&author, 1, STEPS[0].0, STEPS[0].1).await;
    // Not delivered to anybody else: the draft was never published.
    wait_delivered(&server, &tour_id, None).await;
    author
        .client
        .close_window()
        .await
        .expect("close the preview");
    author
        .client
        .switch_to_window(editor_tab.clone())
        .await
        .expect("back to the editor");

    progress("Publish with a message.");
    publish(&author, "Recorded in the app", 1).await;
    wait_delivered(&server, &tour_id, Some(1)).await;

    progress("An employee without the role: not started, not listed.");
    let employee = Browser::start().await;
    // The seeded demo tour starts by itself on the first visit: this employee closes it, so that
    // any tour starting by itself below can only be the new one.
    employee
        .client
        .goto(&format!("{}/demo/", server.url))
        .await
        .expect("demo");
    employee
        .wait_for("the demo tour", &in_overlay("[data-cairn=step]"))
        .await;
    employee.click_overlay("[data-cairn=close]").await;
    employee_page(&employee, &server, "bob", "requester").await;
    // Targeting ran again inside identify, and the first step's element is on the page, so a tour
    // starting for bob would have rendered its step synchronously: it would be on screen now.
    assert_eq!(
        employee
            .js(&format!("return !!{}", in_overlay("[data-cairn=step]")))
            .await,
        false,
        "nothing starts for an employee without the role"
    );
    let listed = launcher_tours(&employee, &server).await;
    assert!(
        !listed.contains(&tour_id),
        "the launcher of an employee without the role lists the tour: {listed:?}"
    );

    progress("An employee with the role: the tour starts on the picked elements.");
    employee_page(&employee, &server, "amy", "approver").await;
    for (i, (title, selector)) in STEPS.into_iter().enumerate() {
        assert_step_on(&employee, i + 1, title, selector).await;
        if i == 0 {
            screenshot(&employee, "author-flow-employee-step-1").await;
        }
        employee.click_overlay("[data-cairn=next]").await;
    }
    employee
        .wait_for(
            "the tour finished",
            &format!("!{}", in_overlay("[data-cairn=step]")),
        )
        .await;

    progress("Version 2 changes step 1's title; the employee gets it.");
    author.client.refresh().await.expect("reload the tour page");
    until(
        &author,
        "the builder",
        "document.querySelectorAll('[data-test=step-title]').length === 3",
    )
    .await;
    fill(&author, "[data-test=step-title]", V2_TITLE).await;
    publish(&author, "Clearer first step", 2).await;
    wait_delivered(&server, &tour_id, Some(2)).await;
    employee_page(&employee, &server, "amy", "approver").await;
    start_from_launcher(&employee, &server, &tour_id, V2_TITLE).await;

    progress("Rollback to version 1 in the version history; the employee gets it back.");
    click(&author, "[data-test=version-history]").await;
    until(
        &author,
        "two versions",
        "document.querySelectorAll('[data-test=version-row]').length === 2",
    )
    .await;
    click(&author, "[data-test=rollback][data-version='1']").await;
    click(&author, "[data-test=rollback-confirm]").await;
    until(
        &author,
        "the rollback confirmation",
        &format!(
            "{}.includes('version 1 is live again as version 3')",
            text_of("[data-test=versions-feedback]")
        ),
    )
    .await;
    wait_delivered(&server, &tour_id, Some(3)).await;
    employee_page(&employee, &server, "amy", "approver").await;
    start_from_launcher(&employee, &server, &tour_id, STEPS[0].0).await;
    let versions = get(
        &api,
        format!("{}/api/v1/tours/{tour_id}/versions", server.url),
    )
    .await;
    assert_eq!(versions[0]["message"], "Rollback to version 1");
    assert_eq!(versions[2]["message"], "Recorded in the app");
    progress("Done.");
    employee.close().await;
    author.close().await;
}
