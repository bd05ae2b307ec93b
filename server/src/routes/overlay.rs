//! The overlay's endpoints, called from employees' browsers on the host application's origin. They
//! authenticate with the application's public key and accept only the application's allowed origins.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, HttpResponse, dev::Payload, get, post, web};
use cairn_shared::APP_KEY_HEADER;
use cairn_shared::api::OverlayContent;
use cairn_shared::events::{EventBatch, EventBatchAccepted, MAX_BATCH};
use cairn_shared::preview::PREVIEW_HEADER;
use cairn_shared::tickets::{
    ExternalTicket, Identity, MAX_MESSAGE_CHARS, MyTicket, PublicReply, StuckReport, TicketFiled,
    TicketStatus,
};
use serde_json::json;

use crate::error::ApiError;
use crate::metrics::METRICS;
use crate::signed::TokenError;
use crate::startup::AppState;
use crate::store::{self, apps::App};

/// Largest body the overlay endpoints accept.
pub const MAX_OVERLAY_BODY: usize = 256 * 1024;

/// The application of an overlay request, from its public key, with the caller's origin checked.
pub struct AppKey(pub Arc<App>, pub String);

impl AppKey {
    /// The rate-limit key of this caller: application and client IP.
    fn caller(&self) -> String {
        format!("{}|{}", self.0.id, self.1)
    }
}

impl FromRequest for AppKey {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        // The header, or `?key=`: a cross-origin GET with no custom header is a "simple" request,
        // so the loader's first content fetch costs no CORS preflight round trip.
        let key = req
            .headers()
            .get(APP_KEY_HEADER)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
            .or_else(|| query_key(req.query_string()));
        let origin = req
            .headers()
            .get(header::ORIGIN)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let info = req.connection_info();
        let own_origin = format!("{}://{}", info.scheme(), info.host());
        let ip = req
            .peer_addr()
            .map(|a| a.ip().to_string())
            .unwrap_or_default();
        Box::pin(async move {
            let state = state.ok_or_else(|| ApiError::Internal(anyhow::anyhow!("no app state")))?;
            let key = key
                .filter(|k| !k.is_empty() && k.len() <= 128)
                .ok_or(ApiError::UnknownAppKey)?;
            let app = state
                .caches
                .app_by_key(&state.db, &key)
                .await?
                .ok_or(ApiError::UnknownAppKey)?;
            if let Some(origin) = origin {
                // Cairn's own pages (the demo) may always use it; other pages only from allowed origins.
                let allowed = origin == own_origin
                    || origin == state.public_url
                    || app
                        .allowed_origins
                        .iter()
                        .any(|o| o.trim_end_matches('/') == origin);
                if !allowed {
                    return Err(ApiError::Forbidden(format!(
                        "origin {origin} is not allowed for this application"
                    )));
                }
            }
            Ok(AppKey(app, ip))
        })
    }
}

/// The `key` parameter of a query string, decoded (`None` if absent or malformed).
fn query_key(query: &str) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct KeyParam {
        key: Option<String>,
    }
    web::Query::<KeyParam>::from_query(query)
        .ok()?
        .into_inner()
        .key
}

/// Everything published for the application; the overlay filters by page. Served from memory,
/// with an ETag so unchanged content costs a 304. With a preview token (`x-cairn-preview`), the
/// previewed tour's draft instead, never cached (401 for a forged, expired or foreign token).
/// The key comes in `x-cairn-app-key` or, so that a cross-origin page pays no CORS preflight, in
/// `?key=` (the loader's form); the header wins when both are sent.
#[utoipa::path(tag = "overlay", params(("x-cairn-app-key" = Option<String>, Header, description = "The application's public key (or `key` in the query)"),
    ("key" = Option<String>, Query, description = "The application's public key, for a simple (preflight-free) cross-origin GET"),
    ("x-cairn-preview" = Option<String>, Header, description = "A preview token from POST /api/v1/tours/{id}/preview")),
    responses((status = 200, body = OverlayContent), (status = 304), (status = 401, body = cairn_shared::api::ErrorBody),
    (status = 403, body = cairn_shared::api::ErrorBody)))]
