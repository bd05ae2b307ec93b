//! Version history for every kind of document, on the one screen the tour builder had: an author
//! publishes a tooltip twice in its builder, opens its history, sees what changed, rolls back with
//! the keyboard, and the builder shows the first version's text again. A checklist's builder leads
//! to its history too. axe-core finds nothing on the screens.

use cairn_server::roles::Role;
use cairn_server::testing::TestServer;
use serde_json::{Value, json};

use crate::editor::{api_client, get, screenshot, sign_in, text_of, until, user};
use crate::editor_ui::{click, element, fill};
use crate::harness::Browser;

const AUTHOR: &str = "author@test.local";
const FIRST: &str = "The budget code of your team.";
const SECOND: &str = "The **4-digit** budget code of your team.";

/// Waits until the builder's status region contains `text`.
async fn status_says(browser: &Browser, text: &str) {
    until(
        browser,
        &format!("the builder to say {text:?}"),
        &format!(
            "{}.indexOf({}) >= 0",
            text_of("[data-test=save-status]"),
            json!(text)
        ),
    )
    .await;
}

async fn publish(browser: &Browser, body: &str, note: &str, version: u32) {
    fill(browser, "[data-test=tooltip-body]", body).await;
    fill(browser, "[data-test=publish-note]", note).await;
    click(browser, "[data-test=publish]").await;
    status_says(browser, &format!("Published version {version}")).await;
}

#[tokio::test]
async fn tooltip_history_shows_the_diff_and_rolls_back_into_the_builder() {
    let server = TestServer::spawn().await.expect("server");
    user(&server, AUTHOR, Role::Author).await;
    let api = api_client(&server, AUTHOR).await;
    let url = |path: &str| format!("{}/api/v1{path}", server.url);
    // A new, never published tooltip on the seeded one's element.
    let seeded = get(&api, url("/tooltips")).await;
    let seeded_id = seeded[0]["id"].as_str().expect("seeded tooltip");
    let seeded = get(&api, url(&format!("/tooltips/{seeded_id}"))).await;
    let mut doc = seeded["draft"].clone();
    doc["title"] = json!("Cost center help");
    doc["body"] = json!("");
    let res = api
        .post(url("/tooltips"))
        .json(&json!({ "app_id": seeded["app_id"], "document": doc }))
        .send()
        .await
        .expect("create the tooltip");
    assert_eq!(res.status(), 201);
    let created: Value = res.json().await.expect("json");
    let tip_id = created["id"].as_str().expect("tooltip id").to_string();

    let browser = Browser::start().await;
    sign_in(&browser, &server, AUTHOR).await;
    browser
        .client
        .goto(&format!("{}/editor/#/tooltips/{tip_id}", server.url))
        .await
        .expect("open the tooltip");
    element(&browser, "[data-test=tooltip-builder]").await;
    publish(&browser, FIRST, "First wording", 1).await;
    publish(&browser, SECOND, "Say how long the code is", 2).await;

    // The history: both versions with their messages, newest first.
    click(&browser, "[data-test=version-history]").await;
    until(
        &browser,
        "two versions",
        "document.querySelectorAll('[data-test=version-row]').length === 2",
    )
    .await;
    assert_eq!(
        browser.js("return location.hash").await,
        json!(format!("#/tooltips/{tip_id}/versions"))
    );
    let rows = browser
        .js("return Array.from(document.querySelectorAll('[data-test=version-row]')).map(function (r) { return r.getAttribute('data-version') + ' ' + r.textContent; });")
        .await;
    let rows: Vec<String> = serde_json::from_value(rows).expect("rows");
    assert!(
        rows[0].starts_with("2 ") && rows[0].contains("Say how long the code is"),
        "{rows:?}"
    );
    assert!(
        rows[1].starts_with("1 ") && rows[1].contains("First wording"),
        "{rows:?}"
    );
    let heading = browser.js(&format!("return {}", text_of("h1"))).await;
    assert_eq!(heading, json!("Versions of “Cost center help”"));

    // The diff, v1 → v2 by default: the body, with both texts, in words.
    click(&browser, "[data-test=diff-show]").await;
    let change = until(
        &browser,
        "the body's change",
        "(document.querySelector('[data-test=diff-change][data-pointer=\"/body\"]') || {}).textContent",
    )
    .await;
    let change = change.as_str().unwrap_or_default();
    assert!(
        change.starts_with("Changed: Body") && change.contains(FIRST) && change.contains(SECOND),
        "{change}"
    );
    assert_eq!(
        browser
            .js("return document.querySelectorAll('[data-test=diff-change]').length")
            .await,
        json!(1)
    );
    screenshot(&browser, "tooltip-versions").await;
    browser
        .assert_accessible("the tooltip's version history", None)
        .await;

    // Roll back with the keyboard: Enter on the row's button asks inline and focuses the answer.
    until(
        &browser,
        "Roll back to v1",
        "document.querySelector(\"[data-test=rollback][data-version='1']\")",
    )
    .await;
    element(&browser, "[data-test=rollback][data-version='1']")
        .await
        .send_keys("\u{e007}")
        .await
        .expect("press Enter on Roll back");
    until(
        &browser,
        "focus on the confirmation",
        "document.activeElement && document.activeElement.getAttribute('data-test') === 'rollback-confirm'",
    )
    .await;
    browser
        .assert_accessible("the rollback confirmation", None)
        .await;
    element(&browser, "[data-test=rollback-confirm]")
        .await
        .send_keys("\u{e007}")
        .await
        .expect("press Enter on Publish v1 again");
    until(
        &browser,
        "the rollback confirmation",
        &format!(
            "{}.includes('version 1 is live again as version 3')",
            text_of("[data-test=versions-feedback]")
        ),
    )
    .await;
    let versions = get(&api, url(&format!("/tooltips/{tip_id}/versions"))).await;
    assert_eq!(versions[0]["message"], "Rollback to version 1");
    assert_eq!(versions.as_array().map(Vec::len), Some(3));

    // Back in the builder, the draft is version 1 again, published and unchanged.
    click(&browser, ".back-link").await;
    element(&browser, "[data-test=tooltip-builder]").await;
    let body = browser
        .js("return document.querySelector('[data-test=tooltip-body]').value")
        .await;
    assert_eq!(body, json!(FIRST));
    let state = browser
        .js(&format!("return {}", text_of("[data-test=status]")))
        .await;
    assert!(
        state.as_str().is_some_and(|s| s.contains('3')),
        "the badge names version 3: {state}"
    );
    let draft = get(&api, url(&format!("/tooltips/{tip_id}"))).await;
    assert_eq!(draft["draft"]["body"], FIRST);
    assert_eq!(draft["has_unpublished_changes"], false);

    // A checklist's builder leads to its history on the same screen.
    let checklists = get(&api, url("/checklists")).await;
    let list_id = checklists[0]["id"].as_str().expect("seeded checklist");
    browser
        .client
        .goto(&format!("{}/editor/#/checklists/{list_id}", server.url))
        .await
        .expect("open the checklist");
    element(&browser, "[data-test=checklist-builder]").await;
    click(&browser, "[data-test=version-history]").await;
    until(
        &browser,
        "the checklist's versions",
        "document.querySelectorAll('[data-test=version-row]').length >= 1",
    )
    .await;
    assert_eq!(
        browser.js("return location.hash").await,
        json!(format!("#/checklists/{list_id}/versions"))
    );
    let back = browser
        .js(&format!("return {}", text_of(".back-link")))
        .await;
    assert_eq!(back, json!("← Back to the checklist"));
    browser
        .assert_accessible("the checklist's version history", None)
        .await;
    browser.close().await;
}
