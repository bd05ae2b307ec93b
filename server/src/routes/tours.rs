//! Tours: list, create, read, edit the draft, publish a numbered version.

use actix_web::{HttpResponse, get, post, put, web};
use cairn_shared::api::{NewTour, PublishRequest, Published, TourDetail, TourSummary};
use cairn_shared::content::{ContentKind, DocumentError, Tour};
use serde_json::Value;

use crate::auth::CurrentUser;
use crate::error::ApiError;
use crate::roles::Permission;
use crate::schema;
use crate::startup::AppState;
use crate::store::{self, content::ContentRow};

fn summary(row: &ContentRow, tour: &Tour) -> TourSummary {
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

fn detail(row: &ContentRow) -> Result<TourDetail, ApiError> {
    let draft: Tour = serde_json::from_str(&row.draft)?;
    Ok(TourDetail {
        summary: summary(row, &draft),
        draft,
    })
}

/// Parses a tour document: the schema, then the rules the schema cannot express (unique step ids…).
/// 422 with the pointer of every problem found by either.
pub(crate) fn parse_tour(document: Value, prefix: &str) -> Result<(Tour, String), ApiError> {
    let mut errors = schema::schema_errors(ContentKind::Tour, &document, prefix);
    let parsed = serde_json::from_value::<Tour>(document);
    if let Ok(tour) = &parsed {
        for e in tour.validate() {
            let pointer = format!("{prefix}{}", e.pointer);
            if !errors.iter().any(|known| known.pointer == pointer) {
                errors.push(DocumentError { pointer, ..e });
            }
        }
    }
    match parsed {
        Ok(tour) if errors.is_empty() => {
            let json = serde_json::to_string(&tour)?;
            Ok((tour, json))
        }
        Ok(_) => Err(schema::invalid(errors)),
        Err(e) if errors.is_empty() => Err(schema::invalid(vec![DocumentError {
            pointer: prefix.to_string(),
            message: e.to_string(),
        }])),
        Err(_) => Err(schema::invalid(errors)),
    }
}

async fn load(state: &AppState, user: &CurrentUser, id: &str) -> Result<ContentRow, ApiError> {
    store::content::get(&state.db, &user.org_id, ContentKind::Tour, id)
        .await?
        .ok_or(ApiError::NotFound("tour"))
}

/// Every tour of the organisation.
#[utoipa::path(tag = "tours", responses((status = 200, body = [TourSummary]), (status = 401, body = cairn_shared::api::ErrorBody)))]
#[get("/tours")]
pub async fn list_tours(
    state: web::Data<AppState>,
    user: CurrentUser,
) -> Result<web::Json<Vec<TourSummary>>, ApiError> {
    user.require(Permission::ReadContent)?;
    let rows = store::content::list(&state.db, &user.org_id, ContentKind::Tour).await?;
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
    user.require(Permission::EditContent)?;
    let mut body = body.into_inner();
    let app_id = body
        .get("app_id")
        .and_then(Value::as_str)
        .map(str::to_string)
        .ok_or_else(|| {
            schema::invalid(vec![DocumentError {
                pointer: "/app_id".into(),
                message: "app_id is required".into(),
            }])
        })?;
    let document = body.get_mut("document").map(Value::take).ok_or_else(|| {
        schema::invalid(vec![DocumentError {
            pointer: "/document".into(),
            message: "document is required".into(),
        }])
    })?;
    store::apps::get(&state.db, &user.org_id, &app_id)
        .await?
        .ok_or(ApiError::NotFound("application"))?;
    let (document, json) = parse_tour(document, "/document")?;
    let id = store::content::create(
        &state.db,
        &user.org_id,
        &app_id,
        ContentKind::Tour,
        &document.title,
        &json,
    )
    .await?;
    let row = load(&state, &user, &id).await?;
    Ok(HttpResponse::Created().json(detail(&row)?))
}

/// A tour with its draft.
#[utoipa::path(tag = "tours", responses((status = 200, body = TourDetail), (status = 404, body = cairn_shared::api::ErrorBody)))]
#[get("/tours/{id}")]
pub async fn get_tour(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<String>,
) -> Result<web::Json<TourDetail>, ApiError> {
    user.require(Permission::ReadContent)?;
    Ok(web::Json(detail(&load(&state, &user, &id).await?)?))
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
    user.require(Permission::EditContent)?;
    let (tour, json) = parse_tour(body.into_inner(), "")?;
    if !store::content::update_draft(
        &state.db,
        &user.org_id,
        ContentKind::Tour,
        &id,
        &tour.title,
        &json,
    )
    .await?
    {
        return Err(ApiError::NotFound("tour"));
    }
    Ok(web::Json(detail(&load(&state, &user, &id).await?)?))
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
    user.require(Permission::PublishContent)?;
    let (version, app_id) = store::content::publish(
        &state.db,
        &user.org_id,
        ContentKind::Tour,
        &id,
        Some(&user.id),
        &body.message,
    )
    .await
    .map_err(|e| match e {
        ApiError::NotFound(_) => ApiError::NotFound("tour"),
        other => other,
    })?;
    state.caches.invalidate_content(&app_id);
    tracing::info!(tour = %id, version, user = %user.email, "published");
    Ok(web::Json(Published {
        version: u32::try_from(version).unwrap_or(u32::MAX),
    }))
}
