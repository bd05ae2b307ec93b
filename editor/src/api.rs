//! Typed calls to Cairn's JSON API (`/api/v1/…`, same origin, session cookie). Each returns the
//! shape from `cairn_shared::api` or an [`ApiError`] carrying the server's own message.
//!
//! Bodies are (de)serialised with [`crate::json`], through the browser's own JSON parser.

use cairn_shared::api::{
    AppView, Change, DocumentSummary, ErrorBody, Escalation, LoginRequest, Me, NewEntry, NewTour,
    PublishRequest, Published, RollbackRequest, TicketDetail, TicketEntry, TicketUpdate,
    TicketView, TourDetail, TourStepAnalytics, TourSummary, VersionView,
};
use cairn_shared::content::DocumentError;
use cairn_shared::deliveries::DeliveryView;
use cairn_shared::users::UserView;
use serde::Serialize;
use serde::de::DeserializeOwned;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Headers, RequestCredentials, RequestInit, Response};

use crate::json;

const BASE: &str = "/api/v1";

/// Why a call failed.
#[derive(Debug, Clone, PartialEq)]
pub enum ApiError {
    /// The server answered with an error status.
    Status {
        status: u16,
        code: String,
        message: String,
        /// For a 422 on a document: each problem with its JSON pointer.
        problems: Vec<DocumentError>,
    },
    /// No answer: offline, server down, request blocked.
    Network,
    /// An answer we could not read.
    Decode(String),
}

impl ApiError {
    /// The session is missing or expired: the app goes back to the login screen.
    pub fn is_unauthorized(&self) -> bool {
        matches!(self, ApiError::Status { status: 401, .. })
    }

    /// Worth trying again as is: the network or the server failed, not the request.
    pub fn is_retryable(&self) -> bool {
        match self {
            ApiError::Network => true,
            ApiError::Status { status, .. } => *status >= 500 || *status == 408 || *status == 429,
            ApiError::Decode(_) => false,
        }
    }

    /// A sentence to show people.
    pub fn message(&self) -> String {
        match self {
            ApiError::Status { message, .. } if !message.is_empty() => message.clone(),
            ApiError::Status { status: 404, .. } => "Not found.".to_string(),
            ApiError::Status { status, .. } => {
                format!("The server answered with an error ({status}).")
            }
            ApiError::Network => {
                "Cannot reach the Cairn server. Check your connection and try again.".to_string()
            }
            ApiError::Decode(why) => {
                format!("The server sent an answer the editor cannot read ({why}).")
            }
        }
    }
}

/// Escapes an id for use as one path segment.
pub(crate) fn segment(id: &str) -> String {
    js_sys::encode_uri_component(id).into()
}

/// Sends a request and returns the response if its status is 2xx.
async fn send(
    method: &str,
    path: &str,
    body: Option<&impl Serialize>,
) -> Result<Response, ApiError> {
    let init = RequestInit::new();
    init.set_method(method);
    init.set_credentials(RequestCredentials::SameOrigin);
    let headers = Headers::new().map_err(|_| ApiError::Network)?;
    let _ = headers.set("accept", "application/json");
    if let Some(body) = body {
        let payload = json::to_string(body).map_err(ApiError::Decode)?;
        let _ = headers.set("content-type", "application/json");
        init.set_body(&JsValue::from_str(&payload));
    }
    init.set_headers(&headers);

    let window = web_sys::window().ok_or(ApiError::Network)?;
    let answer = JsFuture::from(window.fetch_with_str_and_init(&format!("{BASE}{path}"), &init))
        .await
        .map_err(|_| ApiError::Network)?;
    let response: Response = answer.dyn_into().map_err(|_| ApiError::Network)?;
    if response.ok() {
        return Ok(response);
    }
    Err(error_of(response).await)
}

/// Reads `{"error": {"code", "message"}}`; a body that is not one (a proxy's HTML page) still gives
/// a usable error from the status.
pub(crate) async fn error_of(response: Response) -> ApiError {
    let status = response.status();
    let body = match response.json() {
        Ok(promise) => JsFuture::from(promise).await.ok(),
        Err(_) => None,
    };
    match body.and_then(|v| json::from_js::<ErrorBody>(v).ok()) {
        Some(b) => ApiError::Status {
            status,
            problems: problems_of(&b.error.details),
            code: b.error.code,
            message: b.error.message,
        },
        None => ApiError::Status {
            status,
            code: String::new(),
            message: String::new(),
            problems: Vec::new(),
        },
    }
}

