//! The overlay under a strict Content-Security-Policy (no inline script or style on the host),
//! and through an outage of the Cairn server in the middle of a tour: the events the browser
//! produced while the server was down reach it once it is back, none lost and none twice.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use fantoccini::key::Key;
use serde_json::{Value, json};

use crate::harness::{Browser, in_overlay};
use crate::host::{Host, Page};
use crate::host_pages::{Cairn, step};

/// Records the page's CSP violations and the overlay's events as `cairn.on` reports them.
const RECORDER_JS: &str = r#"
window.violations = [];
document.addEventListener('securitypolicyviolation', function (e) {
  window.violations.push(e.violatedDirective + ' ' + e.blockedURI);
});
window.produced = [];
// The snippet is async: wait for its stub, which queues calls until the runtime has loaded.
(function subscribe() {
  if (!window.cairn) return setTimeout(subscribe, 2);
  cairn.on('*', function (e) { window.produced.push([e.kind, e.stepIndex]); });
})();
"#;

fn page(snippet: &str, title: &str) -> String {
    format!(
        r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<link rel="stylesheet" href="/site.css">{snippet}<script src="/recorder.js"></script></head>
<body><main><h1>{title}</h1><button id="go">Go</button></main></body></html>"#
    )
}

#[tokio::test]
async fn works_under_a_strict_content_security_policy() {
    let cairn = Cairn::start().await;
    let tour_id = cairn
        .publish_tour(json!({
            "title": "Strict",
            "targeting": { "url_patterns": ["/csp/*"] },
            "steps": [
                step("go", "Go button", Some(json!([{ "kind": "id", "value": "go" }]))),
                step("end", "The end", None),
            ]
        }))
        .await;
    let csp = format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval' {c}; style-src 'self'; connect-src 'self' {c}",
        c = cairn.server.url
    );
    let mut html = Page::html("/csp/", page(&cairn.snippet(), "Strict"));
    html.csp = Some(csp);
    let host = Host::serve(vec![
        html,
        Page::css("/site.css", "body { font-family: serif; }"),
        Page::js("/recorder.js", RECORDER_JS),
    ])
    .await;
    cairn.allow(&host.origin).await;
    let browser = Browser::start().await;
    browser
        .client
        .goto(&format!("{}/csp/", host.origin))
        .await
        .expect("open");
    browser.wait_step("Go button").await;
    // The overlay's own styles apply (constructable stylesheets in its shadow root).
    let style = browser
        .js(&format!(
            "var s = getComputedStyle({}); return [s.position, s.backgroundColor];",
            in_overlay("[data-cairn=step]")
        ))
        .await;
    assert_eq!(style, json!(["fixed", "rgb(255, 255, 255)"]));
    let g = browser.step_geometry("#go").await;
    assert_eq!(g["ringAround"], true, "{g}");
    // Keyboard: focus is on Next, Enter presses it.
    browser.press(Key::Enter).await;
    browser.wait_step("The end").await;
    // A floating step is modal: Tab cycles inside it, never back to the page.
    for _ in 0..5 {
        browser.press(Key::Tab).await;
        let focus = browser
            .js(&format!(
                "var a = document.activeElement; return [a.id || a.tagName, {r}.activeElement && {r}.activeElement.outerHTML];",
                r = "document.getElementById('cairn-root').shadowRoot"
            ))
            .await;
        assert_eq!(
            focus[0], "cairn-root",
            "focus stays in the modal step: {focus}"
        );
    }
    browser
        .js(&format!(
            "{}.focus(); return true;",
            in_overlay("[data-cairn=next]")
        ))
        .await;
    browser.press(Key::Space).await;
    // Events go out (connect-src allows the Cairn origin).
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let stats = cairn.step_stats(&tour_id).await;
        if stats["steps"][1]["completions"].as_i64() == Some(1) {
            break;
        }
        assert!(Instant::now() < deadline, "no completion: {stats}");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    assert_eq!(
        browser.js("return window.violations").await,
        json!([]),
        "no CSP violation"
    );
    browser.close().await;
}

