//! Issue 6's tooltip and checklist builders: an author creates a tooltip in the editor and picks
//! its element on the demo page with the author mode's picker (real clicks, no selector typed),
//! builds a checklist whose first item starts a tour and is also done on an app event (reordered
//! with the keyboard), publishes both; an employee on the demo page sees the tooltip on hover and
//! on focus, and the checklist in the launcher, where its item starts the tour. axe-core finds
//! nothing on the four new screens.

use cairn_server::testing::{TEST_ADMIN_EMAIL, TEST_ADMIN_PASSWORD, TestServer};
use fantoccini::actions::{InputSource, MouseActions, PointerAction};
use serde_json::{Value, json};

use crate::authoring::{author_el, click_author, in_author, new_tab, screenshot};
use crate::editor_ui::{element, fill, sign_in};
use crate::harness::{Browser, in_overlay};

const TIP_TITLE: &str = "What goes in the description?";
const LIST_TITLE: &str = "Start purchasing";

async fn api_get(admin: &reqwest::Client, server: &TestServer, path: &str) -> Value {
    admin
        .get(format!("{}/api/v1{path}", server.url))
        .send()
        .await
        .expect("get")
        .json()
        .await
        .expect("json")
}

/// Waits until the status region of the builder says `text` (or contains it).
async fn wait_status(browser: &Browser, text: &str) {
    browser
        .wait_for(
            &format!("the builder to say {text:?}"),
            &format!(
                "(document.querySelector('[data-test=save-status]') || {{}}).textContent.indexOf({}) >= 0",
                json!(text)
            ),
        )
        .await;
}

/// A real click on `selector` once it is scrolled to the middle of the window, clear of the
/// builder's sticky toolbar.
async fn click(browser: &Browser, selector: &str) {
    element(browser, selector).await;
    browser
        .js(&format!(
            "document.querySelector({}).scrollIntoView({{ block: 'center' }}); return true;",
            json!(selector)
        ))
        .await;
    crate::editor_ui::click(browser, selector).await;
}

/// Chooses `value` in the `<select>` matching `select` with a real click on its option.
async fn choose(browser: &Browser, select: &str, value: &str) {
    click(browser, &format!("{select} option[value=\"{value}\"]")).await;
}

