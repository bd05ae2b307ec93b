//! Small DOM helpers: the window and document, an element builder, and RAII handles for event
//! listeners and timers, so that dropping a view detaches everything it registered.

use js_sys::Promise;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{Document, Element, Event, EventTarget, Window};

use crate::place::Rect;

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

#[wasm_bindgen]
extern "C" {
    /// A DOM node as the overlay builds it. These bindings have no `catch`: with the arguments the
    /// overlay passes (constant tag and attribute names, nodes it created itself) the calls cannot
    /// throw, and leaving out the error path keeps the glue and every call site small.
    type Raw;
    #[wasm_bindgen(method, js_name = createElement)]
    fn create_element(this: &Raw, tag: &str) -> Element;
    #[wasm_bindgen(method, js_name = setAttribute)]
    fn set_attribute(this: &Raw, name: &str, value: &str);
    #[wasm_bindgen(method, js_name = removeAttribute)]
    fn remove_attribute(this: &Raw, name: &str);
    #[wasm_bindgen(method, js_name = append)]
    fn append_node(this: &Raw, child: &Element);
    #[wasm_bindgen(method, js_name = append)]
    fn append_text(this: &Raw, text: &str);
    #[wasm_bindgen(method)]
    fn focus(this: &Raw, options: &JsValue);
    #[wasm_bindgen(method, getter)]
    fn style(this: &Raw) -> Raw;
    #[wasm_bindgen(method, js_name = setProperty)]
    fn set_property(this: &Raw, name: &str, value: &str);
    #[wasm_bindgen(method)]
    fn then(this: &Raw, callback: &JsValue);
    #[wasm_bindgen(method, js_name = getBoundingClientRect)]
    fn bounding_rect(this: &Raw) -> JsValue;
    #[wasm_bindgen(js_name = queueMicrotask)]
    fn queue_microtask(callback: &JsValue);
    // Structural calls, so one binding serves documents, shadow roots and elements alike.
    #[wasm_bindgen(method, catch, js_name = querySelectorAll)]
    fn query_all(this: &Raw, selector: &str) -> Res<js_sys::Array>;
    #[wasm_bindgen(method, catch)]
    fn matches(this: &Raw, selector: &str) -> Res<bool>;
    #[wasm_bindgen(method, catch, js_name = showPopover)]
    fn show_popover(this: &Raw) -> Res<()>;
    #[wasm_bindgen(method, catch, js_name = hidePopover)]
    fn hide_popover(this: &Raw) -> Res<()>;
}

/// The elements under `root` (a document, a shadow root or an element) matching `selector`; none
/// when the selector is invalid.
pub fn query_all(root: &JsValue, selector: &str) -> Vec<Element> {
    // A NodeList read through the Array bindings (`length`, `[i]` work on both): two imports fewer.
    let Ok(list) = raw(root).query_all(selector) else {
        return Vec::new();
    };
    (0..list.length())
        .map(|i| list.get(i).unchecked_into())
        .collect()
}

/// `el.matches(selector)`; false when the browser does not know the selector.
pub fn matches(el: &Element, selector: &str) -> bool {
    raw(el).matches(selector).unwrap_or(false)
}

thread_local! {
    static TOP_LAYER: std::cell::Cell<u32> = const { std::cell::Cell::new(u32::MAX) };
}

/// Keeps the overlay above the page's own top layer. Inside an open modal `<dialog>` (everything
/// outside it is inert), and the overlay's `layer`, a manual popover, shown again whenever the
/// page's top layer changed, since the last shown is the topmost.
pub fn stay_on_top(host: &Element, layer: &Element) {
    // One pass over the page (it runs on every tick): the open top-layer elements of the page.
    let on_top = query_all(&document(), ":popover-open, dialog:modal");
    let modal = on_top.iter().rev().find(|d| matches(d, "dialog")).cloned();
    let Some(parent) = modal.or_else(body) else {
        return;
    };
    let moved = !element_prop(host, "parentElement").is_some_and(|p| same(&p, &parent));
    let count = on_top.len() as u32;
    let changed = TOP_LAYER.with(|c| c.replace(count)) != count;
    if !(moved || changed || !matches(layer, ":popover-open")) {
        return;
    }
    let focused = active_element();
    if moved {
        append(&parent, &[host]);
    }
    let _ = raw(layer).hide_popover();
    let _ = raw(layer).show_popover();
    // Moving and re-showing drop focus from inside them; nothing to restore when it was nowhere.
    let nowhere = |f: &Element| body().is_some_and(|b| same(&b, f));
    if let Some(f) = focused.filter(|f| is_connected(f) && !nowhere(f)) {
        focus(&f);
    }
}

/// Whether `a` and `b` are the same node (`Object.is`, which the glue imports anyway, rather than
/// one more binding for `isSameNode`).
pub fn same(a: &JsValue, b: &JsValue) -> bool {
    js_sys::Object::is(a, b)
}

