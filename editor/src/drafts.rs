//! Unsaved tour edits, kept in `localStorage` under `cairn-editor:draft:{tour id}` from the first
//! keystroke until the server has them: a closed tab, an expired session or a failed save never
//! loses an agent's work.

use cairn_shared::content::Tour;
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

pub fn load(tour_id: &str) -> Option<LocalDraft> {
    let raw = storage()?.get_item(&key(tour_id)).ok().flatten()?;
    json::from_str(&raw).ok()
}

/// Keeps the edits; `false` when the browser refused (storage full or disabled).
pub fn store(tour_id: &str, draft: &LocalDraft) -> bool {
    let Some(storage) = storage() else {
        return false;
    };
    match json::to_string(draft) {
        Ok(raw) => storage.set_item(&key(tour_id), &raw).is_ok(),
        Err(_) => false,
    }
}

pub fn discard(tour_id: &str) {
    if let Some(storage) = storage() {
        let _ = storage.remove_item(&key(tour_id));
    }
}

pub fn exists(tour_id: &str) -> bool {
    storage()
        .and_then(|s| s.get_item(&key(tour_id)).ok().flatten())
        .is_some()
}
