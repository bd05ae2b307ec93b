//! Record in app: from the editor's "Record in app" button, an author opens the demo page in author
//! mode, records a 3-step tour by clicking the page's elements (real mouse clicks, no selectors
//! typed), types the titles and saves; once published, an employee sees the steps on those elements.

use std::time::Instant;

use cairn_server::testing::{TEST_ADMIN_EMAIL, TEST_ADMIN_PASSWORD, TestServer};
use fantoccini::Locator;
use serde_json::{Value, json};

use crate::authoring::{
    assert_step_on, click_author, describe, in_author, open_author_mode, pick, screenshot,
    wait_saved,
};
use crate::harness::Browser;

/// The step titles listed in the author toolbar.
async fn listed_steps(browser: &Browser) -> Value {
    browser
        .js("return Array.from(document.getElementById('cairn-author-root').shadowRoot.querySelectorAll('[data-cairn=author-step] .name')).map(function (e) { return e.firstChild.textContent; });")
        .await
}

#[tokio::test]
async fn author_records_a_tour_in_the_app_and_employees_see_it_on_the_picked_elements() {
    let started = Instant::now();
    let progress = |what: &str| eprintln!("e2e {:>6} ms  {what}", started.elapsed().as_millis());
    let server = TestServer::spawn().await.expect("server");
    let admin = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .expect("client");
    let res = admin
        .post(format!("{}/api/v1/auth/login", server.url))
        .json(&json!({ "email": TEST_ADMIN_EMAIL, "password": TEST_ADMIN_PASSWORD }))
        .send()
        .await
        .expect("login");
    assert_eq!(res.status(), 200);
    let apps: Value = admin
        .get(format!("{}/api/v1/apps", server.url))
        .send()
        .await
        .expect("apps")
        .json()
        .await
        .expect("json");
    // A new tour has one placeholder step (a tour needs one); the author replaces it in the app.
    let created: Value = admin
        .post(format!("{}/api/v1/tours", server.url))
        .json(&json!({ "app_id": apps[0]["id"], "document": {
            "title": "Raise a purchase request",
            "steps": [{ "id": "placeholder", "title": "Placeholder" }] } }))
        .send()
        .await
        .expect("create")
        .json()
        .await
        .expect("json");
    let tour_id = created["id"].as_str().expect("id").to_string();

    progress("The author signs in to the editor and presses Record in app.");
    let browser = Browser::start().await;
    let c = &browser.client;
    c.goto(&format!("{}/editor/", server.url))
        .await
        .expect("editor");
    browser
        .wait_for(
            "the login form",
            "document.querySelector('input[type=password]')",
        )
        .await;
    let email = c
        .find(Locator::Css("[data-test=login-email]"))
        .await
        .expect("email field");
    email.send_keys(TEST_ADMIN_EMAIL).await.expect("email");
    c.find(Locator::Css("[data-test=login-password]"))
        .await
        .expect("password field")
        .send_keys(TEST_ADMIN_PASSWORD)
        .await
        .expect("password");
    c.find(Locator::Css("[data-test=login-submit]"))
        .await
        .expect("sign in")
        .click()
        .await
        .expect("sign in");
    browser
        .wait_for(
            "signed in",
            "!document.querySelector('input[type=password]')",
        )
        .await;
    c.goto(&format!("{}/editor/#/tours/{tour_id}", server.url))
        .await
        .expect("tour page");
    progress("The demo page opens in author mode, token out of the address bar.");
    open_author_mode(&browser, "Raise a purchase request").await;
    let href = browser.js("return location.href").await;
    assert!(
        href.as_str()
            .is_some_and(|h| h.ends_with("/demo/") && !h.contains("cairn_author")),
        "{href}"
    );
    assert_eq!(
        browser
            .js("return document.getElementById('cairn-root') === null")
            .await,
        true,
        "the employee overlay does not run in author mode"
    );

    progress("Three steps recorded by clicking the page's elements.");
    pick(&browser, "[data-test=new-request]").await;
    describe(&browser, "Start here", 2).await;
    pick(&browser, "#supplier").await;
    screenshot(&browser, "record-in-app-popover").await;
    describe(&browser, "Choose the supplier", 3).await;
    pick(&browser, "[data-test=submit-request]").await;
    describe(&browser, "Send it", 4).await;
    // The host page's own handlers never saw those clicks: no focus jump, no submitted request.
    let host = browser
        .js("return { status: document.getElementById('form-status').textContent, rows: document.querySelectorAll('#recent tr').length };")
        .await;
    assert_eq!(
        host,
        json!({ "status": "", "rows": 3 }),
        "host handlers fired while picking"
    );

    progress("Escape cancels picking; the step list is reordered and the placeholder deleted.");
    click_author(&browser, "[data-cairn=author-add]").await;
    browser
        .client
        .find(Locator::Css("body"))
        .await
        .expect("body")
        .send_keys("\u{e00c}")
        .await
        .expect("Escape");
    browser
        .wait_for(
            "picking cancelled",
            &format!(
                "{}.getAttribute('aria-pressed') === 'false'",
                in_author("[data-cairn=author-add]")
            ),
        )
        .await;
    click_author(
        &browser,
        "[data-cairn=author-step][data-step-id=placeholder] [data-cairn=author-step-delete]",
    )
    .await;
    click_author(
        &browser,
        "[data-cairn=author-step]:nth-child(3) [data-cairn=author-step-up]",
    )
    .await;
    assert_eq!(
        listed_steps(&browser).await,
        json!(["1. Start here", "2. Send it", "3. Choose the supplier"])
    );
    click_author(
        &browser,
        "[data-cairn=author-step]:nth-child(2) [data-cairn=author-step-down]",
    )
    .await;
    assert_eq!(
        listed_steps(&browser).await,
        json!(["1. Start here", "2. Choose the supplier", "3. Send it"])
    );
    click_author(&browser, "[data-cairn=author-save]").await;
    wait_saved(&browser, 3).await;
    screenshot(&browser, "record-in-app-toolbar").await;

    progress("Author mode survives a page load in this tab.");
    c.refresh().await.expect("reload");
    browser
        .wait_for(
            "the author toolbar after reloading",
            &format!(
                "{}.length === 3",
                "document.getElementById('cairn-author-root').shadowRoot.querySelectorAll('[data-cairn=author-step]')"
            ),
        )
        .await;
    click_author(&browser, "[data-cairn=author-done]").await;
    browser
        .wait_for(
            "the employee overlay after Done",
            "document.getElementById('cairn-root') && !document.getElementById('cairn-author-root')",
        )
        .await;

    progress("The draft holds the picked targets; the author publishes it.");
    let detail: Value = admin
        .get(format!("{}/api/v1/tours/{tour_id}", server.url))
        .send()
        .await
        .expect("tour")
        .json()
        .await
        .expect("json");
    let draft = &detail["draft"];
    assert_eq!(draft["targeting"]["url_patterns"], json!(["/demo/"]));
    let steps = draft["steps"].as_array().expect("steps");
    assert_eq!(steps.len(), 3, "{draft}");
    assert_eq!(
        steps[0]["target"]["strategies"][0],
        json!({ "kind": "attr", "name": "data-test", "value": "new-request" }),
        "{draft}"
    );
    assert_eq!(
        steps[1]["target"]["strategies"][0],
        json!({ "kind": "id", "value": "supplier" }),
        "{draft}"
    );
    assert_eq!(steps[2]["body"], "About **Send it**.");
    let res = admin
        .post(format!("{}/api/v1/tours/{tour_id}/publish", server.url))
        .json(&json!({ "message": "recorded in the app" }))
        .send()
        .await
        .expect("publish");
    assert_eq!(res.status(), 200);

    progress("An employee (no token) sees the three steps on the picked elements.");
    c.goto(&format!("{}/demo/", server.url))
        .await
        .expect("demo");
    browser
        .wait_for("the overlay", "window.cairn && window.cairn.version")
        .await;
    browser
        .js(&format!(
            "window.cairn.start({}); return true;",
            json!(tour_id)
        ))
        .await;
    for (i, (title, selector)) in [
        ("Start here", "[data-test=new-request]"),
        ("Choose the supplier", "#supplier"),
        ("Send it", "[data-test=submit-request]"),
    ]
    .into_iter()
    .enumerate()
    {
        assert_step_on(&browser, i + 1, title, selector).await;
        if i == 0 {
            screenshot(&browser, "record-in-app-employee-step-1").await;
        }
        if i < 2 {
            browser.click_overlay("[data-cairn=next]").await;
        }
    }
    browser.close().await;
}
