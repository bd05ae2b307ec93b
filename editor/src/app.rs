//! The session and the shell: asks the server who is signed in, shows the login screen or the
//! header, nav and `<main>` landmark, and renders the routed page into `<main>`.
//!
//! Each render gets a new generation number; a page's async work checks it (through
//! [`pages::Ctx::is_current`]) before touching the DOM, so a slow answer never lands on the page
//! the agent has since left.

use std::cell::{Cell, RefCell};

use cairn_shared::api::Me;
use wasm_bindgen::UnwrapThrowExt;
use wasm_bindgen_futures::spawn_local;
use web_sys::Element;

use crate::api;
use crate::dom::{self, el};
use crate::pages::{self, Ctx};
use crate::router::{self, Route, Section};

/// What stays on screen while signed in.
struct Shell {
    main: Element,
    nav: Vec<(Section, Element)>,
}

thread_local! {
    static SHELL: RefCell<Option<Shell>> = const { RefCell::new(None) };
    static GENERATION: Cell<u64> = const { Cell::new(0) };
}

/// The current render's generation.
pub fn generation() -> u64 {
    GENERATION.with(Cell::get)
}

/// Starts a new render: older pages' async work sees it is stale, and their listeners are freed.
fn next_generation() -> u64 {
    dom::drop_page_listeners();
    GENERATION.with(|g| {
        g.set(g.get() + 1);
        g.get()
    })
}

/// `<div id="app">` from `index.html`, or the body if someone removed it.
fn root() -> Element {
    let doc = dom::document();
    doc.get_element_by_id("app")
        .or_else(|| doc.body().map(Into::into))
        .expect_throw("index.html has a body")
}

pub fn start() {
    if let Some(window) = web_sys::window() {
        dom::listen_forever(&window, "hashchange", |_| render_route(true));
    }
    check_session();
}

/// Shows the shell if a session exists, the login screen if not.
fn check_session() {
    next_generation();
    let root = root();
    dom::replace(
        &root,
        el("main")
            .attr("id", "main")
            .class("page")
            .child(pages::loading()),
    );
    spawn_local(async move {
        match api::me().await {
            Ok(me) => show_shell(&me, false),
            Err(e) if e.is_unauthorized() => show_login(None),
            Err(e) => {
                let retry = std::rc::Rc::new(check_session);
                let page = el("main").attr("id", "main").class("login").child(
                    el("div")
                        .class("card")
                        .child(el("h1").text("Cairn"))
                        .child(pages::error_box(&e, Some(retry))),
                );
                dom::replace(&root, page);
            }
        }
    });
}

/// Shows the login screen, with an optional note (why the agent is here again).
pub fn show_login(note: Option<&str>) {
    next_generation();
    SHELL.with(|s| s.borrow_mut().take());
    dom::set_title("Sign in");
    dom::replace(&root(), pages::login::render(note));
}

/// The session expired or was revoked mid-work: back to login. Unsaved tour edits stay in local
/// storage and come back after signing in.
pub fn signed_out() {
    show_login(Some(
        "Your session has ended. Sign in again to continue; unsaved changes are kept.",
    ));
}

