//! A tour's texts for translators: `GET /tours/{id}/xliff?locale=de` exports them as XLIFF 1.2,
//! `PUT /tours/{id}/xliff` writes a translated file back into the draft as that locale's variants.
//! The format lives in [`crate::xliff`].

use actix_web::http::header;
use actix_web::{HttpResponse, get, put, web};
use cairn_shared::api::TourDetail;
use cairn_shared::content::{ContentKind, Tour, is_language_tag};
use serde::Deserialize;
use serde_json::json;
use utoipa::IntoParams;

use crate::auth::CurrentUser;
use crate::error::ApiError;
use crate::roles::Permission;
use crate::startup::AppState;
use crate::store;
use crate::xliff::{self, XliffError};

const XLIFF_TYPE: &str = "application/xliff+xml";

#[derive(Debug, Deserialize, IntoParams)]
pub struct XliffQuery {
    /// The language to translate into (BCP 47, e.g. `de`, `fr-CA`); its existing texts are the targets.
    pub locale: String,
}

fn refused(errors: Vec<XliffError>) -> ApiError {
    ApiError::unprocessable(
        format!("the XLIFF file has {} problem(s)", errors.len()),
        json!({ "errors": errors }),
    )
}

/// The tour's texts as an XLIFF 1.2 file: base texts as sources, `locale`'s as targets.
#[utoipa::path(tag = "tours", params(XliffQuery), responses(
    (status = 200, description = "XLIFF 1.2", content_type = "application/xliff+xml", body = String),
    (status = 404, body = cairn_shared::api::ErrorBody), (status = 422, body = cairn_shared::api::ErrorBody)))]
#[get("/tours/{id}/xliff")]
pub async fn export_xliff(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<String>,
    query: web::Query<XliffQuery>,
) -> Result<HttpResponse, ApiError> {
    user.require(Permission::ReadContent)?;
    let row = store::content::get(&state.db, &user.org_id, ContentKind::Tour, &id)
        .await?
        .ok_or(ApiError::NotFound("tour"))?;
    if !is_language_tag(&query.locale) {
        return Err(ApiError::unprocessable(
            "locale is not a language tag such as de or fr-CA",
            json!({ "errors": [{ "pointer": "/locale", "message": "expected a BCP 47 language tag" }] }),
        ));
    }
    let tour: Tour = serde_json::from_str(&row.draft)?;
    let file = xliff::export(&row.id, &tour, &query.locale);
    Ok(HttpResponse::Ok()
        .content_type(XLIFF_TYPE)
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!(
                "attachment; filename=\"tour-{}.{}.xlf\"",
                row.id, query.locale
            ),
        ))
        .body(file))
}

/// Writes a translated XLIFF file into the draft as locale-only variants of its `target-language`.
/// Every unit must name a text of this tour; any problem refuses the whole file (422).
#[utoipa::path(tag = "tours", request_body(content = String, content_type = "application/xliff+xml"), responses(
    (status = 200, body = TourDetail), (status = 404, body = cairn_shared::api::ErrorBody),
    (status = 422, body = cairn_shared::api::ErrorBody)))]
#[put("/tours/{id}/xliff")]
pub async fn import_xliff(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<String>,
    body: web::Bytes,
) -> Result<web::Json<TourDetail>, ApiError> {
    user.require(Permission::EditContent)?;
    let row = store::content::get(&state.db, &user.org_id, ContentKind::Tour, &id)
        .await?
        .ok_or(ApiError::NotFound("tour"))?;
    let text = std::str::from_utf8(&body).map_err(|e| {
        refused(vec![XliffError {
            unit: None,
            line: None,
            message: format!("the file is not UTF-8: {e}"),
        }])
    })?;
    let translation = xliff::parse(text).map_err(refused)?;
    let tour: Tour = serde_json::from_str(&row.draft)?;
    let translated = xliff::apply(&tour, &translation).map_err(refused)?;
    // The result goes through the same schema and rules as any other edit of the draft.
    let (translated, json) = super::tours::parse_tour(serde_json::to_value(&translated)?, "")?;
    if !store::content::update_draft(
        &state.db,
        &user.org_id,
        ContentKind::Tour,
        &id,
        &translated.title,
        &json,
    )
    .await?
    {
        return Err(ApiError::NotFound("tour"));
    }
    tracing::info!(tour = %id, locale = %translation.locale, units = translation.units.len(), user = %user.email, "translation imported");
    let row = store::content::get(&state.db, &user.org_id, ContentKind::Tour, &id)
        .await?
        .ok_or(ApiError::NotFound("tour"))?;
    Ok(web::Json(super::documents::detail::<
        cairn_shared::content::Tour,
    >(&row)?))
}
