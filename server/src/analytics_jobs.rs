//! Analytics background jobs: deleting raw events past their retention (rollups stay) and checking
//! for broken steps. Each tick runs on one instance only: on PostgreSQL the job holds a transaction
//! advisory lock (`pg_try_advisory_xact_lock`) and other instances skip the tick; SQLite has one
//! instance by construction.

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
    let mut tx = db.begin_write().await?;
    if db.backend == Backend::Postgres {
        let got: bool = sqlx::query_scalar("SELECT pg_try_advisory_xact_lock($1)")
            .bind(LOCK_KEY)
            .fetch_one(&mut *tx)
            .await?;
        if !got {
            return Ok(());
        }
    }
    let now = clock.now_ms();
    let purged = sqlx::query("DELETE FROM events WHERE occurred_at < $1")
        .bind(now - retention_days * 86_400_000)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    if purged > 0 {
        tracing::info!(purged, retention_days, "old raw events deleted");
    }
    crate::alerts::check(&mut tx, now).await?;
    tx.commit().await?;
    Ok(())
}
