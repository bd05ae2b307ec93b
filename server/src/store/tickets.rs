//! Help-desk tickets filed from the overlay, numbered per organisation, with their entries (the
//! conversation and the audit trail).

use cairn_shared::api::TicketEntry;
use cairn_shared::helpdesk::{Impact, Urgency, default_sla, priority};
use cairn_shared::tickets::{StepContext, TicketStatus};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::db::{Db, new_id};
use crate::error::ApiError;
use crate::integrations::IncidentPayload;
use crate::store::outbox;

#[derive(Debug, Clone)]
pub struct TicketRow {
    pub id: String,
    pub number: i64,
    pub status: TicketStatus,
    pub message: String,
    pub app_id: String,
    pub app_name: String,
    pub context: StepContext,
    pub created_at: i64,
    pub category: Option<String>,
    pub impact: Impact,
    pub urgency: Urgency,
    pub priority: u8,
    pub owner: Option<String>,
    pub tier: u8,
    pub first_response_due: i64,
    pub resolution_due: i64,
    pub first_responded_at: Option<i64>,
    pub resolved_at: Option<i64>,
    pub requester_id: Option<String>,
}

macro_rules! ticket_select {
    () => {
        "SELECT t.id, t.number, t.status, t.message, t.app_id, a.name, t.context, t.created_at,
                t.category, t.impact, t.urgency, t.priority, u.email, t.tier, t.first_response_due,
                t.resolution_due, t.first_responded_at, t.resolved_at, t.requester_id
         FROM tickets t JOIN apps a ON a.id = t.app_id LEFT JOIN users u ON u.id = t.owner_id"
    };
}

fn parse_enum<T: serde::de::DeserializeOwned + Default>(s: &str) -> T {
    serde_json::from_value(serde_json::Value::String(s.to_string())).unwrap_or_default()
}

pub fn enum_str<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

fn from_row(r: &AnyRow) -> Result<TicketRow, ApiError> {
    let status: String = r.try_get(2)?;
    let context: String = r.try_get(6)?;
    Ok(TicketRow {
        id: r.try_get(0)?,
        number: r.try_get(1)?,
        status: TicketStatus::parse(&status).unwrap_or(TicketStatus::New),
        message: r.try_get(3)?,
        app_id: r.try_get(4)?,
        app_name: r.try_get(5)?,
        context: serde_json::from_str(&context)?,
        created_at: r.try_get(7)?,
        category: r.try_get(8)?,
        impact: parse_enum(&r.try_get::<String, _>(9)?),
        urgency: parse_enum(&r.try_get::<String, _>(10)?),
        priority: u8::try_from(r.try_get::<i64, _>(11)?).unwrap_or(4),
        owner: r.try_get(12)?,
        tier: u8::try_from(r.try_get::<i64, _>(13)?).unwrap_or(1),
        first_response_due: r.try_get(14)?,
        resolution_due: r.try_get(15)?,
        first_responded_at: r.try_get(16)?,
        resolved_at: r.try_get(17)?,
        requester_id: r.try_get(18)?,
    })
}

/// What a new ticket carries.
pub struct NewTicket<'a> {
    pub message: &'a str,
    pub context: &'a StepContext,
    pub category: Option<&'a str>,
    pub impact: Impact,
    pub urgency: Urgency,
    /// The verified identity that filed it, if any.
    pub requester_id: Option<&'a str>,
}

