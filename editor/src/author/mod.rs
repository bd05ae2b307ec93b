//! Record in app: the author mode the overlay's loader starts on the host application's page when
//! it carries an author link (`?cairn_author=…`). It lives in the editor's bundle, not the overlay's,
//! so employees never download it. Its UI sits in its own shadow root, styled by a constructable
//! stylesheet (strict CSP), and it talks to Cairn only through the author API with the link's token.
//!
//! Modules: [`api`] (the author API), [`inspect`] (reading a picked element, the live strategy
//! check), [`pick`] (hover highlight and click capture), [`ui`] (toolbar, step list, step popover),
//! [`record`] (the editor's "Record in app" button).
//! What to capture and how to rank it is pure logic in `cairn_shared::capture`.

mod api;
mod inspect;
mod pick;
mod record;
mod ui;

pub use record::{pick_button, record_button};

use wasm_bindgen::prelude::*;

/// Entry point called by `overlay/loader/cairn.js` in author mode: `server` is Cairn's origin (with
/// or without a trailing slash), `token` the author link's signed token.
#[wasm_bindgen]
pub fn start_author(server: String, token: String) {
    ui::start(server.trim_end_matches('/').to_string(), token);
}
