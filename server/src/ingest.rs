//! Batched event ingestion. Requests put their events on a bounded in-memory queue and wait; one
//! writer task per instance takes what is queued (after a short linger, or at once when a full batch
//! is waiting), inserts it with `INSERT … ON CONFLICT DO NOTHING` and upserts the rollups of the rows
//! actually inserted, all in one transaction, then answers every waiting request. On a SQLite file it
//! writes through a native connection of its own ([`sqlite`]), elsewhere through sqlx. A request
//! is answered only once its events are committed, so the overlay drops them from its local queue only
//! when they are safe. A full queue is answered 503 with `Retry-After` instead of growing memory.
//! Shutdown closes the queue and flushes what is in it.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use sqlx::pool::PoolConnection;
use sqlx::{Any, Connection};
use tokio::sync::{Notify, oneshot};
use tokio::task::JoinHandle;

mod sqlite;

use crate::db::{Backend, Db};
use crate::error::ApiError;
use crate::metrics::METRICS;
use crate::store::rollups::{self, Delta, RawEvent};

/// Queue bounds and timing.
#[derive(Debug, Clone, Copy)]
pub struct IngestConfig {
    /// Events queued at most; beyond, requests get 503.
    pub capacity: usize,
    /// Events per write transaction at most.
    pub batch: usize,
    /// How long the writer waits for more events before writing a partial batch.
    pub linger: Duration,
}

impl Default for IngestConfig {
    fn default() -> Self {
        IngestConfig {
            capacity: 50_000,
            // Bigger flushes sum more events into each rollup row and share one commit: at 8,000
            // events a flush upserted ~2 rows per event against ~4 at 2,000 (bench analytics).
            batch: 20_000,
            linger: Duration::from_millis(10),
        }
    }
}

/// (accepted, duplicates) of one request, or why the write failed.
type Reply = Result<(u32, u32), String>;

struct Pending {
    events: Vec<RawEvent>,
    reply: oneshot::Sender<Reply>,
}

struct Shared {
    queue: Mutex<VecDeque<Pending>>,
    /// Events in `queue`.
    depth: AtomicUsize,
    closed: AtomicBool,
    wake: Notify,
    config: IngestConfig,
}

/// The handle requests use; cheap to clone.
#[derive(Clone)]
pub struct Ingest {
    shared: Arc<Shared>,
}

/// The writer task, joined on shutdown.
pub struct Writer(JoinHandle<()>);

impl Ingest {
    /// Starts the writer on `db`.
    pub fn start(db: Db, config: IngestConfig) -> (Ingest, Writer) {
        let shared = Arc::new(Shared {
            queue: Mutex::new(VecDeque::new()),
            depth: AtomicUsize::new(0),
            closed: AtomicBool::new(false),
            wake: Notify::new(),
            config,
        });
        let task = tokio::spawn(run(db, shared.clone()));
        (Ingest { shared }, Writer(task))
    }

    /// Queues events and waits until they are committed. `bounded: false` is for the server's own
    /// events (a filed ticket), which must not be refused for load.
    pub async fn submit(
        &self,
        events: Vec<RawEvent>,
        bounded: bool,
    ) -> Result<(u32, u32), ApiError> {
        if events.is_empty() {
            return Ok((0, 0));
        }
        let n = events.len();
        let (tx, rx) = oneshot::channel();
        {
            let mut queue = self
                .shared
                .queue
                .lock()
                .map_err(|_| ApiError::Internal(anyhow::anyhow!("ingest queue poisoned")))?;
            if self.shared.closed.load(Ordering::SeqCst) {
                return Err(ApiError::Unavailable {
                    retry_after_secs: 5,
                    reason: "the server is shutting down",
                });
            }
            let depth = self.shared.depth.load(Ordering::SeqCst);
            if bounded && depth + n > self.shared.config.capacity {
                METRICS
                    .rate_limited
                    .with_label_values(&["ingest_queue"])
                    .inc();
                return Err(ApiError::Unavailable {
                    retry_after_secs: 1,
                    reason: "the event queue is full",
                });
            }
            queue.push_back(Pending { events, reply: tx });
            self.shared.depth.store(depth + n, Ordering::SeqCst);
            METRICS.ingest_queue_depth.set((depth + n) as i64);
        }
        self.shared.wake.notify_one();
        match rx.await {
            Ok(Ok(counts)) => Ok(counts),
            Ok(Err(e)) => Err(ApiError::Internal(anyhow::anyhow!(
                "event write failed: {e}"
            ))),
            Err(_) => Err(ApiError::Internal(anyhow::anyhow!("event writer stopped"))),
        }
    }

