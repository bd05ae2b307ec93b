//! The overlay on host applications that are not the demo, served from another origin: a page
//! with hostile global CSS, a shadow root, an iframe and a modal dialog; a single-page app that
//! renders late and routes with pushState; a page under a strict Content-Security-Policy; and an
//! outage of the Cairn server in the middle of a tour.

use std::time::{Duration, Instant};

use cairn_server::testing::{TEST_ADMIN_EMAIL, TEST_ADMIN_PASSWORD, TestServer};
use fantoccini::actions::{
    InputSource, KeyAction, KeyActions, MOUSE_BUTTON_LEFT, MouseActions, PointerAction,
};
use fantoccini::key::Key;
use serde_json::{Value, json};

use crate::harness::{Browser, in_overlay};
use crate::host::{Host, Page};

/// The Cairn server, an admin session on it, and the demo application's id and key.
pub struct Cairn {
    pub server: TestServer,
    pub admin: reqwest::Client,
    pub app_id: String,
}

impl Cairn {
    pub async fn start() -> Cairn {
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
        let app_id = apps[0]["id"].as_str().expect("an app").to_string();
        Cairn {
            server,
            admin,
            app_id,
        }
    }

    /// The `<script>` tag a host pastes.
    pub fn snippet(&self) -> String {
        format!(
            r#"<script src="{}/overlay/cairn.js" data-app-key="{}" async></script>"#,
            self.server.url, self.server.demo_app_key
        )
    }

    /// Lets pages of `origin` use the overlay API.
    pub async fn allow(&self, origin: &str) {
        let res = self
            .admin
            .patch(format!("{}/api/v1/apps/{}", self.server.url, self.app_id))
            .json(&json!({ "allowed_origins": [origin] }))
            .send()
            .await
            .expect("patch app");
        assert_eq!(
            res.status(),
            200,
            "{}",
            res.text().await.unwrap_or_default()
        );
    }

    /// Creates and publishes a tour; returns its id.
    pub async fn publish_tour(&self, doc: Value) -> String {
        self.publish("tours", doc).await
    }

    /// Creates and publishes a document of `kind` (`tours`, `tooltips`, `checklists`); returns its id.
    pub async fn publish(&self, kind: &str, doc: Value) -> String {
        let res = self
            .admin
            .post(format!("{}/api/v1/{kind}", self.server.url))
            .json(&json!({ "app_id": self.app_id, "document": doc }))
            .send()
            .await
            .expect("create");
        let status = res.status();
        let created: Value = res.json().await.expect("json");
        assert_eq!(status, 201, "{created}");
        let id = created["id"].as_str().expect("id").to_string();
        let res = self
            .admin
            .post(format!("{}/api/v1/{kind}/{id}/publish", self.server.url))
            .json(&json!({}))
            .send()
            .await
            .expect("publish");
        assert_eq!(res.status(), 200);
        id
    }

    pub async fn step_stats(&self, tour_id: &str) -> Value {
        self.admin
            .get(format!(
                "{}/api/v1/analytics/tours/{tour_id}/steps",
                self.server.url
            ))
            .send()
            .await
            .expect("stats")
            .json()
            .await
            .expect("json")
    }
}

pub fn step(id: &str, title: &str, target: Option<Value>) -> Value {
    let mut s = json!({ "id": id, "title": title, "body": format!("About **{title}**.") });
    if let Some(t) = target {
        s["target"] = json!({ "strategies": t });
    }
    s
}

impl Browser {
    /// The current step's title, once a step with `title` is on screen.
    pub async fn wait_step(&self, title: &str) {
        let expr = format!(
            "{}.textContent === {}",
            in_overlay("[data-cairn=step-title]"),
            json!(title)
        );
        self.wait_for(&format!("the step {title:?}"), &expr).await;
    }