fn raw(e: &JsValue) -> &Raw {
    e.unchecked_ref()
}

/// Logs a problem without disturbing the host page.
pub fn warn(what: &str, err: &JsValue) {
    web_sys::console::warn_3(&"[cairn]".into(), &what.into(), err);
}

/// `<tag attr=value…>`.
pub fn el(tag: &str, attrs: &[(&str, &str)]) -> Element {
    let e = raw(&document()).create_element(tag);
    for (name, value) in attrs {
        raw(&e).set_attribute(name, value);
    }
    e
}

/// `<tag attr=value…>text</tag>`; the text is never parsed as markup.
pub fn text_el(tag: &str, attrs: &[(&str, &str)], text: &str) -> Element {
    let e = el(tag, attrs);
    append_text(&e, text);
    e
}

/// `<button type="button">`: never a submit button by accident.
pub fn button(attrs: &[(&str, &str)], label: &str) -> Element {
    let b = text_el("button", attrs, label);
    raw(&b).set_attribute("type", "button");
    b
}

/// Appends to an element, or to a shadow root.
pub fn append(parent: &JsValue, children: &[&Element]) {
    for child in children {
        raw(parent).append_node(child);
    }
}

/// The key of a keyboard event.
pub fn key(event: &Event) -> String {
    text_prop(event, "key")
}

/// The value of an `<input>` or `<textarea>`.
pub fn value(field: &Element) -> String {
    text_prop(field, "value")
}

/// Appends text (a text node, never markup).
pub fn append_text(parent: &Element, text: &str) {
    raw(parent).append_text(text);
}

pub fn set_attr(e: &Element, name: &str, value: &str) {
    raw(e).set_attribute(name, value);
}

pub fn remove_attr(e: &Element, name: &str) {
    raw(e).remove_attribute(name);
}

pub fn set_hidden(e: &Element, hidden: bool) {
    if hidden {
        raw(e).set_attribute("hidden", "");
    } else {
        raw(e).remove_attribute("hidden");
    }
}

/// Sets one CSS property through the CSSOM, which a `style-src 'self'` policy allows (unlike a
/// `style` attribute).
pub fn css(e: &Element, property: &str, value: &str) {
    raw(e).style().set_property(property, value);
}

/// Places a `position: fixed` element.
pub fn put(e: &Element, x: f64, y: f64) {
    css(e, "left", &px(x));
    css(e, "top", &px(y));
}

pub fn px(v: f64) -> String {
    cat(&[&int(v.round()), "px"])
}

/// An integer's decimal digits, written by the browser: Rust's integer `Display` costs a few
/// hundred bytes of wasm per integer type (and f64 formatting ~15 KB). Drops any fraction.
pub fn int(n: f64) -> String {
    js_sys::Number::from(n.trunc())
        .to_string_with_radix(10)
        .map(String::from)
        .unwrap_or_default()
}

/// The parts one after the other: what `format!` would do, without its per-call-site argument
/// tables and formatting machinery.
pub fn cat(parts: &[&str]) -> String {
    let mut out = String::new();
    for p in parts {
        out.push_str(p);
    }
    out
}

/// Lower-cases with the browser's Unicode tables rather than shipping Rust's.
pub fn lower(s: &str) -> String {
    js_sys::JsString::from(s).to_lower_case().into()
}

/// Focuses without scrolling: the overlay's controls are already in view, and the scroll-into-view
/// a plain `focus()` computes cost over 100 ms on a page of 100,000 elements.
pub fn focus(e: &Element) {
    let options = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&options, &"preventScroll".into(), &JsValue::TRUE);
    raw(e).focus(&options);
}

/// The element that has focus in the page, looking through open shadow roots.
pub fn active_element() -> Option<Element> {
    let mut active = element_prop(&document(), "activeElement")?;
    while let Some(inner) =
        element_prop(&active, "shadowRoot").and_then(|root| element_prop(&root, "activeElement"))
    {
        active = inner;
    }
    Some(active)
}

/// An element-valued property (`body`, `activeElement`, `target`…), `None` when null.
pub fn element_prop(v: &JsValue, name: &str) -> Option<Element> {
    let value = prop(v, name);
    (!value.is_null() && !value.is_undefined()).then(|| value.unchecked_into())
}

/// Whether the node is still in the document.
pub fn is_connected(node: &JsValue) -> bool {
    prop(node, "isConnected").is_truthy()
}

/// The page's `<body>`, once parsed.
pub fn body() -> Option<Element> {
    element_prop(&document(), "body")
}

/// A property of a JS object. One-off reads go through this rather than a typed web-sys getter
/// each: every distinct binding costs glue in both the JS and the wasm.
pub fn prop(v: &JsValue, name: &str) -> JsValue {
    js_sys::Reflect::get(v, &JsValue::from_str(name)).unwrap_or_default()
}

/// A numeric property, 0 when missing.
pub fn num(v: &JsValue, name: &str) -> f64 {
    prop(v, name).as_f64().unwrap_or(0.0)
}

