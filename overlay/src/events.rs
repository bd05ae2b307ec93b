//! Analytics events. Each gets an idempotency id (UUIDv7) and is written to a queue in localStorage
//! before any network call; the queue is sent in batches every second and, with `keepalive`, on
//! `pagehide`. Events leave the queue only once the server answered 2xx, so an outage or a closed tab
//! loses nothing, and the server ignores ids it has already counted. A batch the server refuses
//! (400/413/422) is retried in halves, and only an event refused on its own is dropped, so one bad
//! event cannot block the queue forever.
//!
//! The queue is kept as the JSON array that is sent, so it never needs decoding into Rust types.

use std::cell::{Cell, RefCell};

use cairn_shared::events::{EventDetails, EventKind, MAX_BATCH, OverlayEvent};
use js_sys::Array;
use wasm_bindgen::JsCast;

use crate::codec::{self, Obj};
use crate::dom::{self, Listener, Timer};
use crate::storage::{self, Store};
use crate::{api, js_api, runtime};

/// Oldest events are dropped past this, so a long outage cannot fill the storage quota.
const MAX_QUEUED: u32 = 2000;
/// A `keepalive` body must stay under 64 KB.
const KEEPALIVE_BATCH: u32 = 100;
const FLUSH_MS: i32 = 1000;
const MAX_BACKOFF_MS: f64 = 60_000.0;

/// What an event is about.
pub struct Subject<'a> {
    pub content_id: &'a str,
    pub version: u32,
    /// The step's id and 0-based index, for tour events.
    pub step: Option<(&'a str, u32)>,
}

#[derive(Default)]
struct Sender {
    /// The queue when localStorage is unavailable or full.
    memory: RefCell<Option<Array>>,
    in_flight: Cell<bool>,
    /// Failed sends in a row, for the back-off.
    failures: Cell<u32>,
    /// No send before this time (ms since 1970).
    retry_at: Cell<f64>,
    /// Events per batch; halved when the server refuses a batch, to isolate what it cannot take.
    batch: Cell<u32>,
}

thread_local! {
    /// The step last viewed and when (ms since 1970).
    static VIEWED: RefCell<Option<(String, f64)>> = const { RefCell::new(None) };
    // Leaked once: the state lives as long as the page, and one accessor keeps the wasm small.
    static SENDER: &'static Sender = Box::leak(Box::new(Sender {
        batch: Cell::new(MAX_BATCH as u32),
        ..Sender::default()
    }));
}

fn sender() -> &'static Sender {
    SENDER.with(|s| *s)
}

/// Records an event and tells the host's `cairn.on` handlers.
pub fn emit(kind: EventKind, subject: Subject) {
    emit_failed(kind, subject, None);
}

/// Like [`emit`], with the strategies that failed to find the element (`element_not_found`).
pub fn emit_failed(kind: EventKind, subject: Subject, failed_strategies: Option<String>) {
    let now = js_sys::Date::now();
    let step_id = subject.step.map(|(id, _)| id);
    // Time on step: from its view to what ended it (next, done, close) — what the rollups' sketch reads.
    let duration_ms = VIEWED.with(|v| match kind {
        EventKind::StepViewed => {
            *v.borrow_mut() = step_id.map(|id| (id.to_string(), now));
            None
        }
        EventKind::StepAdvanced | EventKind::TourCompleted | EventKind::TourDismissed => v
            .borrow_mut()
            .take()
            .filter(|(id, _)| Some(id.as_str()) == step_id)
            .map(|(_, at)| (now - at).max(0.0) as u32),
        _ => None,
    });
    let event = OverlayEvent {
        id: event_id(now),
        kind,
        content_id: subject.content_id.into(),
        step_id: subject.step.map(|(id, _)| id.into()),
        step_index: subject.step.map(|(_, i)| i),
        version: subject.version,
        page_url: runtime::page_url(),
        at: now as i64,
        // The segments the reports compare; the server takes the browser from the User-Agent.
        details: EventDetails {
            duration_ms,
            role: attribute("role"),
            department: attribute("department"),
            proficiency: attribute("proficiency"),
            locale: attribute("locale"),
            browser: None,
            failed_strategies,
        },
    };
    js_api::notify(&event);
    let mut queue = load();
    queue.push(&codec::event(&event));
    let overflow = queue.length().saturating_sub(MAX_QUEUED);
    if overflow > 0 {
        queue = queue.slice(overflow, queue.length());
    }
    save(&queue);
}

/// The identified user's attribute `name` (one function, not a closure inlined at each use).
fn attribute(name: &str) -> Option<String> {
    runtime::get().and_then(|rt| {
        rt.attributes
            .borrow()
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
    })
}

/// Sends what is queued every second, and what is left when the page goes away.
pub fn start() {
    Timer::every(FLUSH_MS, || flush(false)).forever();
    Listener::new(&dom::window(), "pagehide", false, |_| flush(true)).forever();
    flush(false);
}

fn queue_key() -> String {
    runtime::get().map(|rt| rt.key("queue")).unwrap_or_default()
}

