//! Checklist items done by an event the host application reports with `cairn.track(name)`: a call
//! queued by the loader before the runtime loaded, a call while the launcher is open (the item
//! ticks in place, the new count in a status region, focus kept), remembered across a reload for
//! the same user only.

use serde_json::{Value, json};

use crate::harness::{Browser, in_overlay};
use crate::host::{Host, Page};
use crate::host_pages::Cairn;

const TRACK_JS: &str = r#"
// The snippet is async: its stub queues calls until the runtime has loaded.
(function early() {
  if (!window.cairn) return setTimeout(early, 2);
  window.queued = !window.cairn.version;
  cairn.identify({ id: 'u1' });
  cairn.track('profile.done');
})();
"#;

const ITEMS: &str = "document.getElementById('cairn-root').shadowRoot.querySelectorAll('[data-cairn=checklist-item]')";

/// Each item's `data-done`, in order.
async fn done_states(browser: &Browser) -> Value {
    browser
        .js(&format!(
            "return Array.from({ITEMS}).map(function (li) {{ return li.getAttribute('data-done'); }});"
        ))
        .await
}

async fn open_checklist(browser: &Browser) {
    browser.js("cairn.openLauncher(); return true;").await;
    browser
        .wait_for(
            "the checklist in the launcher",
            &format!(
                "({} || {{}}).textContent === 'Get started'",
                in_overlay("#cairn-checklist-title")
            ),
        )
        .await;
}

#[tokio::test]
async fn items_are_done_by_tracked_events_live_and_after_a_reload() {
    let cairn = Cairn::start().await;
    let link = |id: &str, title: &str, event: Option<&str>| {
        let mut item = json!({ "id": id, "title": title,
            "action": { "type": "link", "url": format!("/track/#{id}") } });
        if let Some(e) = event {
            item["done_on_event"] = json!(e);
        }
        item
    };
    cairn
        .publish(
            "checklists",
            json!({
                "title": "Get started",
                "targeting": { "url_patterns": ["/track/*"] },
                "items": [
                    link("profile", "Complete your profile", Some("profile.done")),
                    link("send", "Send your first invoice", Some("invoice.sent")),
                    link("policy", "Read the policy", None),
                ]
            }),
        )
        .await;
    let host = Host::serve(vec![
        Page::js("/track.js", TRACK_JS),
        Page::html(
            "/track/",
            format!(
                r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Invoices</title>{}
<script src="/track.js"></script></head><body><main><h1>Invoices</h1></main></body></html>"#,
                cairn.snippet()
            ),
        ),
    ])
    .await;
    cairn.allow(&host.origin).await;
    let browser = Browser::start().await;
    browser
        .client
        .goto(&format!("{}/track/", host.origin))
        .await
        .expect("open");
    browser
        .wait_for(
            "the overlay",
            "document.getElementById('cairn-root') && document.getElementById('cairn-root').getAttribute('data-cairn-state') === 'ready'",
        )
        .await;
    assert_eq!(browser.js("return window.queued").await, true);

    // The call queued before the runtime loaded counted.
    open_checklist(&browser).await;
    assert_eq!(
        done_states(&browser).await,
        json!(["true", "false", "false"])
    );
    let progress = in_overlay("[data-cairn=checklist-progress]");
    assert_eq!(
        browser.js(&format!("return {progress}.textContent")).await,
        "1 of 3 done"
    );

    // Reported with the launcher open: the item ticks in place; focus stays where it was.
    let focused = "document.getElementById('cairn-root').shadowRoot.activeElement";
    let before = browser
        .js(&format!(
            "var a = {focused}; window.focusedBefore = a; return !!a;"
        ))
        .await;
    assert_eq!(before, true, "the open launcher has focus");
    browser
        .js("cairn.track('invoice.sent'); return true;")
        .await;
    let send = in_overlay("[data-cairn=checklist-item][data-item-id=send]");
    browser
        .wait_for(
            "the item done",
            &format!("{send}.getAttribute('data-done') === 'true'"),
        )
        .await;
    // The progress line is a status region: the new count is what screen readers hear.
    let shown = browser
        .js(&format!(
            "var li = {send}, p = {progress}; return [li.querySelector('.check').textContent,
                li.querySelector('.item').textContent, p.textContent, p.getAttribute('role'),
                {focused} === window.focusedBefore];"
        ))
        .await;
    assert_eq!(
        shown,
        json!([
            "✓",
            "✓Send your first invoice (done)",
            "2 of 3 done",
            "status",
            true
        ])
    );

    // Names no item waits for, and names that are not event names, leave nothing behind.
    browser
        .js("cairn.track('nothing.waits'); cairn.track('not a name'); cairn.track(42); return true;")
        .await;
    let stored = browser
        .js("return Object.keys(localStorage).filter(function (k) { return k.indexOf(':event:') >= 0; }).sort();")
        .await;
    let stored: Vec<String> = serde_json::from_value(stored).expect("keys");
    assert_eq!(stored.len(), 2, "{stored:?}");
    assert!(
        stored[0].ends_with(":event:invoice.sent/u1")
            && stored[1].ends_with(":event:profile.done/u1"),
        "{stored:?}"
    );

    // After a reload (the page identifies u1 again) both are still done.
    browser.client.refresh().await.expect("reload");
    browser
        .wait_for(
            "the overlay after the reload",
            "document.getElementById('cairn-root') && document.getElementById('cairn-root').getAttribute('data-cairn-state') === 'ready'",
        )
        .await;
    open_checklist(&browser).await;
    assert_eq!(
        done_states(&browser).await,
        json!(["true", "true", "false"])
    );

    // Another employee on the same browser has done neither.
    browser
        .js("cairn.identify({ id: 'u2' }); return true;")
        .await;
    open_checklist(&browser).await;
    assert_eq!(
        done_states(&browser).await,
        json!(["false", "false", "false"])
    );
    browser.close().await;
}
