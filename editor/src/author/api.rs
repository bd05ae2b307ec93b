//! The author API, called cross-origin from the host page with the author link's token; no cookies.

use cairn_shared::author::{
    AUTHOR_HEADER, AuthorDraft, AuthorLink, AuthorTooltip, TOOLTIP_TOKEN_PREFIX,
};
use cairn_shared::content::{Tooltip, Tour};
use serde::Serialize;
use serde::de::DeserializeOwned;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Headers, RequestCredentials, RequestInit, RequestMode, Response};

use crate::api::{ApiError, error_of};
use crate::json;

pub struct AuthorApi {
    url: String,
    token: String,
    tooltip: bool,
}

impl AuthorApi {
    /// A tooltip's token (its signed purpose comes first) picks that tooltip's element; any other
    /// records a tour.
    pub fn new(server: &str, token: String) -> AuthorApi {
        let tooltip = token.starts_with(TOOLTIP_TOKEN_PREFIX);
        let what = if tooltip { "tooltip" } else { "tour" };
        AuthorApi {
            url: format!("{server}/api/v1/author/{what}"),
            token,
            tooltip,
        }
    }

    /// Whether the link is a tooltip's.
    pub fn is_tooltip(&self) -> bool {
        self.tooltip
    }

    /// The tour's draft.
    pub async fn draft(&self) -> Result<AuthorDraft, ApiError> {
        self.send("GET", None::<&()>).await
    }

    /// Replaces the tour's draft; a 422 carries each problem's JSON pointer.
    pub async fn save(&self, tour: &Tour) -> Result<AuthorDraft, ApiError> {
        self.send("PUT", Some(tour)).await
    }

    /// The tooltip's draft.
    pub async fn tooltip(&self) -> Result<AuthorTooltip, ApiError> {
        self.send("GET", None::<&()>).await
    }

    /// Replaces the tooltip's draft (its element, text and trigger).
    pub async fn save_tooltip(&self, tooltip: &Tooltip) -> Result<AuthorTooltip, ApiError> {
        self.send("PUT", Some(tooltip)).await
    }

    async fn send<B: Serialize, T: DeserializeOwned>(
        &self,
        method: &str,
        body: Option<&B>,
    ) -> Result<T, ApiError> {
        let init = RequestInit::new();
        init.set_method(method);
        init.set_mode(RequestMode::Cors);
        init.set_credentials(RequestCredentials::Omit);
        let headers = Headers::new().map_err(|_| ApiError::Network)?;
        let _ = headers.set("accept", "application/json");
        let _ = headers.set(AUTHOR_HEADER, &self.token);
        if let Some(body) = body {
            let payload = json::to_string(body).map_err(ApiError::Decode)?;
            let _ = headers.set("content-type", "application/json");
            init.set_body(&JsValue::from_str(&payload));
        }
        init.set_headers(&headers);
        let window = web_sys::window().ok_or(ApiError::Network)?;
        let answer = JsFuture::from(window.fetch_with_str_and_init(&self.url, &init))
            .await
            .map_err(|_| ApiError::Network)?;
        let response: Response = answer.dyn_into().map_err(|_| ApiError::Network)?;
        read(response).await
    }
}

/// `POST /api/v1/{kind}/{id}/author-link` (`kind`: `tours` or `tooltips`), from the editor page
/// (same origin, session cookie).
pub async fn author_link(kind: &str, id: &str) -> Result<AuthorLink, ApiError> {
    let init = RequestInit::new();
    init.set_method("POST");
    init.set_credentials(RequestCredentials::SameOrigin);
    let headers = Headers::new().map_err(|_| ApiError::Network)?;
    let _ = headers.set("accept", "application/json");
    init.set_headers(&headers);
    let url = format!(
        "/api/v1/{kind}/{}/author-link",
        String::from(js_sys::encode_uri_component(id))
    );
    let window = web_sys::window().ok_or(ApiError::Network)?;
    let answer = JsFuture::from(window.fetch_with_str_and_init(&url, &init))
        .await
        .map_err(|_| ApiError::Network)?;
    let response: Response = answer.dyn_into().map_err(|_| ApiError::Network)?;
    read(response).await
}

async fn read<T: DeserializeOwned>(response: Response) -> Result<T, ApiError> {
    if !response.ok() {
        return Err(error_of(response).await);
    }
    let promise = response
        .json()
        .map_err(|_| ApiError::Decode("no body".to_string()))?;
    let value = JsFuture::from(promise)
        .await
        .map_err(|_| ApiError::Decode("invalid JSON".to_string()))?;
    json::from_js(value).map_err(ApiError::Decode)
}
