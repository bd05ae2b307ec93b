//! Record in app: the editor asks for a short-lived author link to a tour; the app page opened with
//! it (`?cairn_author=…`) loads the editor's author mode, which reads and saves that tour's draft
//! here, cross-origin, with the token in `x-cairn-author`. The token names one organisation and one
//! tour: it cannot reach anything else. A tooltip's author link (purpose `author-tooltip`) works the
//! same way for picking that tooltip's element.

use std::future::Future;
use std::pin::Pin;

use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, HttpResponse, dev::Payload, get, post, put, web};
use cairn_shared::author::{
    AUTHOR_HEADER, AUTHOR_PARAM, AuthorDraft, AuthorLink, AuthorTooltip, TOOLTIP_TOKEN_PREFIX,
};
use cairn_shared::content::{ContentKind, Tooltip, Tour};
use serde_json::Value;

use crate::auth::CurrentUser;
use crate::error::ApiError;
use crate::roles::Permission;
use crate::signed::{Claims, Purpose, TokenError};
use crate::startup::AppState;
use crate::store::{self, content::ContentRow};

/// How long an author link works: long enough to record a tour, short enough to leak little.
pub const AUTHOR_LINK_TTL_MS: i64 = 30 * 60 * 1000;

/// The page an author link opens: the demo page for the demo application, else the application's
/// first allowed origin.
async fn app_page(state: &AppState, app: &store::apps::App) -> Result<String, ApiError> {
    let demo_key = store::settings::get(&state.db, store::settings::DEMO_APP_KEY).await?;
    if demo_key.as_deref() == Some(app.public_key.as_str()) {
        return Ok(format!("{}/demo/", state.public_url.trim_end_matches('/')));
    }
    app.allowed_origins
        .iter()
        .map(|o| o.trim())
        .find(|o| !o.is_empty())
        .map(|o| format!("{}/", o.trim_end_matches('/')))
        .ok_or_else(|| {
            ApiError::unprocessable(
                "the tour's application has no allowed origin: add the address of the application first",
                serde_json::json!({ "pointer": "/allowed_origins" }),
            )
        })
}

/// Signs an author link for a document of the user's organisation.
async fn issue_link(
    state: &AppState,
    user: &CurrentUser,
    kind: ContentKind,
    purpose: Purpose,
    id: &str,
) -> Result<HttpResponse, ApiError> {
    user.require(Permission::EditContent)?;
    let noun = if kind == ContentKind::Tour {
        "tour"
    } else {
        "tooltip"
    };
    let row = store::content::get(&state.db, &user.org_id, kind, id)
        .await?
        .ok_or(ApiError::NotFound(noun))?;
    let app = store::apps::get(&state.db, &user.org_id, &row.app_id)
        .await?
        .ok_or(ApiError::NotFound("application"))?;
    let claims = Claims {
        org_id: user.org_id.clone(),
        subject: row.id.clone(),
        expires_at: state.clock.now_ms() + AUTHOR_LINK_TTL_MS,
    };
    let token = state.signing.sign(purpose, &claims);
    let page = app_page(state, &app).await?;
    // The token is made of [a-z0-9.-] only: it needs no escaping in a query string.
    let url = format!("{page}?{AUTHOR_PARAM}={token}");
    tracing::info!(kind = noun, id = %row.id, user = %user.email, "author link issued");
    Ok(HttpResponse::Created().json(AuthorLink {
        token,
        expires_at: claims.expires_at,
        url,
    }))
}

/// A link that opens the tour's application in author mode for 30 minutes.
#[utoipa::path(tag = "tours", responses(
    (status = 201, body = AuthorLink), (status = 401, body = cairn_shared::api::ErrorBody),
    (status = 403, body = cairn_shared::api::ErrorBody), (status = 404, body = cairn_shared::api::ErrorBody),
    (status = 422, body = cairn_shared::api::ErrorBody)))]
