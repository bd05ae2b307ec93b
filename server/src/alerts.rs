//! Broken-step alerts: a step whose element-not-found rate jumps (typically after a host-app release
//! moved its target) is reported before tickets pile up.
//!
//! The rule, checked every minute by the analytics job (one instance at a time):
//! - recent window: today and yesterday (UTC days); baseline: the 7 days before;
//! - open an alert when the recent window has at least [`MIN_VIEWS`] views and its not-found rate is
//!   at least [`MIN_RATE`] and at least [`JUMP`] times the baseline rate;
//! - the episode ends when the recent rate falls below half of the rate that opened it, or below
//!   `min(JUMP × baseline rate, MIN_RATE)`; only then can a new alert open for the step.
//!
//! An alert is recorded once per step and episode (a unique index on open alerts) and delivered to
//! the organisation's enabled webhook integrations through the outbox, in the same transaction.

use serde_json::json;
use sqlx::{Any, AnyConnection, Row, Transaction};

use cairn_shared::reports::day_of_ms;

use crate::db::new_id;
use crate::integrations::connectors::{Outgoing, signature};
use crate::metrics::METRICS;

pub const MIN_VIEWS: i64 = 50;
pub const MIN_RATE: f64 = 0.10;
pub const JUMP: f64 = 3.0;
/// The outbox event of an alert delivery.
pub const EVENT: &str = "step.broken";

/// Whether recent figures against the baseline open an alert.
pub fn opens(recent_views: i64, recent_nf: i64, base_views: i64, base_nf: i64) -> bool {
    if recent_views < MIN_VIEWS {
        return false;
    }
    let recent = recent_nf as f64 / recent_views as f64;
    let base = if base_views > 0 {
        base_nf as f64 / base_views as f64
    } else {
        0.0
    };
    recent >= MIN_RATE && recent >= JUMP * base
}

/// Whether an open alert's episode is over.
pub fn closes(
    recent_views: i64,
    recent_nf: i64,
    opened_rate: f64,
    base_views: i64,
    base_nf: i64,
) -> bool {
    let recent = if recent_views > 0 {
        recent_nf as f64 / recent_views as f64
    } else {
        0.0
    };
    let base = if base_views > 0 {
        base_nf as f64 / base_views as f64
    } else {
        0.0
    };
    recent < opened_rate / 2.0 || recent < (JUMP * base).min(MIN_RATE)
}

type Figures = (String, String, String, i64, i64, i64, i64);

/// What a check decided for one organisation: alerts to close, figures of alerts to open.
#[derive(Debug, Default)]
pub struct Plan {
    close: Vec<String>,
    open: Vec<Figures>,
}

impl Plan {
    pub fn is_empty(&self) -> bool {
        self.close.is_empty() && self.open.is_empty()
    }
}

/// Opens and closes alerts from the rollups, one organisation at a time, inside the caller's
/// transaction (PostgreSQL, where the transaction holds the jobs' advisory lock).
pub async fn check(tx: &mut Transaction<'_, Any>, now_ms: i64) -> Result<(), sqlx::Error> {
    for org in organizations(tx).await? {
        let plan = plan(tx, &org, now_ms).await?;
        apply(tx, plan, now_ms).await?;
    }
    Ok(())
}

pub async fn organizations(conn: &mut AnyConnection) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT id FROM organizations")
        .fetch_all(conn)
        .await
}

/// The alerts of one organisation to open and close: reads only, so on SQLite it runs outside the
/// write lock. Its day rows of the last nine days are one primary-key range (org, grain 1, days),
/// where a query over every organisation would scan the whole table.
pub async fn plan(
    conn: &mut AnyConnection,
    org_id: &str,
    now_ms: i64,
) -> Result<Plan, sqlx::Error> {
    let today = day_of_ms(now_ms);
    let recent_from = today - 1;
    let rows = sqlx::query(
        "SELECT org_id, content_id, step_id,
                CAST(SUM(CASE WHEN start_day >= $1 THEN views ELSE 0 END) AS BIGINT),
                CAST(SUM(CASE WHEN start_day >= $1 THEN not_found ELSE 0 END) AS BIGINT),
                CAST(SUM(CASE WHEN start_day < $1 THEN views ELSE 0 END) AS BIGINT),
                CAST(SUM(CASE WHEN start_day < $1 THEN not_found ELSE 0 END) AS BIGINT)
         FROM step_totals
         WHERE org_id = $4 AND grain = 1 AND start_day >= $2 AND start_day <= $3 AND step_id <> ''
         GROUP BY org_id, content_id, step_id",
    )
    .bind(recent_from)
    .bind(recent_from - 7)
    .bind(today)
    .bind(org_id)
    .fetch_all(&mut *conn)
    .await?;
    let figures: Vec<Figures> = rows
        .iter()
        .map(|r| {
            Ok((
                r.try_get(0)?,
                r.try_get(1)?,
                r.try_get(2)?,
                r.try_get(3)?,
                r.try_get(4)?,
                r.try_get(5)?,
                r.try_get(6)?,
            ))
        })
        .collect::<Result<_, sqlx::Error>>()?;
    let open = sqlx::query(
        "SELECT id, org_id, content_id, step_id, recent_views, recent_not_found FROM step_alerts WHERE org_id = $1 AND closed_at IS NULL",
    )
    .bind(org_id)
    .fetch_all(&mut *conn)
    .await?;
    let mut plan = Plan::default();
    let mut open_keys = std::collections::HashSet::new();
    for r in &open {
        let (id, org, content, step): (String, String, String, String) =
            (r.try_get(0)?, r.try_get(1)?, r.try_get(2)?, r.try_get(3)?);
        let (rv, rn): (i64, i64) = (r.try_get(4)?, r.try_get(5)?);
        let opened_rate = if rv > 0 { rn as f64 / rv as f64 } else { 0.0 };
        let now = figures
            .iter()
            .find(|f| f.0 == org && f.1 == content && f.2 == step);
        let (v, n, bv, bn) = now.map_or((0, 0, 0, 0), |f| (f.3, f.4, f.5, f.6));
        if closes(v, n, opened_rate, bv, bn) {
            plan.close.push(id);
        } else {
            open_keys.insert((org, content, step));
        }
    }
    plan.open = figures
        .into_iter()
        .filter(|(org, content, step, v, n, bv, bn)| {
            !open_keys.contains(&(org.clone(), content.clone(), step.clone()))
                && opens(*v, *n, *bv, *bn)
        })
        .collect();
    Ok(plan)
}

