//! A tiny element builder (`el("p").class("hint").text("…").child(…)`) and event-listener
//! bookkeeping. Text always goes in as text nodes: the editor never parses strings as HTML.
//!
//! Listeners attached with [`El::on`] belong to the page on screen; [`drop_page_listeners`] frees
//! them when the router swaps pages, so navigating back and forth does not leak closures.
//! Listeners of things that live as long as the app (the shell, the router) use [`listen_forever`].

use std::cell::RefCell;

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{Document, Element, Event, EventTarget, HtmlElement, Node};

type Listener = Closure<dyn FnMut(Event)>;

thread_local! {
    static PAGE_LISTENERS: RefCell<Vec<Listener>> = const { RefCell::new(Vec::new()) };
}

/// The page's document. The editor only ever runs in a window.
pub fn document() -> Document {
    web_sys::window()
        .and_then(|w| w.document())
        .expect_throw("the editor runs in a browser window")
}

/// Starts building an element.
pub fn el(tag: &str) -> El {
    El(document()
        .create_element(tag)
        .expect_throw("valid tag name"))
}

/// Starts building an SVG element, in the SVG namespace. Set its class with `attr("class", …)`:
/// `className` is read-only on SVG elements.
pub fn svg(tag: &str) -> El {
    El(document()
        .create_element_ns(Some("http://www.w3.org/2000/svg"), tag)
        .expect_throw("valid SVG tag name"))
}

/// A text node.
pub fn text(s: &str) -> Node {
    document().create_text_node(s).into()
}

/// An element under construction; every method consumes and returns it so calls chain.
pub struct El(Element);

impl El {
    /// Sets an attribute. Names are literals in this crate, so setting cannot fail.
    pub fn attr(self, name: &str, value: &str) -> Self {
        let _ = self.0.set_attribute(name, value);
        self
    }

    /// Sets an attribute when `on`, for booleans such as `disabled` or `required`.
    pub fn flag(self, name: &str, on: bool) -> Self {
        if on {
            let _ = self.0.set_attribute(name, "");
        }
        self
    }

    pub fn class(self, class: &str) -> Self {
        self.0.set_class_name(class);
        self
    }

    /// Appends text (as a text node, never markup).
    pub fn text(self, s: &str) -> Self {
        let _ = self.0.append_child(&text(s));
        self
    }

    pub fn child(self, child: impl AsRef<Node>) -> Self {
        let _ = self.0.append_child(child.as_ref());
        self
    }

    pub fn children<C: AsRef<Node>>(self, children: impl IntoIterator<Item = C>) -> Self {
        for c in children {
            let _ = self.0.append_child(c.as_ref());
        }
        self
    }

    /// Adds a listener that lives as long as the current page.
    pub fn on(self, event: &str, handler: impl FnMut(Event) + 'static) -> Self {
        on(&self.0, event, handler);
        self
    }

    /// Runs `handler` when the value of an input changes, whether by typing (`input`) or by
    /// automation and autofill that only fire `change`.
    pub fn on_value(self, handler: impl Fn(Event) + 'static) -> Self {
        let handler = std::rc::Rc::new(handler);
        let also = handler.clone();
        self.on("input", move |e| handler(e))
            .on("change", move |e| also(e))
    }

    /// Sets one CSS property through the CSSOM (allowed by `style-src 'self'`, unlike a `style`
    /// attribute).
    pub fn style(self, property: &str, value: &str) -> Self {
        set_style(&self.0, property, value);
        self
    }

    /// The element being built, to keep a reference to it.
    pub fn as_element(&self) -> &Element {
        &self.0
    }

    pub fn build(self) -> Element {
        self.0
    }
}

impl AsRef<Node> for El {
    fn as_ref(&self) -> &Node {
        &self.0
    }
}

impl From<El> for Element {
    fn from(e: El) -> Element {
        e.0
    }
}

fn closure(handler: impl FnMut(Event) + 'static) -> Listener {
    Closure::new(handler)
}

/// Adds a listener that lives as long as the current page.
pub fn on(target: &EventTarget, event: &str, handler: impl FnMut(Event) + 'static) {
    let cb = closure(handler);
    let _ = target.add_event_listener_with_callback(event, cb.as_ref().unchecked_ref());
    PAGE_LISTENERS.with(|l| l.borrow_mut().push(cb));
}

/// Adds a listener for the life of the app (shell, router).
pub fn listen_forever(target: &EventTarget, event: &str, handler: impl FnMut(Event) + 'static) {
    let cb = closure(handler);
    let _ = target.add_event_listener_with_callback(event, cb.as_ref().unchecked_ref());
    cb.forget();
}

/// Frees the listeners of the page being replaced. Their elements are detached by then, so the
/// closures can no longer be called (and wasm-bindgen defers the free of one that is running).
pub fn drop_page_listeners() {
    let old = PAGE_LISTENERS.with(|l| std::mem::take(&mut *l.borrow_mut()));
    drop(old);
}

/// Removes every child.
pub fn clear(el: &Element) {
    el.set_text_content(None);
}

/// Replaces every child with `child`.
pub fn replace(el: &Element, child: impl AsRef<Node>) {
    clear(el);
    let _ = el.append_child(child.as_ref());
}

/// Moves keyboard focus, e.g. to a page heading after navigation.
pub fn focus(el: &Element) {
    if let Some(h) = el.dyn_ref::<HtmlElement>() {
        let _ = h.focus();
    }
}

pub fn set_style(el: &Element, property: &str, value: &str) {
    if let Some(h) = el.dyn_ref::<HtmlElement>() {
        let _ = h.style().set_property(property, value);
    }
}

pub fn set_attr(el: &Element, name: &str, value: &str) {
    let _ = el.set_attribute(name, value);
}

/// The current value of an `<input>` or `<textarea>`.
pub fn value(el: &Element) -> String {
    if let Some(i) = el.dyn_ref::<web_sys::HtmlInputElement>() {
        i.value()
    } else if let Some(t) = el.dyn_ref::<web_sys::HtmlTextAreaElement>() {
        t.value()
    } else if let Some(s) = el.dyn_ref::<web_sys::HtmlSelectElement>() {
        s.value()
    } else {
        String::new()
    }
}

/// Sets the value of an `<input>` or `<textarea>` (the property, which is what the user sees).
pub fn set_value(el: &Element, v: &str) {
    if let Some(i) = el.dyn_ref::<web_sys::HtmlInputElement>() {
        i.set_value(v);
    } else if let Some(t) = el.dyn_ref::<web_sys::HtmlTextAreaElement>() {
        t.set_value(v);
    } else if let Some(s) = el.dyn_ref::<web_sys::HtmlSelectElement>() {
        s.set_value(v);
    }
}

/// Whether a checkbox is checked.
pub fn checked(el: &Element) -> bool {
    el.dyn_ref::<web_sys::HtmlInputElement>()
        .is_some_and(|i| i.checked())
}

/// Marks a button busy without `disabled`, which would drop keyboard focus from it.
pub fn set_busy(button: &Element, busy: bool) {
    set_attr(button, "aria-disabled", if busy { "true" } else { "false" });
}

/// Sets `document.title`.
pub fn set_title(title: &str) {
    document().set_title(&format!("{title} · Cairn"));
}

/// A unique-enough id for `for`/`aria-labelledby` pairs.
pub fn next_id(prefix: &str) -> String {
    thread_local! {
        static NEXT: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
    }
    let n = NEXT.with(|c| {
        c.set(c.get() + 1);
        c.get()
    });
    format!("{prefix}-{n}")
}
