//! Finding a step's or tooltip's element in the host page. A target carries several strategies
//! captured when the author picked the element; they are tried in order and the first that matches
//! exactly one rendered element wins. Elements rendered late (single-page apps) are waited for.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use cairn_shared::content::{Strategy, Target, squash};
use cairn_shared::events::Miss;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{Element, MutationObserver};

use crate::codec::Obj;
use crate::dom::{self, Timer};

/// Beyond this many elements the page is not walked for shadow roots and frames: the walk visits
/// every element, and a page that big would pay for it on every check while a target is missing.
const WALK_LIMIT: u32 = 20_000;

/// The element `target` points at, if exactly one rendered element matches one of its strategies.
/// The page itself is searched first; only when no strategy finds the element there are open
/// shadow roots and same-origin iframes searched too.
pub fn find(target: &Target) -> Option<Element> {
    let doc: JsValue = dom::document().into();
    find_in(&doc, target).or_else(|| {
        let mut roots = Vec::new();
        inner_roots(&doc, &mut roots);
        roots.iter().find_map(|root| find_in(root, target))
    })
}

fn find_in(root: &JsValue, target: &Target) -> Option<Element> {
    target
        .strategies
        .iter()
        .find_map(|strategy| probe(root, strategy).ok())
}

/// The one rendered element `strategy` finds under `root`, or why it finds none.
fn probe(root: &JsValue, strategy: &Strategy) -> Result<Element, Miss> {
    // An author's CSS path may be invalid: that strategy just finds nothing.
    let mut found = None;
    for el in dom::query_all(root, &strategy.candidate_selector()) {
        if accepts(strategy, &el) {
            if found.is_some() {
                return Err(Miss::Many);
            }
            found = Some(el);
        }
    }
    match found {
        Some(el) if is_rendered(&el) => Ok(el),
        Some(_) => Err(Miss::Hidden),
        None => Err(Miss::None),
    }
}

/// The open shadow roots and same-origin iframe documents inside `root`, nested ones included.
fn inner_roots(root: &JsValue, out: &mut Vec<JsValue>) {
    let count = dom::num(&dom::prop(&dom::document(), "all"), "length");
    if count > f64::from(WALK_LIMIT) || out.len() > 200 {
        return;
    }
    for el in dom::query_all(root, "*") {
        let shadow = dom::prop(&el, "shadowRoot");
        if shadow.is_object() {
            out.push(shadow.clone());
            inner_roots(&shadow, out);
        }
        // A cross-origin frame's document is null.
        let frame_doc = dom::prop(&el, "contentDocument");
        if frame_doc.is_object() {
            out.push(frame_doc.clone());
            inner_roots(&frame_doc, out);
        }
    }
}

/// Why each strategy of `target` finds no element, for the `element_not_found` event:
/// `id:none,css:many` (see [`cairn_shared::events::Miss`]). A strategy that finds nothing in the
/// page itself reports what it finds in shadow roots and frames, if anything.
pub fn failed_strategies(target: &Target) -> String {
    let doc: JsValue = dom::document().into();
    let mut roots = None;
    // By hand: `join` would add a kilobyte of generic code to the wasm.
    let mut out = String::new();
    for s in &target.strategies {
        let miss = match probe(&doc, s) {
            Err(Miss::None) => {
                let roots = roots.get_or_insert_with(|| {
                    let mut r = Vec::new();
                    inner_roots(&doc, &mut r);
                    r
                });
                roots
                    .iter()
                    .find_map(|root| probe(root, s).err().filter(|m| *m != Miss::None))
                    .unwrap_or(Miss::None)
            }
            Err(miss) => miss,
            // Found after the wait ended: not a failure of this strategy.
            Ok(_) => continue,
        };
        if !out.is_empty() {
            out.push(',');
        }
        out.push_str(s.kind());
        out.push(':');
        out.push_str(miss.as_str());
    }
    out
}

fn accepts(strategy: &Strategy, el: &Element) -> bool {
    match strategy {
        Strategy::Role { name, .. } => squash(&accessible_name(el)) == squash(name),
        Strategy::Text { value, .. } => squash(&dom::text_prop(el, "textContent")) == squash(value),
        _ => true,
    }
}

/// Display-none elements (a closed menu, a hidden tab) are not found yet: they may still appear.
fn is_rendered(el: &Element) -> bool {
    let r = dom::rect_of(el);
    r.w > 0.0 || r.h > 0.0
}