/// Builds the header, nav and `<main>`, then renders the current route.
pub fn show_shell(me: &Me, focus: bool) {
    let main = el("main")
        .attr("id", "main")
        .attr("tabindex", "-1")
        .class("page")
        .build();
    let nav: Vec<(Section, Element)> = Section::ALL
        .iter()
        .map(|&s| {
            let link = el("a")
                .attr("href", &s.route().href())
                .attr("data-test", s.test_id())
                .class("nav-link")
                .text(s.label())
                .build();
            (s, link)
        })
        .collect();

    let skip = el("a")
        .class("skip-link")
        .attr("href", "#main")
        .text("Skip to main content")
        .build();
    // The skip link must not change the hash (that is the router's), so it moves focus itself.
    let main_for_skip = main.clone();
    dom::listen_forever(&skip, "click", move |e| {
        e.prevent_default();
        dom::focus(&main_for_skip);
    });

    let sign_out = el("button")
        .attr("type", "button")
        .attr("data-test", "sign-out")
        .class("button quiet")
        .text("Sign out")
        .build();
    dom::listen_forever(&sign_out, "click", |_| {
        spawn_local(async {
            match api::logout().await {
                Ok(()) => show_login(Some("You have signed out.")),
                Err(e) if e.is_unauthorized() => show_login(Some("You have signed out.")),
                Err(e) => show_login(Some(&format!("Signing out failed: {}", e.message()))),
            }
        });
    });

    let header = el("header")
        .class("topbar")
        .child(
            el("span")
                .class("brand")
                .child(el("span").class("brand-mark").attr("aria-hidden", "true"))
                .text("Cairn"),
        )
        .child(
            el("nav").attr("aria-label", "Main").child(
                el("ul")
                    .class("nav")
                    .children(nav.iter().map(|(_, a)| el("li").child(a))),
            ),
        )
        .child(
            el("div")
                .class("account")
                .child(
                    el("span")
                        .class("who")
                        .child(el("span").class("email").text(&me.email))
                        .child(el("span").class("org").text(&me.org_name)),
                )
                .child(sign_out),
        );

    let root = root();
    dom::clear(&root);
    let _ = root.append_child(&skip);
    let _ = root.append_child(&header.build());
    let _ = root.append_child(&main);
    SHELL.with(|s| *s.borrow_mut() = Some(Shell { main, nav }));

    // A bare `/editor/` shows the tours list; name it in the address bar so Back works as expected.
    let hash = web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .unwrap_or_default();
    if hash.is_empty() || hash == "#" || hash == "#/" {
        router::replace(&Route::Tours);
    }
    render_route(focus);
}

/// Renders the current route into `<main>`; `focus` moves keyboard focus to the new page's heading
/// (after navigation, not on first load).
pub fn render_route(focus: bool) {
    let Some((main, nav)) =
        SHELL.with(|s| s.borrow().as_ref().map(|s| (s.main.clone(), s.nav.clone())))
    else {
        return; // Signed out: the login screen stays.
    };
    let route = router::current();
    let section = route.section();
    for (s, link) in &nav {
        if Some(*s) == section {
            dom::set_attr(link, "aria-current", "page");
        } else {
            let _ = link.remove_attribute("aria-current");
        }
    }

    let ctx = Ctx::new(main.clone(), next_generation());
    dom::clear(&main);
    match route {
        Route::Tours => pages::tours::render(&ctx),
        Route::Tour(id) => pages::tour::render(&ctx, id, None),
        Route::TourStep(id, step) => pages::tour::render(&ctx, id, Some(step)),
        Route::Versions(kind, id) => pages::versions::render(&ctx, kind, id),
        Route::Deliveries => pages::deliveries::render(&ctx),
        Route::Tooltips => pages::tooltips::render_list(&ctx),
        Route::Tooltip(id) => pages::tooltips::render(&ctx, id),
        Route::Checklists => pages::checklists::render_list(&ctx),
        Route::Checklist(id) => pages::checklists::render(&ctx, id),
        Route::Tickets => pages::tickets::render(&ctx),
        Route::Ticket(id) => pages::ticket::render(&ctx, id),
        Route::Reports(tour) => pages::reports::render(&ctx, tour),
        Route::Apps => pages::apps::render(&ctx),
        Route::NotFound(path) => pages::not_found(&ctx, &path),
    }
    if focus {
        if let Some(h1) = main.query_selector("h1").ok().flatten() {
            dom::focus(&h1);
        }
        if let Some(w) = web_sys::window() {
            w.scroll_to_with_x_and_y(0.0, 0.0);
        }
    }
}

/// Renders the current page again from scratch, after the event that asked for it has returned
/// (its listener is about to be freed).
pub fn rerender() {
    spawn_local(async { render_route(true) });
}
