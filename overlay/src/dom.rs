//! Small DOM helpers: the window and document, an element builder, and RAII handles for event
//! listeners and timers, so that dropping a view detaches everything it registered.

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{Document, Element, Event, EventTarget, HtmlElement, Window};

pub type Res<T> = Result<T, JsValue>;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(thread_local_v2, js_name = window)]
    static WINDOW: Window;
    #[wasm_bindgen(thread_local_v2, js_name = document)]
    static DOCUMENT: Document;
}

/// The page's window. The overlay only ever runs in a window, never in a worker.
pub fn window() -> Window {
    WINDOW.with(Window::clone)
}

pub fn document() -> Document {
    DOCUMENT.with(Document::clone)
}

/// Logs a problem without disturbing the host page.
pub fn warn(what: &str, err: &JsValue) {
    web_sys::console::warn_3(&"[cairn]".into(), &what.into(), err);
}

/// `<tag attr=value…>`.
pub fn el(tag: &str, attrs: &[(&str, &str)]) -> Res<Element> {
    let e = document().create_element(tag)?;
    for (name, value) in attrs {
        e.set_attribute(name, value)?;
    }
    Ok(e)
}

/// `<tag attr=value…>text</tag>`; the text is never parsed as markup.
pub fn text_el(tag: &str, attrs: &[(&str, &str)], text: &str) -> Res<Element> {
    let e = el(tag, attrs)?;
    e.set_text_content(Some(text));
    Ok(e)
}

/// `<button type="button">`: never a submit button by accident.
pub fn button(attrs: &[(&str, &str)], label: &str) -> Res<Element> {
    let b = text_el("button", attrs, label)?;
    b.set_attribute("type", "button")?;
    Ok(b)
}

pub fn append(parent: &Element, children: &[&Element]) -> Res<()> {
    for child in children {
        parent.append_child(child)?;
    }
    Ok(())
}

pub fn set_hidden(e: &Element, hidden: bool) {
    let _ = e.toggle_attribute_with_force("hidden", hidden);
}

/// Sets one CSS property through the CSSOM, which a `style-src 'self'` policy allows (unlike a
/// `style` attribute).
pub fn css(e: &Element, property: &str, value: &str) {
    if let Some(h) = e.dyn_ref::<HtmlElement>() {
        let _ = h.style().set_property(property, value);
    }
}

/// Places a `position: fixed` element.
pub fn put(e: &Element, x: f64, y: f64) {
    css(e, "left", &px(x));
    css(e, "top", &px(y));
}

pub fn px(v: f64) -> String {
    format!("{}px", v.round())
}

pub fn focus(e: &Element) {
    if let Some(h) = e.dyn_ref::<HtmlElement>() {
        let _ = h.focus();
    }
}

/// The element that has focus in the page, looking through open shadow roots.
pub fn active_element() -> Option<HtmlElement> {
    let mut active = document().active_element()?;
    while let Some(inner) = active.shadow_root().and_then(|r| r.active_element()) {
        active = inner;
    }
    active.dyn_into::<HtmlElement>().ok()
}

/// Width and height of the viewport in CSS pixels.
pub fn viewport() -> (f64, f64) {
    let w = window();
    let dim = |v: Res<JsValue>| v.ok().and_then(|v| v.as_f64()).unwrap_or(0.0);
    (dim(w.inner_width()), dim(w.inner_height()))
}

/// Runs `f` after the current task, outside of any event dispatch or borrow in progress.
pub fn soon(f: impl FnOnce() + 'static) {
    wasm_bindgen_futures::spawn_local(async move { f() });
}

/// Runs `f` before the next paint.
pub fn next_frame(f: impl FnOnce() + 'static) {
    let cb = Closure::once_into_js(f);
    let _ = window().request_animation_frame(cb.unchecked_ref());
}

/// An event listener, removed when dropped.
pub struct Listener {
    target: EventTarget,
    kind: &'static str,
    capture: bool,
    callback: Closure<dyn FnMut(Event)>,
}

impl Listener {
    pub fn new(
        target: &EventTarget,
        kind: &'static str,
        capture: bool,
        f: impl FnMut(Event) + 'static,
    ) -> Self {
        let callback = Closure::<dyn FnMut(Event)>::new(f);
        let _ = target.add_event_listener_with_callback_and_bool(
            kind,
            callback.as_ref().unchecked_ref(),
            capture,
        );
        Listener { target: target.clone(), kind, capture, callback }
    }

    /// A listener on an element, in the bubbling phase.
    pub fn on(target: &Element, kind: &'static str, f: impl FnMut(Event) + 'static) -> Self {
        Self::new(target, kind, false, f)
    }

    /// Keeps the listener for the lifetime of the page.
    pub fn forever(self) {
        std::mem::forget(self);
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        let _ = self.target.remove_event_listener_with_callback_and_bool(
            self.kind,
            self.callback.as_ref().unchecked_ref(),
            self.capture,
        );
    }
}

/// A `setTimeout` or `setInterval`, cleared when dropped.
pub struct Timer {
    id: i32,
    repeat: bool,
    _callback: Closure<dyn FnMut()>,
}

impl Timer {
    pub fn once(ms: i32, f: impl FnMut() + 'static) -> Self {
        Self::start(ms, false, f)
    }

    pub fn every(ms: i32, f: impl FnMut() + 'static) -> Self {
        Self::start(ms, true, f)
    }

    fn start(ms: i32, repeat: bool, f: impl FnMut() + 'static) -> Self {
        let callback = Closure::<dyn FnMut()>::new(f);
        let w = window();
        let cb = callback.as_ref().unchecked_ref();
        let id = if repeat {
            w.set_interval_with_callback_and_timeout_and_arguments_0(cb, ms)
        } else {
            w.set_timeout_with_callback_and_timeout_and_arguments_0(cb, ms)
        };
        Timer { id: id.unwrap_or(0), repeat, _callback: callback }
    }

    /// Keeps the timer for the lifetime of the page.
    pub fn forever(self) {
        std::mem::forget(self);
    }
}

impl Drop for Timer {
    fn drop(&mut self) {
        let w = window();
        if self.repeat {
            w.clear_interval_with_handle(self.id);
        } else {
            w.clear_timeout_with_handle(self.id);
        }
    }
}
