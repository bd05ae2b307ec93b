//! Cairn's shared domain: the content documents authors write (tours, tooltips, checklists), the events
//! and tickets the overlay sends, the JSON shapes of the management API, URL targeting and the markdown
//! subset used for authored text.
//!
//! Everything here is pure: no actix, sqlx or web-sys. It compiles for the server and for
//! `wasm32-unknown-unknown`, and its logic is unit-tested natively.

pub mod api;
pub mod author;
pub mod capture;
pub mod content;
pub mod deliveries;
pub mod diff;
pub mod events;
pub mod helpdesk;
pub mod markdown;
pub mod preview;
pub mod reports;
pub mod search;
pub mod sketch;
pub mod summary;
pub mod targeting;
pub mod tickets;
pub mod users;

/// The header overlay requests carry the application's public key in.
pub const APP_KEY_HEADER: &str = "x-cairn-app-key";

#[cfg(feature = "schema")]
pub mod schema;

/// Byte offset of the first `needle` in `hay`. A plain scan: the haystacks here are short (URLs,
/// titles, step texts), and `str::find(&str)` brings its Two-Way searcher (~3 KB) into the
/// overlay's wasm.
/// An offset found is a char boundary, as `needle` is whole UTF-8.
pub fn find_str(hay: &str, needle: &str) -> Option<usize> {
    if needle.is_empty() {
        return Some(0);
    }
    hay.as_bytes()
        .windows(needle.len())
        .position(|w| w == needle.as_bytes())
}

#[cfg(test)]
mod tests {
    #[test]
    fn find_str_is_str_find() {
        for (hay, needle) in [
            ("a](b)", "]("),
            ("é**x**", "**"),
            ("https://h/p", "://"),
            ("none", "::"),
            ("", "x"),
            ("ab", ""),
            ("**", "**"),
        ] {
            assert_eq!(
                super::find_str(hay, needle),
                hay.find(needle),
                "{hay} {needle}"
            );
        }
    }
}
