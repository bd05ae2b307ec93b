//! The Reports screen end to end: real events and tickets through the overlay API, the analytics job
//! opens a broken-step alert, then an analyst opens the editor. The alert banner names the step and
//! both rates; every chart and its data table show the numbers the report API returns; each
//! "Download CSV" link serves `text/csv` with the browser's session; axe finds no violation.

use cairn_server::roles::Role;
use cairn_server::testing::TestServer;
use serde_json::{Value, json};

use crate::editor::{api_client, click, get, screenshot, sign_in, until, user};
use crate::harness::Browser;

const ANALYST: &str = "analyst@reports.test";
const CHROME: &str = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
const FIREFOX: &str = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";

/// `1234` → `1,234`, as the editor prints counts.
fn thousands(n: i64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A rate with one decimal, as the editor prints rates.
fn tenths(v: f64) -> String {
    format!("{:.1}", (v * 10.0).round() / 10.0)
}

/// Whether a chart's `data-value` is the API's value to the tenth the editor shows.
fn same(value: &str, api: f64) -> bool {
    value
        .parse::<f64>()
        .is_ok_and(|v| (v - (api * 10.0).round() / 10.0).abs() < 1e-9)
}

async fn post_events(server: &TestServer, user_agent: &str, events: &[Value]) {
    let client = reqwest::Client::new();
    for chunk in events.chunks(500) {
        let res = client
            .post(format!("{}/api/v1/overlay/events", server.url))
            .header("x-cairn-app-key", &server.demo_app_key)
            .header("user-agent", user_agent)
            .json(&json!({ "events": chunk }))
            .send()
            .await
            .expect("events");
        assert!(res.status().is_success(), "events: {}", res.status());
    }
}

/// Rows of the table `test` as the text of their cells.
async fn table(browser: &Browser, test: &str) -> Vec<Vec<String>> {
    let v = browser
        .js(&format!(
            "return Array.from(document.querySelectorAll('[data-test={test}] tbody tr')).map(function (tr) {{
               return Array.from(tr.cells).map(function (c) {{ return c.textContent.trim(); }}); }});"
        ))
        .await;
    serde_json::from_value(v).expect("table cells")
}

/// The bars of chart `test`: (label, value).
async fn bars(browser: &Browser, test: &str) -> Vec<(String, String)> {
    let v = browser
        .js(&format!(
            "return Array.from(document.querySelectorAll('[data-test={test}] [data-test=bar]')).map(function (g) {{
               return [g.getAttribute('data-label'), g.getAttribute('data-value')]; }});"
        ))
        .await;
    serde_json::from_value(v).expect("bars")
}

