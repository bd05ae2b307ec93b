//! Tours: list, create, read, edit the draft, publish a numbered version.

use actix_web::{HttpResponse, get, post, put, web};
use cairn_shared::api::{NewTour, PublishRequest, Published, TourDetail, TourSummary};
use cairn_shared::content::Tour;
use serde_json::Value;

use super::documents;
use crate::auth::CurrentUser;
use crate::error::ApiError;
use crate::startup::AppState;
use crate::store::content::ContentRow;

pub(crate) fn summary(row: &ContentRow, tour: &Tour) -> TourSummary {
    TourSummary {
        id: row.id.clone(),
        app_id: row.app_id.clone(),
        title: row.title.clone(),
        step_count: u32::try_from(tour.steps.len()).unwrap_or(u32::MAX),
        published_version: row.published_version.and_then(|v| u32::try_from(v).ok()),
        has_unpublished_changes: row.draft_changed,
        updated_at: row.updated_at,
    }
}

/// Parses a tour document (see [`documents::parse`]).
pub(crate) fn parse_tour(document: Value, prefix: &str) -> Result<(Tour, String), ApiError> {
    documents::parse::<Tour>(document, prefix)
}

/// Every tour of the organisation.
#[utoipa::path(tag = "tours", responses((status = 200, body = [TourSummary]), (status = 401, body = cairn_shared::api::ErrorBody)))]
#[get("/tours")]
pub async fn list_tours(
    state: web::Data<AppState>,
    user: CurrentUser,
) -> Result<web::Json<Vec<TourSummary>>, ApiError> {
    let rows = documents::list::<Tour>(&state, &user).await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in &rows {
        let tour: Tour = serde_json::from_str(&row.draft)?;
        out.push(summary(row, &tour));
    }
    Ok(web::Json(out))
}

/// Creates a tour as a draft.
#[utoipa::path(tag = "tours", request_body = NewTour, responses(
    (status = 201, body = TourDetail), (status = 404, body = cairn_shared::api::ErrorBody),
    (status = 422, body = cairn_shared::api::ErrorBody)))]
#[post("/tours")]
pub async fn create_tour(
    state: web::Data<AppState>,
    user: CurrentUser,
    body: web::Json<Value>,
) -> Result<HttpResponse, ApiError> {
    documents::create::<Tour>(&state, &user, body.into_inner()).await
}

/// A tour with its draft.
#[utoipa::path(tag = "tours", responses((status = 200, body = TourDetail), (status = 404, body = cairn_shared::api::ErrorBody)))]
#[get("/tours/{id}")]
pub async fn get_tour(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<String>,
) -> Result<web::Json<TourDetail>, ApiError> {
    Ok(web::Json(documents::get::<Tour>(&state, &user, &id).await?))
}

/// Replaces the draft. Employees keep seeing the published version until the next publish.
#[utoipa::path(tag = "tours", request_body = Tour, responses(
    (status = 200, body = TourDetail), (status = 404, body = cairn_shared::api::ErrorBody),
    (status = 422, body = cairn_shared::api::ErrorBody)))]
#[put("/tours/{id}")]
pub async fn update_tour(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<String>,
    body: web::Json<Value>,
) -> Result<web::Json<TourDetail>, ApiError> {
    Ok(web::Json(
        documents::update::<Tour>(&state, &user, &id, body.into_inner()).await?,
    ))
}

/// Publishes the draft as the next numbered version; the overlay serves it from the next request on.
#[utoipa::path(tag = "tours", request_body = PublishRequest, responses(
    (status = 200, body = Published), (status = 404, body = cairn_shared::api::ErrorBody)))]
#[post("/tours/{id}/publish")]
pub async fn publish_tour(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<String>,
    body: web::Json<PublishRequest>,
) -> Result<web::Json<Published>, ApiError> {
    Ok(web::Json(
        documents::publish::<Tour>(&state, &user, &id, &body.message).await?,
    ))
}
