//! The API's errors, mapped to HTTP once: each variant has a status and a stable code, and every
//! error body is `{"error": {"code", "message", "details"}}`, never an HTML page.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, ResponseError, error as actix_error};
use cairn_shared::api::{ErrorBody, ErrorDetail};
use serde_json::{Value, json};

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    BadRequest(String),
    #[error("the body is not valid JSON: {0}")]
    InvalidJson(String),
    #[error("sign in first")]
    Unauthorized,
    #[error("wrong email or password")]
    BadCredentials,
    #[error("{0}")]
    Forbidden(String),
    #[error("unknown application key")]
    UnknownAppKey,
    /// A signed link (preview, record-in-app) that is forged, malformed or expired.
    #[error("{0}")]
    InvalidLink(#[from] crate::signed::TokenError),
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("{0}")]
    Conflict(String),
    #[error("the request body is larger than the {limit} bytes allowed")]
    PayloadTooLarge { limit: usize },
    #[error("send the body as application/json")]
    UnsupportedMediaType,
    #[error("{message}")]
    Unprocessable { message: String, details: Value },
    #[error("too many requests, retry in {retry_after_secs} s")]
    RateLimited { retry_after_secs: u64 },
    #[error("internal error")]
    Internal(#[source] anyhow::Error),
}

impl ApiError {
    pub fn code(&self) -> &'static str {
        match self {
            ApiError::BadRequest(_) => "bad_request",
            ApiError::InvalidJson(_) => "invalid_json",
            ApiError::Unauthorized => "unauthorized",
            ApiError::BadCredentials => "bad_credentials",
            ApiError::Forbidden(_) => "forbidden",
            ApiError::UnknownAppKey => "unknown_app_key",
            ApiError::InvalidLink(_) => "invalid_link",
            ApiError::NotFound(_) => "not_found",
            ApiError::Conflict(_) => "conflict",
            ApiError::PayloadTooLarge { .. } => "payload_too_large",
            ApiError::UnsupportedMediaType => "unsupported_media_type",
            ApiError::Unprocessable { .. } => "unprocessable",
            ApiError::RateLimited { .. } => "rate_limited",
            ApiError::Internal(_) => "internal",
        }
    }

    fn details(&self) -> Value {
        match self {
            ApiError::Unprocessable { details, .. } => details.clone(),
            ApiError::PayloadTooLarge { limit } => json!({ "limit": limit }),
            _ => Value::Null,
        }
    }

    pub fn unprocessable(message: impl Into<String>, details: Value) -> Self {
        ApiError::Unprocessable {
            message: message.into(),
            details,
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::BadRequest(_) | ApiError::InvalidJson(_) => StatusCode::BAD_REQUEST,
            ApiError::Unauthorized
            | ApiError::BadCredentials
            | ApiError::UnknownAppKey
            | ApiError::InvalidLink(_) => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::Unprocessable { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        if let ApiError::Internal(e) = self {
            tracing::error!(error = ?e, "internal error");
        }
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code().to_string(),
                message: self.to_string(),
                details: self.details(),
            },
        };
        let mut res = HttpResponse::build(self.status_code()).json(body);
        if let ApiError::RateLimited { retry_after_secs } = self
            && let Ok(v) = HeaderValue::from_str(&retry_after_secs.to_string())
        {
            res.headers_mut().insert(header::RETRY_AFTER, v);
        }
        res
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(e: sqlx::Error) -> Self {
        match e {
            sqlx::Error::RowNotFound => ApiError::NotFound("record"),
            other => ApiError::Internal(other.into()),
        }
    }
}

impl From<serde_json::Error> for ApiError {
    fn from(e: serde_json::Error) -> Self {
        ApiError::Internal(e.into())
    }
}

/// Turns actix's JSON extractor errors into [`ApiError`]s: syntax errors are 400, well-formed JSON of
/// the wrong shape is 422 with where it went wrong.
pub fn json_error(err: actix_error::JsonPayloadError, _req: &HttpRequest) -> actix_web::Error {
    use actix_error::JsonPayloadError as J;
    let api = match err {
        J::OverflowKnownLength { limit, .. } | J::Overflow { limit } => {
            ApiError::PayloadTooLarge { limit }
        }
        J::ContentType => ApiError::UnsupportedMediaType,
        J::Deserialize(e) if e.is_data() => ApiError::unprocessable(
            format!("the JSON does not have the expected shape: {e}"),
            json!({ "line": e.line(), "column": e.column() }),
        ),
        J::Deserialize(e) => ApiError::InvalidJson(e.to_string()),
        J::Payload(actix_error::PayloadError::Overflow) => ApiError::PayloadTooLarge { limit: 0 },
        other => ApiError::BadRequest(other.to_string()),
    };
    api.into()
}

pub fn path_error(err: actix_error::PathError, _req: &HttpRequest) -> actix_web::Error {
    ApiError::BadRequest(err.to_string()).into()
}

pub fn query_error(err: actix_error::QueryPayloadError, _req: &HttpRequest) -> actix_web::Error {
    ApiError::BadRequest(err.to_string()).into()
}

/// Unknown routes under the API answer JSON too.
pub async fn not_found() -> Result<actix_web::HttpResponse, ApiError> {
    Err(ApiError::NotFound("route"))
}
