//! Analytics events. Each gets a random idempotency id and is written to a queue in localStorage
//! before any network call; the queue is sent in batches every second and, with `keepalive`, on
//! `pagehide`. Events leave the queue only once the server answered 2xx, so an outage or a closed tab
//! loses nothing, and the server ignores ids it has already counted.

use std::cell::{Cell, RefCell};

use cairn_shared::events::{EventBatch, EventKind, MAX_BATCH, OverlayEvent};

use crate::dom::{self, Listener, Timer};
use crate::storage::{self, Store};
use crate::{api, js_api, runtime};

/// Oldest events are dropped past this, so a long outage cannot fill the storage quota.
const MAX_QUEUED: usize = 2000;
/// A `keepalive` body must stay under 64 KB.
const KEEPALIVE_BATCH: usize = 100;
const FLUSH_MS: i32 = 1000;
const MAX_BACKOFF_MS: f64 = 60_000.0;

/// What an event is about.
pub struct Subject<'a> {
    pub content_id: &'a str,
    pub version: u32,
    /// The step's id and 0-based index, for tour events.
    pub step: Option<(&'a str, u32)>,
}

thread_local! {
    /// The queue when localStorage is unavailable or full.
    static MEMORY: RefCell<Vec<OverlayEvent>> = const { RefCell::new(Vec::new()) };
    static IN_FLIGHT: Cell<bool> = const { Cell::new(false) };
    static FAILURES: Cell<u32> = const { Cell::new(0) };
    static RETRY_AT: Cell<f64> = const { Cell::new(0.0) };
}

/// Records an event and tells the host's `cairn.on` handlers.
pub fn emit(kind: EventKind, subject: Subject) {
    let event = OverlayEvent {
        id: random_id(),
        kind,
        content_id: subject.content_id.to_string(),
        step_id: subject.step.map(|(id, _)| id.to_string()),
        step_index: subject.step.map(|(_, i)| i),
        version: subject.version,
        page_url: runtime::page_url(),
        at: js_sys::Date::now() as i64,
    };
    js_api::notify(&event);
    let mut queue = load();
    queue.push(event);
    let overflow = queue.len().saturating_sub(MAX_QUEUED);
    queue.drain(..overflow);
    save(queue);
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

fn load() -> Vec<OverlayEvent> {
    match storage::get(Store::Local, &queue_key()) {
        Some(json) => serde_json::from_str(&json).unwrap_or_default(),
        None => MEMORY.with(|m| m.borrow().clone()),
    }
}

fn save(queue: Vec<OverlayEvent>) {
    let key = queue_key();
    let stored = if queue.is_empty() {
        storage::remove(Store::Local, &key);
        true
    } else {
        serde_json::to_string(&queue).is_ok_and(|json| storage::set(Store::Local, &key, &json))
    };
    if stored {
        MEMORY.with(|m| m.borrow_mut().clear());
    } else {
        // Keep a single source of truth: the memory copy from now on.
        storage::remove(Store::Local, &key);
        MEMORY.with(|m| *m.borrow_mut() = queue);
    }
}

/// Sends one batch. On `pagehide` the request is fired and forgotten: the events stay queued and
/// the next page load re-sends them, which the server de-duplicates.
fn flush(leaving: bool) {
    if !leaving && (IN_FLIGHT.get() || js_sys::Date::now() < RETRY_AT.get()) {
        return;
    }
    let queue = load();
    if queue.is_empty() {
        return;
    }
    let take = if leaving { KEEPALIVE_BATCH } else { MAX_BATCH };
    let events: Vec<OverlayEvent> = queue.into_iter().take(take).collect();
    let ids: Vec<String> = events.iter().map(|e| e.id.clone()).collect();
    let Ok(body) = serde_json::to_string(&EventBatch { events }) else { return };
    if leaving {
        api::send_keepalive(api::EVENTS, &body);
        return;
    }
    IN_FLIGHT.set(true);
    wasm_bindgen_futures::spawn_local(async move {
        let status = api::send("POST", api::EVENTS, Some(&body)).await.map(|(s, _)| s);
        // 400/413/422 mean this batch will never be accepted: drop it rather than retry forever.
        let done = matches!(status, Ok(200..=299 | 400 | 413 | 422));
        if done {
            let mut queue = load();
            queue.retain(|e| !ids.contains(&e.id));
            save(queue);
            FAILURES.set(0);
            RETRY_AT.set(0.0);
        } else {
            // Back off while the server is unreachable: 2 s, 4 s, … up to a minute.
            let failures = FAILURES.get().saturating_add(1).min(16);
            FAILURES.set(failures);
            let delay = (1000.0 * f64::from(1u32 << failures.min(6))).min(MAX_BACKOFF_MS);
            RETRY_AT.set(js_sys::Date::now() + delay);
        }
        if let Ok(s) = status
            && !(200..300).contains(&s)
        {
            dom::warn("events rejected", &s.into());
        }
        IN_FLIGHT.set(false);
    });
}

/// 32 hex characters from the browser's CSPRNG.
fn random_id() -> String {
    let mut bytes = [0u8; 16];
    let filled = dom::window()
        .crypto()
        .and_then(|c| c.get_random_values_with_u8_array(&mut bytes))
        .is_ok();
    if !filled {
        for b in &mut bytes {
            *b = (js_sys::Math::random() * 256.0) as u8;
        }
    }
    hex(&bytes)
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
}