/// A string property, empty when missing.
pub fn text_prop(v: &JsValue, name: &str) -> String {
    prop(v, name).as_string().unwrap_or_default()
}

/// Width and height of the viewport in CSS pixels.
pub fn viewport() -> (f64, f64) {
    let w = window();
    (num(&w, "innerWidth"), num(&w, "innerHeight"))
}

/// The bounding box of an element in the page's viewport coordinates, also for an element inside
/// a same-origin iframe (offset by the frames it is in).
pub fn rect_of(el: &Element) -> Rect {
    let r = raw(el).bounding_rect();
    let mut rect = Rect {
        x: num(&r, "left"),
        y: num(&r, "top"),
        w: num(&r, "width"),
        h: num(&r, "height"),
    };
    let top: JsValue = window().into();
    let mut view = prop(&prop(el, "ownerDocument"), "defaultView");
    while !js_sys::Object::is(&view, &top)
        && let Some(frame) = element_prop(&view, "frameElement")
    {
        let f = raw(&frame).bounding_rect();
        rect.x += num(&f, "left") + num(&frame, "clientLeft");
        rect.y += num(&f, "top") + num(&frame, "clientTop");
        view = prop(&prop(&frame, "ownerDocument"), "defaultView");
    }
    rect
}

/// A JS function that runs `f` on its first call and then frees it. Taking a box keeps this to one
/// instantiation of wasm-bindgen's one-shot closure glue, however many callers there are.
fn once(f: Box<dyn FnOnce(JsValue)>) -> JsValue {
    Closure::once_into_js(move |v: JsValue| f(v))
}

/// Runs `f` once the current task is done, outside of any event dispatch or borrow in progress.
pub fn soon(f: impl FnOnce() + 'static) {
    queue_microtask(&once(Box::new(move |_| f())));
}

/// Calls `f` once `promise` settles, with its value or its rejection reason.
pub fn settle(promise: &Promise, f: impl FnOnce(Result<JsValue, JsValue>) + 'static) {
    settle_boxed(promise, Box::new(f));
}

/// The one body of [`settle`]: generic, the outcome's unpacking was compiled once per caller.
fn settle_boxed(promise: &Promise, f: Box<dyn FnOnce(Result<JsValue, JsValue>)>) {
    // `allSettled` never rejects, so the callback runs exactly once and is freed.
    let settled = Promise::all_settled(&js_sys::Array::of1(promise));
    raw(&settled).then(&once(Box::new(move |outcomes| {
        let outcome = outcomes.unchecked_ref::<js_sys::Array>().get(0);
        let field = |name: &str| js_sys::Reflect::get(&outcome, &name.into()).unwrap_or_default();
        f(
            if field("status").as_string().as_deref() == Some("fulfilled") {
                Ok(field("value"))
            } else {
                Err(field("reason"))
            },
        );
    })));
}

/// Runs `f` before the next paint.
pub fn next_frame(f: impl FnOnce() + 'static) {
    let _ = window().request_animation_frame(once(Box::new(move |_| f())).unchecked_ref());
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
        Self::boxed(target, kind, capture, Box::new(f))
    }

    /// The one non-generic body, so each call site only costs a box (this keeps the wasm small).
    fn boxed(
        target: &EventTarget,
        kind: &'static str,
        capture: bool,
        f: Box<dyn FnMut(Event)>,
    ) -> Self {
        let callback = Closure::wrap(f);
        let _ = target.add_event_listener_with_callback_and_bool(
            kind,
            callback.as_ref().unchecked_ref(),
            capture,
        );
        Listener {
            target: target.clone(),
            kind,
            capture,
            callback,
        }
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
    _callback: Closure<dyn FnMut()>,
}

impl Timer {
    pub fn once(ms: i32, f: impl FnMut() + 'static) -> Self {
        Self::start(ms, false, Box::new(f))
    }

    pub fn every(ms: i32, f: impl FnMut() + 'static) -> Self {
        Self::start(ms, true, Box::new(f))
    }

    fn start(ms: i32, repeat: bool, f: Box<dyn FnMut()>) -> Self {
        let callback = Closure::wrap(f);
        let w = window();
        let cb = callback.as_ref().unchecked_ref();
        let id = if repeat {
            w.set_interval_with_callback_and_timeout_and_arguments_0(cb, ms)
        } else {
            w.set_timeout_with_callback_and_timeout_and_arguments_0(cb, ms)
        };
        Timer {
            id: id.unwrap_or(0),
            _callback: callback,
        }
    }

    /// Keeps the timer for the lifetime of the page.
    pub fn forever(self) {
        std::mem::forget(self);
    }
}

impl Drop for Timer {
    fn drop(&mut self) {
        // Timeouts and intervals share one list of ids: `clearTimeout` clears either (HTML
        // standard), and one binding fewer is glue saved.
        window().clear_timeout_with_handle(self.id);
    }
}