/// `details.errors[*].{pointer, message}` of a 422, as the server's schema check reports them.
fn problems_of(details: &serde_json::Value) -> Vec<DocumentError> {
    let Some(errors) = details.get("errors").and_then(|e| e.as_array()) else {
        return Vec::new();
    };
    errors
        .iter()
        .filter_map(|e| {
            Some(DocumentError {
                pointer: e.get("pointer")?.as_str()?.to_string(),
                message: e.get("message")?.as_str()?.to_string(),
            })
        })
        .collect()
}

async fn read<T: DeserializeOwned>(response: Response) -> Result<T, ApiError> {
    let promise = response
        .json()
        .map_err(|_| ApiError::Decode("no body".to_string()))?;
    let value = JsFuture::from(promise)
        .await
        .map_err(|_| ApiError::Decode("invalid JSON".to_string()))?;
    json::from_js(value).map_err(ApiError::Decode)
}

async fn get<T: DeserializeOwned>(path: &str) -> Result<T, ApiError> {
    read(send("GET", path, None::<&()>).await?).await
}

async fn call<B: Serialize, T: DeserializeOwned>(
    method: &str,
    path: &str,
    body: &B,
) -> Result<T, ApiError> {
    read(send(method, path, Some(body)).await?).await
}

/// `GET /auth/me`: who is signed in (401 when nobody).
pub async fn me() -> Result<Me, ApiError> {
    get("/auth/me").await
}

pub async fn login(email: &str, password: &str) -> Result<Me, ApiError> {
    let body = LoginRequest {
        email: email.to_string(),
        password: password.to_string(),
    };
    call("POST", "/auth/login", &body).await
}

pub async fn logout() -> Result<(), ApiError> {
    send("POST", "/auth/logout", None::<&()>).await.map(|_| ())
}

pub async fn apps() -> Result<Vec<AppView>, ApiError> {
    get("/apps").await
}

pub async fn tours() -> Result<Vec<TourSummary>, ApiError> {
    get("/tours").await
}

pub async fn tour(id: &str) -> Result<TourDetail, ApiError> {
    get(&format!("/tours/{}", segment(id))).await
}

/// Creates a tour (a draft) in an application.
pub async fn create_tour(new: &NewTour) -> Result<TourDetail, ApiError> {
    call("POST", "/tours", new).await
}

/// `GET /{kind}` of tooltips or checklists (`kind` is the API's plural).
pub async fn documents(kind: &str) -> Result<Vec<DocumentSummary>, ApiError> {
    get(&format!("/{kind}")).await
}

pub async fn document<T: DeserializeOwned>(kind: &str, id: &str) -> Result<T, ApiError> {
    get(&format!("/{kind}/{}", segment(id))).await
}

/// Creates a tooltip or checklist (`{app_id, document}`) as a draft.
pub async fn create_document<B: Serialize, T: DeserializeOwned>(
    kind: &str,
    new: &B,
) -> Result<T, ApiError> {
    call("POST", &format!("/{kind}"), new).await
}

/// Replaces a document's draft (`kind` is the API's plural).
pub async fn save_document<B: Serialize, T: DeserializeOwned>(
    kind: &str,
    id: &str,
    draft: &B,
) -> Result<T, ApiError> {
    call("PUT", &format!("/{kind}/{}", segment(id)), draft).await
}

/// Publishes a document's saved draft as a new version.
pub async fn publish_document(kind: &str, id: &str, message: &str) -> Result<Published, ApiError> {
    let body = PublishRequest {
        message: message.to_string(),
    };
    call("POST", &format!("/{kind}/{}/publish", segment(id)), &body).await
}

/// The queue, filtered: `query` is the query string the server takes (`status=open&tier=2…`),
/// built by [`crate::queue::QueueFilter::query`].
pub async fn tickets(query: &str) -> Result<Vec<TicketView>, ApiError> {
    if query.is_empty() {
        get("/tickets").await
    } else {
        get(&format!("/tickets?{query}")).await
    }
}

