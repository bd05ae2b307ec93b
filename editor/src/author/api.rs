//! The author API, called cross-origin from the host page with the author link's token; no cookies.

use cairn_shared::author::{AUTHOR_HEADER, AuthorDraft, AuthorLink};
use cairn_shared::content::Tour;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Headers, RequestCredentials, RequestInit, RequestMode, Response};

use crate::api::{ApiError, error_of};
use crate::json;

pub struct AuthorApi {
    url: String,
    token: String,
}

impl AuthorApi {
    pub fn new(server: &str, token: String) -> AuthorApi {
        AuthorApi {
            url: format!("{server}/api/v1/author/tour"),
            token,
        }
    }

    /// The tour's draft.
    pub async fn draft(&self) -> Result<AuthorDraft, ApiError> {
        self.send("GET", None).await
    }

    /// Replaces the tour's draft; a 422 carries each problem's JSON pointer.
    pub async fn save(&self, tour: &Tour) -> Result<AuthorDraft, ApiError> {
        self.send("PUT", Some(tour)).await
    }

    async fn send(&self, method: &str, body: Option<&Tour>) -> Result<AuthorDraft, ApiError> {
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

/// `POST /api/v1/tours/{id}/author-link`, from the editor page (same origin, session cookie).
pub async fn author_link(tour_id: &str) -> Result<AuthorLink, ApiError> {
    let init = RequestInit::new();
    init.set_method("POST");
    init.set_credentials(RequestCredentials::SameOrigin);
    let headers = Headers::new().map_err(|_| ApiError::Network)?;
    let _ = headers.set("accept", "application/json");
    init.set_headers(&headers);
    let url = format!(
        "/api/v1/tours/{}/author-link",
        String::from(js_sys::encode_uri_component(tour_id))
    );
    let window = web_sys::window().ok_or(ApiError::Network)?;
    let answer = JsFuture::from(window.fetch_with_str_and_init(&url, &init))
        .await
        .map_err(|_| ApiError::Network)?;
    let response: Response = answer.dyn_into().map_err(|_| ApiError::Network)?;
    read(response).await
}

async fn read<T: serde::de::DeserializeOwned>(response: Response) -> Result<T, ApiError> {
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
