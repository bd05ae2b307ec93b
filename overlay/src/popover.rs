//! The step popover (title, body, progress and buttons) and the highlight ring around the step's
//! element. Both are `position: fixed` and placed from the element's bounding box; the popover moves
//! to the side of the element that has room.

use cairn_shared::content::{Placement, Step};
use wasm_bindgen::JsCast;
use web_sys::{Element, KeyboardEvent};

use crate::dom::{self, Listener, Res};
use crate::place::{self, Rect};
use crate::{markdown, tour};

/// Space between the element and the highlight ring.
const RING_PAD: f64 = 4.0;

/// What the popover shows.
pub struct StepInfo<'a> {
    pub step: &'a Step,
    pub index: usize,
    pub count: usize,
    /// `None`: a floating step; `Some(false)`: its element was not found.
    pub found: Option<bool>,
}

/// A step on screen. Dropping it removes its elements and listeners.
pub struct StepView {
    pub popover: Element,
    arrow: Element,
    ring: Option<Element>,
    pub next: Element,
    pub stuck: Element,
    /// What "Still stuck?" hides while its form is open.
    pub body: Element,
    pub foot: Element,
    _listeners: Vec<Listener>,
}

pub fn build(info: &StepInfo, layer: &Element) -> Res<StepView> {
    let StepInfo { step, index, count, found } = *info;
    let index_text = index.to_string();
    let found_text = match found {
        None => "none",
        Some(true) => "true",
        Some(false) => "false",
    };
    let popover = dom::el(
        "div",
        &[
            ("class", "card step"),
            ("role", "dialog"),
            ("aria-labelledby", "cairn-step-title"),
            ("aria-describedby", "cairn-step-body"),
            ("data-cairn", "step"),
            ("data-step-id", &step.id),
            ("data-step-index", &index_text),
            ("data-element-found", found_text),
        ],
    )?;
    let arrow = dom::el("div", &[("class", "arrow"), ("aria-hidden", "true")])?;
    let head = dom::el("div", &[("class", "head")])?;
    let title = dom::text_el(
        "h2",
        &[("id", "cairn-step-title"), ("data-cairn", "step-title")],
        &step.title,
    )?;
    let close = dom::button(
        &[("class", "x"), ("data-cairn", "close"), ("aria-label", "Close tour")],
        "×",
    )?;
    dom::append(&head, &[&title, &close])?;

    let body = dom::el("div", &[("class", "body"), ("id", "cairn-step-body"), ("data-cairn", "step-body")])?;
    markdown::render(&body, &step.body)?;

    let foot = dom::el("div", &[("class", "foot")])?;
    let progress = dom::text_el(
        "span",
        &[("class", "muted"), ("data-cairn", "step-progress")],
        &format!("{} of {count}", index + 1),
    )?;
    let stuck = dom::button(&[("class", "link"), ("data-cairn", "stuck")], "Still stuck?")?;
    let grow = dom::el("span", &[("class", "grow")])?;
    let back = dom::button(&[("data-cairn", "back")], "Back")?;
    dom::set_hidden(&back, index == 0);
    let last = index + 1 == count;
    let next = dom::button(
        &[("class", "primary"), ("data-cairn", "next")],
        if last { "Done" } else { "Next" },
    )?;
    dom::append(&foot, &[&progress, &stuck, &grow, &back, &next])?;
    dom::append(&popover, &[&arrow, &head, &body, &foot])?;

    let ring = match found {
        Some(true) => {
            Some(dom::el("div", &[("class", "ring"), ("data-cairn", "highlight"), ("aria-hidden", "true")])?)
        }
        _ => None,
    };
    if let Some(ring) = &ring {
        layer.append_child(ring)?;
    }
    layer.append_child(&popover)?;

    let listeners = vec![
        Listener::on(&close, "click", |_| tour::close()),
        Listener::on(&back, "click", |_| tour::back()),
        Listener::on(&next, "click", |_| tour::next()),
        Listener::on(&stuck, "click", |_| tour::open_stuck()),
        Listener::on(&popover, "keydown", keydown),
    ];
    Ok(StepView { popover, arrow, ring, next, stuck, body, foot, _listeners: listeners })
}

/// Escape closes the tour; the arrow keys step through it, except while typing.
fn keydown(event: web_sys::Event) {
    let Some(key) = event.dyn_ref::<KeyboardEvent>().map(KeyboardEvent::key) else { return };
    let typing = event
        .target()
        .and_then(|t| t.dyn_into::<Element>().ok())
        .is_some_and(|t| matches!(t.tag_name().as_str(), "TEXTAREA" | "INPUT"));
    match key.as_str() {
        "Escape" => tour::close(),
        "ArrowRight" if !typing => tour::next_by_key(),
        "ArrowLeft" if !typing => tour::back(),
        _ => return,
    }
    event.prevent_default();
}

/// The bounding box of an element in viewport coordinates.
pub fn rect_of(el: &Element) -> Rect {
    let r = el.get_bounding_client_rect();
    Rect { x: r.left(), y: r.top(), w: r.width(), h: r.height() }
}

/// Scrolls the element to the middle of the viewport when any part of it is out of view.
pub fn scroll_into_view(el: &Element) {
    let (vw, vh) = dom::viewport();
    if !rect_of(el).inside(vw, vh) {
        let options = web_sys::ScrollIntoViewOptions::new();
        options.set_block(web_sys::ScrollLogicalPosition::Center);
        options.set_inline(web_sys::ScrollLogicalPosition::Nearest);
        el.scroll_into_view_with_scroll_into_view_options(&options);
    }
}

impl StepView {
    /// Places the ring around `target` and the popover beside it, or centres the popover.
    pub fn position(&self, target: Option<&Element>, placement: Placement) {
        let viewport = dom::viewport();
        let size = rect_of(&self.popover);
        let size = (size.w, size.h);
        let Some(target) = target else {
            let (x, y) = place::centered(size, viewport);
            dom::put(&self.popover, x, y);
            let _ = self.popover.set_attribute("data-side", "center");
            return;
        };
        let anchor = rect_of(target);
        if let Some(ring) = &self.ring {
            let r = anchor.inflate(RING_PAD);
            dom::put(ring, r.x, r.y);
            dom::css(ring, "width", &dom::px(r.w));
            dom::css(ring, "height", &dom::px(r.h));
        }
        let p = place::place(anchor.inflate(RING_PAD), size, viewport, placement);
        dom::put(&self.popover, p.x, p.y);
        let _ = self.popover.set_attribute("data-side", p.side.as_str());
        let (along, across) = match p.side {
            place::Side::Top | place::Side::Bottom => ("left", "top"),
            place::Side::Left | place::Side::Right => ("top", "left"),
        };
        dom::css(&self.arrow, along, &dom::px(p.arrow));
        // The stylesheet puts the arrow on the popover's edge facing the element.
        let _ = self.arrow.dyn_ref::<web_sys::HtmlElement>().map(|a| a.style().remove_property(across));
    }
}

impl Drop for StepView {
    fn drop(&mut self) {
        self.popover.remove();
        if let Some(ring) = &self.ring {
            ring.remove();
        }
    }
}
