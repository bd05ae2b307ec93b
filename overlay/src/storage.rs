//! What this browser remembers: finished tours, checklist links followed and the event queue (in
//! localStorage, per application), and the tour in progress (in sessionStorage, per tab, so a tour
//! carries on across page loads). Storage may be missing or full (private windows, sandboxed frames,
//! quotas): reads then find nothing and writes report failure, never an error for the page.

use wasm_bindgen::JsCast;
use web_sys::Storage;

use crate::dom;

/// Which of the two stores.
#[derive(Clone, Copy)]
pub enum Store {
    /// Kept across visits.
    Local,
    /// Kept for this tab only.
    Session,
}

fn open(store: Store) -> Option<Storage> {
    let name = match store {
        Store::Local => "localStorage",
        Store::Session => "sessionStorage",
    };
    // Through `Reflect.get` (caught: a sandboxed frame throws on access), not two more bindings.
    let storage = dom::prop(&dom::window(), name);
    storage.is_object().then(|| storage.unchecked_into())
}

pub fn get(store: Store, key: &str) -> Option<String> {
    open(store)?.get_item(key).ok().flatten()
}

/// Whether the value was stored.
pub fn set(store: Store, key: &str, value: &str) -> bool {
    open(store).is_some_and(|s| s.set_item(key, value).is_ok())
}

pub fn remove(store: Store, key: &str) {
    if let Some(s) = open(store) {
        let _ = s.remove_item(key);
    }
}