/// A simplified accessible-name computation: `aria-labelledby`, `aria-label`, a form field's
/// `<label>`, `alt`, a button input's value, the text content, then `title`/`placeholder`.
fn accessible_name(el: &Element) -> String {
    let doc = dom::document();
    if let Some(ids) = el.get_attribute("aria-labelledby") {
        // Each referenced text; `squash` later collapses the separating spaces.
        let mut text = String::new();
        let ids = squash(&ids);
        let mut rest = ids.as_str();
        // By hand rather than `split`, whose iterator costs more wasm.
        while !rest.is_empty() {
            let end = rest.bytes().position(|b| b == b' ').unwrap_or(rest.len());
            let id = rest.get(..end).unwrap_or_default();
            rest = rest.get(end + 1..).unwrap_or_default();
            if let Some(e) = doc.get_element_by_id(id) {
                let t = dom::text_prop(&e, "textContent");
                text.push(' ');
                text.push_str(&t);
            }
        }
        if !text.trim().is_empty() {
            return text;
        }
    }
    let attr = |name: &str| el.get_attribute(name).filter(|v| !v.trim().is_empty());
    if let Some(label) = attr("aria-label") {
        return label;
    }
    let tag = dom::text_prop(el, "tagName").to_ascii_lowercase();
    if matches!(tag.as_str(), "input" | "textarea" | "select") {
        if let Some(ty) = attr("type")
            && matches!(ty.as_str(), "button" | "submit" | "reset")
            && let Some(value) = attr("value")
        {
            return value;
        }
        let id = el.get_attribute("id").unwrap_or_default();
        let by_for = (!id.is_empty())
            .then(|| {
                let selector = dom::cat(&[
                    "label[for=\"",
                    &cairn_shared::content::css_escape(&id),
                    "\"]",
                ]);
                // Element's binding serves the document too (a structural call): one import.
                doc.unchecked_ref::<Element>()
                    .query_selector(&selector)
                    .ok()
                    .flatten()
            })
            .flatten();
        let wrapping = el.closest("label").ok().flatten();
        if let Some(label) = by_for
            .or(wrapping)
            .map(|l| dom::text_prop(&l, "textContent"))
            && !label.trim().is_empty()
        {
            return label;
        }
        return attr("title")
            .or_else(|| attr("placeholder"))
            .unwrap_or_default();
    }
    if tag == "img" {
        return attr("alt").unwrap_or_default();
    }
    let text = dom::text_prop(el, "textContent");
    if text.trim().is_empty() {
        attr("title").unwrap_or_default()
    } else {
        text
    }
}

/// A wait for a late element: re-checks after DOM mutations (at most once per frame) and on a slow
/// poll (for elements shown by CSS alone), until found or timed out. Dropping it cancels the wait.
pub struct Waiter {
    observer: Option<MutationObserver>,
    _observed: Closure<dyn FnMut()>,
    _poll: Timer,
    _timeout: Timer,
}

type Done = Rc<RefCell<Option<Box<dyn FnOnce(Option<Element>)>>>>;

/// Calls `done` once, with the element as soon as `find` returns one, or with `None` after `ms`
/// milliseconds.
pub fn wait(
    find: impl Fn() -> Option<Element> + 'static,
    ms: i32,
    done: impl FnOnce(Option<Element>) + 'static,
) -> Waiter {
    wait_boxed(Rc::new(find), ms, Box::new(done))
}

/// The one body of [`wait`]: generic, its closures were compiled once per caller.
fn wait_boxed(
    find: Rc<dyn Fn() -> Option<Element>>,
    ms: i32,
    done: Box<dyn FnOnce(Option<Element>)>,
) -> Waiter {
    let done: Done = Rc::new(RefCell::new(Some(done)));
    let finish = move |found: Option<Element>| {
        let callback = done.borrow_mut().take();
        if let Some(callback) = callback {
            callback(found);
        }
    };
    let finish = Rc::new(finish);
    let check = {
        let finish = finish.clone();
        Rc::new(move || {
            if let Some(el) = find() {
                finish(Some(el));
            }
        })
    };
    let scheduled = Rc::new(Cell::new(false));
    let observed = {
        let check = check.clone();
        Closure::<dyn FnMut()>::new(move || {
            if !scheduled.replace(true) {
                let (check, scheduled) = (check.clone(), scheduled.clone());
                dom::next_frame(move || {
                    scheduled.set(false);
                    check();
                });
            }
        })
    };
    let observer = observe(&observed);
    let poll = Timer::every(250, move || check());
    let timeout = Timer::once(ms, move || finish(None));
    Waiter {
        observer,
        _observed: observed,
        _poll: poll,
        _timeout: timeout,
    }
}

/// Watches the whole document for added nodes and for the attribute changes that show elements.
fn observe(callback: &Closure<dyn FnMut()>) -> Option<MutationObserver> {
    let observer = MutationObserver::new(callback.as_ref().unchecked_ref()).ok()?;
    let filter: js_sys::Array = ["class", "style", "hidden", "aria-label"]
        .into_iter()
        .map(JsValue::from_str)
        .collect();
    let options = Obj::new()
        .set("childList", true)
        .set("subtree", true)
        .set("attributeFilter", filter)
        .done();
    let root = dom::document();
    observer
        .observe_with_options(&root, options.unchecked_ref())
        .ok()?;
    Some(observer)
}

impl Drop for Waiter {
    fn drop(&mut self) {
        if let Some(observer) = &self.observer {
            observer.disconnect();
        }
    }
}
