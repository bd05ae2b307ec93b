//! Record in app: from the editor's "Record in app" button, an author opens the demo page in author
//! mode, records a 3-step tour by clicking the page's elements (real mouse clicks, no selectors
//! typed), types the titles and saves; once published, an employee sees the steps on those elements.

use std::time::{Duration, Instant};

use cairn_server::testing::{TEST_ADMIN_EMAIL, TEST_ADMIN_PASSWORD, TestServer};
use fantoccini::Locator;
use fantoccini::elements::{Element, ElementRef};
use serde_json::{Value, json};

use crate::harness::{Browser, in_overlay};

/// Saves a screenshot under `target/screenshots/` (kept by CI as an artifact); a failure to write it
/// only warns: the screenshots document the run, they are not what the test checks.
async fn screenshot(browser: &Browser, name: &str) {
    let dir = std::env::var_os("CARGO_TARGET_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target"))
        .join("screenshots");
    let png = match browser.client.screenshot().await {
        Ok(png) => png,
        Err(e) => return eprintln!("screenshot {name}: {e}"),
    };
    let path = dir.join(format!("{name}.png"));
    match std::fs::create_dir_all(&dir).and_then(|()| std::fs::write(&path, png)) {
        Ok(()) => eprintln!("screenshot {}", path.display()),
        Err(e) => eprintln!("screenshot {name}: {e}"),
    }
}

/// JavaScript that finds `selector` inside the author mode's shadow root.
fn in_author(selector: &str) -> String {
    format!(
        "document.getElementById('cairn-author-root').shadowRoot.querySelector({})",
        json!(selector)
    )
}

/// A WebDriver handle on an element of the author mode's shadow root, for real clicks and typing.
async fn author_el(browser: &Browser, selector: &str) -> Element {
    let v = browser
        .wait_for(&format!("author element {selector}"), &in_author(selector))
        .await;
    let id = v
        .as_object()
        .and_then(|o| o.values().next())
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("an element reference for {selector}: {v}"));
    Element::from_element_id(browser.client.clone(), ElementRef::from(id.to_string()))
}

async fn click_author(browser: &Browser, selector: &str) {
    author_el(browser, selector)
        .await
        .click()
        .await
        .unwrap_or_else(|e| panic!("click {selector}: {e}"));
}

/// The step titles listed in the author toolbar.
async fn listed_steps(browser: &Browser) -> Value {
    browser
        .js("return Array.from(document.getElementById('cairn-author-root').shadowRoot.querySelectorAll('[data-cairn=author-step] .name')).map(function (e) { return e.firstChild.textContent; });")
        .await
}

async fn wait_saved(browser: &Browser, steps: usize) {
    browser
        .wait_for(
            "the draft saved",
            &format!(
                "{}.textContent === 'Saved: {steps} steps in the draft.'",
                in_author("[data-cairn=author-status]")
            ),
        )
        .await;
}

