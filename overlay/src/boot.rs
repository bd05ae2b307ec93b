//! Start-up: install `window.cairn`, create the shadow root once the body exists, fetch the content,
//! then show what targets this page: the launcher, the tooltips, and a tour (the one
//! this tab was in the middle of, the one the host asked for, or the first not yet seen).

use std::cell::Cell;

use cairn_shared::api::OverlayContent;
use js_sys::{Array, Promise};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

use crate::dom::{self, Listener, Res, Timer};
use crate::runtime::{self, Ui};
use crate::{api, events, js_api, launcher, my_tickets, preview, style, tooltip, tour};

/// How often the overlay re-checks its layering and tooltips; also a fallback for URL changes that
/// bypass the wrapped history methods (a router that kept a reference to the original ones).
const URL_POLL_MS: i32 = 500;

thread_local! {
    static LAYOUT_PENDING: &'static Cell<bool> = Box::leak(Box::default());
}

pub fn boot(app_key: String, api_origin: String, queued: &Array, content: Option<Promise>) {
    if !runtime::init(app_key, api_origin) {
        return;
    }
    js_api::install(queued);
    events::start();
    when_body_ready(|| {
        if let Err(e) = mount() {
            dom::warn("cannot create the overlay", &e);
            return;
        }
        api::content(content, |content| match content {
            Ok(content) => start(content),
            Err(e) => {
                set_state("error");
                dom::warn("cannot load the content", &e.into());
            }
        });
    });
}

/// Runs `f` once `document.body` exists (the loader may run from `<head>`).
fn when_body_ready(f: impl FnOnce() + 'static) {
    let doc = dom::document();
    if dom::body().is_some() {
        return f();
    }
    let mut f = Some(f);
    Listener::new(&doc, "DOMContentLoaded", false, move |_| {
        if let Some(f) = f.take() {
            f();
        }
    })
    .forever();
}

/// `<div id="cairn-root">` with an open shadow root holding the overlay's landmark and live region.
fn mount() -> Res<()> {
    let rt = runtime::get().ok_or("cairn is not booted")?;
    let body = dom::body().ok_or("the page has no body")?;
    let host = dom::el(
        "div",
        &[("id", "cairn-root"), ("data-cairn-state", "loading")],
    );
    // A plain `{mode: "open"}`: web-sys' typed init costs a setter binding and an enum table.
    let init = crate::codec::Obj::new().set("mode", "open").done();
    let root = host.attach_shadow(init.unchecked_ref())?;
    style::adopt(&root)?;
    // A manual popover: in the top layer, above the page's fixed headers, dialogs and popovers.
    let layer = dom::el(
        "aside",
        &[("aria-label", "In-app help"), ("popover", "manual")],
    );
    let live = dom::el(
        "div",
        &[
            ("class", "sr"),
            ("role", "status"),
            ("aria-live", "polite"),
            ("data-cairn", "live"),
        ],
    );
    dom::append(&layer, &[&live]);
    dom::append(&root, &[&layer]);
    dom::append(&body, &[&host]);
    let _ = rt.ui.set(Ui { host, layer, live });
    runtime::on_top();

    // Scrolling anywhere (capture catches inner scrollers) or resizing moves anchored elements.
    let w = dom::window();
    Listener::new(&w, "scroll", true, |_| schedule_layout()).forever();
    Listener::new(&w, "resize", false, |_| schedule_layout()).forever();
    Ok(())
}

fn set_state(state: &str) {
    if let Some(ui) = runtime::get().and_then(|rt| rt.ui.get()) {
        dom::set_attr(&ui.host, "data-cairn-state", state);
    }
}

fn start(content: OverlayContent) {
    let Some(rt) = runtime::get() else { return };
    rt.set_content(content);
    if let Some(layer) = rt.layer() {
        launcher::mount(&layer);
    }
    my_tickets::refresh();
    tooltip::sync();
    let explicit = js_api::ready();
    // A preview link opens on the previewed tour.
    let previewing = preview::opened_tour().is_some_and(|id| tour::start(&id));
    if !previewing && !explicit && !tour::is_running() && !tour::resume() {
        tour::auto_start();
    }
    watch_url();
    set_state("ready");
}

/// Re-evaluates page targeting when a single-page app changes its URL without a page load:
/// `history.pushState`/`replaceState` (wrapped), `popstate`, `hashchange`, and a slow poll.
fn watch_url() {
    let last = std::rc::Rc::new(std::cell::RefCell::new(runtime::page_url()));
    let check = move || {
        let url = runtime::page_url();
        if *last.borrow() == url {
            return;
        }
        *last.borrow_mut() = url;
        retarget();
    };
    let check = std::rc::Rc::new(check);
    let w = dom::window();
    for kind in ["popstate", "hashchange"] {
        let check = check.clone();
        Listener::new(&w, kind, false, move |_| check()).forever();
    }
    {
        let check = check.clone();
        wrap_history(move || check());
    }
    Timer::every(URL_POLL_MS, move || {
        check();
        runtime::on_top();
        // Also catches layout shifts that move a tooltip's element without scrolling.
        tooltip::reposition();
    })
    .forever();
}

/// Replaces `history.pushState` and `replaceState` with functions that call the originals, then
/// `changed` once the caller's own code has run (a microtask later). Plain functions made from wasm,
/// so it needs no `eval` or inline script under a strict CSP; the originals' exceptions still reach
/// the caller.
fn wrap_history(changed: impl Fn() + 'static) {
    let changed = std::rc::Rc::new(changed);
    let history = dom::prop(&dom::window(), "history");
    for name in ["pushState", "replaceState"] {
        let Ok(original) = dom::prop(&history, name).dyn_into::<js_sys::Function>() else {
            continue;
        };
        let (this, changed) = (history.clone(), changed.clone());
        let wrapper =
            Closure::<dyn FnMut(JsValue, JsValue, JsValue) -> Result<JsValue, JsValue>>::new(
                move |state: JsValue, unused: JsValue, url: JsValue| {
                    let result = original.call3(&this, &state, &unused, &url)?;
                    let changed = changed.clone();
                    dom::soon(move || changed());
                    Ok(result)
                },
            );
        let _ = js_sys::Reflect::set(&history, &name.into(), &wrapper.into_js_value());
    }
}

/// Shows what targets the page and user now: after a route change or `cairn.identify`.
pub fn retarget() {
    tooltip::sync();
    launcher::refresh();
    if tour::is_running() {
        // A step that moves on when a URL is reached need not wait for its next tick.
        tour::url_changed();
    } else {
        tour::auto_start();
    }
}

/// Re-places everything anchored to the page once per frame at most.
fn schedule_layout() {
    let pending = LAYOUT_PENDING.with(|p| *p);
    if pending.replace(true) {
        return;
    }
    dom::next_frame(|| {
        pending.set(false);
        tour::reposition();
        tooltip::reposition();
    });
}
