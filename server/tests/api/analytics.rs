//! Analytics: rollups maintained by the batched writer equal a direct count over the raw events, for a
//! generated data set with known answers (duplicates included), before and after a re-roll; reports
//! read them back, as JSON and CSV; a full queue answers 503 with Retry-After.

use std::collections::BTreeMap;

use cairn_server::db::Db;
use cairn_shared::reports::{civil_from_days, day_of_ms};
use reqwest::Method;
use serde_json::{Value, json};
use sqlx::Row;

use crate::helpers::{TestApp, spawn_app};

const KINDS: [&str; 8] = [
    "step_viewed",
    "step_viewed",
    "step_viewed",
    "step_advanced",
    "tour_completed",
    "tour_dismissed",
    "element_not_found",
    "stuck_opened",
];
const ROLES: [Option<&str>; 3] = [Some("buyer"), Some("approver"), None];

/// Deterministic generator (LCG): the data set is the same on every run.
struct Gen(u64);
impl Gen {
    fn next(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n
    }
}

/// The generated events, and what each (step, version, day, role, kind) must count.
struct DataSet {
    events: Vec<Value>,
    expected: Counts,
}

async fn demo_steps(app: &TestApp) -> Vec<String> {
    let tour: Value = app
        .admin
        .get(app.url(&format!("/api/v1/tours/{}", app.server.demo_tour_id)))
        .send()
        .await
        .expect("tour")
        .json()
        .await
        .expect("json");
    tour["draft"]["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .map(|s| s["id"].as_str().expect("step id").to_string())
        .collect()
}

fn generate(tour: &str, steps: &[String], now_ms: i64, n: usize) -> DataSet {
    let mut g = Gen(7);
    let mut events = Vec::new();
    let mut expected = BTreeMap::new();
    for i in 0..n {
        let kind = KINDS[g.next(KINDS.len() as u64) as usize];
        let s = g.next(steps.len() as u64) as usize;
        let version = 1 + g.next(3) as i64;
        let at = now_ms - (g.next(10 * 86_400_000) as i64);
        let role = ROLES[g.next(3) as usize];
        let mut e = json!({
            "id": format!("gen-{i:08}"), "kind": kind, "content_id": tour, "step_id": steps[s],
            "step_index": s, "version": version, "page_url": "http://host.test/demo/", "at": at,
            "duration_ms": 100 + g.next(60_000),
        });
        if let Some(r) = role {
            e["role"] = json!(r);
        }
        *expected
            .entry((
                steps[s].clone(),
                version,
                day_of_ms(at),
                role.unwrap_or("").to_string(),
                kind.to_string(),
            ))
            .or_insert(0) += 1;
        events.push(e);
    }
    DataSet { events, expected }
}

/// Rollup counter of an event kind.
fn column(kind: &str) -> &'static str {
    match kind {
        "step_viewed" => "views",
        "step_advanced" => "advances",
        "tour_completed" => "completions",
        "tour_dismissed" => "dismissals",
        "element_not_found" => "not_found",
        _ => "stuck_opened",
    }
}

/// (step, version, day, role, kind) → count.
type Counts = BTreeMap<(String, i64, i64, String, String), i64>;

/// Kinds in the order of `step_totals`' first counter columns.
const STEP_KINDS: [&str; 6] = [
    "step_viewed",
    "step_advanced",
    "tour_completed",
    "tour_dismissed",
    "element_not_found",
    "stuck_opened",
];

/// What the rollups must hold for a set of counts: per (step, version, day, kind) for the step
/// totals, and per (version, day, role, kind) for the role segments (which sum a tour's steps and
/// count views, completions and dismissals).
type StepCounts = BTreeMap<(String, i64, i64, String), i64>;
type RoleCounts = BTreeMap<(i64, i64, String, String), i64>;