#[get("/content")]
pub async fn content(
    state: web::Data<AppState>,
    app: AppKey,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    if let Some(token) = req.headers().get(PREVIEW_HEADER) {
        let token = token.to_str().map_err(|_| TokenError::Malformed)?;
        return super::preview::content_with_draft(&state, &app.0, token).await;
    }
    let cached = state.caches.content(&state.db, &app.0).await?;
    let etag_matches = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == cached.etag));
    let mut res = if etag_matches {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    res.insert_header((header::ETAG, cached.etag.clone()))
        .insert_header((header::CACHE_CONTROL, "no-cache"));
    if etag_matches {
        return Ok(res.finish());
    }
    Ok(res
        .content_type("application/json")
        .body(cached.body.clone()))
}

/// A batch of overlay events. Ids are idempotency keys: a re-sent event is counted once.
#[utoipa::path(tag = "overlay", request_body = EventBatch, params(("x-cairn-app-key" = String, Header, description = "The application's public key")),
    responses((status = 200, body = EventBatchAccepted), (status = 401, body = cairn_shared::api::ErrorBody),
    (status = 403, body = cairn_shared::api::ErrorBody), (status = 413, body = cairn_shared::api::ErrorBody),
    (status = 422, body = cairn_shared::api::ErrorBody), (status = 429, body = cairn_shared::api::ErrorBody),
    (status = 503, description = "The event queue is full: retry after the Retry-After seconds", body = cairn_shared::api::ErrorBody)))]
#[post("/events")]
pub async fn events(
    state: web::Data<AppState>,
    app: AppKey,
    req: HttpRequest,
    body: web::Json<EventBatch>,
) -> Result<web::Json<EventBatchAccepted>, ApiError> {
    state.limits.overlay.check(&app.caller())?;
    let batch = body.into_inner();
    if batch.events.len() > MAX_BATCH {
        return Err(ApiError::unprocessable(
            format!("at most {MAX_BATCH} events per batch"),
            json!({ "pointer": "/events", "count": batch.events.len() }),
        ));
    }
    let bad: Vec<_> = batch
        .events
        .iter()
        .enumerate()
        .filter(|(_, e)| !valid_event_id(&e.id) || e.content_id.is_empty() || e.content_id.len() > 64 || !valid_details(&e.details))
        .map(|(i, _)| json!({ "pointer": format!("/events/{i}"), "message": "id must be 8–64 of [A-Za-z0-9_-], content_id 1–64 characters and segment values at most 64 characters" }))
        .collect();
    if !bad.is_empty() {
        return Err(ApiError::unprocessable(
            "some events are malformed",
            json!({ "errors": bad }),
        ));
    }
    let browser = req
        .headers()
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .map(crate::ingest::browser_family)
        .unwrap_or("other");
    let received = crate::db::now_ms();
    let raw = batch
        .events
        .into_iter()
        .map(|e| store::events::raw(&app.0.org_id, &app.0.id, e, browser, received))
        .collect();
    let (accepted, duplicates) = state.ingest.submit(raw, true).await?;
    Ok(web::Json(EventBatchAccepted {
        accepted,
        duplicates,
    }))
}

fn valid_details(d: &cairn_shared::events::EventDetails) -> bool {
    use cairn_shared::events::MAX_DETAIL_CHARS;
    [
        &d.role,
        &d.department,
        &d.proficiency,
        &d.locale,
        &d.browser,
    ]
    .into_iter()
    .flatten()
    .all(|v| v.chars().count() <= MAX_DETAIL_CHARS)
        && d.failed_strategies
            .as_deref()
            .is_none_or(cairn_shared::events::valid_failed_strategies)
}

