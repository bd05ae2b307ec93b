//! A single-page app on another origin: elements rendered late, routes changed with pushState,
//! a tour that follows clicks, typing and URLs across routes and a page reload; and targeting by
//! the attributes the host passes to `cairn.identify`, with per-locale and per-proficiency texts.

use std::time::{Duration, Instant};

use serde_json::json;

use crate::harness::{Browser, in_overlay};
use crate::host::{Host, Page};
use crate::host_pages::{Cairn, step};

const SPA_JS: &str = r#"
var root = document.getElementById('app');
function el(tag, props) { var e = document.createElement(tag); Object.assign(e, props || {}); return e; }
function go(path) { history.pushState({}, '', path); render(); }
function render() {
  var path = location.pathname;
  root.textContent = '';
  if (path === '/spa/') {
    // Rendered late, as a framework fetching data first would.
    setTimeout(function () {
      var b = el('button', { textContent: 'Create order', className: 'create' });
      b.addEventListener('click', function () { go('/spa/orders'); });
      root.appendChild(b);
    }, 800);
  } else if (path === '/spa/orders') {
    setTimeout(function () {
      var label = el('label', { textContent: 'Quantity ' });
      label.appendChild(el('input', { name: 'qty' }));
      var save = el('button', { id: 'save', type: 'button', textContent: 'Save' });
      save.addEventListener('click', function () { go('/spa/done'); });
      root.appendChild(label); root.appendChild(save);
    }, 600);
  } else {
    root.appendChild(el('p', { textContent: 'Saved.' }));
  }
}
window.addEventListener('popstate', render);
render();
"#;

fn spa_html(snippet: &str) -> String {
    format!(
        r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Orders</title>{snippet}</head>
<body><main id="app"></main><script src="/spa/app.js"></script></body></html>"#
    )
}

fn title_is(title: &str) -> String {
    format!(
        "{}.textContent === {}",
        in_overlay("[data-cairn=step-title]"),
        json!(title)
    )
}

#[tokio::test]
async fn a_single_page_app_with_late_elements_and_pushstate_routes() {
    let cairn = Cairn::start().await;
    let mut doc = json!({
        "title": "Place an order",
        "targeting": { "url_patterns": ["/spa/*"] },
        "steps": [
            step("create", "Create", Some(json!([{ "kind": "role", "role": "button", "name": "Create order" }]))),
            step("promo", "Promo code", Some(json!([{ "kind": "id", "value": "promo" }]))),
            step("qty", "Quantity", Some(json!([{ "kind": "attr", "name": "name", "value": "qty" }]))),
            step("save", "Save", Some(json!([{ "kind": "id", "value": "save" }]))),
            step("done", "Done", None),
        ]
    });
    doc["steps"][0]["advance"] = json!({ "on": "click" });
    doc["steps"][1]["optional"] = json!(true);
    doc["steps"][2]["advance"] = json!({ "on": "input" });
    doc["steps"][3]["advance"] = json!({ "on": "url", "pattern": "/spa/done" });
    cairn.publish_tour(doc).await;
    // Shown when the URL's fragment becomes #help (hashchange), to everyone.
    cairn
        .publish_tour(json!({
            "title": "Help",
            "targeting": { "url_patterns": ["*://*/spa/*#help"], "frequency": "every_visit" },
            "steps": [step("help", "Help is here", None)]
        }))
        .await;
    let host = Host::serve(vec![
        Page::js("/spa/app.js", SPA_JS),
        Page::html("/spa/*", spa_html(&cairn.snippet())),
    ])
    .await;
    cairn.allow(&host.origin).await;
    let browser = Browser::start().await;
    browser
        .client
        .goto(&format!("{}/spa/", host.origin))
        .await
        .expect("open");

    // The button appears 800 ms after load; the step waits for it.
    browser.wait_step("Create").await;
    let g = browser.step_geometry("button.create").await;
    assert_eq!(g["ringAround"], true, "{g}");
    // A click on the element moves on; the app routes with pushState.
    browser.click_page("button.create").await;
    // The optional step's element never appears: skipped after the wait, straight to the
    // quantity field that the new route renders late.
    let started = Instant::now();
    browser
        .wait_for("the quantity step", &title_is("Quantity"))
        .await;
    assert!(started.elapsed() >= Duration::from_millis(2500));
    assert_eq!(browser.js("return location.pathname").await, "/spa/orders");

    // A full page load in the middle: the tour resumes where it was.
    browser.js("location.reload(); return true;").await;
    browser
        .wait_for(
            "the reload",
            "performance.getEntriesByType('navigation')[0].type === 'reload'",
        )
        .await;
    browser.wait_step("Quantity").await;
    browser
        .wait_for("the field", "document.querySelector('[name=qty]')")
        .await;

    // Typing moves on once it pauses.
    browser
        .client
        .find(fantoccini::Locator::Css("[name=qty]"))
        .await
        .expect("field")
        .send_keys("12")
        .await
        .expect("type");
    browser.wait_step("Save").await;
    // Reaching the URL moves on.
    browser.click_page("#save").await;
    browser.wait_step("Done").await;
    browser.click_overlay("[data-cairn=next]").await;
    browser
        .wait_for("the end", &format!("!{}", in_overlay("[data-cairn=step]")))
        .await;

    // hashchange re-evaluates targeting: the help tour starts; cairn.stop() ends it.
    browser.js("location.hash = 'help'; return true;").await;
    browser.wait_step("Help is here").await;
    browser.js("cairn.stop(); return true;").await;
    browser
        .wait_for("stop", &format!("!{}", in_overlay("[data-cairn=step]")))
        .await;
    // replaceState away and popstate back: the app still routes, the overlay follows quietly.
    browser
        .js("history.replaceState({}, '', '/spa/'); dispatchEvent(new PopStateEvent('popstate')); return true;")
        .await;
    browser
        .wait_for("the first route", "document.querySelector('button.create')")
        .await;
    // cairn.openLauncher() lists the tour for this page.
    browser.js("cairn.openLauncher(); return true;").await;
    browser
        .wait_for("the launcher", &in_overlay("[data-cairn=launcher-tour]"))
        .await;
    browser.close().await;
}