/// Files a ticket with the next number of the organisation, its priority and SLA due times, and, in
/// the same transaction, queues its delivery to every enabled integration (the transactional
/// outbox: a ticket never exists without its deliveries, nor a delivery without its ticket). Two
/// concurrent filings may pick the same number; the unique constraint refuses the second, which then
/// takes the next one.
pub async fn create(
    db: &Db,
    org_id: &str,
    app: (&str, &str),
    t: &NewTicket<'_>,
    public_url: &str,
    now: i64,
) -> Result<(String, i64), ApiError> {
    let (app_id, app_name) = app;
    let context_json = serde_json::to_string(t.context)?;
    let prio = priority(t.impact, t.urgency);
    let sla = default_sla(prio);
    let mut last_err = None;
    for _ in 0..5 {
        let id = new_id();
        let mut tx = db.begin_write().await?;
        let res = sqlx::query(
            "INSERT INTO tickets (id, org_id, app_id, number, status, message, context, tour_id, step_id, created_at, updated_at,
                                  category, impact, urgency, priority, tier, first_response_due, resolution_due, requester_id)
             SELECT $1, $2, $3, COALESCE(MAX(number), 0) + 1, $4, $5, $6, $7, $8, $9, $9, $10, $11, $12, $13, 1, $14, $15, $16
             FROM tickets WHERE org_id = $2",
        )
        .bind(&id)
        .bind(org_id)
        .bind(app_id)
        .bind(TicketStatus::New.as_str())
        .bind(t.message)
        .bind(&context_json)
        .bind(t.context.tour_id.as_deref())
        .bind(t.context.step_id.as_deref())
        .bind(now)
        .bind(t.category)
        .bind(enum_str(&t.impact))
        .bind(enum_str(&t.urgency))
        .bind(i64::from(prio))
        .bind(now + i64::from(sla.first_response_minutes) * 60_000)
        .bind(now + i64::from(sla.resolution_minutes) * 60_000)
        .bind(t.requester_id)
        .execute(&mut *tx)
        .await;
        match res {
            Ok(_) => {
                let number: i64 = sqlx::query("SELECT number FROM tickets WHERE id = $1")
                    .bind(&id)
                    .fetch_one(&mut *tx)
                    .await?
                    .try_get(0)?;
                sqlx::query(
                    "INSERT INTO ticket_entries (id, ticket_id, org_id, kind, author, body, internal, created_at)
                     VALUES ($1, $2, $3, 'created', NULL, 'Filed from the overlay', 1, $4)",
                )
                .bind(new_id())
                .bind(&id)
                .bind(org_id)
                .bind(now)
                .execute(&mut *tx)
                .await?;
                let payload = IncidentPayload {
                    ticket_id: id.clone(),
                    number,
                    message: t.message.to_string(),
                    priority: prio,
                    category: t.category.map(str::to_string),
                    app_name: app_name.to_string(),
                    context: t.context.clone(),
                    link: format!("{public_url}/editor/#/tickets/{id}"),
                };
                outbox::enqueue(
                    &mut tx,
                    org_id,
                    &id,
                    "ticket.created",
                    &serde_json::to_string(&payload)?,
                    now,
                )
                .await?;
                tx.commit().await?;
                return Ok((id, number));
            }
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                last_err = Some(e);
                tx.rollback().await?;
            }
            Err(e) => return Err(e.into()),
        }
    }
    Err(ApiError::Internal(anyhow::anyhow!(
        "could not number the ticket: {last_err:?}"
    )))
}

/// Filters of the queue (all optional).
#[derive(Debug, Default)]
pub struct Filter {
    pub status: Option<TicketStatus>,
    pub priority: Option<u8>,
    pub tier: Option<u8>,
    pub owner_email: Option<String>,
    pub requester_id: Option<String>,
}

pub async fn list(db: &Db, org_id: &str, f: &Filter) -> Result<Vec<TicketRow>, ApiError> {
    // Optional filters as `($n IS NULL OR col = $n)`: one literal query, every value bound.
    let rows = sqlx::query(concat!(
        ticket_select!(),
        " WHERE t.org_id = $1 AND ($2 IS NULL OR t.status = $2) AND ($3 IS NULL OR t.priority = $3)
           AND ($4 IS NULL OR t.tier = $4) AND ($5 IS NULL OR u.email = $5) AND ($6 IS NULL OR t.requester_id = $6)
         ORDER BY t.number DESC"
    ))
    .bind(org_id)
    .bind(f.status.map(|s| s.as_str()))
    .bind(f.priority.map(i64::from))
    .bind(f.tier.map(i64::from))
    .bind(f.owner_email.as_deref())
    .bind(f.requester_id.as_deref())
    .fetch_all(&db.pool)
    .await?;
    rows.iter().map(from_row).collect()
}

pub async fn get(db: &Db, org_id: &str, id: &str) -> Result<Option<TicketRow>, ApiError> {
    let row = sqlx::query(concat!(
        ticket_select!(),
        " WHERE t.org_id = $1 AND t.id = $2"
    ))
    .bind(org_id)
    .bind(id)
    .fetch_optional(&db.pool)
    .await?;
    row.as_ref().map(from_row).transpose()
}

