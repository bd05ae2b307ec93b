//! The help-desk queue: tickets filed from "Still stuck?", with their step context.

use actix_web::{get, web};
use cairn_shared::api::TicketView;

use crate::auth::CurrentUser;
use crate::error::ApiError;
use crate::roles::Permission;
use crate::startup::AppState;
use crate::store::{self, tickets::TicketRow};

fn view(t: TicketRow) -> TicketView {
    TicketView {
        id: t.id,
        number: t.number,
        status: t.status,
        message: t.message,
        app_id: t.app_id,
        app_name: t.app_name,
        context: t.context,
        created_at: t.created_at,
    }
}

/// The organisation's tickets, newest first.
#[utoipa::path(tag = "tickets", responses((status = 200, body = [TicketView]), (status = 401, body = cairn_shared::api::ErrorBody)))]
#[get("/tickets")]
pub async fn list_tickets(
    state: web::Data<AppState>,
    user: CurrentUser,
) -> Result<web::Json<Vec<TicketView>>, ApiError> {
    user.require(Permission::ReadTickets)?;
    let rows = store::tickets::list(&state.db, &user.org_id).await?;
    Ok(web::Json(rows.into_iter().map(view).collect()))
}

/// One ticket with its full context.
#[utoipa::path(tag = "tickets", responses((status = 200, body = TicketView), (status = 404, body = cairn_shared::api::ErrorBody)))]
#[get("/tickets/{id}")]
pub async fn get_ticket(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<String>,
) -> Result<web::Json<TicketView>, ApiError> {
    user.require(Permission::ReadTickets)?;
    let row = store::tickets::get(&state.db, &user.org_id, &id)
        .await?
        .ok_or(ApiError::NotFound("ticket"))?;
    Ok(web::Json(view(row)))
}
