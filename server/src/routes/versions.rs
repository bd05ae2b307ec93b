//! A tour's version history: list, read one, diff two, roll back to one.

use actix_web::{get, post, web};
use cairn_shared::api::{Change, Published, RollbackRequest, TourVersion, VersionView};
use cairn_shared::content::{ContentKind, Tour};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::auth::CurrentUser;
use crate::error::ApiError;
use crate::roles::Permission;
use crate::startup::AppState;
use crate::store;

fn to_u32(v: i64) -> u32 {
    u32::try_from(v).unwrap_or(u32::MAX)
}

/// Published versions, newest first.
#[utoipa::path(tag = "tours", responses((status = 200, body = [VersionView]), (status = 404, body = cairn_shared::api::ErrorBody)))]
#[get("/tours/{id}/versions")]
pub async fn list_versions(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<String>,
) -> Result<web::Json<Vec<VersionView>>, ApiError> {
    user.require(Permission::ReadContent)?;
    let rows = store::content::versions(&state.db, &user.org_id, ContentKind::Tour, &id)
        .await?
        .ok_or(ApiError::NotFound("tour"))?;
    Ok(web::Json(
        rows.into_iter()
            .map(|v| VersionView {
                version: to_u32(v.version),
                message: v.message,
                published_by: v.published_by,
                published_at: v.published_at,
            })
            .collect(),
    ))
}

async fn version(
    state: &AppState,
    user: &CurrentUser,
    id: &str,
    version: u32,
) -> Result<TourVersion, ApiError> {
    let rows = store::content::versions(&state.db, &user.org_id, ContentKind::Tour, id)
        .await?
        .ok_or(ApiError::NotFound("tour"))?;
    let meta = rows
        .into_iter()
        .find(|v| v.version == i64::from(version))
        .ok_or(ApiError::NotFound("version"))?;
    let doc = store::content::version_document(&state.db, &user.org_id, id, meta.version)
        .await?
        .ok_or(ApiError::NotFound("version"))?;
    Ok(TourVersion {
        meta: VersionView {
            version: to_u32(meta.version),
            message: meta.message,
            published_by: meta.published_by,
            published_at: meta.published_at,
        },
        document: serde_json::from_str(&doc)?,
    })
}

/// One published version with its document.
#[utoipa::path(tag = "tours", responses((status = 200, body = TourVersion), (status = 404, body = cairn_shared::api::ErrorBody)))]
#[get("/tours/{id}/versions/{version}")]
pub async fn get_version(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<(String, u32)>,
) -> Result<web::Json<TourVersion>, ApiError> {
    user.require(Permission::ReadContent)?;
    let (id, v) = path.into_inner();
    Ok(web::Json(version(&state, &user, &id, v).await?))
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
    user.require(Permission::ReadContent)?;
    let from = serde_json::to_value(version(&state, &user, &id, query.from).await?.document)?;
    let to = match query.to {
        Some(v) => serde_json::to_value(version(&state, &user, &id, v).await?.document)?,
        None => {
            let row = store::content::get(&state.db, &user.org_id, ContentKind::Tour, &id)
                .await?
                .ok_or(ApiError::NotFound("tour"))?;
            serde_json::from_str::<serde_json::Value>(&row.draft)?
        }
    };
    Ok(web::Json(cairn_shared::diff::diff(&from, &to)))
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
    user.require(Permission::PublishContent)?;
    let old = version(&state, &user, &id, body.version).await?;
    let tour: Tour = old.document;
    let json = serde_json::to_string(&tour)?;
    store::content::update_draft(
        &state.db,
        &user.org_id,
        ContentKind::Tour,
        &id,
        &tour.title,
        &json,
    )
    .await?;
    let message = format!("Rollback to version {}", body.version);
    let (version, app_id) = store::content::publish(
        &state.db,
        &user.org_id,
        ContentKind::Tour,
        &id,
        Some(&user.id),
        &message,
    )
    .await?;
    state.caches.invalidate_content(&app_id);
    tracing::info!(tour = %id, to = body.version, version, user = %user.email, "rolled back");
    Ok(web::Json(Published {
        version: to_u32(version),
    }))
}