/// Picks `selector` on the host page with a real click and gives the step a title.
async fn record_step(browser: &Browser, selector: &str, title: &str, steps_after: usize) {
    click_author(browser, "[data-cairn=author-add]").await;
    assert_eq!(
        browser
            .js(&format!(
                "return {}.getAttribute('aria-pressed')",
                in_author("[data-cairn=author-add]")
            ))
            .await,
        "true"
    );
    let target = browser
        .client
        .find(Locator::Css(selector))
        .await
        .unwrap_or_else(|e| panic!("host element {selector}: {e}"));
    // WebDriver moves the pointer onto the element (hover: the outline) and clicks it.
    target
        .click()
        .await
        .unwrap_or_else(|e| panic!("pick {selector}: {e}"));
    browser
        .wait_for(
            "the step popover",
            &format!("!{}.hidden", in_author("[data-cairn=author-popover]")),
        )
        .await;
    // The live check: the best strategy finds exactly this one element, and the outline is on it.
    let check = browser
        .js(&format!(
            "var root = document.getElementById('cairn-author-root').shadowRoot;
             var checks = Array.from(root.querySelectorAll('[data-cairn=author-check]'));
             var box = root.querySelector('[data-cairn=author-highlight]').getBoundingClientRect();
             var t = document.querySelector({sel}).getBoundingClientRect();
             return {{ first: checks[0].getAttribute('data-matches'), label: checks[0].textContent,
                       kinds: checks.map(function (c) {{ return c.getAttribute('data-kind'); }}),
                       css: checks.some(function (c) {{ return c.getAttribute('data-kind') === 'css'; }}),
                       boxOnTarget: Math.abs((box.left + box.width / 2) - (t.left + t.width / 2)) < 4
                                 && Math.abs((box.top + box.height / 2) - (t.top + t.height / 2)) < 4 }};",
            sel = json!(selector)
        ))
        .await;
    assert_eq!(check["first"], "1", "{check}");
    assert!(
        check["label"]
            .as_str()
            .is_some_and(|l| l.contains("found 1 element")),
        "{check}"
    );
    assert_eq!(
        check["css"], true,
        "a structural path is always captured: {check}"
    );
    assert!(
        check["kinds"].as_array().is_some_and(|k| k.len() >= 3),
        "several strategies captured: {check}"
    );
    assert_eq!(check["boxOnTarget"], true, "{check}");
    if steps_after == 2 {
        screenshot(browser, "record-in-app-popover").await;
    }

    // The title field has focus: type into it.
    assert_eq!(
        browser
            .js("return document.getElementById('cairn-author-root').shadowRoot.activeElement.getAttribute('data-cairn')")
            .await,
        "author-step-title"
    );
    author_el(browser, "[data-cairn=author-step-title]")
        .await
        .send_keys(title)
        .await
        .expect("type the title");
    author_el(browser, "[data-cairn=author-step-body]")
        .await
        .send_keys(&format!("About **{title}**."))
        .await
        .expect("type the body");
    click_author(browser, "[data-cairn=author-step-save]").await;
    wait_saved(browser, steps_after).await;
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
    let editor_tab = c.window().await.expect("window");
    browser
        .wait_for(
            "the Record in app button",
            "document.querySelector('[data-test=record-in-app]')",
        )
        .await;
    c.find(Locator::Css("[data-test=record-in-app]"))
        .await
        .expect("record button")
        .click()
        .await
        .expect("record in app");
    let deadline = Instant::now() + Duration::from_secs(10);
    let app_tab = loop {
        let windows = c.windows().await.expect("windows");
        if let Some(w) = windows.into_iter().find(|w| *w != editor_tab) {
            break w;
        }
        assert!(Instant::now() < deadline, "no new tab opened");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    c.switch_to_window(app_tab)
        .await
        .expect("switch to the app");

    progress("The demo page opens in author mode, token out of the address bar.");
    browser
        .wait_for(
            "the author toolbar with the draft",
            &format!(
                "{}.textContent === 'Raise a purchase request'",
                in_author("[data-cairn=author-title]")
            ),
        )
        .await;
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
    record_step(&browser, "[data-test=new-request]", "Start here", 2).await;
    record_step(&browser, "#supplier", "Choose the supplier", 3).await;
    record_step(&browser, "[data-test=submit-request]", "Send it", 4).await;
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
        browser
            .wait_for(
                &format!("step {} of the recorded tour", i + 1),
                &format!(
                    "{}.textContent === {}",
                    in_overlay("[data-cairn=step-title]"),
                    json!(title)
                ),
            )
            .await;
        let on = browser
            .wait_for(
                "the step on its element",
                &format!(
                    "(function () {{ var step = {step}; var h = {hl}; if (!h || step.getAttribute('data-element-found') !== 'true') return false;
                     var b = h.getBoundingClientRect(), t = document.querySelector({sel}).getBoundingClientRect();
                     return Math.abs((b.left + b.width / 2) - (t.left + t.width / 2)) < 6
                         && Math.abs((b.top + b.height / 2) - (t.top + t.height / 2)) < 6; }})()",
                    step = in_overlay("[data-cairn=step]"),
                    hl = in_overlay("[data-cairn=highlight]"),
                    sel = json!(selector)
                ),
            )
            .await;
        assert_eq!(on, true);
        if i == 0 {
            screenshot(&browser, "record-in-app-employee-step-1").await;
        }
        if i < 2 {
            browser.click_overlay("[data-cairn=next]").await;
        }
    }
    browser.close().await;
}