fn load() -> Array {
    let stored = storage::get(Store::Local, &queue_key())
        .and_then(|json| codec::parse(&json))
        .and_then(|v| v.dyn_into::<Array>().ok());
    stored
        .or_else(|| sender().memory.borrow().clone())
        .unwrap_or_default()
}

fn save(queue: &Array) {
    let key = queue_key();
    let stored = if queue.length() == 0 {
        storage::remove(Store::Local, &key);
        true
    } else {
        codec::stringify(queue).is_some_and(|json| storage::set(Store::Local, &key, &json))
    };
    // Keep a single source of truth: storage when it works, memory from then on when it does not.
    let memory = if stored {
        None
    } else {
        storage::remove(Store::Local, &key);
        Some(queue.clone())
    };
    *sender().memory.borrow_mut() = memory;
}

/// Sends one batch. On `pagehide` the request is fired and forgotten: the events stay queued and
/// the next page load re-sends them, which the server de-duplicates.
fn flush(leaving: bool) {
    let s = sender();
    if !leaving && (s.in_flight.get() || js_sys::Date::now() < s.retry_at.get()) {
        return;
    }
    let queue = load();
    if queue.length() == 0 {
        return;
    }
    let size = if leaving {
        KEEPALIVE_BATCH.min(s.batch.get())
    } else {
        s.batch.get()
    };
    let batch = queue.slice(0, size);
    let Some(body) = codec::stringify(&Obj::new().set("events", batch.clone()).done()) else {
        return;
    };
    if leaving {
        api::post_keepalive(api::EVENTS, &body);
        return;
    }
    let ids: Vec<String> = batch.iter().map(|e| codec::string(&e, "id")).collect();
    s.in_flight.set(true);
    api::request("POST", api::EVENTS, Some(&body), move |answer| {
        let status = answer.map(|(status, _)| status);
        let refused = matches!(status, Some(400 | 413 | 422));
        if refused && ids.len() > 1 {
            // Too big, or one bad event in it: retry in halves until the culprit is alone.
            s.batch.set((ids.len() / 2) as u32);
        } else if refused || status.is_some_and(api::ok) {
            // Accepted, or a single event the server will never take: either way it leaves.
            let left: Array = load()
                .iter()
                .filter(|e| !ids.contains(&codec::string(e, "id")))
                .collect();
            save(&left);
            s.batch.set((s.batch.get() * 2).min(MAX_BATCH as u32));
            s.failures.set(0);
            s.retry_at.set(0.0);
        } else {
            // Back off while the server is unreachable: 2 s, 4 s, … up to a minute.
            let failures = (s.failures.get() + 1).min(6);
            s.failures.set(failures);
            let delay = (1000.0 * f64::from(1u32 << failures)).min(MAX_BACKOFF_MS);
            s.retry_at.set(js_sys::Date::now() + delay);
        }
        if let Some(status) = status
            && !api::ok(status)
        {
            dom::warn("events rejected", &status.into());
        }
        s.in_flight.set(false);
    });
}

/// A UUIDv7 in 32 hex characters: the time first, so the server's idempotency index receives ids
/// near its end instead of at random places, then 74 bits from the browser's CSPRNG.
fn event_id(now_ms: f64) -> String {
    let mut bytes = [0u8; 16];
    // Every browser the overlay runs in has `crypto.getRandomValues`, secure context or not.
    let crypto: web_sys::Crypto = dom::prop(&dom::window(), "crypto").unchecked_into();
    let _ = crypto.get_random_values_with_u8_array(&mut bytes);
    hex(&uuid_v7(now_ms as u64, bytes))
}

/// RFC 9562 UUIDv7: 48-bit Unix milliseconds, version 7, variant 10, the rest from `random`.
fn uuid_v7(ms: u64, mut random: [u8; 16]) -> [u8; 16] {
    random[..6].copy_from_slice(&ms.to_be_bytes()[2..]);
    random[6] = 0x70 | (random[6] & 0x0f);
    random[8] = 0x80 | (random[8] & 0x3f);
    random
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(DIGITS[usize::from(b >> 4)] as char);
        out.push(DIGITS[usize::from(b & 15)] as char);
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn hex_encodes_each_byte_as_two_digits() {
        assert_eq!(super::hex(&[0, 15, 16, 255]), "000f10ff");
    }

    #[test]
    fn ids_are_uuid_v7_and_sort_by_time() {
        let id = |ms, fill| super::hex(&super::uuid_v7(ms, [fill; 16]));
        let a = id(1_764_200_000_000, 0xff);
        assert_eq!(a.len(), 32);
        assert_eq!(&a[..12], "019ac283aa00");
        assert_eq!(&a[12..13], "7", "version");
        assert_eq!(&a[16..17], "b", "variant 10 over the random 0b11");
        assert_eq!(&a[17..], "fffffffffffffff");
        // A later millisecond sorts after whatever the random part.
        assert!(id(1_764_200_000_001, 0) > a);
    }
}
