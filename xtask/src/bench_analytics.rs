//! `cargo xtask bench analytics [--events N] [--http H] [--spread] [--database postgres://…] [--concurrency C]`:
//! builds a data set of N events (300,000 by default; `--events 10000000` for the issue-8 figures) over
//! 200 tours × 10 steps × 90 days in the database of a release `cairn serve`, and prints:
//! 1. the reference: the first N − H events written with plain multi-row INSERTs (500 rows, 10 per
//!    transaction, no rollups) straight into the `events` table;
//! 2. the time `cairn rollup rebuild` takes to roll those up (the re-roll code path: the same `Delta`
//!    the writer uses);
//! 3. ingestion through the HTTP endpoint: the last H events (`--http`, N/10 by default, at most
//!    1,000,000) sent over loopback in batches of 500 (the overlay's largest) by C keep-alive clients,
//!    on top of the N − H already there; they happened in the last minute, as live overlay traffic
//!    does (`--spread`: on random days of the 90, the worst case for write locality);
//! 4. p50/p95 of each report over 30 requests, 90-day period, with all N events in.
//!
//! It also prints the writer's busy share and the CPU of the bench client and of the server during
//! the HTTP phase, and the load average. Asserts nothing about timings.

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use serde_json::{Value, json};
use sqlx::Connection;

use crate::{cargo, project_root, run_cmd};

const TOURS: u64 = 200;
const STEPS: u64 = 10;
const DAYS: u64 = 90;
const BATCH: usize = 500;
const ADMIN: (&str, &str) = ("admin@bench.local", "bench-password-1234");

struct Options {
    events: u64,
    /// Events sent through HTTP (the last ones of the set).
    http: Option<u64>,
    /// Send the HTTP sample spread over the 90 days instead of as live events.
    spread: bool,
    database: Option<String>,
    concurrency: usize,
}

fn options(args: &[String]) -> Result<Options> {
    let mut o = Options {
        events: 300_000,
        http: None,
        spread: false,
        database: None,
        // Live traffic is many browsers; 8 clients waiting for their answers kept at most 4,000
        // events in flight, so the writer got small batches and idled between them.
        concurrency: 32,
    };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut value = || it.next().context("missing value").cloned();
        match a.as_str() {
            "--events" => o.events = value()?.replace('_', "").parse()?,
            "--http" => o.http = Some(value()?.replace('_', "").parse()?),
            "--spread" => o.spread = true,
            "--database" => o.database = Some(value()?),
            "--concurrency" => o.concurrency = value()?.parse()?,
            other => {
                bail!(
                    "unknown option {other:?} (--events N, --http N, --spread, --database URL, --concurrency C)"
                )
            }
        }
    }
    Ok(o)
}

/// Deterministic event stream (LCG), so runs are comparable.
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

/// One generated event.
struct Ev {
    id: String,
    kind: &'static str,
    content: String,
    step_id: String,
    step: u64,
    version: u64,
    at: i64,
    /// Time on step, which the overlay measures for what ends a step only.
    duration: Option<u64>,
    role: &'static str,
    dept: &'static str,
    prof: &'static str,
    locale: &'static str,
}