fn valid_event_id(id: &str) -> bool {
    (8..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// "Still stuck?": files a ticket with the employee's words and the step's context.
#[utoipa::path(tag = "overlay", request_body = StuckReport, params(("x-cairn-app-key" = String, Header, description = "The application's public key")),
    responses((status = 201, body = TicketFiled), (status = 401, body = cairn_shared::api::ErrorBody),
    (status = 403, body = cairn_shared::api::ErrorBody), (status = 422, body = cairn_shared::api::ErrorBody)))]
#[post("/tickets")]
pub async fn file_ticket(
    state: web::Data<AppState>,
    app: AppKey,
    body: web::Json<StuckReport>,
) -> Result<HttpResponse, ApiError> {
    state.limits.tickets.check(&app.caller())?;
    let report = body.into_inner();
    let message = report.message.trim();
    if message.is_empty() || message.chars().count() > MAX_MESSAGE_CHARS {
        return Err(ApiError::unprocessable(
            format!("say in 1 to {MAX_MESSAGE_CHARS} characters what you were trying to do"),
            json!({ "errors": [{ "pointer": "/message", "message": "empty or too long" }] }),
        ));
    }
    let mut context = report.context.clone();
    let requester = claimed_identity(&app.0, report.identity.as_ref())?;
    // The claimed id (from `identity`, or an older overlay's `context.user_id`) is kept only when
    // verified, or when the application accepts unverified identities; either way it is labelled.
    let claimed = report
        .identity
        .as_ref()
        .map(|i| i.id.clone())
        .or(context.user_id.take());
    context.user_id = claimed.filter(|_| requester.is_some() || !app.0.require_verified_identity);
    context.user_verified = context.user_id.as_ref().map(|_| requester.is_some());
    // Kept with the context, so agents see which guides the employee already had offered.
    context.deflections_offered = report.deflections_offered.clone();
    if let Some(identity) = &report.identity {
        context.user_attributes = identity.attributes.clone();
    }
    let category = report
        .category
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty());
    if let Some(c) = category
        && !app.0.categories.iter().any(|known| known == c)
    {
        return Err(ApiError::unprocessable(
            format!("unknown category {c:?}"),
            json!({ "errors": [{ "pointer": "/category", "message": "not one of the application's categories" }], "categories": app.0.categories }),
        ));
    }
    let new = store::tickets::NewTicket {
        message,
        context: &context,
        category,
        impact: report.impact,
        urgency: report.urgency,
        requester_id: requester.as_deref(),
    };
    let now = state.clock.now_ms();
    let (id, number) = store::tickets::create(
        &state.db,
        &app.0.org_id,
        (&app.0.id, &app.0.name),
        &new,
        &state.public_url,
        now,
    )
    .await?;
    METRICS.tickets_filed.inc();
    // Count the ticket in the step's rollups (through the writer, so a re-roll finds it too).
    if let Some(tour_id) = context.tour_id.as_deref() {
        let attr = |k: &str| context.user_attributes.get(k).cloned();
        let event = store::rollups::RawEvent {
            app_id: app.0.id.clone(),
            id: format!("ticket-{id}"),
            org_id: app.0.org_id.clone(),
            kind: store::rollups::TICKET_FILED,
            content_id: tour_id.to_string(),
            step_id: context.step_id.clone(),
            step_index: context.step_index.map(i64::from),
            version: context.version.map(i64::from).unwrap_or(0),
            page_url: context.page_url.clone(),
            occurred_at: now,
            received_at: now,
            role: attr("role"),
            department: attr("department"),
            proficiency: attr("proficiency"),
            locale: attr("locale"),
            browser: None,
            duration_ms: None,
            failed_strategies: None,
        };
        if let Err(e) = state.ingest.submit(vec![event], false).await {
            tracing::error!(error = %e, ticket = number, "ticket not counted in analytics");
        }
    }
    tracing::info!(ticket = number, app = %app.0.name, tour = ?report.context.tour_id, step = ?report.context.step_id, "ticket filed");
    Ok(HttpResponse::Created().json(TicketFiled {
        id,
        number,
        status: TicketStatus::New,
    }))
}