/// What the analytics step table should show for the events `produced` (`[kind, stepIndex]`).
fn expected_counts(produced: &Value, steps: usize) -> Vec<BTreeMap<&'static str, i64>> {
    let mut out = vec![BTreeMap::new(); steps];
    for e in produced.as_array().expect("produced") {
        let column = match e[0].as_str().expect("kind") {
            "step_viewed" => "views",
            "step_advanced" => "advances",
            "tour_completed" => "completions",
            "tour_dismissed" => "dismissals",
            other => panic!("unexpected event {other}"),
        };
        let i = e[1].as_u64().expect("step index") as usize;
        *out[i].entry(column).or_insert(0) += 1;
    }
    out
}

fn counts(stats: &Value, steps: usize) -> Vec<BTreeMap<&'static str, i64>> {
    (0..steps)
        .map(|i| {
            ["views", "advances", "completions", "dismissals"]
                .into_iter()
                .map(|c| (c, stats["steps"][i][c].as_i64().unwrap_or(-1)))
                .filter(|(_, n)| *n != 0)
                .collect()
        })
        .collect()
}

#[tokio::test]
async fn an_outage_mid_tour_loses_and_duplicates_nothing() {
    let mut cairn = Cairn::start().await;
    let steps = 5;
    let tour_id = cairn
        .publish_tour(json!({
            "title": "Outage",
            "targeting": { "url_patterns": ["/outage/*"] },
            "steps": (0..steps).map(|i| step(&format!("s{i}"), &format!("Step {i}"), None)).collect::<Vec<_>>()
        }))
        .await;
    let host = Host::serve(vec![
        Page::html("/outage/", page(&cairn.snippet(), "Outage")),
        Page::css("/site.css", "body { font-family: serif; }"),
        Page::js("/recorder.js", RECORDER_JS),
    ])
    .await;
    cairn.allow(&host.origin).await;
    let browser = Browser::start().await;
    browser
        .client
        .goto(&format!("{}/outage/", host.origin))
        .await
        .expect("open");
    browser.wait_step("Step 0").await;
    let deadline = Instant::now() + Duration::from_secs(15);
    while cairn.step_stats(&tour_id).await["steps"][0]["views"].as_i64() != Some(1) {
        assert!(Instant::now() < deadline, "the first view never arrived");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    // The server goes away; the employee carries on.
    cairn.server.stop().await;
    for i in 1..=2 {
        browser.click_overlay("[data-cairn=next]").await;
        browser.wait_step(&format!("Step {i}")).await;
    }
    // Let the overlay try (and fail) to send at least once.
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let queued = browser
        .js("var n = 0; for (var i = 0; i < localStorage.length; i++) { var k = localStorage.key(i); if (/queue/.test(k)) n += JSON.parse(localStorage.getItem(k)).length; } return n;")
        .await;
    assert!(
        queued.as_u64() >= Some(4),
        "the events wait in localStorage: {queued}"
    );

    // Back on the same port and database; the tour goes on to its end.
    cairn.server.restart().await.expect("restart");
    for i in 3..steps {
        browser.click_overlay("[data-cairn=next]").await;
        browser.wait_step(&format!("Step {i}")).await;
    }
    browser.click_overlay("[data-cairn=next]").await;
    browser
        .wait_for("the end", &format!("!{}", in_overlay("[data-cairn=step]")))
        .await;

    let produced = browser.js("return window.produced").await;
    let expected = expected_counts(&produced, steps);
    assert_eq!(
        expected[steps - 1].get("completions"),
        Some(&1),
        "{produced}"
    );
    // The queue drains (the overlay backs off while the server is down, so allow for that).
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let stats = cairn.step_stats(&tour_id).await;
        if counts(&stats, steps) == expected {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "server counts {:?} never matched the browser's {:?}",
            counts(&stats, steps),
            expected
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    // And stay equal: nothing is sent twice later.
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(counts(&cairn.step_stats(&tour_id).await, steps), expected);
    browser.close().await;
}