impl Ev {
    /// As the overlay sends it.
    fn json(&self) -> String {
        format!(
            r#"{{"id":"{}","kind":"{}","content_id":"{}","step_id":"{}","step_index":{},"version":{},"page_url":"http://host.test/p","at":{},{}"role":"{}","department":"{}","proficiency":"{}","locale":"{}"}}"#,
            self.id,
            self.kind,
            self.content,
            self.step_id,
            self.step,
            self.version,
            self.at,
            self.duration
                .map(|ms| format!(r#""duration_ms":{ms},"#))
                .unwrap_or_default(),
            self.role,
            self.dept,
            self.prof,
            self.locale
        )
    }
}

/// How long before it is sent a live event happened, at most: the overlay sends its queue every
/// second, and the machines' clocks disagree by a few seconds more.
const LIVE_SKEW_MS: u64 = 10_000;

/// Event `i`, on a random day of the 90 or, `live`, up to [`LIVE_SKEW_MS`] before `now_ms` (as the
/// overlay sends events: soon after they happen, with its time-ordered ids). Tour 0 is the seeded demo tour (real step ids), so the per-tour reports
/// have a document to read.
fn event(i: u64, now_ms: i64, demo: &(String, Vec<String>), live: bool) -> Ev {
    let mut g = Gen(i.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0xC0FFEE);
    let tour = g.next(TOURS);
    let step = g.next(STEPS);
    let day = if live { 0 } else { g.next(DAYS) };
    let at = if live {
        now_ms - g.next(LIVE_SKEW_MS) as i64
    } else {
        now_ms - (day * 86_400_000 + g.next(86_400_000)) as i64
    };
    let version = 1 + (DAYS - 1 - day) / 30;
    let kind = match g.next(100) {
        0..=49 => "step_viewed",
        50..=84 => "step_advanced",
        85..=89 if step == STEPS - 1 => "tour_completed",
        85..=91 => "tour_dismissed",
        92..=95 => "element_not_found",
        96..=97 => "stuck_opened",
        98 => "deflection_offered",
        _ => "deflection_accepted",
    };
    let (content, step_id) = if tour == 0 {
        let s = demo
            .1
            .get(step as usize)
            .cloned()
            .unwrap_or(format!("s{step}"));
        (demo.0.clone(), s)
    } else {
        (format!("tour-{tour:03}"), format!("s{step}"))
    };
    let mut ev = Ev {
        id: String::new(),
        kind,
        content,
        step_id,
        step,
        version,
        at,
        duration: Some(500 + g.next(120_000))
            .filter(|_| matches!(kind, "step_advanced" | "tour_completed" | "tour_dismissed")),
        role: ["buyer", "approver", "clerk"][g.next(3) as usize],
        dept: ["finance", "it", "sales", "ops"][g.next(4) as usize],
        prof: ["beginner", "intermediate", "expert"][g.next(3) as usize],
        locale: ["en", "de"][g.next(2) as usize],
    };
    // Live events carry the overlay's ids (UUIDv7: time first, then random bits); the history is
    // numbered in arrival order, which the idempotency index sees the same way (appends).
    ev.id = if live {
        format!(
            "{:012x}7{:03x}{:x}{:08x}{:07x}",
            at,
            g.next(1 << 12),
            8 + g.next(4),
            g.next(1 << 30),
            g.next(1 << 28)
        )
    } else {
        format!("bench-{i:012}")
    };
    ev
}

/// (sum, count) of the server's `cairn_ingest_flush_seconds` histogram.
async fn flush_seconds(http: &reqwest::Client, base: &str) -> Result<(f64, f64)> {
    let text = http
        .get(format!("{base}/metrics"))
        .send()
        .await?
        .text()
        .await?;
    let value = |name: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(name)?.trim().parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    Ok((
        value("cairn_ingest_flush_seconds_sum "),
        value("cairn_ingest_flush_seconds_count "),
    ))
}

/// User + system CPU seconds of a process (`self` or a pid), from /proc (0 where there is none).
fn cpu_secs(pid: &str) -> f64 {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return 0.0;
    };
    // Fields after the command name (which may hold spaces): utime and stime are the 12th and
    // 13th, in clock ticks (USER_HZ, 100 on Linux).
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<f64> = rest
        .split_whitespace()
        .map(|x| x.parse().unwrap_or(0.0))
        .collect();
    (f.get(11).unwrap_or(&0.0) + f.get(12).unwrap_or(&0.0)) / 100.0
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub fn run(args: &[String]) -> Result<()> {
    let o = options(args)?;
    eprintln!("▸ building the release server…");
    run_cmd(cargo().args(["build", "--release", "--quiet", "-p", "cairn-server"]))?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    rt.block_on(bench(o))
}

async fn database_url(o: &Options, dir: &std::path::Path) -> Result<String> {
    sqlx::any::install_default_drivers();
    match &o.database {
        None => Ok(format!("sqlite://{}", dir.join("bench.db").display())),
        Some(base) if base.starts_with("postgres") => {
            let name = format!("cairn_bench_{}", std::process::id());
            let mut conn = sqlx::AnyConnection::connect(base).await?;
            sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                .execute(&mut conn)
                .await?;
            let prefix = base.rsplit_once('/').map_or(base.as_str(), |(p, _)| p);
            Ok(format!("{prefix}/{name}"))
        }
        Some(other) => Ok(other.clone()),
    }
}

/// What the reference inserts: `bulk` history events of the demo application.
struct Reference {
    app_id: String,
    org_id: String,
    bulk: u64,
    now: i64,
    demo: Arc<(String, Vec<String>)>,
}

/// The reference elsewhere (PostgreSQL): multi-row INSERTs of [`BATCH`] rows, 10 per transaction.
async fn raw_insert_sqlx(db_url: &str, r: &Reference) -> Result<()> {
    let (app_id, org_id, bulk, now, demo) = (&r.app_id, &r.org_id, r.bulk, r.now, &*r.demo);
    let mut conn = sqlx::AnyConnection::connect(db_url).await?;
    let mut done = 0u64;
    while done < bulk {
        let mut tx = conn.begin().await?;
        for _ in 0..10 {
            if done >= bulk {
                break;
            }
            let end = (done + BATCH as u64).min(bulk);
            let mut sql = String::from(
                "INSERT INTO events (app_id, id, org_id, kind, content_id, step_id, step_index, version, page_url, occurred_at, received_at, role, department, proficiency, locale, browser, duration_ms) VALUES ",
            );
            let n = (end - done) as usize;
            for r in 0..n {
                if r > 0 {
                    sql.push(',');
                }
                sql.push('(');
                for c in 0..17 {
                    if c > 0 {
                        sql.push(',');
                    }
                    sql.push_str(&format!("${}", r * 17 + c + 1));
                }
                sql.push(')');
            }
            sql.push_str(" ON CONFLICT (app_id, id) DO NOTHING");
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for i in done..end {
                let e = event(i, now, demo, false);
                q = q
                    .bind(app_id)
                    .bind(e.id)
                    .bind(org_id)
                    .bind(e.kind)
                    .bind(e.content)
                    .bind(e.step_id)
                    .bind(e.step as i64)
                    .bind(e.version as i64)
                    .bind("http://host.test/p")
                    .bind(e.at)
                    .bind(now)
                    .bind(e.role)
                    .bind(e.dept)
                    .bind(e.prof)
                    .bind(e.locale)
                    .bind("other")
                    .bind(e.duration.map(|ms| ms as i64));
            }
            q.execute(&mut *tx).await?;
            done = end;
        }
        tx.commit().await?;
    }
    conn.close().await?;
    Ok(())
}

/// The reference on SQLite: what the server's writer does for the events alone, on a native
/// connection with the same pragmas (one prepared single-row INSERT; 5,000 rows per transaction).
fn raw_insert_sqlite(file: &std::path::Path, r: &Reference) -> Result<()> {
    let (app_id, org_id, bulk, now, demo) = (&r.app_id, &r.org_id, r.bulk, r.now, &*r.demo);
    let mut conn = rusqlite::Connection::open(file)?;
    conn.busy_timeout(Duration::from_secs(5))?;
    conn.execute_batch(
        "PRAGMA synchronous = NORMAL; PRAGMA cache_size = -65536; PRAGMA wal_autocheckpoint = 65536;",
    )?;
    let mut done = 0u64;
    while done < bulk {
        let end = (done + 10 * BATCH as u64).min(bulk);
        let tx = conn.transaction()?;
        {
            let mut insert = tx.prepare_cached(
                "INSERT INTO events (app_id, id, org_id, kind, content_id, step_id, step_index, version, page_url, occurred_at, received_at, role, department, proficiency, locale, browser, duration_ms) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT (app_id, id) DO NOTHING",
            )?;
            for i in done..end {
                let e = event(i, now, demo, false);
                insert.execute(rusqlite::params![
                    app_id,
                    e.id,
                    org_id,
                    e.kind,
                    e.content,
                    e.step_id,
                    e.step as i64,
                    e.version as i64,
                    "http://host.test/p",
                    e.at,
                    now,
                    e.role,
                    e.dept,
                    e.prof,
                    e.locale,
                    "other",
                    e.duration.map(|ms| ms as i64),
                ])?;
            }
        }
        tx.commit()?;
        done = end;
    }
    Ok(())
}

async fn bench(o: Options) -> Result<()> {
    let dir = std::env::temp_dir().join(format!("cairn-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let db_url = database_url(&o, &dir).await?;
    let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    let log_filter = std::env::var("CAIRN_BENCH_LOG").ok();
    let base = format!("http://127.0.0.1:{port}");
    let server = Server(
        Command::new(project_root().join("target/release/cairn"))
            .arg("serve")
            .env("CAIRN_DATABASE_URL", &db_url)
            .env("CAIRN_ADDR", format!("127.0.0.1:{port}"))
            .env("CAIRN_ADMIN_EMAIL", ADMIN.0)
            .env("CAIRN_ADMIN_PASSWORD", ADMIN.1)
            .env("CAIRN_OVERLAY_RATE_LIMIT", "0")
            // CAIRN_BENCH_LOG=filter (e.g. `warn,cairn_server::ingest=debug` for per-flush timings)
            // shows the server's log on stdout.
            .env("RUST_LOG", log_filter.as_deref().unwrap_or("warn"))
            .stdout(if log_filter.is_some() {
                Stdio::inherit()
            } else {
                Stdio::null()
            })
            .spawn()
            .context("cannot start target/release/cairn")?,
    );
    let http = reqwest::Client::builder().cookie_store(true).build()?;
    let started = Instant::now();
    while http.get(format!("{base}/readyz")).send().await.is_err() {
        if started.elapsed() > Duration::from_secs(30) {
            bail!("the server did not start");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let login = http
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({ "email": ADMIN.0, "password": ADMIN.1 }))
        .send()
        .await?;
    if !login.status().is_success() {
        bail!("login failed: {}", login.status());
    }
    let apps: Value = http
        .get(format!("{base}/api/v1/apps"))
        .send()
        .await?
        .json()
        .await?;
    let key = apps[0]["public_key"]
        .as_str()
        .context("no app")?
        .to_string();
    let tours: Value = http
        .get(format!("{base}/api/v1/tours"))
        .send()
        .await?
        .json()
        .await?;
    let tour_id = tours[0]["id"].as_str().context("no tour")?.to_string();
    let tour: Value = http
        .get(format!("{base}/api/v1/tours/{tour_id}"))
        .send()
        .await?
        .json()
        .await?;
    let steps: Vec<String> = tour["draft"]["steps"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|s| s["id"].as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default();
    let demo = Arc::new((tour_id.clone(), steps));
    let sqlite = db_url.starts_with("sqlite");
    let http_events = o
        .http
        .unwrap_or((o.events / 10).clamp(o.events.min(10_000), 1_000_000))
        .min(o.events);
    let bulk = o.events - http_events;
    println!(
        "analytics benchmark: {} events ({bulk} by batched INSERT, {http_events} through HTTP), {TOURS} tours × {STEPS} steps × {DAYS} days, database {}, load average {}",
        o.events,
        if sqlite { "SQLite" } else { "PostgreSQL" },
        load_average()
    );
    let now = now_ms();

    // 1. Reference: plain batched INSERTs into the same database's events table (its primary key
    // and time index, no rollups, no queue, no HTTP).
    let mut conn = sqlx::AnyConnection::connect(&db_url).await?;
    let (app_id, org_id): (String, String) =
        sqlx::query_as("SELECT id, org_id FROM apps WHERE public_key = $1")
            .bind(&key)
            .fetch_one(&mut conn)
            .await?;
    conn.close().await?;
    let reference = Reference {
        app_id,
        org_id,
        bulk,
        now,
        demo: demo.clone(),
    };
    let t0 = Instant::now();
    if sqlite {
        let file = dir.join("bench.db");
        tokio::task::spawn_blocking(move || raw_insert_sqlite(&file, &reference)).await??;
    } else {
        raw_insert_sqlx(&db_url, &reference).await?;
    }
    let raw_secs = t0.elapsed().as_secs_f64();
    let raw_rate = bulk as f64 / raw_secs.max(1e-9);
    if bulk > 0 {
        println!(
            "reference raw INSERT    {raw_rate:>10.0} events/s  ({bulk} events in {raw_secs:.1} s; {}, no rollups)",
            if sqlite {
                "native single-row INSERTs, 5,000 per transaction"
            } else {
                "multi-row INSERTs of 500, 10 per transaction"
            }
        );
        // 2. Their rollups, through the re-roll path.
        let t0 = Instant::now();
        run_cmd(
            Command::new(project_root().join("target/release/cairn"))
                .args(["rollup", "rebuild", "--days", &DAYS.to_string()])
                .env("CAIRN_DATABASE_URL", &db_url)
                .env("RUST_LOG", "warn"),
        )?;
        println!(
            "rollup rebuild          {:>10.0} events/s  ({bulk} events in {:.1} s)",
            bulk as f64 / t0.elapsed().as_secs_f64(),
            t0.elapsed().as_secs_f64()
        );
    }

    // 3. Ingestion through HTTP: C keep-alive clients, each sending its share in batches of 500.
    let server_pid = server.0.id();
    let (writer0, cpu0) = (
        flush_seconds(&http, &base).await?,
        (cpu_secs("self"), cpu_secs(&server_pid.to_string())),
    );
    let next = Arc::new(AtomicU64::new(bulk));
    let retries = Arc::new(AtomicU64::new(0));
    let t0 = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..o.concurrency {
        let (next, retries, demo, key, base) = (
            next.clone(),
            retries.clone(),
            demo.clone(),
            key.clone(),
            base.clone(),
        );
        let total = o.events;
        let live = !o.spread;
        let client = reqwest::Client::new();
        tasks.push(tokio::spawn(async move {
            loop {
                let start = next.fetch_add(BATCH as u64, Ordering::SeqCst);
                if start >= total {
                    return Ok::<(), anyhow::Error>(());
                }
                let end = (start + BATCH as u64).min(total);
                let mut body = String::with_capacity(BATCH * 330);
                body.push_str(r#"{"events":["#);
                // Live events are stamped by the time they are sent, as the overlay's are.
                let sent_at = if live { now_ms() } else { now };
                for i in start..end {
                    if i > start {
                        body.push(',');
                    }
                    body.push_str(&event(i, sent_at, &demo, live).json());
                }
                body.push_str("]}");
                loop {
                    let res = client
                        .post(format!("{base}/api/v1/overlay/events"))
                        .header("x-cairn-app-key", &key)
                        .header("content-type", "application/json")
                        .body(body.clone())
                        .send()
                        .await?;
                    match res.status().as_u16() {
                        200 => break,
                        429 | 503 => {
                            retries.fetch_add(1, Ordering::Relaxed);
                            tokio::time::sleep(Duration::from_millis(200)).await;
                        }
                        s => bail!(
                            "events answered {s}: {}",
                            res.text().await.unwrap_or_default()
                        ),
                    }
                }
            }
        }));
    }
    for t in tasks {
        t.await??;
    }
    let http_secs = t0.elapsed().as_secs_f64();
    let http_rate = http_events as f64 / http_secs;
    println!(
        "ingestion via HTTP      {:>10.0} events/s  ({http_events} {} events in {http_secs:.1} s on top of {bulk}, {} clients, {} retries after 429/503)",
        http_rate,
        if o.spread {
            "spread-over-90-days"
        } else {
            "live"
        },
        o.concurrency,
        retries.load(Ordering::Relaxed)
    );
    // Where the time went: the writer's share of the wall clock (its flush histogram), and the CPU
    // of the bench client and of the server, to show the client is not the bottleneck.
    let writer1 = flush_seconds(&http, &base).await?;
    let (client_cpu, server_cpu) = (
        cpu_secs("self") - cpu0.0,
        cpu_secs(&server_pid.to_string()) - cpu0.1,
    );
    let flushes = writer1.1 - writer0.1;
    println!(
        "  writer busy {:.1} s of {http_secs:.1} s ({:.0} %; {:.0} events per busy second), {flushes:.0} flushes of {:.0} events on average",
        writer1.0 - writer0.0,
        100.0 * (writer1.0 - writer0.0) / http_secs,
        http_events as f64 / (writer1.0 - writer0.0).max(1e-9),
        http_events as f64 / flushes.max(1.0)
    );
    println!(
        "  CPU: bench client {client_cpu:.1} s ({:.0} % of a core), server {server_cpu:.1} s ({:.0} % of a core); load average {}",
        100.0 * client_cpu / http_secs,
        100.0 * server_cpu / http_secs,
        load_average()
    );
    if bulk > 0 {
        println!("HTTP ingestion ÷ raw INSERT = {:.2}", http_rate / raw_rate);
    }

    // 4. Report latency over the last 90 days, every event in.
    let from = cairn_shared::reports::civil_from_days(now / 86_400_000 - (DAYS as i64 - 1));
    let reports = [
        (
            "funnel",
            format!("/api/v1/reports/tours/{tour_id}/funnel?from={from}"),
        ),
        (
            "ranking",
            format!("/api/v1/reports/steps/ranking?from={from}&min_views=100"),
        ),
        (
            "trend",
            format!("/api/v1/reports/tours/{tour_id}/trend?from={from}"),
        ),
        (
            "segments",
            format!("/api/v1/reports/tours/{tour_id}/segments?from={from}&dimension=department"),
        ),
        (
            "deflection",
            format!("/api/v1/reports/deflection?from={from}"),
        ),
        (
            "not-found",
            format!("/api/v1/reports/not-found?from={from}"),
        ),
        (
            "tour steps",
            format!("/api/v1/analytics/tours/{tour_id}/steps"),
        ),
    ];
    for (name, path) in &reports {
        let mut times = Vec::new();
        for _ in 0..30 {
            let t = Instant::now();
            let res = http.get(format!("{base}{path}")).send().await?;
            let status = res.status();
            let _ = res.bytes().await?;
            times.push(t.elapsed().as_secs_f64() * 1000.0);
            if !status.is_success() {
                bail!("{name} answered {status}");
            }
        }
        times.sort_by(f64::total_cmp);
        println!(
            "report {name:<12}     p50 {:>7.1} ms   p95 {:>7.1} ms",
            times[times.len() / 2],
            times[(times.len() * 95).div_ceil(100) - 1]
        );
    }
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
    // The PostgreSQL database this run created.
    if let Some(base) = o.database.as_deref().filter(|b| b.starts_with("postgres")) {
        let mut conn = sqlx::AnyConnection::connect(base).await?;
        let name = db_url.rsplit_once('/').map_or("", |(_, n)| n);
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "DROP DATABASE IF EXISTS {name}"
        )))
        .execute(&mut conn)
        .await?;
    }
    Ok(())
}
