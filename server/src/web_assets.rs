//! Static pages served by the binary itself: the overlay and editor bundles (embedded at build time),
//! and the demo purchasing application with the snippet for the demo app's key.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock, PoisonError};

use actix_web::http::header;
use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::error::ApiError;
use crate::startup::AppState;
use crate::store;

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/web_assets.rs"));
}

/// The CSP of Cairn's own pages; the overlay must work under it, so the demo proves it does.
pub const CSP: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:; frame-ancestors 'self'";

/// The employee the demo page signs in as.
pub const DEMO_USER: &str = "sam.rivera";

const DEMO_HTML: &str = include_str!("../assets/demo/index.html");
const DEMO_CSS: &str = include_str!("../assets/demo/demo.css");
const DEMO_JS: &str = include_str!("../assets/demo/demo.js");

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/", web::get().to(|| async { redirect("/editor/") }))
        .route("/editor", web::get().to(|| async { redirect("/editor/") }))
        .route("/demo", web::get().to(|| async { redirect("/demo/") }))
        .route("/demo/", web::get().to(demo_page))
        .route(
            "/demo/demo.css",
            web::get()
                .to(|req: HttpRequest| async move { send(&req, "demo.css", DEMO_CSS.as_bytes()) }),
        )
        .route(
            "/demo/demo.js",
            web::get()
                .to(|req: HttpRequest| async move { send(&req, "demo.js", DEMO_JS.as_bytes()) }),
        )
        .route("/overlay/{file:.*}", web::get().to(bundle_file))
        .route("/editor/{file:.*}", web::get().to(bundle_file));
}

fn redirect(to: &'static str) -> HttpResponse {
    HttpResponse::Found()
        .insert_header((header::LOCATION, to))
        .finish()
}

fn content_type(name: &str) -> &'static str {
    match name.rsplit('.').next() {
        Some("js") => "text/javascript; charset=utf-8",
        Some("wasm") => "application/wasm",
        Some("css") => "text/css; charset=utf-8",
        Some("html") => "text/html; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("json") => "application/json",
        _ => "application/octet-stream",
    }
}

/// The placeholder in the loader that the overlay bundle's hash replaces.
const HASH_PLACEHOLDER: &str = "CAIRN_BUNDLE_HASH";

/// The loader's path; it keeps its stable URL (the snippet's) and is revalidated.
const LOADER: &str = "overlay/cairn.js";

/// Files the loader requests by a hashed URL (`?v=<bundle hash>`, see `build.rs`).
const HASHED: [&str; 2] = ["overlay/cairn_overlay.js", "overlay/cairn_overlay_bg.wasm"];

/// A year, and never revalidated: the URL changes when the bytes do.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// The loader with the bundle hash written in, computed once.
fn loader(bytes: &[u8]) -> &'static [u8] {
    static WITH_HASH: OnceLock<Vec<u8>> = OnceLock::new();
    WITH_HASH.get_or_init(|| with_hash(bytes, embedded::BUNDLE_HASH))
}

fn with_hash(loader: &[u8], hash: &str) -> Vec<u8> {
    String::from_utf8_lossy(loader)
        .replace(HASH_PLACEHOLDER, hash)
        .into_bytes()
}

/// Whether the request names the current bundle hash (`?v=<hash>`): an older or forged hash is
/// served the current bytes, revalidated, so no stale file is ever pinned for a year.
fn names_current_hash(req: &HttpRequest) -> bool {
    names_hash(req.query_string(), embedded::BUNDLE_HASH)
}

fn names_hash(query: &str, hash: &str) -> bool {
    query.split('&').any(|p| p.strip_prefix("v=") == Some(hash))
}

/// Sends an embedded file with a content ETag; browsers revalidate (`no-cache`) so a new build shows
/// at once.
fn send(req: &HttpRequest, name: &str, bytes: &'static [u8]) -> HttpResponse {
    send_cached(req, name, bytes, "no-cache")
}

/// `send` with the given `Cache-Control`.
fn send_cached(
    req: &HttpRequest,
    name: &str,
    bytes: &'static [u8],
    cache: &'static str,
) -> HttpResponse {
    respond(
        req,
        name,
        Bytes::from_static(bytes),
        static_etag(bytes),
        cache,
    )
}

