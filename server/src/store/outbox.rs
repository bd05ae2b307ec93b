//! Integrations and their outbox: deliveries written in the ticket's transaction, claimed by one
//! worker at a time through a lease (`locked_until`), so several instances never deliver one row twice.

use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};

use crate::db::{Db, new_id};
use crate::error::ApiError;
use crate::integrations::Kind;

#[derive(Debug, Clone)]
pub struct Integration {
    pub id: String,
    pub org_id: String,
    pub kind: Kind,
    pub name: String,
    pub config: serde_json::Value,
    pub secret: String,
    pub enabled: bool,
    pub created_at: i64,
}

fn integration(r: &AnyRow) -> Result<Integration, ApiError> {
    let kind: String = r.try_get(2)?;
    let config: String = r.try_get(4)?;
    Ok(Integration {
        id: r.try_get(0)?,
        org_id: r.try_get(1)?,
        kind: Kind::parse(&kind).ok_or_else(|| {
            ApiError::Internal(anyhow::anyhow!("unknown integration kind {kind}"))
        })?,
        name: r.try_get(3)?,
        config: serde_json::from_str(&config)?,
        secret: r.try_get(5)?,
        enabled: r.try_get::<i64, _>(6)? != 0,
        created_at: r.try_get(7)?,
    })
}

macro_rules! integration_columns {
    () => {
        "id, org_id, kind, name, config, secret, enabled, created_at"
    };
}

