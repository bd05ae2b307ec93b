//! The ingestion writer's native SQLite connection. Prepared once, a single-row statement costs a
//! few microseconds per row in SQLite itself; through sqlx's `Any` driver every bound value was
//! converted twice and shipped to its worker thread, which made the writer, not HTTP, the ceiling
//! of ingestion. The connection is the same library sqlx links (`libsqlite3-sys`), so file locks
//! are shared correctly within the process, and it takes the write lock at `BEGIN IMMEDIATE`
//! like every other writer ([`crate::db::Db::begin_write`]).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rusqlite::types::{ToSqlOutput, ValueRef};
use rusqlite::{Connection, OpenFlags, ToSql, TransactionBehavior, params_from_iter};

use super::{Pending, Written};
use crate::db::{Backend, SQLITE_TUNING};
use crate::store::rollups::{Cell, Delta, EVENT_COLUMNS, RawEvent};

/// WAL pages (4 KiB) the writer lets accumulate before it checkpoints. A flush dirties thousands of
/// pages (the idempotency index takes events at scattered places), so at the default 1,000-page
/// threshold every commit would also checkpoint (copy its pages into the database file and fsync
/// it): half of the writer's time in measurements. At 256 MiB a checkpoint comes every ten flushes
/// or so and writes each page they share once: measured ~20 % more events/s than at 64 MiB. (A
/// checkpointing thread beside the writer measured slower: its file syncs stall the writer's WAL
/// writes.)
const WAL_CHECKPOINT_PAGES: u32 = 65_536;

/// What the WAL file is cut back to when a checkpoint starts it over, so a burst does not leave a
/// quarter of a gigabyte behind on disk.
const WAL_KEPT_BYTES: u64 = 64 << 20;

/// Owns the connection between flushes (its page cache stays warm: no other connection writes
/// these tables); opens it again after an error.
pub struct NativeWriter {
    file: PathBuf,
    conn: Option<Connection>,
}

impl NativeWriter {
    pub fn new(file: PathBuf) -> Self {
        NativeWriter { file, conn: None }
    }

    /// Writes a batch on a blocking thread; gives it back with the positions of its unique
    /// events and what became of them.
    pub async fn write(
        &mut self,
        batch: Vec<Pending>,
    ) -> (Vec<Pending>, Vec<(usize, usize)>, Written) {
        let conn = self.conn.take();
        let file = self.file.clone();
        let done = tokio::task::spawn_blocking(move || {
            let unique = super::unique(&batch);
            let result = match conn {
                Some(c) => Ok(c),
                None => open(&file),
            }
            .and_then(|mut c| {
                let inserted = write_tx(&mut c, &super::events(&batch, &unique))?;
                Ok((c, inserted))
            });
            match result {
                Ok((c, inserted)) => (Some(c), batch, unique, Ok(inserted)),
                Err(e) => (None, batch, unique, Err(e.to_string())),
            }
        })
        .await;
        match done {
            Ok((conn, batch, unique, written)) => {
                self.conn = conn;
                (batch, unique, written)
            }
            // The batch went down with the thread: its requests learn it from their dropped reply.
            Err(e) => (Vec::new(), Vec::new(), Err(e.to_string())),
        }
    }
}

fn open(file: &Path) -> rusqlite::Result<Connection> {
    let conn = Connection::open_with_flags(
        file,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.busy_timeout(Duration::from_secs(5))?;
    // Tuned as the pool's connections, which already put the file in WAL mode.
    conn.execute_batch(&format!(
        "{}; PRAGMA wal_autocheckpoint = {WAL_CHECKPOINT_PAGES}; PRAGMA journal_size_limit = {WAL_KEPT_BYTES};",
        SQLITE_TUNING.join("; ")
    ))?;
    Ok(conn)
}

/// Inserts the events one prepared statement at a time (the number of changed rows says whether
/// each was new) and upserts what the new ones add to the rollups, in one transaction. The rollups
/// are summed on a second thread meanwhile, from every event, and the few found duplicates taken
/// back after: the two halves of the work overlap instead of following each other.
fn write_tx(conn: &mut Connection, events: &[&RawEvent]) -> rusqlite::Result<Vec<bool>> {
    let t0 = Instant::now();
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let (inserted, delta) = std::thread::scope(|scope| {
        let summing = scope.spawn(|| {
            let mut delta = Delta::default();
            for e in events {
                delta.add(e);
            }
            delta
        });
        let inserted = insert(&tx, events);
        // A panic there is a bug: it goes on up as the blocking task's, failing this batch.
        let delta = summing
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (inserted, delta)
    });
    let (inserted, mut delta) = (inserted?, delta);
    for (e, new) in events.iter().zip(&inserted) {
        if !new {
            delta.remove(e);
        }
    }
    let t_insert = t0.elapsed();
    let keys = delta.len();
    for (table, cells) in delta.rows() {
        let mut upsert = tx.prepare_cached(&table.upsert_sql(Backend::Sqlite, 1))?;
        for row in cells.chunks(table.cols) {
            upsert.execute(params_from_iter(row))?;
        }
    }
    let t_apply = t0.elapsed();
    tx.commit()?;
    super::flushed(events.len(), keys, t_insert, t_apply, t0.elapsed());
    Ok(inserted)
}

/// Per event, whether it was new.
fn insert(tx: &rusqlite::Transaction, events: &[&RawEvent]) -> rusqlite::Result<Vec<bool>> {
    let mut insert = tx.prepare_cached(&format!(
        "INSERT INTO events ({EVENT_COLUMNS}) VALUES ({}) ON CONFLICT (app_id, id) DO NOTHING",
        ["?"; 18].join(",")
    ))?;
    events
        .iter()
        .map(|e| Ok(insert.execute(params_from_iter(e.cells()))? == 1))
        .collect()
}

impl ToSql for Cell<'_> {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::Borrowed(match *self {
            Cell::Text(Some(s)) => ValueRef::Text(s.as_bytes()),
            Cell::Int(Some(n)) => ValueRef::Integer(n),
            Cell::Text(None) | Cell::Int(None) => ValueRef::Null,
        }))
    }
}
