//! Overlay events: written in one transaction per batch, de-duplicated by the browser's idempotency id,
//! and counted per step for the analytics tables.

use std::collections::HashMap;

use cairn_shared::events::{EventKind, OverlayEvent};
use sqlx::Row;

use crate::db::{Db, now_ms};
use crate::error::ApiError;

/// Inserts a batch; returns (accepted, duplicates).
pub async fn insert_batch(
    db: &Db,
    org_id: &str,
    app_id: &str,
    events: &[OverlayEvent],
) -> Result<(u32, u32), ApiError> {
    let received = now_ms();
    let mut tx = db.pool.begin().await?;
    let (mut accepted, mut duplicates) = (0, 0);
    for e in events {
        let res = sqlx::query(
            "INSERT INTO events (app_id, id, org_id, kind, content_id, step_id, step_index, version, page_url, occurred_at, received_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT (app_id, id) DO NOTHING",
        )
        .bind(app_id)
        .bind(&e.id)
        .bind(org_id)
        .bind(e.kind.as_str())
        .bind(&e.content_id)
        .bind(e.step_id.as_deref())
        .bind(e.step_index.map(i64::from))
        .bind(i64::from(e.version))
        .bind(&e.page_url)
        .bind(e.at)
        .bind(received)
        .execute(&mut *tx)
        .await?;
        if res.rows_affected() == 1 {
            accepted += 1;
        } else {
            duplicates += 1;
        }
    }
    tx.commit().await?;
    Ok((accepted, duplicates))
}

/// Counts per (step id, kind) for one piece of content.
pub async fn counts_by_step(
    db: &Db,
    org_id: &str,
    content_id: &str,
) -> Result<HashMap<(String, EventKind), i64>, ApiError> {
    let rows = sqlx::query(
        "SELECT step_id, kind, COUNT(*) FROM events
         WHERE org_id = $1 AND content_id = $2 AND step_id IS NOT NULL GROUP BY step_id, kind",
    )
    .bind(org_id)
    .bind(content_id)
    .fetch_all(&db.pool)
    .await?;
    let mut out = HashMap::new();
    for r in rows {
        let step: String = r.try_get(0)?;
        let kind: String = r.try_get(1)?;
        if let Some(kind) = EventKind::parse(&kind) {
            out.insert((step, kind), r.try_get::<i64, _>(2)?);
        }
    }
    Ok(out)
}