fn project(counts: &Counts) -> (StepCounts, RoleCounts) {
    let (mut steps, mut roles) = (BTreeMap::new(), BTreeMap::new());
    for ((step, version, day, role, kind), n) in counts {
        *steps
            .entry((step.clone(), *version, *day, kind.clone()))
            .or_insert(0) += n;
        if ["step_viewed", "tour_completed", "tour_dismissed"].contains(&kind.as_str()) {
            *roles
                .entry((*version, *day, role.clone(), kind.clone()))
                .or_insert(0) += n;
        }
    }
    (steps, roles)
}

/// The step totals of one grain, as (step, version, block start, kind) → count.
async fn step_rows(db: &Db, tour: &str, grain: i64) -> StepCounts {
    let rows = sqlx::query(
        "SELECT step_id, version, start_day, views, advances, completions, dismissals, not_found, stuck_opened
         FROM step_totals WHERE content_id = $1 AND grain = $2",
    )
    .bind(tour)
    .bind(grain)
    .fetch_all(&db.pool)
    .await
    .expect("step totals");
    let mut out = BTreeMap::new();
    for r in rows {
        for (i, kind) in STEP_KINDS.iter().enumerate() {
            let n: i64 = r.try_get(3 + i).expect("count");
            if n > 0 {
                out.insert(
                    (
                        r.try_get(0).expect("step"),
                        r.try_get(1).expect("version"),
                        r.try_get(2).expect("day"),
                        kind.to_string(),
                    ),
                    n,
                );
            }
        }
    }
    out
}

/// The rollups of a tour: step totals per day and role segments per day. Also checks that the 8- and
/// 64-day blocks hold exactly the sums of their days.
async fn rollup_counts(db: &Db, tour: &str) -> (StepCounts, RoleCounts) {
    let days = step_rows(db, tour, 1).await;
    for grain in [8, 64] {
        let mut want: StepCounts = BTreeMap::new();
        for ((step, version, day, kind), n) in &days {
            *want
                .entry((
                    step.clone(),
                    *version,
                    day - day.rem_euclid(grain),
                    kind.clone(),
                ))
                .or_insert(0) += n;
        }
        assert_eq!(step_rows(db, tour, grain).await, want, "{grain}-day blocks");
    }
    let rows = sqlx::query(
        "SELECT version, day, value, views, completions, dismissals
         FROM segment_totals WHERE content_id = $1 AND dimension = 'role'",
    )
    .bind(tour)
    .fetch_all(&db.pool)
    .await
    .expect("segments");
    let mut roles = BTreeMap::new();
    for r in rows {
        for (i, kind) in ["step_viewed", "tour_completed", "tour_dismissed"]
            .iter()
            .enumerate()
        {
            let n: i64 = r.try_get(3 + i).expect("count");
            if n > 0 {
                roles.insert(
                    (
                        r.try_get(0).expect("version"),
                        r.try_get(1).expect("day"),
                        r.try_get(2).expect("role"),
                        kind.to_string(),
                    ),
                    n,
                );
            }
        }
    }
    (days, roles)
}

/// The same from the raw events, counted directly.
async fn raw_counts(db: &Db, tour: &str) -> Counts {
    let rows = sqlx::query(
        "SELECT step_id, version, occurred_at, COALESCE(role, ''), kind FROM events WHERE content_id = $1",
    )
    .bind(tour)
    .fetch_all(&db.pool)
    .await
    .expect("events");
    let mut out = BTreeMap::new();
    for r in rows {
        let at: i64 = r.try_get(2).expect("at");
        *out.entry((
            r.try_get(0).expect("step"),
            r.try_get(1).expect("version"),
            day_of_ms(at),
            r.try_get(3).expect("role"),
            r.try_get(4).expect("kind"),
        ))
        .or_insert(0) += 1;
    }
    out
}

async fn send(app: &TestApp, events: &[Value]) -> Value {
    let res = app
        .overlay(Method::POST, "/events")
        .json(&json!({ "events": events }))
        .send()
        .await
        .expect("events");
    assert_eq!(res.status(), 200);
    res.json().await.expect("json")
}