pub async fn ticket(id: &str) -> Result<TicketDetail, ApiError> {
    get(&format!("/tickets/{}", segment(id))).await
}

/// Status, owner, priority or category changes.
pub async fn update_ticket(id: &str, update: &TicketUpdate) -> Result<TicketDetail, ApiError> {
    call("PATCH", &format!("/tickets/{}", segment(id)), update).await
}

/// A public reply (`internal` false) or an internal note.
pub async fn add_entry(id: &str, body: &str, internal: bool) -> Result<TicketEntry, ApiError> {
    let entry = NewEntry {
        body: body.to_string(),
        internal,
    };
    call("POST", &format!("/tickets/{}/entries", segment(id)), &entry).await
}

pub async fn escalate(id: &str, tier: u8, note: &str) -> Result<TicketDetail, ApiError> {
    let body = Escalation {
        tier,
        note: note.to_string(),
    };
    call("POST", &format!("/tickets/{}/escalate", segment(id)), &body).await
}

/// The organisation's users, for the owner picker.
pub async fn users() -> Result<Vec<UserView>, ApiError> {
    get("/users").await
}

pub async fn deliveries() -> Result<Vec<DeliveryView>, ApiError> {
    get("/deliveries").await
}

/// Puts a dead delivery back in the outbox.
pub async fn retry_delivery(id: &str) -> Result<(), ApiError> {
    send(
        "POST",
        &format!("/deliveries/{}/retry", segment(id)),
        None::<&()>,
    )
    .await
    .map(|_| ())
}

/// Published versions of a document (`kind` is the API's plural), newest first.
pub async fn versions(kind: &str, id: &str) -> Result<Vec<VersionView>, ApiError> {
    get(&format!("/{kind}/{}/versions", segment(id))).await
}

/// What changed from version `from` to version `to` (the draft when `None`).
pub async fn diff(
    kind: &str,
    id: &str,
    from: u32,
    to: Option<u32>,
) -> Result<Vec<Change>, ApiError> {
    let to = to.map(|v| format!("&to={v}")).unwrap_or_default();
    get(&format!("/{kind}/{}/diff?from={from}{to}", segment(id))).await
}

/// Publishes version `version` again as a new version; the draft becomes that version too.
pub async fn rollback(kind: &str, id: &str, version: u32) -> Result<Published, ApiError> {
    call(
        "POST",
        &format!("/{kind}/{}/rollback", segment(id)),
        &RollbackRequest { version },
    )
    .await
}

/// What `POST /tours/{id}/preview` answers: a short-lived link that opens the app with the draft.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct PreviewLink {
    pub url: String,
    #[serde(default)]
    pub expires_at: Option<i64>,
}

pub async fn preview(tour_id: &str) -> Result<PreviewLink, ApiError> {
    read(
        send(
            "POST",
            &format!("/tours/{}/preview", segment(tour_id)),
            None::<&()>,
        )
        .await?,
    )
    .await
}

pub async fn step_analytics(tour_id: &str) -> Result<TourStepAnalytics, ApiError> {
    get(&format!("/analytics/tours/{}/steps", segment(tour_id))).await
}

/// The organisation's integrations as loose JSON (`id`, `name`, `kind`…): the deliveries view only
/// needs their names.
pub async fn integrations() -> Result<Vec<serde_json::Value>, ApiError> {
    get("/integrations").await
}

/// A report (`/reports/…`) as JSON; `query` is its query string without `?`.
pub async fn report<T: DeserializeOwned>(path: &str, query: &str) -> Result<T, ApiError> {
    get(&crate::chart::href("", path, query, false)).await
}

/// The CSV download of the same report: a plain same-origin link, so the session cookie goes along.
pub fn report_csv(path: &str, query: &str) -> String {
    crate::chart::href(BASE, path, query, true)
}

/// Broken-step alerts, open ones first.
pub async fn alerts() -> Result<cairn_shared::reports::AlertList, ApiError> {
    get("/reports/alerts").await
}
