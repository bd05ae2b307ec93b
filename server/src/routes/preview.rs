//! Draft previews: a signed, 15-minute link that makes the overlay show one tour's draft in the real
//! application to whoever holds it. Employees without the token never see a draft: the shared content
//! cache holds published versions only, and a preview answer is built per request and never cached.

use actix_web::http::header;
use actix_web::{HttpResponse, post, web};
use cairn_shared::api::{OverlayContent, PublishedTour};
use cairn_shared::content::{ContentKind, Tour};
use cairn_shared::preview::{PREVIEW_TTL_MS, PreviewLink, preview_url};
use serde_json::json;

use crate::auth::CurrentUser;
use crate::error::ApiError;
use crate::roles::Permission;
use crate::signed::{Claims, Purpose, TokenError};
use crate::startup::AppState;
use crate::store::{self, apps::App};

/// A preview link for the tour's current draft, valid for 15 minutes.
#[utoipa::path(tag = "tours", responses(
    (status = 201, body = PreviewLink), (status = 403, body = cairn_shared::api::ErrorBody),
    (status = 404, body = cairn_shared::api::ErrorBody), (status = 422, body = cairn_shared::api::ErrorBody)))]
#[post("/tours/{id}/preview")]
pub async fn create_preview(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    user.require(Permission::EditContent)?;
    let row = store::content::get(&state.db, &user.org_id, ContentKind::Tour, &id)
        .await?
        .ok_or(ApiError::NotFound("tour"))?;
    let app = store::apps::get(&state.db, &user.org_id, &row.app_id)
        .await?
        .ok_or(ApiError::NotFound("application"))?;
    let demo_key = store::settings::get(&state.db, store::settings::DEMO_APP_KEY).await?;
    let page = if demo_key.as_deref() == Some(app.public_key.as_str()) {
        format!("{}/demo/", state.public_url.trim_end_matches('/'))
    } else {
        let origin = app.allowed_origins.first().ok_or_else(|| {
            ApiError::unprocessable(
                "the application has no allowed origin to open the preview in",
                json!({ "errors": [{ "pointer": "/allowed_origins", "message": "add the application's origin first" }] }),
            )
        })?;
        format!("{}/", origin.trim_end_matches('/'))
    };
    let claims = Claims {
        org_id: user.org_id.clone(),
        subject: row.id.clone(),
        expires_at: state.clock.now_ms() + PREVIEW_TTL_MS,
    };
    let token = state.signing.sign(Purpose::Preview, &claims);
    tracing::info!(tour = %row.id, user = %user.email, "preview link created");
    Ok(HttpResponse::Created().json(PreviewLink {
        url: preview_url(&page, &token),
        expires_at: claims.expires_at,
        token,
    }))
}

/// The overlay content of `app` with the previewed tour's draft in place of its published version
/// (or added, when it was never published). Built per request and marked `no-store`.
pub async fn content_with_draft(
    state: &AppState,
    app: &App,
    token: &str,
) -> Result<HttpResponse, ApiError> {
    let claims = state
        .signing
        .verify(Purpose::Preview, token, state.clock.now_ms())?;
    if claims.org_id != app.org_id {
        return Err(TokenError::Foreign.into());
    }
    let row = store::content::get(&state.db, &app.org_id, ContentKind::Tour, &claims.subject)
        .await?
        .filter(|r| r.app_id == app.id)
        .ok_or(TokenError::Foreign)?;
    let cached = state.caches.content(&state.db, app).await?;
    let mut content: OverlayContent = serde_json::from_slice(&cached.body)?;
    let draft: Tour = serde_json::from_str(&row.draft)?;
    match content.tours.iter_mut().find(|t| t.id == row.id) {
        Some(published) => published.doc = draft,
        None => content.tours.push(PublishedTour {
            version: row
                .published_version
                .and_then(|v| u32::try_from(v).ok())
                .unwrap_or(0),
            id: row.id,
            doc: draft,
        }),
    }
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(content))
}