/// Tickets per step of one tour.
pub async fn counts_by_step(
    db: &Db,
    org_id: &str,
    tour_id: &str,
) -> Result<Vec<(String, i64)>, ApiError> {
    let rows = sqlx::query(
        "SELECT step_id, COUNT(*) FROM tickets WHERE org_id = $1 AND tour_id = $2 AND step_id IS NOT NULL GROUP BY step_id",
    )
    .bind(org_id)
    .bind(tour_id)
    .fetch_all(&db.pool)
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
        .collect()
}

#[allow(clippy::too_many_arguments)]
pub async fn add_entry(
    db: &Db,
    org_id: &str,
    ticket_id: &str,
    kind: &str,
    author_id: Option<&str>,
    body: &str,
    internal: bool,
    now: i64,
) -> Result<String, ApiError> {
    let id = new_id();
    sqlx::query(
        "INSERT INTO ticket_entries (id, ticket_id, org_id, kind, author, body, internal, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(&id)
    .bind(ticket_id)
    .bind(org_id)
    .bind(kind)
    .bind(author_id)
    .bind(body)
    .bind(i64::from(internal))
    .bind(now)
    .execute(&db.pool)
    .await?;
    sqlx::query("UPDATE tickets SET updated_at = $1 WHERE id = $2 AND org_id = $3")
        .bind(now)
        .bind(ticket_id)
        .bind(org_id)
        .execute(&db.pool)
        .await?;
    Ok(id)
}

pub async fn entries(
    db: &Db,
    org_id: &str,
    ticket_id: &str,
    public_only: bool,
) -> Result<Vec<TicketEntry>, ApiError> {
    let rows = sqlx::query(
        "SELECT e.id, e.kind, u.email, e.body, e.internal, e.created_at FROM ticket_entries e
         LEFT JOIN users u ON u.id = e.author
         WHERE e.org_id = $1 AND e.ticket_id = $2 AND ($3 = 0 OR e.internal = 0) ORDER BY e.created_at, e.id",
    )
    .bind(org_id)
    .bind(ticket_id)
    .bind(i64::from(public_only))
    .fetch_all(&db.pool)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(TicketEntry {
                id: r.try_get(0)?,
                kind: r.try_get(1)?,
                author: r.try_get(2)?,
                body: r.try_get(3)?,
                internal: r.try_get::<i64, _>(4)? != 0,
                created_at: r.try_get(5)?,
            })
        })
        .collect()
}

/// Field changes of one ticket; `None` leaves a field as it is.
#[derive(Debug, Default)]
pub struct Change {
    pub status: Option<TicketStatus>,
    /// `Some(None)` unassigns.
    pub owner_id: Option<Option<String>>,
    pub priority: Option<u8>,
    pub category: Option<String>,
    pub tier: Option<u8>,
    pub first_responded_at: Option<i64>,
    /// `Some(None)` clears (reopen).
    pub resolved_at: Option<Option<i64>>,
}

pub async fn apply(db: &Db, org_id: &str, id: &str, c: &Change, now: i64) -> Result<(), ApiError> {
    // COALESCE keeps a column when its parameter is NULL; the flags tell "set to NULL" apart.
    sqlx::query(
        "UPDATE tickets SET
            status = COALESCE($1, status),
            owner_id = CASE WHEN $2 = 1 THEN $3 ELSE owner_id END,
            priority = COALESCE($4, priority),
            category = COALESCE($5, category),
            tier = COALESCE($6, tier),
            first_responded_at = COALESCE(first_responded_at, $7),
            resolved_at = CASE WHEN $8 = 1 THEN $9 ELSE resolved_at END,
            updated_at = $10
         WHERE org_id = $11 AND id = $12",
    )
    .bind(c.status.map(|s| s.as_str()))
    .bind(i64::from(c.owner_id.is_some()))
    .bind(c.owner_id.clone().flatten())
    .bind(c.priority.map(i64::from))
    .bind(c.category.as_deref())
    .bind(c.tier.map(i64::from))
    .bind(c.first_responded_at)
    .bind(i64::from(c.resolved_at.is_some()))
    .bind(c.resolved_at.flatten())
    .bind(now)
    .bind(org_id)
    .bind(id)
    .execute(&db.pool)
    .await?;
    Ok(())
}