    /// A real pointer click at the centre of the overlay element `selector` (hit-tested by the
    /// browser, so it fails when something covers the element or makes it inert).
    pub async fn pointer_click_overlay(&self, selector: &str) {
        let r = self
            .js(&format!(
                "var r = {}.getBoundingClientRect(); return [r.left + r.width / 2, r.top + r.height / 2];",
                in_overlay(selector)
            ))
            .await;
        let (x, y) = (r[0].as_f64().expect("x"), r[1].as_f64().expect("y"));
        let mouse = MouseActions::new("mouse".into())
            .then(PointerAction::MoveTo {
                duration: None,
                x: x.round(),
                y: y.round(),
            })
            .then(PointerAction::Down {
                button: MOUSE_BUTTON_LEFT,
            })
            .then(PointerAction::Up {
                button: MOUSE_BUTTON_LEFT,
            });
        self.client.perform_actions(mouse).await.expect("click");
    }

    /// A real click on the page element `css`.
    pub async fn click_page(&self, css: &str) {
        self.client
            .find(fantoccini::Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css}: {e}"))
            .click()
            .await
            .unwrap_or_else(|e| panic!("click {css}: {e}"));
    }

    /// Presses `key` wherever focus is.
    pub async fn press(&self, key: Key) {
        let c = char::from(key);
        let keys = KeyActions::new("keyboard".into())
            .then(KeyAction::Down { value: c })
            .then(KeyAction::Up { value: c });
        self.client.perform_actions(keys).await.expect("key");
    }

    /// Where the step popover is relative to the page element `css`, and whether the overlay is
    /// what the browser hits at the popover's centre (nothing of the page covers it).
    pub async fn step_geometry(&self, css: &str) -> Value {
        self.js(&format!(
            "var p = {pop}.getBoundingClientRect(); var ring = {ring};
             var t = ({find})(); var tr = t.getBoundingClientRect();
             var f = t.ownerDocument.defaultView.frameElement;
             if (f) {{ var fr = f.getBoundingClientRect(); tr = {{ left: tr.left + fr.left + f.clientLeft, top: tr.top + fr.top + f.clientTop, right: tr.right + fr.left + f.clientLeft, bottom: tr.bottom + fr.top + f.clientTop }}; }}
             var rr = ring && ring.getBoundingClientRect();
             var hit = document.elementFromPoint(p.left + p.width / 2, p.top + p.height / 2);
             return {{ top: p.top, left: p.left, right: p.right, bottom: p.bottom,
                      inViewport: p.top >= 0 && p.left >= 0 && p.bottom <= innerHeight && p.right <= innerWidth,
                      targetInViewport: tr.top >= 0 && tr.bottom <= innerHeight,
                      overlaps: !(p.right <= tr.left || p.left >= tr.right || p.bottom <= tr.top || p.top >= tr.bottom),
                      ringAround: !!rr && rr.left <= tr.left && rr.top <= tr.top && rr.right >= tr.right && rr.bottom >= tr.bottom,
                      onTop: !!hit && hit.id === 'cairn-root',
                      targetLeft: tr.left, targetRight: tr.right, targetTop: tr.top }};",
            pop = in_overlay("[data-cairn=step]"),
            ring = in_overlay(".ring"),
            find = FIND_DEEP.replace("{css}", &json!(css).to_string()),
        ))
        .await
    }
}

/// Finds `css` in the page, its open shadow roots and same-origin frames (test-side).
const FIND_DEEP: &str =
    "function () { function f(root) { var el = root.querySelector({css}); if (el) return el;
  var all = root.querySelectorAll('*'); for (var i = 0; i < all.length; i++) {
    var n = all[i]; if (n.shadowRoot) { el = f(n.shadowRoot); if (el) return el; }
    if (n.contentDocument) { el = f(n.contentDocument); if (el) return el; } } return null; }
  return f(document); }";