#[tokio::test]
async fn author_builds_a_tooltip_and_a_checklist_and_employees_see_them() {
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
    // The launcher shows the first checklist meant for the page: the seeded one goes to another
    // audience, so the employee's launcher shows the one built here.
    let seeded = api_get(&admin, &server, "/checklists").await;
    let seeded_id = seeded[0]["id"]
        .as_str()
        .expect("seeded checklist")
        .to_string();
    let mut doc =
        api_get(&admin, &server, &format!("/checklists/{seeded_id}")).await["draft"].clone();
    doc["targeting"]["attributes"] = json!([{ "attribute": "role", "one_of": ["auditor"] }]);
    for (method, path, body) in [
        ("PUT", format!("/checklists/{seeded_id}"), doc),
        (
            "POST",
            format!("/checklists/{seeded_id}/publish"),
            json!({}),
        ),
    ] {
        let res = admin
            .request(
                method.parse().expect("method"),
                format!("{}/api/v1{path}", server.url),
            )
            .json(&body)
            .send()
            .await
            .expect("setup");
        assert_eq!(res.status(), 200, "{method} {path}");
    }

    let browser = Browser::start().await;
    let c = &browser.client;
    sign_in(&browser, &server.url, TEST_ADMIN_EMAIL, TEST_ADMIN_PASSWORD).await;

    // ---- Tooltip: list, New, builder.
    click(&browser, "[data-test=nav-tooltips]").await;
    element(&browser, "[data-test=tooltips-list]").await;
    browser.assert_accessible("the tooltips list", None).await;
    screenshot(&browser, "builders-tooltips-list").await;
    fill(&browser, "[data-test=new-tooltip-title]", TIP_TITLE).await;
    click(&browser, "[data-test=create-tooltip]").await;
    element(&browser, "[data-test=tooltip-builder]").await;
    let tip_id = browser
        .js("return decodeURIComponent(location.hash.split('/')[2])")
        .await
        .as_str()
        .expect("tooltip id in the address")
        .to_string();
    fill(
        &browser,
        "[data-test=tooltip-body]",
        "Say **what** you buy and why.",
    )
    .await;
    browser
        .wait_for(
            "the markdown preview",
            "(document.querySelector('[data-test=body-preview] strong') || {}).textContent === 'what'",
        )
        .await;
    choose(&browser, "[data-test=tooltip-trigger]", "hover").await;
    click(&browser, "[data-test=save-draft]").await;
    wait_status(&browser, "Draft saved.").await;
    browser.assert_accessible("the tooltip builder", None).await;
    screenshot(&browser, "builders-tooltip-builder").await;

    // Publishing before the element is picked is refused, next to the field.
    click(&browser, "[data-test=publish]").await;
    wait_status(&browser, "pick the tooltip's element").await;

    // ---- Pick the element in the app, with the author mode.
    let editor_tab = c.window().await.expect("window");
    click(&browser, "[data-test=pick-in-app]").await;
    let app_tab = new_tab(&browser, &editor_tab, "Pick element in app").await;
    c.switch_to_window(app_tab)
        .await
        .expect("switch to the app");
    browser
        .wait_for(
            "the author toolbar with the tooltip",
            &format!(
                "{}.textContent === {}",
                in_author("[data-cairn=author-title]"),
                json!(TIP_TITLE)
            ),
        )
        .await;
    click_author(&browser, "[data-cairn=author-add]").await;
    c.find(fantoccini::Locator::Css("#description"))
        .await
        .expect("the description field")
        .click()
        .await
        .expect("pick it");
    browser
        .wait_for(
            "the popover",
            &format!("!{}.hidden", in_author("[data-cairn=author-popover]")),
        )
        .await;
    let popover = browser
        .js(&format!(
            "var root = document.getElementById('cairn-author-root').shadowRoot;
             return {{ title: {title}.value, first: root.querySelector('[data-cairn=author-check]').getAttribute('data-matches'),
                       preview: (root.querySelector('[data-cairn=author-body-preview] strong') || {{}}).textContent,
                       trigger: {trigger}.value, focused: root.activeElement.getAttribute('data-cairn') }};",
            title = in_author("[data-cairn=author-step-title]"),
            trigger = in_author("[data-cairn=author-trigger]"),
        ))
        .await;
    assert_eq!(
        popover,
        json!({ "title": TIP_TITLE, "first": "1", "preview": "what", "trigger": "hover", "focused": "author-step-title" })
    );
    // The focus trap: Shift+Tab from the first field goes to the popover's last button, Tab from
    // there comes back; focus never leaves for the page behind.
    author_el(&browser, "[data-cairn=author-step-title]")
        .await
        .send_keys("\u{e008}\u{e004}\u{e000}")
        .await
        .expect("shift+tab");
    let active = "document.getElementById('cairn-author-root').shadowRoot.activeElement.getAttribute('data-cairn')";
    assert_eq!(
        browser.js(&format!("return {active}")).await,
        "author-step-cancel"
    );
    author_el(&browser, "[data-cairn=author-step-cancel]")
        .await
        .send_keys("\u{e004}")
        .await
        .expect("tab");
    assert_eq!(
        browser.js(&format!("return {active}")).await,
        "author-step-title"
    );
    // Typing in the popover's body updates its preview.
    author_el(&browser, "[data-cairn=author-step-body]")
        .await
        .send_keys(" *Required.*")
        .await
        .expect("type");
    browser
        .wait_for(
            "the popover's preview",
            &format!(
                "({} || {{}}).textContent === 'Required.'",
                in_author("[data-cairn=author-body-preview] em")
            ),
        )
        .await;
    screenshot(&browser, "builders-tooltip-pick-popover").await;
    click_author(&browser, "[data-cairn=author-step-save]").await;
    browser
        .wait_for(
            "the tooltip saved",
            &format!(
                "{}.textContent === 'Saved: the tooltip points at this element.'",
                in_author("[data-cairn=author-status]")
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
    let tip = api_get(&admin, &server, &format!("/tooltips/{tip_id}")).await;
    let strategies = tip["draft"]["target"]["strategies"]
        .as_array()
        .expect("strategies")
        .clone();
    assert!(
        strategies.contains(&json!({ "kind": "id", "value": "description" }))
            && strategies.len() >= 3,
        "{tip}"
    );
    assert_eq!(
        tip["draft"]["body"],
        "Say **what** you buy and why. *Required.*"
    );

    // ---- Back in the editor: the element is listed; publish with a message.
    c.close_window().await.expect("close the app tab");
    c.switch_to_window(editor_tab).await.expect("editor tab");
    // Back in its tab the builder redraws from the server (headless Chromium does not move window
    // focus between tabs, so the focus the builder listens for is sent here).
    browser
        .js("window.dispatchEvent(new FocusEvent('focus')); return true;")
        .await;
    browser
        .wait_for(
            "the picked element listed",
            "(document.querySelector('[data-test=tooltip-target]') || {}).textContent.indexOf('description') >= 0",
        )
        .await;
    fill(&browser, "[data-test=publish-note]", "first tooltip").await;
    click(&browser, "[data-test=publish]").await;
    wait_status(&browser, "Published version 1").await;
    browser
        .wait_for(
            "the published badge",
            "document.querySelector('[data-test=status]').getAttribute('data-state') === 'published'",
        )
        .await;

    // ---- Checklist: list, New, builder with a tour item, keyboard reorder, publish.
    click(&browser, "[data-test=nav-checklists]").await;
    element(&browser, "[data-test=checklists-list]").await;
    browser.assert_accessible("the checklists list", None).await;
    screenshot(&browser, "builders-checklists-list").await;
    fill(&browser, "[data-test=new-checklist-title]", LIST_TITLE).await;
    click(&browser, "[data-test=create-checklist]").await;
    element(&browser, "[data-test=checklist-builder]").await;
    let list_id = browser
        .js("return decodeURIComponent(location.hash.split('/')[2])")
        .await
        .as_str()
        .expect("checklist id in the address")
        .to_string();
    // The first item becomes the last after the reorder below: it links to the policy.
    fill(
        &browser,
        "[data-index='0'] [data-test=item-title]",
        "Read the policy",
    )
    .await;
    fill(
        &browser,
        "[data-index='0'] [data-test=item-url]",
        "/demo/#policy",
    )
    .await;
    // Unsaved work survives a reload: it was kept in this browser at every keystroke.
    c.refresh().await.expect("reload");
    element(&browser, "[data-test=restored-draft]").await;
    browser
        .wait_for(
            "the restored item",
            "(document.querySelector('[data-index=\"0\"] [data-test=item-url]') || {}).value === '/demo/#policy'",
        )
        .await;
    click(&browser, "[data-test=add-item]").await;
    fill(
        &browser,
        "[data-index='1'] [data-test=item-title]",
        "Take the purchase request tour",
    )
    .await;
    choose(
        &browser,
        "[data-index='1'] [data-test=item-kind]",
        "start_tour",
    )
    .await;
    choose(
        &browser,
        "[data-index='1'] [data-test=item-tour]",
        &server.demo_tour_id,
    )
    .await;
    // Also done when the app reports an event: the hint writes out the call to make.
    fill(
        &browser,
        "[data-index='1'] [data-test=item-event]",
        "order.submitted",
    )
    .await;
    browser
        .wait_for(
            "the cairn.track call in the hint",
            "(document.querySelector('[data-index=\"1\"] [data-test=item-event-call]') || {}).textContent === \"cairn.track('order.submitted')\"",
        )
        .await;
    // Alt+ArrowUp on the focused item moves it up.
    element(&browser, "[data-index='1'] [data-test=item-title]")
        .await
        .send_keys("\u{e00a}\u{e013}\u{e000}")
        .await
        .expect("alt+up");
    browser
        .wait_for(
            "the tour item first",
            "(document.querySelector('[data-index=\"0\"] [data-test=item-title]') || {}).value === 'Take the purchase request tour'",
        )
        .await;
    assert!(
        browser
            .js("return document.querySelector('[data-test=moves]').textContent")
            .await
            .as_str()
            .is_some_and(|t| t.contains("position 1 of 2")),
        "the move is announced"
    );
    browser
        .assert_accessible("the checklist builder", None)
        .await;
    screenshot(&browser, "builders-checklist-builder").await;
    fill(&browser, "[data-test=publish-note]", "first checklist").await;
    click(&browser, "[data-test=publish]").await;
    wait_status(&browser, "Published version 1").await;
    let list = api_get(&admin, &server, &format!("/checklists/{list_id}")).await;
    assert_eq!(
        list["draft"]["items"],
        json!([
            { "id": "item-2", "title": "Take the purchase request tour",
              "action": { "type": "start_tour", "tour_id": server.demo_tour_id },
              "done_on_event": "order.submitted" },
            { "id": "item-1", "title": "Read the policy",
              "action": { "type": "link", "url": "/demo/#policy" } }
        ]),
        "{list}"
    );
    assert_eq!(list["published_version"], 1);

    // ---- The employee: the tooltip on hover and on focus, the checklist in the launcher.
    c.goto(&format!("{}/demo/", server.url))
        .await
        .expect("demo");
    browser
        .wait_for("the overlay", "window.cairn && window.cairn.version")
        .await;
    // The demo tour starts by itself for a first visit: out of the way first.
    browser
        .js("window.cairn.stop && window.cairn.stop(); return true;")
        .await;
    let bubble = in_overlay(&format!(
        "[data-cairn=tooltip][data-tooltip-id=\"{tip_id}\"]"
    ));
    browser.wait_for("the tooltip mounted", &bubble).await;
    let r = browser
        .js("var r = document.getElementById('description').getBoundingClientRect(); return [r.left + r.width / 2, r.top + r.height / 2];")
        .await;
    let (x, y) = (r[0].as_f64().expect("x"), r[1].as_f64().expect("y"));
    c.perform_actions(
        MouseActions::new("mouse".into()).then(PointerAction::MoveTo {
            duration: None,
            x: x.round(),
            y: y.round(),
        }),
    )
    .await
    .expect("hover");
    browser
        .wait_for(
            "the tooltip on hover",
            &format!("!{bubble}.hidden && {bubble}.textContent.indexOf('what') >= 0"),
        )
        .await;
    screenshot(&browser, "builders-employee-tooltip").await;
    // Away from it, it hides; focusing the field shows it again.
    c.perform_actions(
        MouseActions::new("mouse".into()).then(PointerAction::MoveTo {
            duration: None,
            x: 2.0,
            y: 2.0,
        }),
    )
    .await
    .expect("move away");
    browser
        .wait_for("the tooltip hidden", &format!("{bubble}.hidden"))
        .await;
    browser
        .js("document.getElementById('description').focus(); return true;")
        .await;
    browser
        .wait_for("the tooltip on focus", &format!("!{bubble}.hidden"))
        .await;

    browser.js("cairn.openLauncher(); return true;").await;
    browser
        .wait_for(
            "our checklist in the launcher",
            &format!(
                "({} || {{}}).textContent === {}",
                in_overlay("#cairn-checklist-title"),
                json!(LIST_TITLE)
            ),
        )
        .await;
    let items = browser
        .js(&format!(
            "return Array.from({}).map(function (li) {{ return li.textContent; }});",
            "document.getElementById('cairn-root').shadowRoot.querySelectorAll('[data-cairn=checklist-item]')"
        ))
        .await;
    assert!(
        items[0]
            .as_str()
            .is_some_and(|t| t.contains("Take the purchase request tour")),
        "{items}"
    );
    screenshot(&browser, "builders-employee-checklist").await;
    browser
        .click_overlay("[data-cairn=checklist-item] button.item")
        .await;
    browser
        .wait_for(
            "the tour started from the checklist",
            &in_overlay("[data-cairn=step]"),
        )
        .await;
    browser.close().await;
}
