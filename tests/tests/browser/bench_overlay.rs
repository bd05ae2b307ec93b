//! The overlay benchmark's browser half (run by `cargo xtask bench overlay`, ignored otherwise):
//! on generated pages of 10,000 and 100,000 elements, the time from the script's execution to the
//! first step visible and the longest task after it, for Cairn and for driver.js on the same pages
//! in the same Chromium. Prints figures; asserts nothing about timings.

use std::path::PathBuf;

use serde_json::{Value, json};

use crate::harness::Browser;
use crate::host::{Host, Page};
use crate::host_pages::{Cairn, step};

/// Loads per page and library; the first is cold (nothing cached), the others warm.
const RUNS: usize = 4;

fn driver_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target"));
    let target = if target.is_relative() {
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("..")
            .join(target)
    } else {
        target
    };
    target.join("test-tools/node_modules/driver.js/dist")
}

/// `n` elements in rows of a link, a text span and a wrapper; the target in the middle.
fn elements(n: usize) -> String {
    let mut html = String::with_capacity(n * 60);
    let rows = n / 3;
    for i in 0..rows {
        if i == rows / 2 {
            html.push_str("<button id=\"bench-target\">Target</button>");
        }
        html.push_str(&format!(
            "<div class=\"row r{}\"><span>Item {i}</span> <a href=\"#i{i}\">open</a></div>",
            i % 7
        ));
    }
    html
}

/// Records, before anything else runs: long tasks, and (`mark()`) the moment the library's
/// script starts; the moment its first step is visible is found by observing the DOM.
const PROBE: &str = r#"<script>
window.bench = { longest: 0, tasks: [] };
new PerformanceObserver(function (list) {
  list.getEntries().forEach(function (e) { window.bench.tasks.push([e.startTime, e.duration]); });
}).observe({ type: 'longtask', buffered: true });
</script>"#;

/// Runs at the end of the body. Once the page has loaded and is laid out (as a real page is before
/// a user looks at it), notes the start and inserts the library's script (`load` is a JS function
/// body doing that), then watches the DOM for `visible()`. Long tasks are counted from there on.
fn start_probe(visible: &str, load: &str) -> String {
    format!(
        r#"<script>
(function () {{
  function visible() {{ {visible} }}
  function check() {{
    if (window.bench.t1 === undefined && visible()) window.bench.t1 = performance.now();
  }}
  var seen = new WeakSet();
  function watch(root) {{
    if (seen.has(root)) return; seen.add(root);
    new MutationObserver(function () {{
      var host = document.getElementById('cairn-root');
      if (host && host.shadowRoot) watch(host.shadowRoot);
      check();
    }}).observe(root, {{ childList: true, subtree: true, attributes: true }});
  }}
  addEventListener('load', function () {{
    document.body.offsetHeight;
    setTimeout(function () {{
      window.bench.t0 = performance.now();
      watch(document.documentElement);
      {load}
    }}, 200);
  }});
}})();
</script>"#
    )
}

const CAIRN_VISIBLE: &str = "var h = document.getElementById('cairn-root'); var s = h && h.shadowRoot && h.shadowRoot.querySelector('[data-cairn=step]'); if (!s) return false; var r = s.getBoundingClientRect(); return r.width > 0 && r.top >= 0 && r.top < innerHeight;";
const DRIVER_VISIBLE: &str = "var s = document.querySelector('.driver-popover'); if (!s) return false; var r = s.getBoundingClientRect(); return r.width > 0 && r.top >= 0 && r.top < innerHeight;";

/// With `CAIRN_BENCH_PROFILE=1`: times the DOM calls the overlay makes, to find where the time goes.
const PROFILER: &str = r#"<script>
window.prof = {};
[[Element.prototype, ['getBoundingClientRect', 'scrollIntoView', 'showPopover', 'hidePopover', 'querySelectorAll', 'matches', 'attachShadow', 'append', 'appendChild', 'focus']],
 [HTMLElement.prototype, ['focus', 'showPopover', 'hidePopover']],
 [Document.prototype, ['querySelectorAll', 'querySelector', 'getElementById']],
 [DocumentFragment.prototype, ['querySelectorAll']]].forEach(function (pair) {
  pair[1].forEach(function (name) {
    var original = pair[0][name]; if (!original) return;
    pair[0][name] = function () {
      var t = performance.now(); try { return original.apply(this, arguments); }
      finally { var k = name; var p = window.prof[k] || (window.prof[k] = [0, 0]); p[0]++; p[1] += performance.now() - t; }
    };
  });
});
</script>"#;

fn cairn_page(cairn: &Cairn, body: &str) -> String {
    // The snippet's script, inserted by the probe.
    let load = format!(
        "var s = document.createElement('script'); s.src = {}; s.setAttribute('data-app-key', {}); document.head.appendChild(s);",
        json!(format!("{}/overlay/cairn.js", cairn.server.url)),
        json!(cairn.server.demo_app_key)
    );
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Bench</title>{PROBE}{}</head><body>{body}{}</body></html>",
        if std::env::var_os("CAIRN_BENCH_PROFILE").is_some() {
            PROFILER
        } else {
            ""
        },
        start_probe(CAIRN_VISIBLE, &load)
    )
}