#[tokio::test]
async fn reports_screen_shows_the_api_numbers_as_charts_tables_and_csv() {
    let server = TestServer::spawn().await.expect("server");
    user(&server, ANALYST, Role::Analyst).await;
    let api = api_client(&server, ANALYST).await;
    let tour_id = server.demo_tour_id.clone();
    let tour = get(&api, format!("{}/api/v1/tours/{tour_id}", server.url)).await;
    let steps: Vec<String> = tour["draft"]["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .map(|s| s["id"].as_str().expect("id").to_string())
        .collect();
    assert!(steps.len() >= 2, "the demo tour has steps: {tour}");
    let now = server.clock.now_ms();
    let day = 86_400_000;

    // Views under versions 1 and 2, half buyers and half approvers; a healthy baseline 5 days ago
    // (1 % not found on step 1), then today step 1's target goes missing on 120 of 700 views.
    let ev = |id: String, kind: &str, step: usize, version: u32, at: i64, role: &str| {
        // Event ids are 8–64 characters.
        json!({ "id": format!("e2e-{id}-{kind}"), "kind": kind, "content_id": tour_id, "step_id": steps[step], "step_index": step,
                "version": version, "page_url": "", "at": at, "role": role })
    };
    let mut events = Vec::new();
    for (step, version, n) in [(0, 1, 400), (1, 1, 300), (0, 2, 300), (1, 2, 250)] {
        for i in 0..n {
            let role = if i % 2 == 0 { "buyer" } else { "approver" };
            events.push(ev(
                format!("view-{step}-{version}-{i}"),
                "step_viewed",
                step,
                version,
                now - 1000,
                role,
            ));
        }
    }
    for i in 0..500 {
        events.push(ev(
            format!("base-{i}"),
            "step_viewed",
            0,
            1,
            now - 5 * day,
            "buyer",
        ));
    }
    for i in 0..5 {
        events.push(ev(
            format!("base-nf-{i}"),
            "element_not_found",
            0,
            1,
            now - 5 * day,
            "buyer",
        ));
    }
    events.push(
        json!({ "id": "deflect-1", "kind": "deflection_accepted", "content_id": tour_id,
        "version": 2, "page_url": "", "at": now - 1000 }),
    );
    post_events(&server, CHROME, &events).await;
    let missing = |from: usize, n: usize| -> Vec<Value> {
        (from..from + n)
            .map(|i| {
                ev(
                    format!("nf-{i}"),
                    "element_not_found",
                    0,
                    2,
                    now - 1000,
                    "buyer",
                )
            })
            .collect()
    };
    post_events(&server, CHROME, &missing(0, 80)).await;
    post_events(&server, FIREFOX, &missing(80, 40)).await;
    // Tickets filed on step 2: 6 under version 1, 1 under version 2.
    for (version, n) in [(1, 6), (2, 1)] {
        for _ in 0..n {
            let res = reqwest::Client::new()
                .post(format!("{}/api/v1/overlay/tickets", server.url))
                .header("x-cairn-app-key", &server.demo_app_key)
                .json(&json!({ "message": "stuck on approval", "context": { "page_url": "http://h.test/",
                    "tour_id": tour_id, "step_id": steps[1], "step_index": 1, "version": version } }))
                .send()
                .await
                .expect("ticket");
            assert_eq!(res.status(), 201);
        }
    }
    let db = server.db().await.expect("db");
    cairn_server::analytics_jobs::tick(&db, &server.clock, 400)
        .await
        .expect("analytics job");

    let report = |path: &str| get(&api, format!("{}/api/v1/reports{path}", server.url));
    let alerts = report("/alerts").await;
    let alert = &alerts["alerts"][0];
    assert_eq!(alert["step_id"], steps[0].as_str(), "{alerts}");
    assert_eq!(alert["closed_at"], Value::Null);

    let browser = Browser::start().await;
    sign_in(&browser, &server, ANALYST).await;

    // The tours list warns about the broken step, with both rates and their counts.
    let banner = until(
        &browser,
        "the alert banner on the tours list",
        "document.querySelector('[data-test=alert-banner]') && document.querySelector('[data-test=alert-banner]').textContent",
    )
    .await;
    let banner = banner.as_str().unwrap_or_default().to_string();
    let recent = (
        alert["recent_views"].as_i64().expect("views"),
        alert["recent_not_found"].as_i64().expect("nf"),
    );
    let base = (
        alert["baseline_views"].as_i64().expect("views"),
        alert["baseline_not_found"].as_i64().expect("nf"),
    );
    for expected in [
        "Step 1".to_string(),
        format!("{} of {}", thousands(recent.1), thousands(recent.0)),
        format!("{} of {}", thousands(base.1), thousands(base.0)),
        format!("{}%", tenths(recent.1 as f64 * 100.0 / recent.0 as f64)),
        format!("{}%", tenths(base.1 as f64 * 100.0 / base.0 as f64)),
    ] {
        assert!(
            banner.contains(&expected),
            "banner lacks {expected:?}: {banner}"
        );
    }

    // The Reports screen from the main navigation, on the demo tour.
    click(&browser, "[data-test=nav-reports]").await;
    until(
        &browser,
        "the funnel chart",
        "document.querySelector('[data-test=chart-funnel]')",
    )
    .await;
    assert_eq!(
        browser
            .js("return document.querySelector('[data-test=report-tour]').value;")
            .await,
        json!(tour_id)
    );

    // Funnel: each step's views in the chart and the table are the API's.
    let funnel = report(&format!("/tours/{tour_id}/funnel")).await;
    let api_steps = funnel["steps"].as_array().expect("steps");
    let chart = bars(&browser, "chart-funnel").await;
    let rows = table(&browser, "funnel-table").await;
    assert_eq!(chart.len(), api_steps.len());
    assert_eq!(rows.len(), api_steps.len());
    for ((s, (_, value)), row) in api_steps.iter().zip(&chart).zip(&rows) {
        let views = s["views"].as_i64().expect("views");
        assert_eq!(value, &views.to_string(), "funnel bar of {s}");
        assert_eq!(row[2], thousands(views), "funnel row {row:?}");
        assert_eq!(row[8], thousands(s["tickets"].as_i64().expect("tickets")));
    }
    assert_eq!(api_steps[0]["views"], 1200, "{funnel}");
    let svg_label = browser
        .js("return document.querySelector('[data-test=chart-funnel]').getAttribute('aria-label');")
        .await;
    assert!(
        svg_label
            .as_str()
            .is_some_and(|l| l.contains("1,200 views")),
        "the chart's accessible name reads the values: {svg_label}"
    );

    // Trend: one point per version and step, the API's rates, and its sentence.
    let trend = report(&format!("/tours/{tour_id}/trend")).await;
    let step2 = trend["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .find(|s| s["step_id"] == steps[1].as_str())
        .expect("step 2 in the trend")
        .clone();
    let points: Vec<(String, String)> = serde_json::from_value(browser
        .js("return Array.from(document.querySelectorAll('[data-test=chart-trend] [data-test=series][data-label=\"Step 2\"] [data-test=point]')).map(function (p) { return [p.getAttribute('data-category'), p.getAttribute('data-value')]; });")
        .await).expect("points");
    let versions = step2["versions"].as_array().expect("versions");
    assert_eq!(points.len(), versions.len(), "{points:?}");
    for ((category, value), v) in points.iter().zip(versions) {
        assert_eq!(category, &format!("version {}", v["version"]));
        let rate = v["tickets_per_1000_views"].as_f64().expect("rate");
        assert!(same(value, rate), "trend point {value} vs {rate}");
    }
    let summary = step2["summary"].as_str().expect("a trend sentence");
    assert!(summary.contains("fell from 20 to 4"), "{summary}");
    let shown = browser
        .js("return document.querySelector('[data-test=trend-summaries]').textContent;")
        .await;
    assert!(
        shown.as_str().is_some_and(|s| s.contains(summary)),
        "{shown}"
    );
    let trend_rows = table(&browser, "trend-table").await;
    assert!(
        trend_rows
            .iter()
            .any(|r| r[0].starts_with("Step 2") && r[1] == "1" && r[3] == "6"),
        "{trend_rows:?}"
    );

    // Segments by role.
    let segments = report(&format!("/tours/{tour_id}/segments?dimension=role")).await;
    let seg_rows = table(&browser, "segments-table").await;
    for s in segments["segments"].as_array().expect("segments") {
        let value = s["value"].as_str().unwrap_or_default();
        let name = if value.is_empty() { "(not set)" } else { value };
        assert!(
            seg_rows
                .iter()
                .any(|r| r[0] == name && r[1] == thousands(s["views"].as_i64().unwrap_or(-1))),
            "segment {name} in {seg_rows:?}"
        );
    }

    // Ranking: bars and rows in the API's order with its rates.
    let ranking = report("/steps/ranking").await;
    let ranked = ranking["steps"].as_array().expect("ranked");
    assert!(!ranked.is_empty(), "{ranking}");
    let chart = bars(&browser, "chart-ranking").await;
    let rows = table(&browser, "ranking-table").await;
    assert_eq!(rows.len(), ranked.len());
    for ((s, (_, value)), row) in ranked.iter().zip(&chart).zip(&rows) {
        let rate = s["tickets_per_1000_views"].as_f64().expect("rate");
        assert!(same(value, rate), "ranking bar {value} vs {rate}");
        assert_eq!(row[3], tenths(rate));
        assert_eq!(row[2], thousands(s["tickets"].as_i64().expect("tickets")));
    }
    assert_eq!(ranked[0]["step_id"], steps[1].as_str());

    // Deflection: 1 solved against 7 tickets.
    let deflection = report("/deflection").await;
    assert_eq!(deflection["deflections"], 1);
    assert_eq!(deflection["tickets"], 7);
    let chart = bars(&browser, "chart-deflection").await;
    assert_eq!(
        chart,
        vec![
            ("Solved by a suggestion".to_string(), "1".to_string()),
            ("Tickets filed".to_string(), "7".to_string())
        ]
    );
    let rate = browser
        .js("return document.querySelector('[data-test=deflection-rate]').textContent;")
        .await;
    let expected_rate = format!(
        "{}%",
        tenths(deflection["deflection_rate"].as_f64().expect("rate") * 100.0)
    );
    assert!(
        rate.as_str().is_some_and(|r| r.starts_with(&expected_rate)),
        "{rate} vs {expected_rate}"
    );

    // Not found by step and browser: Chrome 85 (5 + 80), Firefox 40.
    let not_found = report("/not-found").await;
    let chart = bars(&browser, "chart-not-found").await;
    let rows = table(&browser, "not-found-table").await;
    let api_rows = not_found["rows"].as_array().expect("rows");
    assert_eq!(rows.len(), api_rows.len());
    for ((r, (_, value)), row) in api_rows.iter().zip(&chart).zip(&rows) {
        assert_eq!(value, &r["not_found"].as_i64().expect("n").to_string());
        assert_eq!(row[1], r["browser"].as_str().expect("browser"));
        assert_eq!(row[2], thousands(r["not_found"].as_i64().expect("n")));
    }
    let browsers: Vec<(&str, i64)> = api_rows
        .iter()
        .map(|r| {
            (
                r["browser"].as_str().unwrap_or("?"),
                r["not_found"].as_i64().unwrap_or(-1),
            )
        })
        .collect();
    assert_eq!(browsers, vec![("chrome", 85), ("firefox", 40)]);

    // The alerts table lists the open alert.
    until(
        &browser,
        "the alerts table",
        "document.querySelector('[data-test=alert-row][data-open=true]')",
    )
    .await;

    // Every "Download CSV" link serves CSV to the signed-in browser (same-origin cookie).
    for key in [
        "funnel",
        "trend",
        "segments",
        "ranking",
        "deflection",
        "not-found",
    ] {
        let answer = browser
            .client
            .execute_async(
                "var done = arguments[arguments.length - 1];
                 var a = document.querySelector('[data-test=csv-' + arguments[0] + ']');
                 fetch(a.href).then(function (r) { return r.text().then(function (t) {
                   done([r.status, r.headers.get('content-type'), t.split('\\r\\n')[0], a.getAttribute('href')]); }); },
                   function (e) { done(String(e)); });",
                vec![json!(key)],
            )
            .await
            .expect("fetch the CSV");
        assert_eq!(answer[0], 200, "{key}: {answer}");
        assert!(
            answer[1]
                .as_str()
                .is_some_and(|c| c.starts_with("text/csv")),
            "{key}: {answer}"
        );
        assert!(
            answer[3].as_str().is_some_and(|h| h.contains("format=csv")),
            "{key}: {answer}"
        );
    }
    let funnel_csv = browser
        .client
        .execute_async(
            "var done = arguments[arguments.length - 1];
             fetch(document.querySelector('[data-test=csv-funnel]').href).then(function (r) { return r.text(); }).then(done);",
            vec![],
        )
        .await
        .expect("funnel CSV");
    let second = funnel_csv
        .as_str()
        .and_then(|t| t.lines().nth(1))
        .unwrap_or_default()
        .to_string();
    assert!(second.starts_with("1,"), "{second}");
    assert!(
        second.contains(",1200,"),
        "the CSV has the chart's numbers: {second}"
    );

    // The data table opens from the keyboard (a native <summary>).
    browser
        .client
        .find(fantoccini::Locator::Css(
            "[data-test=report-funnel] summary",
        ))
        .await
        .expect("funnel summary")
        .send_keys(&fantoccini::key::Key::Enter.to_string())
        .await
        .expect("press Enter on the summary");
    until(
        &browser,
        "the funnel's data table to open with Enter",
        "document.querySelector('[data-test=report-funnel] details').open",
    )
    .await;

    // Version and period filters: the funnel shows what the API answers for the same query.
    browser
        .client
        .find(fantoccini::Locator::Css("[data-test=report-version]"))
        .await
        .expect("version")
        .select_by_value("1")
        .await
        .expect("choose version 1");
    let today = cairn_shared::reports::civil_from_days(cairn_shared::reports::day_of_ms(now));
    browser
        .js(&format!(
            "var f = document.querySelector('[data-test=report-from]'); f.value = '{today}';
             f.dispatchEvent(new Event('change')); return true;"
        ))
        .await;
    let href = until(
        &browser,
        "the funnel for version 1 from today",
        &format!(
            "(function () {{ var h = document.querySelector('[data-test=csv-funnel]').getAttribute('href');
               return h.indexOf('version=1') > 0 && h.indexOf('from={today}') > 0
                 && document.querySelector('[data-test=funnel-table]') ? h : null; }})()"
        ),
    )
    .await;
    let json_url = href.as_str().expect("href").replace("&format=csv", "");
    let filtered = get(&api, format!("{}{json_url}", server.url)).await;
    assert_eq!(filtered["version"], 1, "{filtered}");
    // Version 1 today: step 1's 400 views (the baseline was 5 days ago, version 2 is left out).
    assert_eq!(filtered["steps"][0]["views"], 400, "{filtered}");
    let chart = bars(&browser, "chart-funnel").await;
    let rows = table(&browser, "funnel-table").await;
    for ((s, (_, value)), row) in filtered["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .zip(&chart)
        .zip(&rows)
    {
        let views = s["views"].as_i64().expect("views");
        assert_eq!(value, &views.to_string());
        assert_eq!(row[2], thousands(views));
    }

    // Changing the segment attribute re-runs the report with it.
    browser
        .client
        .find(fantoccini::Locator::Css("[data-test=report-dimension]"))
        .await
        .expect("dimension")
        .select_by_value("department")
        .await
        .expect("choose department");
    until(
        &browser,
        "the segments by department",
        "document.querySelector('[data-test=csv-segments]').getAttribute('href').indexOf('dimension=department') > 0 && document.querySelector('[data-test=segments-table]')",
    )
    .await;

    for (name, section) in [
        ("reports-top", "alert-banner"),
        ("reports-funnel", "report-funnel"),
        ("reports-trend", "report-trend"),
        ("reports-ranking", "report-ranking"),
        ("reports-not-found", "report-not-found"),
    ] {
        browser
            .js(&format!(
                "document.querySelector('[data-test={section}]').scrollIntoView(); return true;"
            ))
            .await;
        screenshot(&browser, name).await;
    }

    // Accessible: every data table open, then axe over the whole screen.
    browser
        .js("document.querySelectorAll('details').forEach(function (d) { d.open = true; }); return true;")
        .await;
    browser.assert_accessible("Reports screen", None).await;

    // From a tour: its Reports link opens this screen on it.
    browser
        .client
        .goto(&format!("{}/editor/#/tours/{tour_id}", server.url))
        .await
        .expect("open the tour");
    click(&browser, "[data-test=tour-reports]").await;
    until(
        &browser,
        "the tour's reports",
        &format!(
            "location.hash === '#/reports/{tour_id}' && document.querySelector('[data-test=chart-funnel]')"
        ),
    )
    .await;
    browser.close().await;
}