#[post("/tours/{id}/author-link")]
pub async fn author_link(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    issue_link(&state, &user, ContentKind::Tour, Purpose::Author, &id).await
}

/// A link that opens the tooltip's application in author mode for 30 minutes, to pick its element.
#[utoipa::path(tag = "tooltips", responses(
    (status = 201, body = AuthorLink), (status = 401, body = cairn_shared::api::ErrorBody),
    (status = 403, body = cairn_shared::api::ErrorBody), (status = 404, body = cairn_shared::api::ErrorBody),
    (status = 422, body = cairn_shared::api::ErrorBody)))]
#[post("/tooltips/{id}/author-link")]
pub async fn tooltip_author_link(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    issue_link(
        &state,
        &user,
        ContentKind::Tooltip,
        Purpose::AuthorTooltip,
        &id,
    )
    .await
}

/// A request of the author mode: a valid author token for a tour (or tooltip) that still exists,
/// sent from an origin of its application (or Cairn's own, for the demo page).
pub struct AuthorSession {
    claims: Claims,
    row: ContentRow,
    kind: ContentKind,
}

impl FromRequest for AuthorSession {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let token = req
            .headers()
            .get(AUTHOR_HEADER)
            .and_then(|v| v.to_str().ok())
            .map(|v| v.trim().to_string());
        let origin = req
            .headers()
            .get(header::ORIGIN)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let info = req.connection_info();
        let own_origin = format!("{}://{}", info.scheme(), info.host());
        Box::pin(async move {
            let state = state.ok_or_else(|| ApiError::Internal(anyhow::anyhow!("no app state")))?;
            // A missing token is a malformed link: the page was not opened from the editor.
            let token = token
                .filter(|t| !t.is_empty())
                .ok_or(TokenError::Malformed)?;
            let (purpose, kind) = if token.starts_with(TOOLTIP_TOKEN_PREFIX) {
                (Purpose::AuthorTooltip, ContentKind::Tooltip)
            } else {
                (Purpose::Author, ContentKind::Tour)
            };
            let claims = state
                .signing
                .verify(purpose, &token, state.clock.now_ms())?;
            let row = store::content::get(&state.db, &claims.org_id, kind, &claims.subject)
                .await?
                .ok_or(ApiError::NotFound(kind.as_str()))?;
            if let Some(origin) = origin {
                let app = store::apps::get(&state.db, &claims.org_id, &row.app_id)
                    .await?
                    .ok_or(ApiError::NotFound("application"))?;
                let allowed = origin == own_origin
                    || origin == state.public_url.trim_end_matches('/')
                    || app
                        .allowed_origins
                        .iter()
                        .any(|o| o.trim_end_matches('/') == origin);
                if !allowed {
                    return Err(ApiError::Forbidden(format!(
                        "origin {origin} is not allowed for this tour's application"
                    )));
                }
            }
            Ok(AuthorSession { claims, row, kind })
        })
    }
}

impl AuthorSession {
    /// The session's document, when it is of `kind` (a tooltip's token does not open a tour).
    fn expect(&self, kind: ContentKind) -> Result<(&str, &str), ApiError> {
        if self.kind != kind {
            return Err(ApiError::NotFound(kind.as_str()));
        }
        Ok((&self.claims.org_id, &self.claims.subject))
    }

    fn draft(&self, row: &ContentRow) -> Result<AuthorDraft, ApiError> {
        Ok(AuthorDraft {
            tour_id: row.id.clone(),
            expires_at: self.claims.expires_at,
            draft: serde_json::from_str::<Tour>(&row.draft)?,
        })
    }
}

/// The draft of the author link's tour.
#[utoipa::path(tag = "author", params(("x-cairn-author" = String, Header, description = "The author link's token")),
    responses((status = 200, body = AuthorDraft), (status = 401, body = cairn_shared::api::ErrorBody),
    (status = 403, body = cairn_shared::api::ErrorBody), (status = 404, body = cairn_shared::api::ErrorBody)))]