pub async fn create_integration(db: &Db, i: &Integration) -> Result<(), ApiError> {
    sqlx::query(
        "INSERT INTO integrations (id, org_id, kind, name, config, secret, enabled, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(&i.id)
    .bind(&i.org_id)
    .bind(i.kind.as_str())
    .bind(&i.name)
    .bind(i.config.to_string())
    .bind(&i.secret)
    .bind(i64::from(i.enabled))
    .bind(i.created_at)
    .execute(&db.pool)
    .await?;
    Ok(())
}

pub async fn list_integrations(db: &Db, org_id: &str) -> Result<Vec<Integration>, ApiError> {
    let rows = sqlx::query(concat!(
        "SELECT ",
        integration_columns!(),
        " FROM integrations WHERE org_id = $1 ORDER BY created_at"
    ))
    .bind(org_id)
    .fetch_all(&db.pool)
    .await?;
    rows.iter().map(integration).collect()
}

pub async fn get_integration(
    db: &Db,
    org_id: &str,
    id: &str,
) -> Result<Option<Integration>, ApiError> {
    let row = sqlx::query(concat!(
        "SELECT ",
        integration_columns!(),
        " FROM integrations WHERE org_id = $1 AND id = $2"
    ))
    .bind(org_id)
    .bind(id)
    .fetch_optional(&db.pool)
    .await?;
    row.as_ref().map(integration).transpose()
}

pub async fn set_enabled(db: &Db, org_id: &str, id: &str, enabled: bool) -> Result<bool, ApiError> {
    let res = sqlx::query("UPDATE integrations SET enabled = $1 WHERE org_id = $2 AND id = $3")
        .bind(i64::from(enabled))
        .bind(org_id)
        .bind(id)
        .execute(&db.pool)
        .await?;
    Ok(res.rows_affected() == 1)
}

/// Queues a delivery to every enabled integration of the organisation, inside the caller's transaction.
pub async fn enqueue(
    tx: &mut Transaction<'_, Any>,
    org_id: &str,
    ticket_id: &str,
    event: &str,
    payload: &str,
    now: i64,
) -> Result<u64, ApiError> {
    let ids: Vec<String> =
        sqlx::query("SELECT id FROM integrations WHERE org_id = $1 AND enabled = 1")
            .bind(org_id)
            .fetch_all(&mut **tx)
            .await?
            .iter()
            .map(|r| r.try_get(0))
            .collect::<Result<_, _>>()?;
    for integration_id in &ids {
        sqlx::query(
            "INSERT INTO outbox (id, org_id, integration_id, ticket_id, event, payload, status, attempts, next_attempt_at, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, 'pending', 0, $7, $7)",
        )
        .bind(new_id())
        .bind(org_id)
        .bind(integration_id)
        .bind(ticket_id)
        .bind(event)
        .bind(payload)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    }
    Ok(ids.len() as u64)
}

#[derive(Debug, Clone)]
pub struct Delivery {
    pub id: String,
    pub org_id: String,
    pub integration_id: String,
    pub ticket_id: String,
    pub event: String,
    pub payload: String,
    pub status: String,
    pub attempts: i64,
    pub next_attempt_at: i64,
    pub last_status: Option<i64>,
    pub last_error: Option<String>,
    pub external_id: Option<String>,
    pub external_url: Option<String>,
    pub created_at: i64,
    pub delivered_at: Option<i64>,
}

macro_rules! delivery_columns {
    () => {
        "id, org_id, integration_id, ticket_id, event, payload, status, attempts, next_attempt_at, last_status,
         last_error, external_id, external_url, created_at, delivered_at"
    };
}

fn delivery(r: &AnyRow) -> Result<Delivery, ApiError> {
    Ok(Delivery {
        id: r.try_get(0)?,
        org_id: r.try_get(1)?,
        integration_id: r.try_get(2)?,
        ticket_id: r.try_get(3)?,
        event: r.try_get(4)?,
        payload: r.try_get(5)?,
        status: r.try_get(6)?,
        attempts: r.try_get(7)?,
        next_attempt_at: r.try_get(8)?,
        last_status: r.try_get(9)?,
        last_error: r.try_get(10)?,
        external_id: r.try_get(11)?,
        external_url: r.try_get(12)?,
        created_at: r.try_get(13)?,
        delivered_at: r.try_get(14)?,
    })
}

/// Leases up to `limit` due deliveries for `lease_ms`. The lease condition is repeated in the outer
/// WHERE so that of two instances racing for a row, the second finds it taken.
///
/// A read on `outbox_due` comes first: the UPDATE takes SQLite's single write lock even when it
/// matches nothing, and an idle worker ticking every second would queue ingestion, publishes and
/// tickets behind it for nothing.
pub async fn claim_due(
    db: &Db,
    now: i64,
    lease_ms: i64,
    limit: i64,
) -> Result<Vec<Delivery>, ApiError> {
    let due: Option<i64> = sqlx::query_scalar(
        "SELECT 1 FROM outbox WHERE status = 'pending' AND next_attempt_at <= $1
           AND (locked_until IS NULL OR locked_until < $1) LIMIT 1",
    )
    .bind(now)
    .fetch_optional(&db.pool)
    .await?;
    if due.is_none() {
        return Ok(Vec::new());
    }
    let rows = sqlx::query(concat!(
        "UPDATE outbox SET locked_until = $1
         WHERE id IN (SELECT id FROM outbox WHERE status = 'pending' AND next_attempt_at <= $2
                        AND (locked_until IS NULL OR locked_until < $2) ORDER BY next_attempt_at LIMIT $3)
           AND status = 'pending' AND (locked_until IS NULL OR locked_until < $2)
         RETURNING ",
        delivery_columns!()
    ))
    .bind(now + lease_ms)
    .bind(now)
    .bind(limit)
    .fetch_all(&db.pool)
    .await?;
    rows.iter().map(delivery).collect()
}

pub async fn mark_delivered(
    db: &Db,
    id: &str,
    status: i64,
    external_id: Option<&str>,
    external_url: Option<&str>,
    now: i64,
) -> Result<(), ApiError> {
    sqlx::query(
        "UPDATE outbox SET status = 'delivered', attempts = attempts + 1, last_status = $1, last_error = NULL,
                external_id = $2, external_url = $3, delivered_at = $4, locked_until = NULL WHERE id = $5",
    )
    .bind(status)
    .bind(external_id)
    .bind(external_url)
    .bind(now)
    .bind(id)
    .execute(&db.pool)
    .await?;
    Ok(())
}

/// Records a failed attempt: retry at `next_attempt_at`, or `dead` when `dead` is set.
pub async fn mark_failed(
    db: &Db,
    id: &str,
    status: Option<i64>,
    error: &str,
    next_attempt_at: i64,
    dead: bool,
) -> Result<(), ApiError> {
    sqlx::query(
        "UPDATE outbox SET status = $1, attempts = attempts + 1, last_status = $2, last_error = $3,
                next_attempt_at = $4, locked_until = NULL WHERE id = $5",
    )
    .bind(if dead { "dead" } else { "pending" })
    .bind(status)
    .bind(error)
    .bind(next_attempt_at)
    .bind(id)
    .execute(&db.pool)
    .await?;
    Ok(())
}

/// The organisation's deliveries, newest first (optionally of one ticket).
pub async fn deliveries(
    db: &Db,
    org_id: &str,
    ticket_id: Option<&str>,
    limit: i64,
) -> Result<Vec<Delivery>, ApiError> {
    let rows = sqlx::query(concat!(
        "SELECT ",
        delivery_columns!(),
        " FROM outbox WHERE org_id = $1 AND ($2 IS NULL OR ticket_id = $2) ORDER BY created_at DESC, id LIMIT $3"
    ))
    .bind(org_id)
    .bind(ticket_id)
    .bind(limit)
    .fetch_all(&db.pool)
    .await?;
    rows.iter().map(delivery).collect()
}

/// Puts a dead delivery back in the queue.
pub async fn retry(db: &Db, org_id: &str, id: &str, now: i64) -> Result<bool, ApiError> {
    let res = sqlx::query(
        "UPDATE outbox SET status = 'pending', next_attempt_at = $1, locked_until = NULL WHERE org_id = $2 AND id = $3 AND status = 'dead'",
    )
    .bind(now)
    .bind(org_id)
    .bind(id)
    .execute(&db.pool)
    .await?;
    Ok(res.rows_affected() == 1)
}
