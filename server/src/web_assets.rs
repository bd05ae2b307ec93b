//! Static pages served by the binary itself: the overlay and editor bundles (embedded at build time),
//! and the demo purchasing application with the snippet for the demo app's key.

use actix_web::http::header;
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

/// Sends bytes with a content ETag; browsers revalidate (`no-cache`) so a new build shows at once.
fn send(req: &HttpRequest, name: &str, bytes: &[u8]) -> HttpResponse {
    let etag = format!("\"{}\"", &hex::encode(Sha256::digest(bytes))[..24]);
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
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .insert_header(("x-content-type-options", "nosniff"));
    if name.ends_with(".html") {
        res.insert_header((header::CONTENT_SECURITY_POLICY, CSP));
    }
    if fresh {
        return res.finish();
    }
    res.content_type(content_type(name)).body(bytes.to_vec())
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
    Ok(send(&req, "index.html", html.as_bytes()))
}

fn escape_attr(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
}