const DRIVER_LOAD: &str = "var s = document.createElement('script'); s.src = '/driver.js.iife.js'; s.onload = function () { window.driver.js.driver({ steps: [{ element: '#bench-target', popover: { title: 'Target', description: 'About the target.' } }] }).drive(); }; document.head.appendChild(s);";

fn driver_page(body: &str) -> String {
    format!(
        r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Bench</title>{PROBE}
<link rel="stylesheet" href="/driver.css"></head><body>{body}{}</body></html>"#,
        start_probe(DRIVER_VISIBLE, DRIVER_LOAD)
    )
}

async fn measure(browser: &Browser, url: &str) -> (f64, f64) {
    browser.client.goto(url).await.expect("open");
    browser
        .wait_for("the first step", "window.bench.t1 !== undefined")
        .await;
    // Long tasks are reported after they end: give the last ones time to arrive.
    tokio::time::sleep(std::time::Duration::from_millis(700)).await;
    let b = browser
        .js("return { t: window.bench.t1 - window.bench.t0, longest: window.bench.tasks.filter(function (e) { return e[0] >= window.bench.t0; }).reduce(function (m, e) { return Math.max(m, e[1]); }, 0) };")
        .await;
    let f = |v: &Value| v.as_f64().unwrap_or(f64::NAN);
    if url.contains("/cairn/") {
        let parts = browser
            .js("return performance.getEntriesByType('resource').filter(function (r) { return r.startTime >= window.bench.t0; }).map(function (r) { return r.name.replace(/^.*\\//, '') + ' ' + Math.round(r.startTime - window.bench.t0) + '-' + Math.round(r.responseEnd - window.bench.t0); }).join(', ');")
            .await;
        println!(
            "           cairn timeline (ms after t0): {}",
            parts.as_str().unwrap_or("")
        );
        if std::env::var_os("CAIRN_BENCH_PROFILE").is_some() {
            let prof = browser
                .js("return Object.keys(window.prof).map(function (k) { return k + ' ' + window.prof[k][0] + 'x ' + window.prof[k][1].toFixed(1) + ' ms'; }).join(', ');")
                .await;
            println!(
                "           cairn DOM calls: {}",
                prof.as_str().unwrap_or("")
            );
        }
    }
    (f(&b["t"]), f(&b["longest"]))
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

#[tokio::test]
#[ignore = "a benchmark: cargo xtask bench overlay"]
async fn bench_overlay() {
    let dist = driver_dir();
    let driver_js = std::fs::read_to_string(dist.join("driver.js.iife.js"))
        .expect("driver.js (cargo xtask bench overlay installs it)");
    let driver_css = std::fs::read_to_string(dist.join("driver.css")).expect("driver.css");
    let cairn = Cairn::start().await;
    cairn
        .publish_tour(json!({
            "title": "Bench",
            "targeting": { "url_patterns": ["/cairn/*"], "frequency": "every_visit" },
            "steps": [step("target", "Target", Some(json!([{ "kind": "id", "value": "bench-target" }])))]
        }))
        .await;
    let sizes = [10_000usize, 100_000];
    let mut pages = vec![
        Page::js("/driver.js.iife.js", &driver_js),
        Page::css("/driver.css", &driver_css),
    ];
    let paths = [
        ("/cairn/10000", "/driver/10000"),
        ("/cairn/100000", "/driver/100000"),
    ];
    for (n, (c, d)) in sizes.iter().zip(paths) {
        let body = elements(*n);
        pages.push(Page::html(c, cairn_page(&cairn, &body)));
        pages.push(Page::html(d, driver_page(&body)));
    }
    let host = Host::serve(pages).await;
    cairn.allow(&host.origin).await;
    let browser = Browser::start().await;
    println!(
        "{:<10} {:>8} {:>14} {:>14} {:>16} {:>16}",
        "elements", "library", "first step ms", "(cold)", "longest task ms", "(cold)"
    );
    let mut results = Vec::new();
    for (n, (c, d)) in sizes.iter().zip(paths) {
        let mut row = Vec::new();
        for (name, path) in [("cairn", c), ("driver.js", d)] {
            let mut times = Vec::new();
            let mut longest = Vec::new();
            for _ in 0..RUNS {
                let (t, l) = measure(&browser, &format!("{}{path}", host.origin)).await;
                times.push(t);
                longest.push(l);
            }
            let (cold_t, cold_l) = (times[0], longest[0]);
            let (t, l) = (median(times[1..].to_vec()), median(longest[1..].to_vec()));
            println!("{n:<10} {name:>8} {t:>14.1} {cold_t:>14.1} {l:>16.1} {cold_l:>16.1}");
            row.push((t, l));
        }
        results.push((*n, row));
    }
    for (n, row) in results {
        // A longest task of 0 means none over 50 ms (the threshold of a long task).
        println!(
            "{n:<10} cairn / driver.js: first step {:.2}x (warm medians of {}); longest tasks {:.1} vs {:.1} ms",
            row[0].0 / row[1].0,
            RUNS - 1,
            row[0].1,
            row[1].1
        );
    }
    browser.close().await;
}
