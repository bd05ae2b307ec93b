//! Unsaved tour edits, kept in `localStorage` under `cairn-editor:draft:{tour id}` from the first
//! keystroke until the server has them: a closed tab, an expired session or a failed save never
//! loses an agent's work. Tooltips and checklists keep theirs the same way, under
//! `cairn-editor:draft:{kind}:{id}` ([`LocalCopy`]).

use cairn_shared::content::Tour;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use web_sys::Storage;

use crate::json;

/// What is kept for one tour.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LocalDraft {
    /// `updated_at` of the server draft the edits started from, to tell whether someone else has
    /// saved since.
    pub base_updated_at: i64,
    pub tour: Tour,
}

pub fn key(tour_id: &str) -> String {
    format!("cairn-editor:draft:{tour_id}")
}

fn storage() -> Option<Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

fn load_at<T: DeserializeOwned>(key: &str) -> Option<T> {
    let raw = storage()?.get_item(key).ok().flatten()?;
    json::from_str(&raw).ok()
}

/// Keeps the edits; `false` when the browser refused (storage full or disabled).
fn store_at<T: Serialize>(key: &str, value: &T) -> bool {
    let Some(storage) = storage() else {
        return false;
    };
    match json::to_string(value) {
        Ok(raw) => storage.set_item(key, &raw).is_ok(),
        Err(_) => false,
    }
}

fn discard_at(key: &str) {
    if let Some(storage) = storage() {
        let _ = storage.remove_item(key);
    }
}

pub fn load(tour_id: &str) -> Option<LocalDraft> {
    load_at(&key(tour_id))
}

/// Keeps the edits; `false` when the browser refused (storage full or disabled).
pub fn store(tour_id: &str, draft: &LocalDraft) -> bool {
    store_at(&key(tour_id), draft)
}

pub fn discard(tour_id: &str) {
    discard_at(&key(tour_id));
}

/// What is kept for one tooltip or checklist.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LocalCopy<T> {
    /// `updated_at` of the server draft the edits started from.
    pub base_updated_at: i64,
    pub doc: T,
}

/// `kind` is the API's plural (`tooltips`, `checklists`).
pub fn doc_key(kind: &str, id: &str) -> String {
    format!("cairn-editor:draft:{kind}:{id}")
}

pub fn load_doc<T: DeserializeOwned>(kind: &str, id: &str) -> Option<LocalCopy<T>> {
    load_at(&doc_key(kind, id))
}

pub fn store_doc<T: Serialize>(kind: &str, id: &str, copy: &LocalCopy<T>) -> bool {
    store_at(&doc_key(kind, id), copy)
}

pub fn discard_doc(kind: &str, id: &str) {
    discard_at(&doc_key(kind, id));
}

pub fn exists(tour_id: &str) -> bool {
    storage()
        .and_then(|s| s.get_item(&key(tour_id)).ok().flatten())
        .is_some()
}
