//! Start-up: install `window.cairn`, create the shadow root once the body exists, fetch the content,
//! then show what targets this page: the launcher, the tooltips, and a tour (the one
//! this tab was in the middle of, the one the host asked for, or the first not yet seen).

use std::cell::Cell;

use cairn_shared::api::OverlayContent;
use js_sys::{Array, Promise};
use web_sys::{ShadowRootInit, ShadowRootMode};

use crate::dom::{self, Listener, Res, Timer};
use crate::runtime::{self, Ui};
use crate::{api, events, js_api, launcher, my_tickets, preview, style, tooltip, tour};

/// How often a single-page app's URL changes are looked for, besides popstate/hashchange.
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
    let root = host.attach_shadow(&ShadowRootInit::new(ShadowRootMode::Open))?;
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

/// Re-evaluates page targeting when a single-page app changes its URL without a page load.
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
    Timer::every(URL_POLL_MS, move || {
        check();
        runtime::on_top();
        // Also catches layout shifts that move a tooltip's element without scrolling.
        tooltip::reposition();
    })
    .forever();
}

/// Shows what targets the page and user now: after a route change or `cairn.identify`.
pub fn retarget() {
    tooltip::sync();
    launcher::refresh();
    if !tour::is_running() {
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
