//! Steps shared by the tests that record tours in the app: the editor's "Record in app" tab, picking
//! host elements in author mode with real clicks, and checking an employee's steps sit on the picked
//! elements.

use std::time::{Duration, Instant};

use fantoccini::Locator;
use fantoccini::elements::{Element, ElementRef};
use fantoccini::wd::WindowHandle;
use serde_json::{Value, json};

use crate::harness::{Browser, in_overlay};

/// Saves a screenshot under `target/screenshots/` (kept by CI as an artifact); a failure to write it
/// only warns: the screenshots document the run, they are not what the test checks.
pub async fn screenshot(browser: &Browser, name: &str) {
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
pub fn in_author(selector: &str) -> String {
    format!(
        "document.getElementById('cairn-author-root').shadowRoot.querySelector({})",
        json!(selector)
    )
}

/// A WebDriver handle on an element of the author mode's shadow root, for real clicks and typing.
pub async fn author_el(browser: &Browser, selector: &str) -> Element {
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

pub async fn click_author(browser: &Browser, selector: &str) {
    author_el(browser, selector)
        .await
        .click()
        .await
        .unwrap_or_else(|e| panic!("click {selector}: {e}"));
}

pub async fn wait_saved(browser: &Browser, steps: usize) {
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

/// The tab the browser opened besides `known` (a link with `target=_blank`, `window.open`).
pub async fn new_tab(browser: &Browser, known: &WindowHandle, what: &str) -> WindowHandle {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let windows = browser.client.windows().await.expect("windows");
        if let Some(w) = windows.into_iter().find(|w| w != known) {
            return w;
        }
        assert!(Instant::now() < deadline, "no new tab opened for {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// From the editor's tour page, presses "Record in app" and switches to the tab it opens, once the
/// author toolbar shows the tour `title`. Returns the editor's tab.
pub async fn open_author_mode(browser: &Browser, title: &str) -> WindowHandle {
    let c = &browser.client;
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
    let app_tab = new_tab(browser, &editor_tab, "Record in app").await;
    c.switch_to_window(app_tab)
        .await
        .expect("switch to the app");
    browser
        .wait_for(
            "the author toolbar with the draft",
            &format!(
                "{}.textContent === {}",
                in_author("[data-cairn=author-title]"),
                json!(title)
            ),
        )
        .await;
    editor_tab
}

/// Presses "Add step" and picks `selector` on the host page with a real click; checks the popover
/// opened on it with the live "found 1 element" check and several captured strategies.
pub async fn pick(browser: &Browser, selector: &str) {
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
}

/// Types the picked step's title (its field has focus) and body, and saves: the draft then holds
/// `steps_after` steps.
pub async fn describe(browser: &Browser, title: &str, steps_after: usize) {
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

/// Waits until the overlay shows `title` as step `n` (from 1) with its highlight centred on the host
/// element `selector`.
pub async fn assert_step_on(browser: &Browser, n: usize, title: &str, selector: &str) {
    browser
        .wait_for(
            &format!("step {n} titled {title:?}"),
            &format!(
                "{}.textContent === {}",
                in_overlay("[data-cairn=step-title]"),
                json!(title)
            ),
        )
        .await;
    let on = browser
        .wait_for(
            &format!("step {n} on {selector}"),
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
}