const WHO_JS: &str = r#"
window.seen = [];
// The snippet is async: wait for its stub, which queues calls until the runtime has loaded.
(function subscribe() {
  if (!window.cairn) return setTimeout(subscribe, 2);
  cairn.on('step_viewed', function (e) { window.seen.push(e.contentId + ':' + e.stepId); });
})();
"#;

#[tokio::test]
async fn targeting_follows_identify_with_locale_and_proficiency_texts() {
    let cairn = Cairn::start().await;
    let mut managers = json!({
        "title": "Approvals",
        "targeting": {
            "url_patterns": ["/who/*"],
            "attributes": [{ "attribute": "role", "one_of": ["manager"] }],
            "proficiency": ["expert", "beginner"]
        },
        "steps": [step("approve", "Approve requests", None)]
    });
    managers["steps"][0]["variants"] = json!([
        { "locale": "de", "title": "Anträge genehmigen" },
        { "proficiency": "expert", "body": "The short version." }
    ]);
    cairn.publish_tour(managers).await;
    let mut clerks = json!({
        "title": "Requests",
        "targeting": {
            "url_patterns": ["/who/*"],
            "attributes": [
                { "attribute": "role", "one_of": ["clerk", "agent"] },
                { "attribute": "role", "one_of": ["manager"], "negate": true }
            ],
            "schedule": { "starts_at": 0 }
        },
        "steps": [step("request", "File a request", None)]
    });
    clerks["steps"][0]["variants"] = json!([{ "locale": "en", "title": "File a request (en)" }]);
    cairn.publish_tour(clerks).await;
    cairn
        .publish_tour(json!({
            "title": "Expired",
            "targeting": { "url_patterns": ["/who/*"], "schedule": { "ends_at": 1 } },
            "steps": [step("old", "Old news", None)]
        }))
        .await;
    let host = Host::serve(vec![
        Page::js("/who.js", WHO_JS),
        Page::html(
            "/who/",
            format!(
                r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Who</title>{}
<script src="/who.js"></script></head><body><main><h1>Requests</h1></main></body></html>"#,
                cairn.snippet()
            ),
        ),
    ])
    .await;
    cairn.allow(&host.origin).await;
    let browser = Browser::start().await;
    // Identified before the runtime loaded (the stub queues the call): a German-speaking expert
    // manager gets the manager tour, with the German title and the expert body.
    browser
        .client
        .goto(&format!("{}/who/", host.origin))
        .await
        .expect("open");
    browser
        .js("cairn.identify({ id: 'u1', attributes: { role: 'Manager', locale: 'de-CH', proficiency: 'expert' } }); return true;")
        .await;
    browser.wait_step("Anträge genehmigen").await;
    assert_eq!(
        browser
            .js(&format!(
                "return {}.textContent",
                in_overlay("[data-cairn=step-body]")
            ))
            .await,
        "The short version."
    );
    browser.click_overlay("[data-cairn=close]").await;
    browser
        .wait_for("closed", &format!("!{}", in_overlay("[data-cairn=step]")))
        .await;

    // Identify again as someone else: targeting is evaluated again at once. Not a manager, no
    // locale attribute: the browser's language (en-US) picks the `en` text.
    browser
        .js("cairn.identify({ id: 'u2', attributes: { role: 'clerk' } }); return true;")
        .await;
    browser.wait_step("File a request (en)").await;
    browser.click_overlay("[data-cairn=next]").await;
    browser
        .wait_for("done", &format!("!{}", in_overlay("[data-cairn=step]")))
        .await;

    // A new page load: both tours ran once (frequency "once"), and the expired one never shows.
    browser.client.refresh().await.expect("reload");
    browser
        .wait_for(
            "the overlay",
            "document.getElementById('cairn-root').getAttribute('data-cairn-state') === 'ready'",
        )
        .await;
    browser
        .js("cairn.identify({ id: 'u1', attributes: { role: 'manager' } }); return true;")
        .await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(
        browser
            .js(&format!("return !!{}", in_overlay("[data-cairn=step]")))
            .await,
        false,
        "nothing starts by itself again"
    );
    assert_eq!(browser.js("return window.seen").await, json!([]));
    browser.close().await;
}