    /// Events waiting to be written.
    pub fn depth(&self) -> usize {
        self.shared.depth.load(Ordering::SeqCst)
    }

    /// Refuses new events, flushes the queue and waits for the writer to finish.
    pub async fn shutdown(&self, writer: Writer) {
        self.shared.closed.store(true, Ordering::SeqCst);
        self.shared.wake.notify_one();
        if let Err(e) = writer.0.await {
            tracing::error!(error = %e, "event writer ended abnormally");
        }
    }
}

/// Where the writer writes.
enum Sink {
    /// A native connection to the SQLite file: one prepared single-row statement per table, run on
    /// a blocking thread, where sqlx's `Any` driver spent most of the writer's time converting and
    /// shipping the bound values of multi-row statements (~18 µs per event against ~4).
    Sqlite(sqlite::NativeWriter),
    /// sqlx (PostgreSQL, and an in-memory SQLite that only the pool can reach): multi-row statements.
    Sqlx {
        db: Db,
        /// Kept between flushes (see `run`).
        conn: Option<PoolConnection<Any>>,
    },
}

async fn run(db: Db, shared: Arc<Shared>) {
    // Either sink keeps one connection between flushes: on SQLite its page cache stays valid (it is
    // the only connection that writes these tables), where a connection taken afresh each time
    // would find its cache stale and read every page it touches again.
    let mut sink = match (&db.backend, &db.sqlite_file) {
        (Backend::Sqlite, Some(file)) => Sink::Sqlite(sqlite::NativeWriter::new(file.clone())),
        _ => Sink::Sqlx { db, conn: None },
    };
    loop {
        // Wait for work (or for shutdown with an empty queue).
        let mut idle = false;
        loop {
            if shared.depth.load(Ordering::SeqCst) > 0 {
                break;
            }
            if shared.closed.load(Ordering::SeqCst) {
                return;
            }
            idle = true;
            shared.wake.notified().await;
        }
        // Linger for a fuller batch only after idling: events that queued up during the last flush
        // have waited long enough, and under load the writer would otherwise sit out a linger per
        // flush while requests wait for it.
        let deadline = tokio::time::Instant::now() + shared.config.linger;
        while idle
            && shared.depth.load(Ordering::SeqCst) < shared.config.batch
            && !shared.closed.load(Ordering::SeqCst)
        {
            tokio::select! {
                _ = shared.wake.notified() => {}
                _ = tokio::time::sleep_until(deadline) => break,
            }
        }
        let batch = take(&shared);
        write(&mut sink, batch).await;
    }
}

/// Whole requests from the front of the queue, up to the batch size (at least one).
fn take(shared: &Shared) -> Vec<Pending> {
    let Ok(mut queue) = shared.queue.lock() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut n = 0;
    while let Some(front) = queue.front() {
        if !out.is_empty() && n + front.events.len() > shared.config.batch {
            break;
        }
        n += front.events.len();
        out.extend(queue.pop_front());
    }
    let depth = shared.depth.load(Ordering::SeqCst).saturating_sub(n);
    shared.depth.store(depth, Ordering::SeqCst);
    METRICS.ingest_queue_depth.set(depth as i64);
    out
}

/// The first occurrence of each (app, id) in the batch (the one that may be new), as (request,
/// index) positions in one order for every writer, so concurrent instances lock rows in the same
/// sequence.
fn unique(batch: &[Pending]) -> Vec<(usize, usize)> {
    let mut first: HashMap<(&str, &str), (usize, usize)> = HashMap::new();
    for (p, pending) in batch.iter().enumerate() {
        for (i, e) in pending.events.iter().enumerate() {
            first.entry((&e.app_id, &e.id)).or_insert((p, i));
        }
    }
    let mut unique: Vec<(usize, usize)> = first.into_values().collect();
    let event = |&(p, i): &(usize, usize)| &batch[p].events[i];
    unique.sort_by(|a, b| {
        let (a, b) = (event(a), event(b));
        (&a.app_id, &a.id).cmp(&(&b.app_id, &b.id))
    });
    unique
}

/// The events at `unique`'s positions.
fn events<'a>(batch: &'a [Pending], unique: &[(usize, usize)]) -> Vec<&'a RawEvent> {
    unique.iter().map(|&(p, i)| &batch[p].events[i]).collect()
}

