//! The organisation's users, read-only: the editor's owner picker for tickets.

use actix_web::{get, web};
use cairn_shared::users::UserView;

use crate::auth::CurrentUser;
use crate::error::ApiError;
use crate::roles::Permission;
use crate::startup::AppState;
use crate::store;

/// Everyone in the caller's organisation, by email, with whether they may own tickets.
#[utoipa::path(tag = "users", responses((status = 200, body = [UserView]), (status = 401, body = cairn_shared::api::ErrorBody),
    (status = 403, body = cairn_shared::api::ErrorBody)))]
#[get("/users")]
pub async fn list_users(
    state: web::Data<AppState>,
    user: CurrentUser,
) -> Result<web::Json<Vec<UserView>>, ApiError> {
    user.require(Permission::ReadTickets)?;
    let rows = store::users::list(&state.db, &user.org_id).await?;
    Ok(web::Json(
        rows.into_iter()
            .map(|(id, email, role)| UserView {
                id,
                email,
                role: role.as_str().to_string(),
                can_work_tickets: role.allows(Permission::WorkTickets),
            })
            .collect(),
    ))
}
