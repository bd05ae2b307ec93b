//! The screens, one module each, and what they share: the render context, the page heading,
//! loading and error states, and `<time>` elements.

pub mod apps;
pub mod builder;
pub mod charts;
pub mod checklists;
pub mod deliveries;
pub mod login;
pub mod reports;
pub mod targeting;
pub mod ticket;
pub mod tickets;
pub mod tooltips;
pub mod tour;
pub mod tours;
pub mod versions;

use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

use wasm_bindgen_futures::spawn_local;
use web_sys::Element;

use crate::api::ApiError;
use crate::app;
use crate::dom::{self, el};
use crate::format;
use crate::router::Route;

/// Where a page renders, and whether it is still the page on screen.
#[derive(Clone)]
pub struct Ctx {
    pub main: Element,
    generation: u64,
}

impl Ctx {
    pub fn new(main: Element, generation: u64) -> Self {
        Ctx { main, generation }
    }

    /// False once the agent has navigated elsewhere (or signed out): async work must then leave the
    /// DOM alone.
    pub fn is_current(&self) -> bool {
        app::generation() == self.generation
    }

    pub fn append(&self, child: impl AsRef<web_sys::Node>) {
        let _ = self.main.append_child(child.as_ref());
    }
}

/// The page's `<h1>`. `tabindex=-1` so navigation can move focus to it without adding a tab stop.
pub fn heading(text: &str) -> Element {
    el("h1")
        .attr("tabindex", "-1")
        .class("page-title")
        .text(text)
        .build()
}

pub fn loading() -> Element {
    el("p")
        .class("loading")
        .attr("role", "status")
        .text("Loading…")
        .build()
}

/// An error message, announced, with a Retry button when the action can be repeated.
pub fn error_box(err: &ApiError, retry: Option<Rc<dyn Fn()>>) -> Element {
    let mut b = el("div")
        .class("error-box")
        .attr("role", "alert")
        .child(el("p").text(&err.message()));
    if let Some(retry) = retry {
        b = b.child(
            el("button")
                .attr("type", "button")
                .class("button")
                .text("Retry")
                .on("click", move |_| retry()),
        );
    }
    b.build()
}

/// Fetches with `fetch` and renders the result into `slot` with `render`, showing "Loading…" while
/// waiting and an error with Retry on failure; a 401 goes back to the login screen.
pub fn load<T, Fut>(
    ctx: &Ctx,
    slot: &Element,
    fetch: impl Fn() -> Fut + 'static,
    render: impl Fn(&Element, T) + 'static,
) where
    T: 'static,
    Fut: Future<Output = Result<T, ApiError>> + 'static,
{
    // Only this adapter is generic: the flow in `Loader::run` exists once in the wasm, not once
    // per screen.
    let render = Rc::new(render);
    let attempt = move || -> Attempt {
        let fetched = fetch();
        let render = render.clone();
        Box::pin(async move {
            let value = fetched.await?;
            Ok(Box::new(move |slot: &Element| render(slot, value)) as Shown)
        })
    };
    Rc::new(Loader {
        ctx: ctx.clone(),
        slot: slot.clone(),
        attempt: Box::new(attempt),
    })
    .run();
}

/// What a successful fetch draws.
type Shown = Box<dyn FnOnce(&Element)>;
type Attempt = Pin<Box<dyn Future<Output = Result<Shown, ApiError>>>>;

/// One [`load`], kept so Retry can run it again.
struct Loader {
    ctx: Ctx,
    slot: Element,
    attempt: Box<dyn Fn() -> Attempt>,
}

impl Loader {
    fn run(self: Rc<Self>) {
        dom::replace(&self.slot, loading());
        spawn_local(async move {
            let result = (self.attempt)().await;
            if !self.ctx.is_current() {
                return;
            }
            match result {
                Ok(show) => {
                    dom::clear(&self.slot);
                    show(&self.slot);
                }
                Err(e) if e.is_unauthorized() => app::signed_out(),
                Err(e) => {
                    // Retry only what may work a second time (not a 404).
                    let again = self.clone();
                    let retry = e
                        .is_retryable()
                        .then(|| Rc::new(move || again.clone().run()) as Rc<dyn Fn()>);
                    dom::replace(&self.slot, error_box(&e, retry));
                }
            }
        });
    }
}

thread_local! {
    static FLASH: std::cell::RefCell<Option<String>> = const { std::cell::RefCell::new(None) };
}

/// Keeps a message for the next render of a page (which [`take_flash`]s it into its status region),
/// for actions that redraw the page they were started on.
pub fn flash(message: String) {
    FLASH.with(|f| *f.borrow_mut() = Some(message));
}

pub fn take_flash() -> Option<String> {
    FLASH.with(|f| f.borrow_mut().take())
}

/// Milliseconds since the epoch in the browser's clock.
pub fn now_ms() -> i64 {
    js_sys::Date::now() as i64
}

/// The local zone's offset east of UTC at `ms`, in minutes (JavaScript counts it the other way).
fn offset_minutes(ms: i64) -> i64 {
    -(js_sys::Date::new(&(ms as f64).into()).get_timezone_offset() as i64)
}

/// `<time datetime="…">5 min ago</time>`, with the exact local time as its tooltip.
pub fn time(ms: i64) -> Element {
    let offset = offset_minutes(ms);
    el("time")
        .attr("datetime", &format::iso_utc(ms))
        .attr("title", &format::date_time(ms, offset))
        .text(&format::when(now_ms(), ms, offset))
        .build()
}

/// The exact local date and time, for detail pages.
pub fn date_time(ms: i64) -> Element {
    el("time")
        .attr("datetime", &format::iso_utc(ms))
        .text(&format::date_time(ms, offset_minutes(ms)))
        .build()
}

/// A link back to a list, above a detail page's heading.
pub fn back_link(route: Route, label: &str) -> Element {
    el("a")
        .class("back-link")
        .attr("href", &route.href())
        .text(label)
        .build()
}

/// A `<dt>`/`<dd>` pair for description lists.
pub fn fact(term: &str, value: impl AsRef<web_sys::Node>) -> [Element; 2] {
    [el("dt").text(term).build(), el("dd").child(value).build()]
}

/// A scrollable wrapper for wide tables; focusable (with a name) so keyboard users can scroll it.
pub fn table_wrap(label: &str, table: impl AsRef<web_sys::Node>) -> Element {
    el("div")
        .class("table-wrap")
        .attr("role", "region")
        .attr("aria-label", label)
        .attr("tabindex", "0")
        .child(table)
        .build()
}

pub fn not_found(ctx: &Ctx, path: &str) {
    dom::set_title("Not found");
    ctx.append(heading("Page not found"));
    ctx.append(
        el("p")
            .text("There is no page at “")
            .child(el("code").text(path))
            .text("”. ")
            .child(
                el("a")
                    .attr("href", &Route::Tours.href())
                    .text("Go to the tours"),
            ),
    );
}
