//! Applications the overlay is installed in, with the snippet to paste.

use actix_web::{get, web};
use cairn_shared::api::AppView;

use crate::auth::CurrentUser;
use crate::error::ApiError;
use crate::roles::Permission;
use crate::startup::AppState;
use crate::store;

pub fn snippet(public_url: &str, key: &str) -> String {
    format!(r#"<script src="{public_url}/overlay/cairn.js" data-app-key="{key}" async></script>"#)
}

/// The organisation's applications.
#[utoipa::path(tag = "apps", responses((status = 200, body = [AppView]), (status = 401, body = cairn_shared::api::ErrorBody)))]
#[get("/apps")]
pub async fn list_apps(
    state: web::Data<AppState>,
    user: CurrentUser,
) -> Result<web::Json<Vec<AppView>>, ApiError> {
    user.require(Permission::ReadApps)?;
    let apps = store::apps::list(&state.db, &user.org_id).await?;
    Ok(web::Json(
        apps.into_iter()
            .map(|a| AppView {
                snippet: snippet(&state.public_url, &a.public_key),
                id: a.id,
                name: a.name,
                public_key: a.public_key,
                allowed_origins: a.allowed_origins,
            })
            .collect(),
    ))
}