#[get("/author/tour")]
pub async fn get_draft(author: AuthorSession) -> Result<web::Json<AuthorDraft>, ApiError> {
    author.expect(ContentKind::Tour)?;
    Ok(web::Json(author.draft(&author.row)?))
}

/// Saves the draft of the author link's tour: the same validation as `PUT /tours/{id}`.
#[utoipa::path(tag = "author", request_body = Tour, params(("x-cairn-author" = String, Header, description = "The author link's token")),
    responses((status = 200, body = AuthorDraft), (status = 401, body = cairn_shared::api::ErrorBody),
    (status = 403, body = cairn_shared::api::ErrorBody), (status = 404, body = cairn_shared::api::ErrorBody),
    (status = 422, body = cairn_shared::api::ErrorBody)))]
#[put("/author/tour")]
pub async fn put_draft(
    state: web::Data<AppState>,
    author: AuthorSession,
    body: web::Json<Value>,
) -> Result<web::Json<AuthorDraft>, ApiError> {
    let (org, id) = author.expect(ContentKind::Tour)?;
    let (tour, json) = super::tours::parse_tour(body.into_inner(), "")?;
    if !store::content::update_draft(&state.db, org, ContentKind::Tour, id, &tour.title, &json)
        .await?
    {
        return Err(ApiError::NotFound("tour"));
    }
    let row = store::content::get(&state.db, org, ContentKind::Tour, id)
        .await?
        .ok_or(ApiError::NotFound("tour"))?;
    tracing::info!(tour = %id, steps = tour.steps.len(), "draft saved in author mode");
    Ok(web::Json(author.draft(&row)?))
}

impl AuthorSession {
    fn tooltip(&self, row: &ContentRow) -> Result<AuthorTooltip, ApiError> {
        Ok(AuthorTooltip {
            tooltip_id: row.id.clone(),
            expires_at: self.claims.expires_at,
            draft: serde_json::from_str::<Tooltip>(&row.draft)?,
        })
    }
}

/// The draft of the author link's tooltip.
#[utoipa::path(tag = "author", params(("x-cairn-author" = String, Header, description = "The tooltip author link's token")),
    responses((status = 200, body = AuthorTooltip), (status = 401, body = cairn_shared::api::ErrorBody),
    (status = 403, body = cairn_shared::api::ErrorBody), (status = 404, body = cairn_shared::api::ErrorBody)))]
#[get("/author/tooltip")]
pub async fn get_tooltip(author: AuthorSession) -> Result<web::Json<AuthorTooltip>, ApiError> {
    author.expect(ContentKind::Tooltip)?;
    Ok(web::Json(author.tooltip(&author.row)?))
}

/// Saves the draft of the author link's tooltip (its picked element): the same validation as
/// `PUT /tooltips/{id}`.
#[utoipa::path(tag = "author", request_body = Tooltip, params(("x-cairn-author" = String, Header, description = "The tooltip author link's token")),
    responses((status = 200, body = AuthorTooltip), (status = 401, body = cairn_shared::api::ErrorBody),
    (status = 403, body = cairn_shared::api::ErrorBody), (status = 404, body = cairn_shared::api::ErrorBody),
    (status = 422, body = cairn_shared::api::ErrorBody)))]
#[put("/author/tooltip")]
pub async fn put_tooltip(
    state: web::Data<AppState>,
    author: AuthorSession,
    body: web::Json<Value>,
) -> Result<web::Json<AuthorTooltip>, ApiError> {
    let (org, id) = author.expect(ContentKind::Tooltip)?;
    let (_, row) =
        super::documents::save_draft::<Tooltip>(&state, org, id, body.into_inner()).await?;
    tracing::info!(tooltip = %id, "tooltip target saved in author mode");
    Ok(web::Json(author.tooltip(&row)?))
}
