//! Cross-cutting HTTP middleware: CORS for the public overlay paths and one structured log line per
//! request.

use std::time::Instant;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{Method, header};
use actix_web::middleware::Next;
use actix_web::{Error, HttpResponse};

use crate::metrics::METRICS;

/// Paths a host application's pages call from their own origin.
fn is_public_path(path: &str) -> bool {
    path.starts_with("/api/v1/overlay/")
        || path.starts_with("/overlay/")
        // Record in app: the author mode calls these from the host page with its signed token.
        || path.starts_with("/api/v1/author/")
        || path.starts_with("/editor/cairn_editor")
}

/// Answers preflights of the overlay endpoints and lets the calling origin read the response. Which
/// origins may actually use an application is decided by the `AppKey` extractor, which knows the
/// application; a preflight does not carry the key.
pub async fn cors(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    if !is_public_path(req.path()) {
        return Ok(next.call(req).await?.map_into_boxed_body());
    }
    let origin = req.headers().get(header::ORIGIN).cloned();
    if req.method() == Method::OPTIONS {
        let mut res = HttpResponse::NoContent();
        if let Some(o) = &origin {
            res.insert_header((header::ACCESS_CONTROL_ALLOW_ORIGIN, o.clone()));
        }
        res.insert_header((header::ACCESS_CONTROL_ALLOW_METHODS, "GET, POST, PUT"))
            .insert_header((
                header::ACCESS_CONTROL_ALLOW_HEADERS,
                "content-type, x-cairn-app-key, x-cairn-user-id, x-cairn-user-hash, x-cairn-preview, if-none-match",
            ))
            .insert_header((header::ACCESS_CONTROL_MAX_AGE, "600"))
            .insert_header((header::VARY, "Origin"));

        // Record in app: the author mode sends the author link's token in its own header.
        if req.path().starts_with("/api/v1/author/") {
            res.insert_header((
                header::ACCESS_CONTROL_ALLOW_HEADERS,
                "content-type, x-cairn-author",
            ));
        }
        return Ok(req.into_response(res.finish()));
    }
    let mut res = next.call(req).await?.map_into_boxed_body();
    if let Some(o) = origin {
        let h = res.headers_mut();
        h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, o);
        h.insert(
            header::ACCESS_CONTROL_EXPOSE_HEADERS,
            header::HeaderValue::from_static("etag"),
        );
        h.insert(header::VARY, header::HeaderValue::from_static("Origin"));
    }
    Ok(res)
}

/// One `tracing` event per request with method, path, status and duration.
pub async fn log_requests(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let start = Instant::now();
    let method = req.method().clone();
    let path = req.path().to_string();
    let res = next.call(req).await?;
    let status = res.status().as_u16();
    let elapsed = start.elapsed().as_secs_f64();
    let ms = elapsed * 1000.0;
    let route = res
        .request()
        .match_pattern()
        .unwrap_or_else(|| "unmatched".into());
    METRICS
        .http_requests
        .with_label_values(&[route.as_str(), method.as_str(), &status.to_string()])
        .inc();
    METRICS
        .http_duration
        .with_label_values(&[route.as_str()])
        .observe(elapsed);
    if status >= 500 {
        tracing::error!(%method, %path, status, ms, "request");
    } else if status >= 400 {
        tracing::info!(%method, %path, status, ms, "request");
    } else {
        tracing::debug!(%method, %path, status, ms, "request");
    }
    Ok(res)
}
