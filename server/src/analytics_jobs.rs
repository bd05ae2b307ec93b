//! Analytics background jobs: deleting raw events past their retention (rollups stay) and checking
//! for broken steps. Each tick runs on one instance only: on PostgreSQL the job holds a transaction
//! advisory lock (`pg_try_advisory_xact_lock`) and other instances skip the tick; SQLite has one
//! instance by construction, so there each job reads first and writes, if at all, in its own short
//! transaction.

use std::time::Duration;

use crate::clock::Clock;
use crate::db::{Backend, Db};

/// Advisory lock key of the analytics jobs ("cairn-an" in ASCII).
const LOCK_KEY: i64 = 0x6361_6972_6e2d_616e;
const TICK: Duration = Duration::from_secs(60);

pub fn spawn(db: Db, clock: Clock, retention_days: i64) {
    tokio::spawn(async move {
        let mut interval = tokio::time::interval(TICK);
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            interval.tick().await;
            if let Err(e) = tick(&db, &clock, retention_days).await {
                tracing::warn!(error = %e, "analytics job failed; retrying next tick");
            }
        }
    });
}

/// One run of every job, unless another instance is running them.
pub async fn tick(db: &Db, clock: &Clock, retention_days: i64) -> Result<(), sqlx::Error> {
    let now = clock.now_ms();
    let cutoff = now - retention_days * 86_400_000;
    match db.backend {
        Backend::Postgres => {
            // The advisory lock lives as long as the transaction, so both jobs run inside it.
            let mut tx = db.begin_write().await?;
            let got: bool = sqlx::query_scalar("SELECT pg_try_advisory_xact_lock($1)")
                .bind(LOCK_KEY)
                .fetch_one(&mut *tx)
                .await?;
            if !got {
                return Ok(());
            }
            purge(&mut tx, cutoff, retention_days).await?;
            crate::alerts::check(&mut tx, now).await?;
            tx.commit().await?;
        }
        Backend::Sqlite => {
            // SQLite has one writer: each write is its own short transaction, taken only when a
            // read found something to write, so the reads never queue the ingest writer, publishes
            // or tickets behind them.
            let old: Option<i64> =
                sqlx::query_scalar("SELECT 1 FROM events WHERE occurred_at < $1 LIMIT 1")
                    .bind(cutoff)
                    .fetch_optional(&db.pool)
                    .await?;
            if old.is_some() {
                let mut tx = db.begin_write().await?;
                purge(&mut tx, cutoff, retention_days).await?;
                tx.commit().await?;
            }
            let mut conn = db.pool.acquire().await?;
            for org in crate::alerts::organizations(&mut conn).await? {
                let plan = crate::alerts::plan(&mut conn, &org, now).await?;
                if plan.is_empty() {
                    continue;
                }
                let mut tx = db.begin_write().await?;
                crate::alerts::apply(&mut tx, plan, now).await?;
                tx.commit().await?;
            }
        }
    }
    Ok(())
}

async fn purge(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    cutoff: i64,
    retention_days: i64,
) -> Result<(), sqlx::Error> {
    let purged = sqlx::query("DELETE FROM events WHERE occurred_at < $1")
        .bind(cutoff)
        .execute(&mut **tx)
        .await?
        .rows_affected();
    if purged > 0 {
        tracing::info!(purged, retention_days, "old raw events deleted");
    }
    Ok(())
}
