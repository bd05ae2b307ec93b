//! Cairn's overlay: the runtime that `overlay/loader/cairn.js` injects into host applications. It
//! fetches the application's published content and shows the tours, tooltips, checklist and launcher
//! that target the current page, all inside one shadow root so host and overlay styles never mix.
//!
//! The loader calls [`boot`] once the wasm module is instantiated.

mod api;
mod boot;
mod codec;
mod dom;
mod events;
mod js_api;
mod launcher;
mod markdown;
mod my_tickets;
mod place;
mod popover;
mod preview;
mod resolve;
mod runtime;
mod storage;
mod stuck;
mod style;
mod tooltip;
mod tour;

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

/// A free-list allocator of a few hundred bytes instead of dlmalloc's ~8 KB: the overlay makes few,
/// small allocations, and the 60 KB budget counts every byte.
#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOCATOR: lol_alloc::LockedAllocator<lol_alloc::FreeListAllocator> =
    lol_alloc::LockedAllocator::new(lol_alloc::FreeListAllocator::new());

/// Starts the overlay for the application `app_key`, talking to the Cairn server at `api_origin`.
/// `queued` holds the `[method, args]` pairs the loader's stub recorded before the runtime loaded;
/// `content` is the loader's fetch of the content, started in parallel with the wasm (or undefined).
#[wasm_bindgen]
pub fn boot(app_key: String, api_origin: String, queued: js_sys::Array, content: JsValue) {
    // The loader passes its fetch promise (or nothing); an object check rather than `instanceof`.
    let content = content.is_object().then(|| content.unchecked_into());
    boot::boot(app_key, api_origin, &queued, content);
}