/// Writes a plan: closes alerts, records new ones (once per episode, by the unique index on open
/// alerts, so a plan made from figures that moved since is harmless) and queues their deliveries.
pub async fn apply(
    tx: &mut Transaction<'_, Any>,
    plan: Plan,
    now_ms: i64,
) -> Result<(), sqlx::Error> {
    for id in plan.close {
        sqlx::query("UPDATE step_alerts SET closed_at = $1 WHERE id = $2 AND closed_at IS NULL")
            .bind(now_ms)
            .bind(&id)
            .execute(&mut **tx)
            .await?;
    }
    for (org, content, step, v, n, bv, bn) in plan.open {
        let id = new_id();
        let inserted = sqlx::query(
            "INSERT INTO step_alerts (id, org_id, content_id, step_id, opened_at, recent_views, recent_not_found, baseline_views, baseline_not_found)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
             ON CONFLICT (org_id, content_id, step_id) WHERE closed_at IS NULL DO NOTHING",
        )
        .bind(&id)
        .bind(&org)
        .bind(&content)
        .bind(&step)
        .bind(now_ms)
        .bind(v)
        .bind(n)
        .bind(bv)
        .bind(bn)
        .execute(&mut **tx)
        .await?
        .rows_affected();
        if inserted == 0 {
            continue;
        }
        METRICS.step_alerts.inc();
        tracing::warn!(org = %org, tour = %content, step = %step, recent_views = v, recent_not_found = n, "broken step");
        let title: Option<String> =
            sqlx::query_scalar("SELECT title FROM content WHERE org_id = $1 AND id = $2")
                .bind(&org)
                .bind(&content)
                .fetch_optional(&mut **tx)
                .await?;
        let payload = json!({
            "alert_id": id, "tour_id": content, "tour_title": title, "step_id": step,
            "recent_views": v, "recent_not_found": n, "baseline_views": bv, "baseline_not_found": bn,
            "opened_at": now_ms,
        })
        .to_string();
        let hooks: Vec<String> = sqlx::query(
            "SELECT id FROM integrations WHERE org_id = $1 AND enabled = 1 AND kind = 'webhook'",
        )
        .bind(&org)
        .fetch_all(&mut **tx)
        .await?
        .iter()
        .map(|r| r.try_get(0))
        .collect::<Result<_, _>>()?;
        for hook in hooks {
            // The outbox's subject column holds the alert id for this event.
            sqlx::query(
                "INSERT INTO outbox (id, org_id, integration_id, ticket_id, event, payload, status, attempts, next_attempt_at, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, 'pending', 0, $7, $7)",
            )
            .bind(new_id())
            .bind(&org)
            .bind(&hook)
            .bind(&id)
            .bind(EVENT)
            .bind(&payload)
            .bind(now_ms)
            .execute(&mut **tx)
            .await?;
        }
        sqlx::query("UPDATE step_alerts SET notified_at = $1 WHERE id = $2")
            .bind(now_ms)
            .bind(&id)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// The signed webhook request of an alert delivery (same headers and signature as ticket webhooks).
pub fn webhook_request(
    config: &serde_json::Value,
    secret: &str,
    payload: &str,
    delivery_id: &str,
    now_secs: i64,
) -> Outgoing {
    let alert: serde_json::Value = serde_json::from_str(payload).unwrap_or_default();
    let body = json!({ "event": EVENT, "delivery_id": delivery_id, "alert": alert }).to_string();
    Outgoing {
        url: config["url"].as_str().unwrap_or_default().to_string(),
        headers: vec![
            ("content-type".into(), "application/json".into()),
            ("x-cairn-event".into(), EVENT.into()),
            ("x-cairn-delivery".into(), delivery_id.into()),
            (
                "x-cairn-signature".into(),
                signature(secret, now_secs, &body),
            ),
        ],
        body,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rule() {
        // Too few views to say anything.
        assert!(!opens(49, 49, 1000, 0));
        // 40 % against 1 %: broken.
        assert!(opens(100, 40, 700, 7));
        // 12 % against a usual 5 %: not a jump.
        assert!(!opens(100, 12, 700, 35));
        // 8 %: under the floor however calm the baseline.
        assert!(!opens(100, 8, 700, 0));
        // A new step without baseline that fails a third of the time.
        assert!(opens(60, 20, 0, 0));
        // Fixed: from 40 % to 2 %.
        assert!(closes(100, 2, 0.4, 700, 7));
        // Still 30 %: the episode goes on.
        assert!(!closes(100, 30, 0.4, 700, 7));
    }
}