/// Per event of `unique`, whether it was new; or why the batch was not written.
type Written = Result<Vec<bool>, String>;

async fn write(sink: &mut Sink, batch: Vec<Pending>) {
    let timer = METRICS.ingest_flush_seconds.start_timer();
    let (batch, unique, result) = match sink {
        Sink::Sqlite(native) => native.write(batch).await,
        Sink::Sqlx { db, conn } => {
            let unique = unique(&batch);
            let result = write_tx(db, conn, &events(&batch, &unique)).await;
            if result.is_err() {
                // It may be broken: take a fresh one next time.
                *conn = None;
            }
            (batch, unique, result.map_err(|e| e.to_string()))
        }
    };
    timer.observe_duration();
    answer(batch, &unique, result);
}

/// Tells every waiting request what became of its events.
fn answer(batch: Vec<Pending>, unique: &[(usize, usize)], result: Written) {
    let inserted = match result {
        Ok(inserted) => inserted,
        Err(e) => {
            tracing::error!(error = %e, events = unique.len(), "event batch not written");
            for pending in batch {
                let _ = pending.reply.send(Err(e.clone()));
            }
            return;
        }
    };
    let mut accepted = vec![0u32; batch.len()];
    for (&(p, _), new) in unique.iter().zip(inserted) {
        if new {
            accepted[p] += 1;
        }
    }
    let total: u64 = accepted.iter().map(|&a| u64::from(a)).sum();
    let sent: u64 = batch.iter().map(|p| p.events.len() as u64).sum();
    METRICS.events_ingested.inc_by(total);
    METRICS.events_duplicate.inc_by(sent - total);
    for (pending, a) in batch.into_iter().zip(accepted) {
        let _ = pending.reply.send(Ok((a, pending.events.len() as u32 - a)));
    }
}

/// Inserts the events and adds the new ones to the rollups, in one transaction; returns, per event,
/// whether it was new.
async fn write_tx(
    db: &Db,
    conn: &mut Option<PoolConnection<Any>>,
    events: &[&RawEvent],
) -> Result<Vec<bool>, sqlx::Error> {
    let conn = match conn {
        Some(c) => c,
        None => conn.insert(db.pool.acquire().await?),
    };
    let t0 = std::time::Instant::now();
    let mut tx = conn.begin().await?;
    let inserted = rollups::insert_events(db.backend, &mut tx, events).await?;
    let t_insert = t0.elapsed();
    let mut delta = Delta::default();
    for (e, new) in events.iter().zip(&inserted) {
        if *new {
            delta.add(e);
        }
    }
    let keys = delta.len();
    delta.apply(db.backend, &mut tx).await?;
    let t_apply = t0.elapsed();
    tx.commit().await?;
    flushed(events.len(), keys, t_insert, t_apply, t0.elapsed());
    Ok(inserted)
}

/// Where a flush's time went (RUST_LOG=cairn_server::ingest=debug), to tune batch and pragmas.
fn flushed(events: usize, keys: usize, insert: Duration, upsert: Duration, total: Duration) {
    tracing::debug!(
        events,
        keys,
        insert_ms = insert.as_secs_f64() * 1e3,
        upsert_ms = (upsert - insert).as_secs_f64() * 1e3,
        commit_ms = (total - upsert).as_secs_f64() * 1e3,
        "flush"
    );
}

/// The browser family of a User-Agent header, for elements-not-found by browser.
pub fn browser_family(user_agent: &str) -> &'static str {
    if user_agent.contains("Edg/") {
        "edge"
    } else if user_agent.contains("Firefox/") {
        "firefox"
    } else if user_agent.contains("Chrome/") || user_agent.contains("Chromium/") {
        "chrome"
    } else if user_agent.contains("Safari/") {
        "safari"
    } else {
        "other"
    }
}

#[cfg(test)]
mod tests {
    use super::browser_family;

    #[test]
    fn browsers_by_user_agent() {
        let chrome = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36";
        assert_eq!(browser_family(chrome), "chrome");
        assert_eq!(browser_family(&format!("{chrome} Edg/131.0")), "edge");
        assert_eq!(
            browser_family(
                "Mozilla/5.0 (Macintosh) AppleWebKit/605.1.15 Version/17.0 Safari/605.1.15"
            ),
            "safari"
        );
        assert_eq!(
            browser_family("Mozilla/5.0 (Windows NT 10.0; rv:128.0) Gecko/20100101 Firefox/128.0"),
            "firefox"
        );
        assert_eq!(browser_family("curl/8"), "other");
    }
}
