//! Help-desk tickets filed from the overlay, numbered per organisation.

use cairn_shared::tickets::{StepContext, TicketStatus};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::db::{Db, new_id, now_ms};
use crate::error::ApiError;

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
}

macro_rules! ticket_select {
    () => {
        "SELECT t.id, t.number, t.status, t.message, t.app_id, a.name, t.context, t.created_at
     FROM tickets t JOIN apps a ON a.id = t.app_id"
    };
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
    })
}

/// Files a ticket with the next number of the organisation. Two concurrent filings may pick the same
/// number; the unique constraint refuses the second, which then takes the next one.
pub async fn create(
    db: &Db,
    org_id: &str,
    app_id: &str,
    message: &str,
    context: &StepContext,
) -> Result<(String, i64), ApiError> {
    let id = new_id();
    let context_json = serde_json::to_string(context)?;
    let now = now_ms();
    let mut last_err = None;
    for _ in 0..5 {
        let res = sqlx::query(
            "INSERT INTO tickets (id, org_id, app_id, number, status, message, context, tour_id, step_id, created_at, updated_at)
             SELECT $1, $2, $3, COALESCE(MAX(number), 0) + 1, $4, $5, $6, $7, $8, $9, $9 FROM tickets WHERE org_id = $2",
        )
        .bind(&id)
        .bind(org_id)
        .bind(app_id)
        .bind(TicketStatus::New.as_str())
        .bind(message)
        .bind(&context_json)
        .bind(context.tour_id.as_deref())
        .bind(context.step_id.as_deref())
        .bind(now)
        .execute(&db.pool)
        .await;
        match res {
            Ok(_) => {
                let number: i64 = sqlx::query("SELECT number FROM tickets WHERE id = $1")
                    .bind(&id)
                    .fetch_one(&db.pool)
                    .await?
                    .try_get(0)?;
                return Ok((id, number));
            }
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => last_err = Some(e),
            Err(e) => return Err(e.into()),
        }
    }
    Err(ApiError::Internal(anyhow::anyhow!(
        "could not number the ticket: {last_err:?}"
    )))
}

pub async fn list(db: &Db, org_id: &str) -> Result<Vec<TicketRow>, ApiError> {
    let rows = sqlx::query(concat!(
        ticket_select!(),
        " WHERE t.org_id = $1 ORDER BY t.number DESC"
    ))
    .bind(org_id)
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