#[tokio::test]
async fn rollups_equal_a_direct_count_and_duplicates_count_once() {
    let app = spawn_app().await;
    let tour = app.server.demo_tour_id.clone();
    let steps = demo_steps(&app).await;
    let now = app.server.clock.now_ms();
    let data = generate(&tour, &steps, now, 3000);
    // Concurrent batches, then every fourth event again (some batches mix new and repeated ids).
    let mut tasks = Vec::new();
    let app = std::sync::Arc::new(app);
    for chunk in data.events.chunks(250) {
        let (app, chunk) = (app.clone(), chunk.to_vec());
        tasks.push(tokio::spawn(async move { send(&app, &chunk).await }));
    }
    let mut accepted = 0;
    for t in tasks {
        accepted += t.await.expect("task")["accepted"].as_i64().expect("n");
    }
    assert_eq!(accepted, 3000);
    let again: Vec<Value> = data.events.iter().step_by(4).cloned().collect();
    let mut duplicates = 0;
    for chunk in again.chunks(300) {
        let mut batch = chunk.to_vec();
        batch.push(chunk[0].clone());
        let r = send(&app, &batch).await;
        assert_eq!(r["accepted"], 0);
        duplicates += r["duplicates"].as_i64().expect("n");
    }
    assert_eq!(duplicates as usize, again.len() + again.len().div_ceil(300));

    let db = app.server.db().await.expect("db");
    let raw = raw_counts(&db, &tour).await;
    assert_eq!(raw, data.expected, "raw events are the generated set");
    let expected = project(&data.expected);
    assert!(expected.1.len() > 50, "the data set spans roles and days");
    assert_eq!(rollup_counts(&db, &tour).await, expected, "rollups");

    // The funnel report sums the same rows (all segments, every version, the last 11 days).
    let from = civil_from_days(day_of_ms(now) - 11);
    let funnel: Value = app
        .admin
        .get(app.url(&format!("/api/v1/reports/tours/{tour}/funnel?from={from}")))
        .send()
        .await
        .expect("funnel")
        .json()
        .await
        .expect("json");
    for (i, step) in steps.iter().enumerate() {
        for kind in ["step_viewed", "element_not_found", "tour_dismissed"] {
            let want: i64 = data
                .expected
                .iter()
                .filter(|(k, _)| &k.0 == step && k.4 == kind)
                .map(|(_, n)| n)
                .sum();
            assert_eq!(
                funnel["steps"][i][column(kind)],
                want,
                "{step} {kind}: {funnel}"
            );
        }
        let median = funnel["steps"][i]["time_median_ms"]
            .as_f64()
            .expect("median");
        assert!((15_000.0..45_000.0).contains(&median), "median {median}");
    }

    // A re-roll from the raw events gives the same rollups.
    let oldest = day_of_ms(now) - 20;
    let replayed = cairn_server::store::rollups::rebuild(&db, oldest)
        .await
        .expect("rebuild");
    assert_eq!(replayed, 3000);
    assert_eq!(rollup_counts(&db, &tour).await, expected, "after rebuild");
    // Raw events past a 5-day retention are gone; re-rolling the last 4 days keeps the older days'
    // figures, in the day rows and in the 8- and 64-day blocks that straddle the re-rolled range.
    let purged = cairn_server::store::rollups::purge_events(&db, now, 5)
        .await
        .expect("purge");
    assert!(purged > 0, "some events are older than 5 days");
    let replayed = cairn_server::store::rollups::rebuild(&db, day_of_ms(now) - 4)
        .await
        .expect("rebuild");
    assert!(
        replayed < 3000 - purged,
        "only the last 4 days are replayed"
    );
    assert_eq!(
        rollup_counts(&db, &tour).await,
        expected,
        "after a purge and a partial rebuild"
    );
    let totals: i64 = sqlx::query_scalar(
        "SELECT CAST(SUM(views) AS BIGINT) FROM step_totals WHERE content_id = $1 AND grain = 1",
    )
    .bind(&tour)
    .fetch_one(&db.pool)
    .await
    .expect("sum");
    let views = data
        .expected
        .iter()
        .filter(|(k, _)| k.4 == "step_viewed")
        .map(|(_, n)| n)
        .sum::<i64>();
    assert_eq!(totals, views, "the all-segments rows sum every segment");
}

