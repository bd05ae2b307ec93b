//! Overlay events: turned into stored rows for the batched writer (`crate::ingest`), and counted per
//! step for the per-tour analytics table.

use std::collections::HashMap;

use cairn_shared::events::{EventKind, OverlayEvent};
use sqlx::Row;

use crate::db::Db;
use crate::error::ApiError;
use crate::store::rollups::RawEvent;

/// An overlay event as the ingestion writer stores it. The browser comes from the event when the
/// overlay names it, else from the request's User-Agent.
pub fn raw(
    org_id: &str,
    app_id: &str,
    e: OverlayEvent,
    browser: &str,
    received_at: i64,
) -> RawEvent {
    let d = e.details;
    RawEvent {
        app_id: app_id.to_string(),
        id: e.id,
        org_id: org_id.to_string(),
        kind: e.kind.as_str(),
        content_id: e.content_id,
        step_id: e.step_id,
        step_index: e.step_index.map(i64::from),
        version: i64::from(e.version),
        page_url: e.page_url,
        occurred_at: e.at,
        received_at,
        role: d.role,
        department: d.department,
        proficiency: d.proficiency,
        locale: d.locale,
        browser: Some(d.browser.unwrap_or_else(|| browser.to_string())),
        duration_ms: d.duration_ms.map(i64::from),
        failed_strategies: d.failed_strategies,
    }
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