/// The verified user id of a claimed identity. A wrong hash is refused outright (nobody files under
/// another name); a missing hash is refused only where the application requires verification.
fn claimed_identity(app: &App, identity: Option<&Identity>) -> Result<Option<String>, ApiError> {
    let Some(identity) = identity.filter(|i| !i.id.is_empty()) else {
        return Ok(None);
    };
    match &identity.hash {
        Some(hash) if crate::identity::verify(&app.identity_secret, &identity.id, hash) => {
            Ok(Some(identity.id.clone()))
        }
        Some(_) => Err(ApiError::Forbidden(
            "the identity hash does not match the user id".into(),
        )),
        None if app.require_verified_identity => Err(ApiError::Forbidden(
            "this application requires a verified identity (identify with a hash)".into(),
        )),
        None => Ok(None),
    }
}

/// The employee's own tickets with the help desk's public replies. Personal data: only for an
/// identity verified with its hash (headers `x-cairn-user-id`, `x-cairn-user-hash`).
#[utoipa::path(tag = "overlay", params(("x-cairn-app-key" = String, Header, description = "The application's public key"),
    ("x-cairn-user-id" = String, Header, description = "The id given to cairn.identify"),
    ("x-cairn-user-hash" = String, Header, description = "hex HMAC-SHA256 of the id with the identity secret")),
    responses((status = 200, body = [MyTicket]), (status = 401, body = cairn_shared::api::ErrorBody), (status = 403, body = cairn_shared::api::ErrorBody)))]
#[get("/my-tickets")]
pub async fn my_tickets(
    state: web::Data<AppState>,
    app: AppKey,
    req: HttpRequest,
) -> Result<web::Json<Vec<MyTicket>>, ApiError> {
    state.limits.overlay.check(&app.caller())?;
    let header = |name: &str| {
        req.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let (Some(user), Some(hash)) = (header("x-cairn-user-id"), header("x-cairn-user-hash")) else {
        return Err(ApiError::Forbidden(
            "\"My tickets\" needs a verified identity".into(),
        ));
    };
    if !crate::identity::verify(&app.0.identity_secret, &user, &hash) {
        return Err(ApiError::Forbidden(
            "the identity hash does not match the user id".into(),
        ));
    }
    let filter = store::tickets::Filter {
        requester_id: Some(user),
        ..Default::default()
    };
    let rows = store::tickets::list(&state.db, &app.0.org_id, &filter).await?;
    let mut out = Vec::with_capacity(rows.len());
    for t in rows.into_iter().filter(|t| t.app_id == app.0.id).take(50) {
        let replies: Vec<PublicReply> =
            store::tickets::entries(&state.db, &app.0.org_id, &t.id, true)
                .await?
                .into_iter()
                .filter(|e| e.kind == "reply")
                .map(|e| PublicReply {
                    author: e
                        .author
                        .as_deref()
                        .and_then(|a| a.split('@').next())
                        .unwrap_or("Help desk")
                        .to_string(),
                    body: e.body,
                    created_at: e.created_at,
                })
                .collect();
        let external = crate::routes::tickets::external_refs(&state, &app.0.org_id, &t.id)
            .await?
            .into_iter()
            .map(|r| ExternalTicket {
                system: r.integration,
                id: r.id,
                url: r.url,
            })
            .collect();
        out.push(MyTicket {
            external,
            last_reply_at: replies.last().map(|r| r.created_at),
            id: t.id,
            number: t.number,
            status: t.status,
            message: t.message,
            created_at: t.created_at,
            replies,
        });
    }
    Ok(web::Json(out))
}

#[cfg(test)]
mod tests {
    use super::valid_event_id;

    #[test]
    fn event_ids() {
        assert!(valid_event_id("0123456789abcdef0123456789abcdef"));
        assert!(!valid_event_id("short"));
        assert!(!valid_event_id("has spaces in it!"));
        assert!(!valid_event_id(&"a".repeat(65)));
    }
}