#[tokio::test]
async fn reports_answer_json_and_csv() {
    let app = spawn_app().await;
    let tour = app.server.demo_tour_id.clone();
    let steps = demo_steps(&app).await;
    let now = app.server.clock.now_ms();
    let mut events = Vec::new();
    // Version 1: step 2 sends 40 of 1000 viewers to the help desk; version 2: 5 of 1000.
    for (version, stuck) in [(1, 40), (2, 5)] {
        for i in 0..1000 {
            events.push(json!({ "id": format!("v{version}-view-{i:04}"), "kind": "step_viewed", "content_id": tour,
                "step_id": steps[1], "step_index": 1, "version": version, "page_url": "", "at": now - 1000,
                "role": if i % 2 == 0 { "buyer" } else { "approver" } }));
        }
        for i in 0..stuck {
            events.push(json!({ "id": format!("v{version}-nf-{i:04}"), "kind": "element_not_found", "content_id": tour,
                "step_id": steps[1], "step_index": 1, "version": version, "page_url": "", "at": now - 1000 }));
        }
    }
    events.push(
        json!({ "id": "deflect-0001", "kind": "deflection_accepted", "content_id": tour,
        "version": 2, "page_url": "", "at": now - 1000 }),
    );
    for chunk in events.chunks(500) {
        send(&app, chunk).await;
    }
    // Tickets filed on step 2 under each version.
    for (version, n) in [(1, 4), (2, 1)] {
        for _ in 0..n {
            let res = app
                .overlay(Method::POST, "/tickets")
                .json(
                    &json!({ "message": "stuck", "context": { "page_url": "http://h.test/",
                    "tour_id": tour, "step_id": steps[1], "step_index": 1, "version": version } }),
                )
                .send()
                .await
                .expect("ticket");
            assert_eq!(res.status(), 201);
        }
    }
    let get = |path: String| {
        let app = &app;
        async move {
            let res = app.admin.get(app.url(&path)).send().await.expect("get");
            assert_eq!(res.status(), 200, "{path}");
            res.json::<Value>().await.expect("json")
        }
    };
    let trend = get(format!("/api/v1/reports/tours/{tour}/trend")).await;
    let step = &trend["steps"][0];
    assert_eq!(step["step_index"], 1);
    assert_eq!(step["versions"][0]["tickets_per_1000_views"], 4.0);
    assert_eq!(step["versions"][1]["not_found"], 5);
    assert_eq!(
        step["summary"],
        "Tickets per 1,000 views on step 2 fell from 4 to 1 after version 2."
    );
    let ranking = get("/api/v1/reports/steps/ranking?min_views=10".into()).await;
    assert_eq!(ranking["steps"][0]["step_id"], steps[1].as_str());
    assert_eq!(ranking["steps"][0]["tickets"], 5);
    assert_eq!(ranking["steps"][0]["tickets_per_1000_views"], 2.5);
    let segments = get(format!(
        "/api/v1/reports/tours/{tour}/segments?dimension=role"
    ))
    .await;
    let roles: Vec<(&str, i64)> = segments["segments"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|r| {
            (
                r["value"].as_str().unwrap_or("?"),
                r["views"].as_i64().unwrap_or(-1),
            )
        })
        .filter(|(_, v)| *v > 0)
        .collect();
    assert_eq!(roles, vec![("approver", 1000), ("buyer", 1000)]);
    let deflection = get("/api/v1/reports/deflection".into()).await;
    assert_eq!(deflection["deflections"], 1);
    assert_eq!(deflection["tickets"], 5);
    let not_found = get("/api/v1/reports/not-found".into()).await;
    assert_eq!(not_found["rows"][0]["not_found"], 45);
    assert_eq!(not_found["rows"][0]["step_views"], 2000);
    assert_eq!(not_found["rows"][0]["browser"], "other");

    let csv = app
        .admin
        .get(app.url("/api/v1/reports/steps/ranking?min_views=10"))
        .header("accept", "text/csv")
        .send()
        .await
        .expect("csv");
    assert_eq!(csv.status(), 200);
    assert!(
        csv.headers()["content-type"]
            .to_str()
            .is_ok_and(|c| c.starts_with("text/csv"))
    );
    let body = csv.text().await.expect("text");
    let mut lines = body.lines();
    assert_eq!(
        lines.next(),
        Some("tour_id,tour_title,step_number,step_id,views,tickets,tickets_per_1000_views")
    );
    assert!(lines.next().is_some_and(|l| l.ends_with(",2000,5,2.500")));
    let funnel_csv = app
        .admin
        .get(app.url(&format!("/api/v1/reports/tours/{tour}/funnel?format=csv")))
        .send()
        .await
        .expect("csv")
        .text()
        .await
        .expect("text");
    assert_eq!(funnel_csv.lines().count(), steps.len() + 1);

    let bad = app
        .admin
        .get(app.url("/api/v1/reports/deflection?from=2026-02-31"))
        .send()
        .await
        .expect("bad");
    crate::helpers::assert_error(bad, 400, "bad_request").await;
    let unauth = app
        .anon
        .get(app.url("/api/v1/reports/deflection"))
        .send()
        .await
        .expect("anon");
    crate::helpers::assert_error(unauth, 401, "unauthorized").await;
}

