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
