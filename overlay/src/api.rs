//! HTTP calls to the Cairn server. Every overlay request is a CORS request from the host page that
//! carries the application's public key in `x-cairn-app-key`.

use cairn_shared::APP_KEY_HEADER;
use cairn_shared::api::OverlayContent;
use cairn_shared::tickets::{StuckReport, TicketFiled};
use js_sys::{Promise, Reflect};
use serde::Deserialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Headers, RequestInit, RequestMode, Response};

use crate::dom::{self, Res};
use crate::runtime;

pub const CONTENT: &str = "/api/v1/overlay/content";
pub const EVENTS: &str = "/api/v1/overlay/events";
pub const TICKETS: &str = "/api/v1/overlay/tickets";

/// Starts a request and returns its promise. `keepalive` lets it outlive the page (on `pagehide`).
fn start(method: &str, path: &str, body: Option<&str>, keepalive: bool) -> Res<Promise> {
    let rt = runtime::get().ok_or("cairn is not booted")?;
    let headers = Headers::new()?;
    headers.set(APP_KEY_HEADER, &rt.app_key)?;
    let init = RequestInit::new();
    init.set_method(method);
    init.set_mode(RequestMode::Cors);
    if let Some(body) = body {
        headers.set("content-type", "application/json")?;
        init.set_body(&JsValue::from_str(body));
    }
    init.set_headers(&headers);
    if keepalive {
        // Not in web-sys' RequestInit yet.
        Reflect::set(&init, &"keepalive".into(), &JsValue::TRUE)?;
    }
    Ok(dom::window().fetch_with_str_and_init(&format!("{}{path}", rt.api), &init))
}

/// The status and body text of a finished request; `Err` on a network failure.
async fn finish(request: Promise) -> Res<(u16, String)> {
    let response: Response = JsFuture::from(request).await?.dyn_into()?;
    let text = JsFuture::from(response.text()?).await?;
    Ok((response.status(), text.as_string().unwrap_or_default()))
}

pub async fn send(method: &str, path: &str, body: Option<&str>) -> Res<(u16, String)> {
    finish(start(method, path, body, false)?).await
}

/// Fires a POST that survives the page being unloaded; its outcome is never known.
pub fn send_keepalive(path: &str, body: &str) {
    if let Ok(request) = start("POST", path, Some(body), true) {
        // The request is already on its way; awaiting it only keeps a failure from surfacing as an
        // unhandled rejection.
        wasm_bindgen_futures::spawn_local(async move {
            let _ = JsFuture::from(request).await;
        });
    }
}

/// Starts fetching the content, so the request runs while the page finishes parsing.
pub fn start_content() -> Res<Promise> {
    start("GET", CONTENT, None, false)
}

pub async fn content(request: Promise) -> Res<OverlayContent> {
    let (status, text) = finish(request).await?;
    if !(200..300).contains(&status) {
        return Err(error_message(status, &text).into());
    }
    serde_json::from_str(&text).map_err(|e| e.to_string().into())
}

/// Files a "Still stuck?" ticket; `Err` holds a sentence to show the employee.
pub async fn file_ticket(report: &StuckReport) -> Result<TicketFiled, String> {
    let body = serde_json::to_string(report).map_err(|e| e.to_string())?;
    match send("POST", TICKETS, Some(&body)).await {
        Ok((status, text)) if (200..300).contains(&status) => {
            serde_json::from_str(&text).map_err(|e| e.to_string())
        }
        Ok((status, text)) => Err(error_message(status, &text)),
        Err(_) => Err("the help desk could not be reached".into()),
    }
}

/// Just the message of the API's `{"error": {…}}` body, without pulling in `serde_json::Value`.
#[derive(Deserialize)]
struct ErrorBody {
    error: ErrorDetail,
}

#[derive(Deserialize)]
struct ErrorDetail {
    message: String,
}

fn error_message(status: u16, body: &str) -> String {
    match serde_json::from_str::<ErrorBody>(body) {
        Ok(e) => e.error.message,
        Err(_) => format!("the server answered {status}"),
    }
}