#[tokio::test]
async fn a_full_queue_answers_503_with_retry_after() {
    let server = cairn_server::testing::TestServer::spawn_with(|s| {
        s.ingest.capacity = 600;
        s.ingest.linger = std::time::Duration::from_millis(1500);
    })
    .await
    .expect("server");
    let events = |prefix: &str| -> Vec<Value> {
        (0..500)
            .map(|i| {
                crate::helpers::event(&format!("{prefix}-{i:05}"), "step_viewed", "t1", "s1", 0)
            })
            .collect()
    };
    let post = |events: Vec<Value>| {
        let (url, key) = (server.url.clone(), server.demo_app_key.clone());
        async move {
            reqwest::Client::new()
                .post(format!("{url}/api/v1/overlay/events"))
                .header("x-cairn-app-key", key)
                .json(&json!({ "events": events }))
                .send()
                .await
                .expect("post")
        }
    };
    // The first batch waits in the queue for the linger; the second does not fit beside it.
    let first = tokio::spawn(post(events("first")));
    // Wait until it is queued (not a fixed sleep: a loaded machine could reorder the requests).
    for _ in 0..500 {
        if server.ingest.depth() == 500 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    assert_eq!(server.ingest.depth(), 500, "the first batch is queued");
    let second = post(events("second")).await;
    assert_eq!(second.status(), 503);
    assert_eq!(
        second
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok()),
        Some("1")
    );
    let first = first.await.expect("task");
    assert_eq!(first.status(), 200);
    let body: Value = first.json().await.expect("json");
    assert_eq!(body["accepted"], 500);
    // Once written, the queue has room again.
    assert_eq!(post(events("second")).await.status(), 200);
    let metrics = reqwest::get(format!("{}/metrics", server.url))
        .await
        .expect("metrics")
        .text()
        .await
        .expect("text");
    assert!(metrics.contains("cairn_ingest_queue_depth"));
    assert!(metrics.contains("cairn_events_ingested_total"));
}

/// Requests a local webhook receiver got: (x-cairn-event, body).
type Seen = std::sync::Arc<std::sync::Mutex<Vec<(String, Value)>>>;

fn webhook_receiver() -> (String, Seen) {
    use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
    let seen: Seen = Seen::default();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!(
        "http://127.0.0.1:{}/hook",
        listener.local_addr().expect("addr").port()
    );
    let shared = seen.clone();
    let server = HttpServer::new(move || {
        let shared = shared.clone();
        App::new().default_service(web::to(move |req: HttpRequest, body: web::Bytes| {
            let shared = shared.clone();
            async move {
                let event = req
                    .headers()
                    .get("x-cairn-event")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("")
                    .to_string();
                let body = serde_json::from_slice(&body).unwrap_or(Value::Null);
                shared.lock().expect("lock").push((event, body));
                HttpResponse::Ok().finish()
            }
        }))
    })
    .workers(1)
    .listen(listener)
    .expect("listen")
    .run();
    tokio::spawn(server);
    (url, seen)
}

