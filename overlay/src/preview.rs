//! Draft previews: an author opens the application with `?cairn_preview=<token>`; the token is kept
//! in sessionStorage for this tab (so the preview survives navigation) and sent with the content
//! request, which then carries the tour's draft. A refused token (expired, forged) is forgotten and
//! the published content is fetched as usual.

use std::cell::Cell;

use cairn_shared::preview::PREVIEW_PARAM;

use crate::dom;
use crate::storage::{self, Store};

thread_local! {
    /// Whether this page load came with the token in its URL (then the previewed tour starts).
    static FROM_URL: Cell<bool> = const { Cell::new(false) };
}

/// The token in `search` (`?a=b&cairn_preview=…`), if any.
fn from_query(search: &str) -> Option<&str> {
    search
        .trim_start_matches('?')
        .split('&')
        .find_map(|pair| pair.strip_prefix(PREVIEW_PARAM)?.strip_prefix('='))
        .filter(|t| !t.is_empty())
}

/// The tab's preview token: from the URL (remembered for the tab), else the remembered one.
pub fn token() -> Option<String> {
    let search = dom::text_prop(&dom::prop(&dom::window(), "location"), "search");
    if let Some(t) = from_query(&search) {
        storage::set(Store::Session, PREVIEW_PARAM, t);
        FROM_URL.with(|f| f.set(true));
        return Some(t.to_string());
    }
    storage::get(Store::Session, PREVIEW_PARAM)
}

/// Drops a token the server refused.
pub fn forget() {
    FROM_URL.with(|f| f.set(false));
    storage::remove(Store::Session, PREVIEW_PARAM);
}

/// The previewed tour's id when this page was opened from a preview link. The token is
/// `preview.<org>.<tour>.<expiry>.<mac>`; the server has checked it by now.
pub fn opened_tour() -> Option<String> {
    if !FROM_URL.with(Cell::get) {
        return None;
    }
    let t = storage::get(Store::Session, PREVIEW_PARAM)?;
    t.split('.').nth(2).map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::from_query;

    #[test]
    fn finds_the_token() {
        assert_eq!(from_query("?cairn_preview=a.b"), Some("a.b"));
        assert_eq!(from_query("?x=1&cairn_preview=t&y=2"), Some("t"));
        assert_eq!(from_query("?cairn_previewx=t"), None);
        assert_eq!(from_query("?cairn_preview="), None);
        assert_eq!(from_query(""), None);
    }
}