const BRANCH_HTML: &str = r#"<main><h1>Orders</h1><button id="new">New order</button>
<button class="dup">Export</button><button class="dup">Export</button>
<button id="send" hidden>Send</button><button id="archive">Archive</button></main>"#;

const MISSES_JS: &str = r#"
window.misses = [];
(function subscribe() {
  if (!window.cairn) return setTimeout(subscribe, 2);
  cairn.on('element_not_found', function (e) { window.misses.push([e.stepId, e.failedStrategies]); });
})();
"#;

/// Steps whose element is absent: `when_absent: {goto}` jumps ahead, `"skip"` passes the step, Back
/// returns to the step seen before; a step without a branch shows floating and its
/// `element_not_found` event carries which strategies failed and why, stored by the server and
/// given to the host's `cairn.on` handler as `failedStrategies`.
#[tokio::test]
async fn absent_elements_branch_and_report_which_strategies_failed() {
    let cairn = Cairn::start().await;
    let mut doc = json!({
        "title": "Branching",
        "targeting": { "url_patterns": ["/branch/*"] },
        "steps": [
            step("new", "New", Some(json!([{ "kind": "id", "value": "new" }]))),
            step("approve", "Approve", Some(json!([{ "kind": "id", "value": "approve" }]))),
            step("admin", "Admin only", Some(json!([{ "kind": "id", "value": "admin" }]))),
            step("report", "Report", Some(json!([
                { "kind": "id", "value": "missing" },
                { "kind": "css", "value": "button.dup" },
                { "kind": "id", "value": "send" }
            ]))),
            step("gone", "Gone", Some(json!([{ "kind": "id", "value": "gone" }]))),
            step("archive", "Archive", Some(json!([{ "kind": "id", "value": "archive" }]))),
        ]
    });
    doc["steps"][1]["when_absent"] = json!({ "goto": "report" });
    doc["steps"][4]["when_absent"] = json!("skip");
    let tour_id = cairn.publish_tour(doc).await;
    let host = Host::serve(vec![
        Page::js("/misses.js", MISSES_JS),
        Page::html(
            "/branch/*",
            format!(
                r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Branch</title>{}
<script src="/misses.js"></script></head><body>{BRANCH_HTML}</body></html>"#,
                cairn.snippet()
            ),
        ),
    ])
    .await;
    cairn.allow(&host.origin).await;
    let browser = Browser::start().await;
    browser
        .client
        .goto(&format!("{}/branch/", host.origin))
        .await
        .expect("open");
    browser.wait_step("New").await;
    browser.click_overlay("[data-cairn=next]").await;
    // "Approve" is absent: after the wait the tour jumps over "Admin only" straight to "Report".
    let started = Instant::now();
    browser.wait_step("Report").await;
    assert!(started.elapsed() >= Duration::from_millis(2500));
    let state = browser
        .js(&format!(
            "var s = {}; return s.getAttribute('data-element-found')",
            in_overlay("[data-cairn=step]")
        ))
        .await;
    assert_eq!(
        state, "false",
        "Report has no branch: shown without its element"
    );
    // Back returns to the step seen before, not into the branch.
    browser.click_overlay("[data-cairn=back]").await;
    browser.wait_step("New").await;
    browser.click_overlay("[data-cairn=next]").await;
    browser.wait_step("Report").await;
    // "Gone" is skipped, the tour goes on with "Archive".
    browser.click_overlay("[data-cairn=next]").await;
    browser.wait_step("Archive").await;
    // The host's `cairn.on('element_not_found')` handler got each miss with its strategies.
    let misses = browser
        .wait_for(
            "the handler's misses",
            "window.misses.length >= 2 && window.misses",
        )
        .await;
    let miss = json!(["report", "id:none,css:many,id:hidden"]);
    assert_eq!(misses, json!([miss, miss]));
    browser.close().await;

    // The server stored each miss of "Report" with why each strategy failed, in the order tried.
    let db = cairn.server.db().await.expect("db");
    let deadline = Instant::now() + Duration::from_secs(10);
    let stored: Vec<String> = loop {
        let rows: Vec<Option<String>> = sqlx::query_scalar(
            "SELECT failed_strategies FROM events WHERE content_id = $1 AND kind = 'element_not_found' ORDER BY occurred_at",
        )
        .bind(&tour_id)
        .fetch_all(&db.pool)
        .await
        .expect("events");
        if rows.len() >= 2 || Instant::now() > deadline {
            break rows.into_iter().flatten().collect();
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert_eq!(stored, ["id:none,css:many,id:hidden"; 2]);
    let steps = cairn.step_stats(&tour_id).await;
    let not_found: Vec<_> = steps["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .map(|s| (s["step_id"].clone(), s["not_found"].clone()))
        .collect();
    assert!(
        not_found.contains(&(json!("report"), json!(2)))
            && not_found.contains(&(json!("approve"), json!(0)))
            && not_found.contains(&(json!("gone"), json!(0))),
        "misses of Report only, branches are not misses: {steps}"
    );
}

const ROUTES_HTML: &str = r#"<main><h1>Router</h1></main>"#;

/// `history.pushState` and `replaceState` are wrapped from wasm, so a route change is followed at
/// once rather than at the next poll; the originals still run and still throw.
#[tokio::test]
async fn history_methods_are_followed_at_once() {
    let cairn = Cairn::start().await;
    for (title, route) in [("Pushed", "pushed"), ("Replaced", "replaced")] {
        cairn
            .publish_tour(json!({
                "title": title,
                "targeting": { "url_patterns": [format!("/routes/{route}")] },
                "steps": [step(route, title, None)]
            }))
            .await;
    }
    let host = Host::serve(vec![Page::html(
        "/routes/*",
        format!(
            r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Routes</title>{}</head><body>{ROUTES_HTML}</body></html>"#,
            cairn.snippet()
        ),
    )])
    .await;
    cairn.allow(&host.origin).await;
    let browser = Browser::start().await;
    browser
        .client
        .goto(&format!("{}/routes/", host.origin))
        .await
        .expect("open");
    browser
        .wait_for(
            "the overlay",
            "document.getElementById('cairn-root').getAttribute('data-cairn-state') === 'ready'",
        )
        .await;
    let native = browser
        .js("return [history.pushState, history.replaceState].map(f => /\\[native code\\]/.test(String(f)))")
        .await;
    assert_eq!(native, json!([false, false]), "both methods are wrapped");
    // The step shows well before the 500 ms poll would notice the new URL (a few frames at most).
    let took = |method: &str, route: &str| {
        format!(
            "var done = arguments[0]; var t0 = performance.now();
             history.{method}({{ n: 1 }}, '', '/routes/{route}');
             (function poll() {{
               if ({step}) return done(performance.now() - t0);
               if (performance.now() - t0 > 5000) return done(-1);
               requestAnimationFrame(poll);
             }})();",
            step = in_overlay("[data-cairn=step]")
        )
    };
    for (method, route, title) in [
        ("pushState", "pushed", "Pushed"),
        ("replaceState", "replaced", "Replaced"),
    ] {
        let ms = browser
            .client
            .execute_async(&took(method, route), vec![])
            .await
            .expect("route change")
            .as_f64()
            .expect("ms");
        assert!((0.0..250.0).contains(&ms), "{method}: step after {ms} ms");
        browser.wait_step(title).await;
        browser.click_overlay("[data-cairn=next]").await;
        browser
            .wait_for("done", &format!("!{}", in_overlay("[data-cairn=step]")))
            .await;
    }
    // The page's own state and errors pass through the wrapper.
    let state = browser
        .js("history.pushState({ k: 7 }, '', '/routes/x'); return [history.state.k, location.pathname]")
        .await;
    assert_eq!(state, json!([7, "/routes/x"]));
    let threw = browser
        .js("try { history.pushState({}, '', 'https://elsewhere.invalid/'); return 'no'; } catch (e) { return e.name; }")
        .await;
    assert_eq!(threw, "SecurityError");
    browser.close().await;
}