/// The response for `body`, or 304 when the request already has `etag`.
fn respond(
    req: &HttpRequest,
    name: &str,
    body: Bytes,
    etag: &str,
    cache: &'static str,
) -> HttpResponse {
    let fresh = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v == etag);
    let mut res = if fresh {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    res.insert_header((header::ETAG, etag))
        .insert_header((header::CACHE_CONTROL, cache))
        .insert_header(("x-content-type-options", "nosniff"));
    if name.ends_with(".html") {
        res.insert_header((header::CONTENT_SECURITY_POLICY, CSP));
    }
    if fresh {
        return res.finish();
    }
    res.content_type(content_type(name)).body(body)
}

/// A quoted prefix of the bytes' SHA-256.
fn etag_of(bytes: &[u8]) -> String {
    format!("\"{}\"", &hex::encode(Sha256::digest(bytes))[..24])
}

/// The ETag of an embedded file, hashed on its first request only (by address: the files never
/// change while the binary runs, and there are a few dozen).
fn static_etag(bytes: &'static [u8]) -> &'static str {
    static TAGS: OnceLock<Mutex<HashMap<(usize, usize), &'static str>>> = OnceLock::new();
    let mut tags = TAGS
        .get_or_init(Mutex::default)
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    tags.entry((bytes.as_ptr() as usize, bytes.len()))
        .or_insert_with(|| Box::leak(etag_of(bytes).into_boxed_str()))
}

async fn bundle_file(req: HttpRequest) -> HttpResponse {
    let path = req.path().trim_start_matches('/');
    let part = if path.starts_with("overlay/") {
        "overlay"
    } else {
        "editor"
    };
    let wanted = if path == "editor/" {
        "editor/index.html"
    } else {
        path
    };
    if let Some((name, bytes)) = embedded::FILES.iter().find(|(name, _)| *name == wanted) {
        if *name == LOADER {
            return send(&req, name, loader(bytes));
        }
        if HASHED.contains(name) && names_current_hash(&req) {
            return send_cached(&req, name, bytes, IMMUTABLE);
        }
        return send(&req, name, bytes);
    }
    if !embedded::FILES
        .iter()
        .any(|(name, _)| name.starts_with(part))
    {
        return HttpResponse::ServiceUnavailable().json(json!({ "error": {
            "code": "bundle_not_built",
            "message": format!("the {part} bundle is not built into this binary: run `cargo xtask build` (or `cargo xtask run`)"),
            "details": null,
        }}));
    }
    HttpResponse::NotFound().json(
        json!({ "error": { "code": "not_found", "message": "file not found", "details": null }}),
    )
}

/// The demo purchasing app, with the snippet of the demo application.
async fn demo_page(state: web::Data<AppState>, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let key = store::settings::get(&state.db, store::settings::DEMO_APP_KEY)
        .await?
        .ok_or(ApiError::NotFound(
            "demo application (set CAIRN_SEED_DEMO=1 on an empty database)",
        ))?;
    let app = state
        .caches
        .app_by_key(&state.db, &key)
        .await?
        .ok_or(ApiError::NotFound("demo application"))?;
    let hash = crate::identity::identity_hash(&app.identity_secret, DEMO_USER);
    let html = DEMO_HTML
        .replace("{{APP_KEY}}", &escape_attr(&key))
        .replace("{{USER_ID}}", DEMO_USER)
        .replace("{{USER_HASH}}", &hash);
    let etag = etag_of(html.as_bytes());
    Ok(respond(
        &req,
        "index.html",
        Bytes::from(html),
        &etag,
        "no-cache",
    ))
}

fn escape_attr(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_loader_gets_the_bundle_hash() {
        let out = with_hash(
            b"import(base + 'cairn_overlay.js?v=CAIRN_BUNDLE_HASH')",
            "0123abcd",
        );
        assert_eq!(out, b"import(base + 'cairn_overlay.js?v=0123abcd')");
        assert_eq!(embedded::BUNDLE_HASH.len(), 16);
    }

    #[test]
    fn embedded_files_are_hashed_once() {
        let a = static_etag(DEMO_CSS.as_bytes());
        assert_eq!(a, etag_of(DEMO_CSS.as_bytes()));
        assert!(std::ptr::eq(a, static_etag(DEMO_CSS.as_bytes())));
        assert_ne!(a, static_etag(DEMO_JS.as_bytes()));
    }

    #[test]
    fn only_the_current_hash_is_immutable() {
        assert!(names_hash("v=0123abcd", "0123abcd"));
        assert!(names_hash("x=1&v=0123abcd", "0123abcd"));
        assert!(!names_hash("v=0123abce", "0123abcd"));
        assert!(!names_hash("v=0123abcd0", "0123abcd"));
        assert!(!names_hash("", "0123abcd"));
    }
}