const HEAVY_CSS: &str = r#"
*, *::before, *::after { margin: 0 !important; padding: 0 !important; border: 0 !important;
  font: 30px/1 serif !important; color: #f0f !important; background: #ff0 !important;
  box-sizing: content-box !important; z-index: 5 !important; text-transform: uppercase !important;
  line-height: 0.8 !important; letter-spacing: 4px !important; }
div, span, p, button, input, aside, section, nav, header, main { position: relative !important; }
html, body { overflow-x: hidden !important; }
.topbar { position: fixed !important; top: 0 !important; left: 0 !important; right: 0 !important;
  height: 90px !important; z-index: 2147483647 !important; background: #000 !important; }
.layout { display: flex !important; padding-top: 100px !important; }
.side { position: sticky !important; top: 100px !important; align-self: flex-start !important;
  width: 180px !important; flex: none !important; }
.content { flex: 1 !important; }
.scroller { height: 180px !important; overflow: auto !important; width: 400px !important; }
.spacer { height: 1200px !important; display: block !important; }
.tall { height: 2400px !important; display: block !important; }
iframe { width: 400px !important; height: 120px !important; display: block !important; }
"#;

const HEAVY_JS: &str = r#"
customElements.define('x-widget', class extends HTMLElement {
  constructor() { super(); var root = this.attachShadow({ mode: 'open' });
    var b = document.createElement('button'); b.id = 'shadow-btn'; b.textContent = 'Inside a shadow root';
    root.appendChild(b); }
});
document.getElementById('open-dialog').addEventListener('click', function () {
  document.getElementById('dlg').showModal();
});
document.getElementById('start').addEventListener('click', function () { cairn.start(window.HEAVY_TOUR); });
"#;

fn heavy_html(snippet: &str, tour_id: &str) -> String {
    format!(
        r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Heavy</title>
<link rel="stylesheet" href="/heavy.css">
<script>window.HEAVY_TOUR = "{tour_id}";</script>
<script src="/heavy.js" defer></script>
{snippet}</head><body>
<header class="topbar"><span>ACME ERP</span></header>
<div class="layout">
  <nav class="side"><button data-test="side-action">Sidebar action</button><button id="start">Start</button></nav>
  <main class="content">
    <div class="scroller" id="scroller"><span class="spacer"></span>
      <input id="deep-field" name="deep" aria-label="Deep field"><span class="spacer"></span></div>
    <x-widget></x-widget>
    <iframe id="frame" src="/frame.html" title="Embedded form"></iframe>
    <button id="open-dialog">Open the dialog</button>
    <dialog id="dlg"><label>Dialog field <input id="dlg-field"></label></dialog>
    <span class="tall"></span>
  </main>
</div></body></html>"#
    )
}

#[tokio::test]
async fn hostile_css_shadow_roots_iframes_and_a_modal_dialog() {
    let cairn = Cairn::start().await;
    let mut doc = json!({
        "title": "Heavy page",
        "targeting": { "url_patterns": ["/heavy/*"], "frequency": "manual" },
        "steps": [
            step("side", "Sidebar", Some(json!([
                { "kind": "id", "value": "no-such-id" },
                { "kind": "attr", "name": "data-test", "value": "side-action" }]))),
            step("deep", "Deep in a scroll container", Some(json!([{ "kind": "id", "value": "deep-field" }]))),
            step("shadow", "In a shadow root", Some(json!([{ "kind": "role", "role": "button", "name": "Inside a shadow root" }]))),
            step("frame", "In an iframe", Some(json!([{ "kind": "id", "value": "frame-btn" }]))),
            step("dialog", "In a modal dialog", Some(json!([{ "kind": "id", "value": "dlg-field" }]))),
            step("gone", "Missing", Some(json!([{ "kind": "id", "value": "nope" }, { "kind": "css", "value": ".nope > b" }]))),
        ]
    });
    // Left of a sidebar at the viewport's edge does not fit: it must flip.
    doc["steps"][0]["placement"] = json!("left");
    let tour_id = cairn.publish_tour(doc).await;
    let host = Host::serve(vec![
        Page::html("/heavy/", heavy_html(&cairn.snippet(), &tour_id)),
        Page::css("/heavy.css", HEAVY_CSS),
        Page::js("/heavy.js", HEAVY_JS),
        Page::html(
            "/frame.html",
            r#"<!doctype html><html lang="en"><head><title>Frame</title><link rel="stylesheet" href="/heavy.css"></head>
<body><button id="frame-btn">Inside the iframe</button></body></html>"#
                .into(),
        ),
    ])
    .await;
    cairn.allow(&host.origin).await;
    let browser = Browser::start().await;
    browser
        .client
        .goto(&format!("{}/heavy/", host.origin))
        .await
        .expect("open");
    browser
        .wait_for(
            "the overlay",
            "document.getElementById('cairn-root') && document.getElementById('cairn-root').getAttribute('data-cairn-state') === 'ready'",
        )
        .await;
    // Focus starts on the page's own button, to be given back at the end.
    browser
        .js("var b = document.getElementById('start'); b.focus(); b.click(); return true;")
        .await;

    // 1. The first strategy finds nothing, the second finds the sidebar button. "left" does not
    //    fit: the popover flips to the right, above the page's max z-index header.
    browser.wait_step("Sidebar").await;
    let g = browser.step_geometry("[data-test=side-action]").await;
    assert_eq!(g["overlaps"], false, "{g}");
    assert!(
        g["left"].as_f64() >= g["targetRight"].as_f64(),
        "flipped to the right: {g}"
    );
    assert_eq!(g["inViewport"], true, "{g}");
    assert_eq!(g["onTop"], true, "nothing of the page covers the step: {g}");
    assert_eq!(
        g["ringAround"], true,
        "the highlight surrounds the element: {g}"
    );
    // Focus moved into the step; its text is announced.
    assert_eq!(
        browser
            .js(&format!(
                "return document.activeElement.id === 'cairn-root' && {}.textContent",
                in_overlay("[data-cairn=live]")
            ))
            .await,
        json!("Step 1 of 6: Sidebar")
    );
    browser
        .assert_accessible("a step on the hostile page", Some("#cairn-root"))
        .await;

    // 2. Arrow keys step. The element deep in a scroll container is scrolled into view.
    browser.press(Key::Right).await;
    browser.wait_step("Deep in a scroll container").await;
    // Layout still settles after the scroll (the late shadow widget, the iframe): the step follows
    // its element on its next tick.
    tokio::time::sleep(Duration::from_millis(400)).await;
    let g = browser.step_geometry("#deep-field").await;
    assert_eq!(g["targetInViewport"], true, "{g}");
    assert_eq!(g["ringAround"], true, "{g}");
    assert_eq!(g["onTop"], true, "{g}");
    assert!(
        browser
            .js("return document.getElementById('scroller').scrollTop")
            .await
            .as_f64()
            > Some(500.0),
        "the scroll container was scrolled"
    );
    // Scrolling the page moves the step with its element.
    browser.js("window.scrollBy(0, 60); return true;").await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let after = browser.step_geometry("#deep-field").await;
    let moved = |g: &Value, k: &str| g[k].as_f64().expect("number");
    assert!(
        moved(&g, "targetTop") - moved(&after, "targetTop") > 30.0,
        "the page scrolled: {g} then {after}"
    );
    assert!(
        ((moved(&g, "top") - moved(&after, "top"))
            - (moved(&g, "targetTop") - moved(&after, "targetTop")))
        .abs()
            < 2.0,
        "the step moved with its element: {g} then {after}"
    );
    // A smaller window: the step is placed again, still next to its element and in view.
    browser
        .client
        .set_window_size(900, 700)
        .await
        .expect("resize");
    tokio::time::sleep(Duration::from_millis(400)).await;
    let g = browser.step_geometry("#deep-field").await;
    assert_eq!(g["ringAround"], true, "{g}");
    assert_eq!(g["inViewport"], true, "{g}");
    assert_eq!(g["overlaps"], false, "{g}");
    // ArrowLeft goes back, ArrowRight forward again.
    browser.press(Key::Left).await;
    browser.wait_step("Sidebar").await;
    browser.press(Key::Right).await;
    browser.wait_step("Deep in a scroll container").await;

    // 3. Inside an open shadow root, found by role and accessible name.
    browser.pointer_click_overlay("[data-cairn=next]").await;
    browser.wait_step("In a shadow root").await;
    let g = browser.step_geometry("#shadow-btn").await;
    assert_eq!(g["ringAround"], true, "{g}");
    assert_eq!(g["overlaps"], false, "{g}");

    // 4. Inside a same-origin iframe: placed in the page's coordinates.
    browser.pointer_click_overlay("[data-cairn=next]").await;
    browser.wait_step("In an iframe").await;
    let g = browser.step_geometry("#frame-btn").await;
    assert_eq!(g["ringAround"], true, "{g}");
    assert_eq!(g["overlaps"], false, "{g}");
    assert_eq!(
        browser
            .js(&format!(
                "return {}.getAttribute('data-element-found')",
                in_overlay("[data-cairn=step]")
            ))
            .await,
        "true"
    );

    // 5. The page opens a modal dialog (top layer, the rest of the page inert): the step still
    //    shows above it and its buttons take real clicks.
    browser
        .js("document.getElementById('open-dialog').click(); return true;")
        .await;
    // The overlay follows the page's top layer on its next tick.
    tokio::time::sleep(Duration::from_millis(600)).await;
    browser.pointer_click_overlay("[data-cairn=next]").await;
    browser.wait_step("In a modal dialog").await;
    let g = browser.step_geometry("#dlg-field").await;
    assert_eq!(g["onTop"], true, "above the modal dialog: {g}");
    assert_eq!(g["ringAround"], true, "{g}");
    browser
        .assert_accessible("a step over a modal dialog", Some("#cairn-root"))
        .await;
    browser.pointer_click_overlay("[data-cairn=next]").await;

    // 6. An element that never appears: after the bounded wait the step shows without it,
    //    reporting the strategies that failed.
    let started = Instant::now();
    browser
        .wait_for(
            "the missing step",
            &format!(
                "{}.getAttribute('data-element-found') === 'false'",
                in_overlay("[data-cairn=step]")
            ),
        )
        .await;
    assert!(
        started.elapsed() >= Duration::from_millis(2000),
        "it waited"
    );
    assert_eq!(
        browser
            .js(&format!(
                "return {}.getAttribute('data-strategies-failed')",
                in_overlay("[data-cairn=step]")
            ))
            .await,
        "id:none,css:none"
    );

    // The page closes its dialog (which takes focus away); the overlay goes back to the body on
    // its next tick. Escape closes the tour.
    browser
        .js("document.getElementById('dlg').close(); return true;")
        .await;
    tokio::time::sleep(Duration::from_millis(600)).await;
    browser
        .js(&format!(
            "{}.focus(); return true;",
            in_overlay("[data-cairn=next]")
        ))
        .await;
    browser.press(Key::Escape).await;
    browser
        .wait_for(
            "the tour to close",
            &format!("!{}", in_overlay("[data-cairn=step]")),
        )
        .await;
    assert_eq!(
        browser.js("return document.activeElement.id").await,
        "start",
        "focus went back where it was"
    );
    let stats = cairn.step_stats(&tour_id).await;
    let deadline = Instant::now() + Duration::from_secs(15);
    let mut stats = stats;
    while stats["steps"][5]["not_found"].as_i64() != Some(1) {
        assert!(
            Instant::now() < deadline,
            "not-found never counted: {stats}"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
        stats = cairn.step_stats(&tour_id).await;
    }
    browser.close().await;
}
