//! Overlay events, turned into stored rows for the batched writer (`crate::ingest`).

use cairn_shared::events::OverlayEvent;

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
