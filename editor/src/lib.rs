//! Cairn's editor: the single-page app help-desk agents use to edit and publish tours, work the
//! ticket queue, see which steps cause tickets and install the overlay. Plain wasm-bindgen and
//! web-sys, no framework: pages build their DOM once with [`dom::el`] and update it in place.
//!
//! Modules: [`app`] (session and shell), [`router`] (hash routes), [`api`] (typed JSON calls),
//! [`pages`] (one module per screen), [`drafts`] (unsaved edits in local storage),
//! [`markdown_view`] (step-body preview), [`dom`], [`json`], and the pure [`format`],
//! [`describe`] and [`chart`] (report chart geometry), unit-tested natively. [`author`] is the
//! record-in-app mode that runs on host pages.

pub mod api;
pub mod app;
pub mod author;
pub mod chart;
pub mod describe;
pub mod dom;
pub mod drafts;
pub mod format;
pub mod json;
pub mod markdown_view;
pub mod pages;
pub mod queue;
pub mod router;

use wasm_bindgen::prelude::*;

/// Entry point of the editor page, called by `boot.js` after `init()`. Not a `start` function: the
/// same bundle also serves the author mode on host pages ([`author::start_author`]), where the
/// editor app must not render.
#[wasm_bindgen(js_name = start_editor)]
pub fn start() {
    app::start();
}
