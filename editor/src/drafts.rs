//! Unsaved edits, kept in `localStorage` from the first keystroke until the server has them: a
//! closed tab, an expired session or a failed save never loses an agent's work. A tour's are kept
//! under `cairn-editor:draft:{tour id}` (the tours list reads that key), a tooltip's or checklist's
//! under `cairn-editor:draft:{kind}:{id}`; each is a [`LocalCopy`].

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use web_sys::Storage;

use crate::json;
use crate::router::Kind;

fn storage() -> Option<Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// What is kept for one document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LocalCopy<T> {
    /// `updated_at` of the server draft the edits started from, to tell whether someone else has
    /// saved since.
    pub base_updated_at: i64,
    /// `tour` in copies kept by earlier editors, which still load.
    #[serde(alias = "tour")]
    pub doc: T,
}

pub fn key(kind: Kind, id: &str) -> String {
    match kind {
        Kind::Tours => format!("cairn-editor:draft:{id}"),
        _ => format!("cairn-editor:draft:{}:{id}", kind.plural()),
    }
}

pub fn load<T: DeserializeOwned>(kind: Kind, id: &str) -> Option<LocalCopy<T>> {
    let raw = storage()?.get_item(&key(kind, id)).ok().flatten()?;
    json::from_str(&raw).ok()
}

/// Keeps the edits; `false` when the browser refused (storage full or disabled).
pub fn store<T: Serialize>(kind: Kind, id: &str, copy: &LocalCopy<T>) -> bool {
    let Some(storage) = storage() else {
        return false;
    };
    match json::to_string(copy) {
        Ok(raw) => storage.set_item(&key(kind, id), &raw).is_ok(),
        Err(_) => false,
    }
}

pub fn discard(kind: Kind, id: &str) {
    if let Some(storage) = storage() {
        let _ = storage.remove_item(&key(kind, id));
    }
}

pub fn exists(kind: Kind, id: &str) -> bool {
    storage()
        .and_then(|s| s.get_item(&key(kind, id)).ok().flatten())
        .is_some()
}

#[cfg(test)]
mod tests {
    use super::*;
    use cairn_shared::content::Tooltip;

    #[test]
    fn keys_keep_the_tour_key_and_name_other_kinds() {
        assert_eq!(key(Kind::Tours, "t1"), "cairn-editor:draft:t1");
        assert_eq!(key(Kind::Tooltips, "t1"), "cairn-editor:draft:tooltips:t1");
        assert_eq!(
            key(Kind::Checklists, "c"),
            "cairn-editor:draft:checklists:c"
        );
    }

    #[test]
    fn copies_from_earlier_editors_still_load() {
        let raw = r#"{"base_updated_at":5,"tour":{"title":"T","body":"b","target":{"strategies":[]},"trigger":"hover"}}"#;
        let copy: Result<LocalCopy<Tooltip>, _> = serde_json::from_str(raw);
        let copy = copy.expect("an old copy");
        assert_eq!((copy.base_updated_at, copy.doc.title.as_str()), (5, "T"));
    }
}