#[tokio::test]
async fn a_jump_in_elements_not_found_opens_one_alert_per_episode() {
    let app = spawn_app().await;
    let (hook, seen) = webhook_receiver();
    let res = app
        .admin
        .post(app.url("/api/v1/integrations"))
        .json(&json!({ "kind": "webhook", "name": "alerts", "config": { "url": hook } }))
        .send()
        .await
        .expect("integration");
    assert_eq!(res.status(), 201);
    let tour = app.server.demo_tour_id.clone();
    let steps = demo_steps(&app).await;
    let now = app.server.clock.now_ms();
    let ev = |id: String, kind: &str, at: i64| {
        json!({ "id": id, "kind": kind, "content_id": tour, "step_id": steps[0], "step_index": 0,
                "version": 1, "page_url": "", "at": at })
    };
    // Baseline (5 days ago): 1 % not found. Today: 40 %.
    let mut events = Vec::new();
    for i in 0..500 {
        events.push(ev(
            format!("base-view-{i:04}"),
            "step_viewed",
            now - 5 * 86_400_000,
        ));
    }
    for i in 0..5 {
        events.push(ev(
            format!("base-nf-{i:04}"),
            "element_not_found",
            now - 5 * 86_400_000,
        ));
    }
    for i in 0..100 {
        events.push(ev(format!("new-view-{i:04}"), "step_viewed", now));
    }
    for i in 0..40 {
        events.push(ev(format!("new-nf-{i:04}"), "element_not_found", now));
    }
    for chunk in events.chunks(500) {
        send(&app, chunk).await;
    }
    let db = app.server.db().await.expect("db");
    let tick = || cairn_server::analytics_jobs::tick(&db, &app.server.clock, 400);
    tick().await.expect("tick");
    tick().await.expect("second tick: same episode");
    let alerts: Value = app
        .admin
        .get(app.url("/api/v1/reports/alerts"))
        .send()
        .await
        .expect("alerts")
        .json()
        .await
        .expect("json");
    let list = alerts["alerts"].as_array().expect("list");
    assert_eq!(list.len(), 1, "{alerts}");
    assert_eq!(list[0]["step_id"], steps[0].as_str());
    assert_eq!(list[0]["recent_not_found"], 40);
    assert_eq!(list[0]["closed_at"], Value::Null);
    assert_eq!(list[0]["notified"], true);
    let started = std::time::Instant::now();
    while seen.lock().expect("lock").is_empty() {
        assert!(started.elapsed().as_secs() < 10, "webhook not delivered");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    {
        let got = seen.lock().expect("lock");
        assert_eq!(got.len(), 1, "one delivery per episode");
        assert_eq!(got[0].0, "step.broken");
        assert_eq!(got[0].1["alert"]["step_id"], steps[0].as_str());
    }
    // Fixed: plenty of healthy views today ends the episode.
    let healthy: Vec<Value> = (0..2000)
        .map(|i| ev(format!("fixed-view-{i:04}"), "step_viewed", now))
        .collect();
    for chunk in healthy.chunks(500) {
        send(&app, chunk).await;
    }
    tick().await.expect("tick");
    let alerts: Value = app
        .admin
        .get(app.url("/api/v1/reports/alerts"))
        .send()
        .await
        .expect("alerts")
        .json()
        .await
        .expect("json");
    assert!(alerts["alerts"][0]["closed_at"].is_i64(), "{alerts}");
}

/// The alert check walks organisations one by one: a broken step in a second organisation opens its
/// alert there and nowhere else, and the same figures under the first organisation stay quiet.
#[tokio::test]
async fn alerts_are_checked_in_every_organisation_and_kept_apart() {
    let app = spawn_app().await;
    let db = app.server.db().await.expect("db");
    let other = cairn_server::store::users::create_org(&db, "Other Corp")
        .await
        .expect("org");
    let demo_org: String = sqlx::query_scalar("SELECT org_id FROM apps LIMIT 1")
        .fetch_one(&db.pool)
        .await
        .expect("demo org");
    let now = app.server.clock.now_ms();
    let today = day_of_ms(now);
    // Day rows as the writer leaves them: the other organisation's step went from 1 % to 40 % not
    // found; the demo organisation's step of the same ids is healthy.
    for (org, recent_nf) in [(&other, 40), (&demo_org, 1)] {
        for (day, views, nf) in [(today, 100, recent_nf), (today - 5, 500, 5)] {
            sqlx::query(
                "INSERT INTO step_totals (org_id, grain, start_day, content_id, step_id, version, step_index, views, not_found)
                 VALUES ($1, 1, $2, 'tour-x', 'step-1', 1, 0, $3, $4)",
            )
            .bind(org)
            .bind(day)
            .bind(views)
            .bind(nf)
            .execute(&db.pool)
            .await
            .expect("rollup row");
        }
    }
    cairn_server::analytics_jobs::tick(&db, &app.server.clock, 400)
        .await
        .expect("tick");
    let open = |org: String| {
        let pool = db.pool.clone();
        async move {
            sqlx::query(
                "SELECT recent_not_found FROM step_alerts WHERE org_id = $1 AND closed_at IS NULL",
            )
            .bind(org)
            .fetch_all(&pool)
            .await
            .expect("alerts")
            .iter()
            .map(|r| r.get::<i64, _>(0))
            .collect::<Vec<i64>>()
        }
    };
    assert_eq!(open(other.clone()).await, vec![40]);
    assert_eq!(open(demo_org.clone()).await, Vec::<i64>::new());
    let listed: Value = app
        .admin
        .get(app.url("/api/v1/reports/alerts"))
        .send()
        .await
        .expect("alerts")
        .json()
        .await
        .expect("json");
    assert_eq!(
        listed["alerts"].as_array().map(Vec::len),
        Some(0),
        "{listed}"
    );
}

#[tokio::test]
async fn stopping_the_server_flushes_queued_events() {
    use cairn_server::config::{Secret, Settings};
    let dir = tempfile::tempdir().expect("dir");
    let database_url = format!("sqlite://{}", dir.path().join("c.db").display());
    let mut settings = Settings {
        addr: "127.0.0.1:0".into(),
        database_url: database_url.clone(),
        admin_password: Some(Secret::new("correct horse battery")),
        ..Settings::default()
    };
    // The writer would wait a minute for a fuller batch: only the shutdown makes it write.
    settings.ingest.linger = std::time::Duration::from_secs(60);
    let app = cairn_server::startup::Application::build(settings)
        .await
        .expect("build");
    let key = app
        .first_run
        .as_ref()
        .and_then(|f| f.demo_app_key.clone())
        .expect("demo key");
    let url = app.public_url.clone();
    let handle = app.handle();
    let queue = app.ingest();
    let running = tokio::spawn(app.run_until_stopped());
    let events: Vec<Value> = (0..20)
        .map(|i| crate::helpers::event(&format!("late-{i:06}"), "step_viewed", "t1", "s1", 0))
        .collect();
    let pending = tokio::spawn(async move {
        reqwest::Client::new()
            .post(format!("{url}/api/v1/overlay/events"))
            .header("x-cairn-app-key", key)
            .json(&json!({ "events": events }))
            .send()
            .await
    });
    // Stop once the events are queued, however slow the machine.
    for _ in 0..500 {
        if queue.depth() == 20 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    assert_eq!(queue.depth(), 20, "the events are queued");
    handle.stop(true).await;
    running.await.expect("join").expect("server ran");
    let _ = pending.await;
    let db = Db::connect(&database_url).await.expect("db");
    let stored: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM events WHERE content_id = 't1'")
        .fetch_one(&db.pool)
        .await
        .expect("count");
    assert_eq!(stored, 20);
    let views: i64 = sqlx::query_scalar(
        "SELECT CAST(SUM(views) AS BIGINT) FROM step_totals WHERE content_id = 't1' AND grain = 1",
    )
    .fetch_one(&db.pool)
    .await
    .expect("views");
    assert_eq!(views, 20);
}
