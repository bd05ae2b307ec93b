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
    let query = search.get(search.bytes().position(|b| b != b'?')?..)?;
    let mut n = 0;
    while let Some(pair) = field(query, b'&', n) {
        if let Some(token) = pair
            .strip_prefix(PREVIEW_PARAM)
            .and_then(|rest| rest.strip_prefix("="))
        {
            return Some(token).filter(|t| !t.is_empty());
        }
        n += 1;
    }
    None
}

/// Field `n` of `s` cut at the ASCII byte `sep`: what `s.split(sep).nth(n)` gives, without the
/// pattern searcher (and `memchr`) that `split` brings into the wasm.
fn field(s: &str, sep: u8, n: usize) -> Option<&str> {
    let bytes = s.as_bytes();
    let mut start = 0;
    for _ in 0..n {
        start += bytes.get(start..)?.iter().position(|&b| b == sep)? + 1;
    }
    let rest = bytes.get(start..)?;
    let len = rest.iter().position(|&b| b == sep).unwrap_or(rest.len());
    s.get(start..start + len)
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
    field(&t, b'.', 2).map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::{field, from_query};

    #[test]
    fn field_is_split_nth() {
        for s in ["preview.o.t.1.m", "", "..", "a", "é.ü.", ".x"] {
            for n in 0..6 {
                assert_eq!(field(s, b'.', n), s.split('.').nth(n), "{s} {n}");
            }
        }
    }

    #[test]
    fn finds_the_token() {
        assert_eq!(from_query("?cairn_preview=a.b"), Some("a.b"));
        assert_eq!(from_query("?x=1&cairn_preview=t&y=2"), Some("t"));
        assert_eq!(from_query("?cairn_previewx=t"), None);
        assert_eq!(from_query("?cairn_preview="), None);
        assert_eq!(from_query(""), None);
    }
}
