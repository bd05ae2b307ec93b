//! Pick mode: the element under the pointer (or with keyboard focus) is outlined; a click (or Enter)
//! picks it without the host page seeing the click; Escape cancels. Listeners sit on the window in
//! the capture phase, so they run before the host's own handlers; dropping the [`Picker`] removes
//! them all.

use std::rc::Rc;

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{Element, Event, EventTarget, KeyboardEvent};

use crate::dom;

type Handler = Closure<dyn FnMut(Event)>;

pub struct Picker {
    listeners: Vec<(&'static str, Handler)>,
}

impl Drop for Picker {
    fn drop(&mut self) {
        let Some(window) = web_sys::window() else {
            return;
        };
        for (event, handler) in &self.listeners {
            let _ = window.remove_event_listener_with_callback_and_bool(
                event,
                handler.as_ref().unchecked_ref(),
                true,
            );
        }
    }
}

/// The host page's element an event is about, unless it is the author mode's own UI.
fn host_target(event: &Event, ours: &Element) -> Option<Element> {
    let el = event.target()?.dyn_into::<Element>().ok()?;
    let own = &el == ours || ours.contains(Some(&el));
    let page = matches!(el.tag_name().as_str(), "HTML" | "BODY");
    (!own && !page).then_some(el)
}

/// Outlines `el` with the highlight box (fixed position, so page coordinates are viewport ones).
pub fn outline(highlight: &Element, el: &Element) {
    let r = el.get_bounding_client_rect();
    dom::set_style(highlight, "top", &format!("{}px", r.top() - 3.0));
    dom::set_style(highlight, "left", &format!("{}px", r.left() - 3.0));
    dom::set_style(highlight, "width", &format!("{}px", r.width() + 6.0));
    dom::set_style(highlight, "height", &format!("{}px", r.height() + 6.0));
    let _ = highlight.remove_attribute("hidden");
}

/// Starts pick mode. `on_pick` and `on_cancel` run after the event handler returns, so they may
/// drop the picker.
pub fn start(
    ours: Element,
    highlight: Element,
    on_pick: impl Fn(Element) + 'static,
    on_cancel: impl Fn() + 'static,
) -> Picker {
    let on_pick = Rc::new(on_pick);
    let on_cancel = Rc::new(on_cancel);
    let mut listeners: Vec<(&'static str, Handler)> = Vec::new();

    // Hover and keyboard focus move the outline.
    for event in ["mouseover", "focusin"] {
        let (ours, highlight) = (ours.clone(), highlight.clone());
        listeners.push((
            event,
            Closure::new(move |e: Event| match host_target(&e, &ours) {
                Some(el) => outline(&highlight, &el),
                None => {
                    let _ = highlight.set_attribute("hidden", "");
                }
            }),
        ));
    }
    // The host sees none of the pointer sequence of a pick: no focus change, no menu, no submit.
    for event in [
        "pointerdown",
        "mousedown",
        "pointerup",
        "mouseup",
        "dblclick",
    ] {
        let ours = ours.clone();
        listeners.push((
            event,
            Closure::new(move |e: Event| {
                if host_target(&e, &ours).is_some() {
                    e.prevent_default();
                    e.stop_immediate_propagation();
                }
            }),
        ));
    }
    {
        let (ours, on_pick) = (ours.clone(), on_pick.clone());
        listeners.push((
            "click",
            Closure::new(move |e: Event| {
                if let Some(el) = host_target(&e, &ours) {
                    e.prevent_default();
                    e.stop_immediate_propagation();
                    let on_pick = on_pick.clone();
                    wasm_bindgen_futures::spawn_local(async move { on_pick(el) });
                }
            }),
        ));
    }
    {
        let ours = ours.clone();
        listeners.push((
            "keydown",
            Closure::new(move |e: Event| {
                let Some(key) = e.dyn_ref::<KeyboardEvent>().map(KeyboardEvent::key) else {
                    return;
                };
                if key == "Escape" {
                    e.prevent_default();
                    e.stop_immediate_propagation();
                    let on_cancel = on_cancel.clone();
                    wasm_bindgen_futures::spawn_local(async move { on_cancel() });
                } else if key == "Enter"
                    && let Some(el) = host_target(&e, &ours)
                {
                    e.prevent_default();
                    e.stop_immediate_propagation();
                    let on_pick = on_pick.clone();
                    wasm_bindgen_futures::spawn_local(async move { on_pick(el) });
                }
            }),
        ));
    }
    if let Some(window) = web_sys::window() {
        let target: &EventTarget = window.as_ref();
        for (event, handler) in &listeners {
            let _ = target.add_event_listener_with_callback_and_bool(
                event,
                handler.as_ref().unchecked_ref(),
                true,
            );
        }
    }
    Picker { listeners }
}
