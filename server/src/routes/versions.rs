//! A tour's version history: list, read one, diff two, roll back to one (the bodies are
//! [`super::documents`]'s, shared with tooltips and checklists).

use actix_web::{get, post, web};
use cairn_shared::api::{Change, Published, RollbackRequest, TourVersion, VersionView};
use cairn_shared::content::Tour;
use serde::Deserialize;
use utoipa::IntoParams;

use super::documents;
use crate::auth::CurrentUser;
use crate::error::ApiError;
use crate::startup::AppState;

/// Published versions, newest first.
#[utoipa::path(tag = "tours", responses((status = 200, body = [VersionView]), (status = 404, body = cairn_shared::api::ErrorBody)))]
#[get("/tours/{id}/versions")]
pub async fn list_versions(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<String>,
) -> Result<web::Json<Vec<VersionView>>, ApiError> {
    Ok(web::Json(
        documents::versions::<Tour>(&state, &user, &id).await?,
    ))
}

/// One published version with its document.
#[utoipa::path(tag = "tours", responses((status = 200, body = TourVersion), (status = 404, body = cairn_shared::api::ErrorBody)))]
#[get("/tours/{id}/versions/{version}")]
pub async fn get_version(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<(String, u32)>,
) -> Result<web::Json<TourVersion>, ApiError> {
    let (id, v) = path.into_inner();
    Ok(web::Json(
        documents::version::<Tour>(&state, &user, &id, v).await?,
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct DiffQuery {
    /// The older version.
    pub from: u32,
    /// The newer version; the current draft when omitted.
    pub to: Option<u32>,
}

/// What changed between two versions (or a version and the draft), by JSON pointer.
#[utoipa::path(tag = "tours", params(DiffQuery), responses((status = 200, body = [Change]), (status = 404, body = cairn_shared::api::ErrorBody)))]
#[get("/tours/{id}/diff")]
pub async fn diff(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<String>,
    query: web::Query<DiffQuery>,
) -> Result<web::Json<Vec<Change>>, ApiError> {
    Ok(web::Json(
        documents::diff::<Tour>(&state, &user, &id, query.from, query.to).await?,
    ))
}

/// Publishes an older version's document again, as a new version (history is never rewritten). The
/// draft becomes that document too.
#[utoipa::path(tag = "tours", request_body = RollbackRequest, responses((status = 200, body = Published), (status = 404, body = cairn_shared::api::ErrorBody)))]
#[post("/tours/{id}/rollback")]
pub async fn rollback(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<String>,
    body: web::Json<RollbackRequest>,
) -> Result<web::Json<Published>, ApiError> {
    Ok(web::Json(
        documents::rollback::<Tour>(&state, &user, &id, body.version).await?,
    ))
}
