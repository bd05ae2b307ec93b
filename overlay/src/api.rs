//! HTTP calls to the Cairn server. Every overlay request is a CORS request from the host page that
//! carries the application's public key in `x-cairn-app-key`.
//!
//! Results arrive through callbacks on the fetch promise rather than `async` functions: the
//! executor and state machines of async Rust cost several KB of wasm the budget cannot spare.

use cairn_shared::APP_KEY_HEADER;
use cairn_shared::api::OverlayContent;
use cairn_shared::preview::PREVIEW_HEADER;
use js_sys::Promise;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::Response;

use crate::codec::{self, Obj};
use crate::{dom, preview, runtime};

pub const CONTENT: &str = "/api/v1/overlay/content";
pub const EVENTS: &str = "/api/v1/overlay/events";
pub const TICKETS: &str = "/api/v1/overlay/tickets";
pub const MY_TICKETS: &str = "/api/v1/overlay/my-tickets";

#[wasm_bindgen]
extern "C" {
    /// `fetch` with a plain `RequestInit` object (cheaper than web-sys' typed builder).
    #[wasm_bindgen(js_name = fetch)]
    fn fetch_with(url: &str, init: &JsValue) -> Promise;
}

/// Starts a request. `keepalive` lets it outlive the page (on `pagehide`); `extra` headers.
fn start(
    method: &str,
    path: &str,
    body: Option<&str>,
    keepalive: bool,
    extra: &[(&str, &str)],
) -> Option<Promise> {
    let rt = runtime::get()?;
    let mut headers = Obj::new().set(APP_KEY_HEADER, rt.app_key.as_str());
    for (name, value) in extra {
        headers = headers.set(name, *value);
    }
    if body.is_some() {
        headers = headers.set("content-type", "application/json");
    }
    if path == CONTENT
        && let Some(token) = preview::token()
    {
        headers = headers.set(PREVIEW_HEADER, token.as_str());
    }
    let init = Obj::new()
        .set("method", method)
        .set("mode", "cors")
        .set("headers", headers.done())
        .opt("body", body)
        .set("keepalive", keepalive)
        .done();
    Some(fetch_with(&dom::cat(&[&rt.api, path]), &init))
}

/// Sends a request; `done` gets the status and the JSON body (`undefined` when the body is not
/// JSON), or `None` when the server could not be reached.
pub fn request(
    method: &str,
    path: &str,
    body: Option<&str>,
    done: impl FnOnce(Option<(u16, JsValue)>) + 'static,
) {
    request_with(method, path, body, &[], done);
}

/// [`request`] with extra headers.
pub fn request_with(
    method: &str,
    path: &str,
    body: Option<&str>,
    extra: &[(&str, &str)],
    done: impl FnOnce(Option<(u16, JsValue)>) + 'static,
) {
    let Some(request) = start(method, path, body, false, extra) else {
        return done(None);
    };
    answer(&request, Box::new(done));
}

/// What [`answer`] calls with the status and the JSON body; boxed, so that reading an answer is
/// compiled once rather than once per kind of request.
type Answered = Box<dyn FnOnce(Option<(u16, JsValue)>)>;

/// Reads the status and the JSON body of a fetch in flight.
fn answer(request: &Promise, done: Answered) {
    dom::settle(request, move |response| {
        let Ok(response) = response else {
            return done(None);
        };
        let status = dom::num(&response, "status") as u16;
        let response: Response = response.unchecked_into();
        match response.json() {
            Ok(json) => dom::settle(&json, move |body| {
                done(Some((status, body.unwrap_or(JsValue::UNDEFINED))))
            }),
            Err(_) => done(Some((status, JsValue::UNDEFINED))),
        }
    });
}

pub fn ok(status: u16) -> bool {
    (200..300).contains(&status)
}

/// Fires a POST that survives the page being unloaded; its outcome is never known.
pub fn post_keepalive(path: &str, body: &str) {
    if let Some(request) = start("POST", path, Some(body), true, &[]) {
        // Observing the promise keeps a failure from surfacing as an unhandled rejection.
        dom::settle(&request, |_| {});
    }
}

/// `GET /api/v1/overlay/content`; `Err` holds what went wrong, for the console. `prefetched` is
/// the same request, started by the loader while the wasm was still loading. A refused preview
/// token is dropped and the published content fetched instead.
pub fn content(
    prefetched: Option<Promise>,
    done: impl FnOnce(Result<OverlayContent, String>) + 'static,
) {
    // A preview sends its token with the request, which the loader's prefetch does not carry.
    let prefetched = prefetched.filter(|_| preview::token().is_none());
    let Some(request) = prefetched.or_else(|| start("GET", CONTENT, None, false, &[])) else {
        return done(Err("cairn is not booted".into()));
    };
    answer(
        &request,
        Box::new(move |answer| {
            if let Some((401, _)) = answer
                && preview::token().is_some()
            {
                preview::forget();
                return content(None, done);
            }
            done(match answer {
                Some((status, body)) if ok(status) => Ok(codec::content(&body)),
                Some((status, body)) => Err(error_message(status, &body)),
                None => Err("the server could not be reached".into()),
            })
        }),
    );
}

/// Files a "Still stuck?" ticket; `done` gets its number, or a phrase for the employee.
/// `report` is the `StuckReport` JSON (`codec::stuck_report`).
pub fn file_ticket(report: &JsValue, done: impl FnOnce(Result<i64, String>) + 'static) {
    let body = codec::stringify(report).unwrap_or_default();
    request("POST", TICKETS, Some(&body), move |answer| {
        done(match answer {
            Some((status, body)) if ok(status) => codec::number(&body, "number")
                .map(|n| n as i64)
                .ok_or_else(|| "the server's answer was not understood".into()),
            Some((status, body)) => Err(error_message(status, &body)),
            None => Err("the help desk could not be reached".into()),
        })
    });
}

/// The message of the API's `{"error": {"code", "message", "details"}}` body.
fn error_message(status: u16, body: &JsValue) -> String {
    codec::opt_string(&codec::get(body, "error"), "message")
        .unwrap_or_else(|| dom::cat(&["the server answered ", &dom::int(f64::from(status))]))
}
