//! The step popover (title, body, progress and buttons) and the highlight ring around the step's
//! element. Both are `position: fixed` and placed from the element's bounding box; the popover moves
//! to the side of the element that has room.

use cairn_shared::content::{Placement, Step};
use wasm_bindgen::JsCast;
use web_sys::Element;

use crate::codec::Obj;
use crate::dom::{self, Listener};
use crate::place;
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

pub fn build(info: &StepInfo, layer: &Element) -> StepView {
    let StepInfo {
        step,
        index,
        count,
        found,
    } = *info;
    let text = crate::runtime::step_text(step);
    let found = match found {
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
            ("data-step-index", &dom::int(index as f64)),
            ("data-element-found", found),
        ],
    );
    if found == "none" {
        // A floating step is modal: focus stays in it until it is closed or moved on.
        dom::set_attr(&popover, "aria-modal", "true");
    }
    if found == "false"
        && let Some(target) = &step.target
    {
        // Which strategies were tried, for whoever inspects the page (and the e2e tests).
        dom::set_attr(
            &popover,
            "data-strategies-failed",
            &crate::resolve::failed_strategies(target),
        );
    }
    let arrow = dom::el("div", &[("class", "arrow"), ("aria-hidden", "true")]);
    let head = dom::el("div", &[("class", "head")]);
    let title = dom::text_el(
        "h2",
        &[("id", "cairn-step-title"), ("data-cairn", "step-title")],
        text.title,
    );
    let close = dom::button(
        &[
            ("class", "x"),
            ("data-cairn", "close"),
            ("aria-label", "Close tour"),
        ],
        "×",
    );
    dom::append(&head, &[&title, &close]);

    let body = dom::el(
        "div",
        &[
            ("class", "body"),
            ("id", "cairn-step-body"),
            ("data-cairn", "step-body"),
        ],
    );
    markdown::render(&body, text.body);

    let foot = dom::el("div", &[("class", "foot")]);
    let progress = dom::text_el(
        "span",
        &[("class", "muted"), ("data-cairn", "step-progress")],
        &dom::cat(&[
            &dom::int((index + 1) as f64),
            " of ",
            &dom::int(count as f64),
        ]),
    );
    let stuck = dom::button(
        &[("class", "link"), ("data-cairn", "stuck")],
        "Still stuck?",
    );
    let grow = dom::el("span", &[("class", "grow")]);
    let back = dom::button(&[("data-cairn", "back")], "Back");
    dom::set_hidden(&back, index == 0);
    let last = index + 1 == count;
    let next = dom::button(
        &[("class", "primary"), ("data-cairn", "next")],
        if last { "Done" } else { "Next" },
    );
    dom::append(&foot, &[&progress, &stuck, &grow, &back, &next]);
    dom::append(&popover, &[&arrow, &head, &body, &foot]);

    let ring = (found == "true").then(|| {
        let ring = dom::el(
            "div",
            &[
                ("class", "ring"),
                ("data-cairn", "highlight"),
                ("aria-hidden", "true"),
            ],
        );
        dom::append(layer, &[&ring]);
        ring
    });
    dom::append(layer, &[&popover]);

    let listeners = vec![
        // One delegated listener for the step's buttons rather than a closure per button.
        Listener::on(&popover, "click", |e| {
            let button = dom::element_prop(&e, "target")
                .and_then(|t| t.closest("button[data-cairn]").ok().flatten());
            match button
                .and_then(|b| b.get_attribute("data-cairn"))
                .as_deref()
            {
                Some("close") => tour::close(),
                Some("back") => tour::back(),
                Some("next") => tour::next(),
                Some("stuck") => tour::open_stuck(),
                _ => {}
            }
        }),
        Listener::on(&popover, "keydown", keydown),
    ];
    StepView {
        popover,
        arrow,
        ring,
        next,
        stuck,
        body,
        foot,
        _listeners: listeners,
    }
}

/// Escape closes the tour; the arrow keys step through it, except while typing.
fn keydown(event: web_sys::Event) {
    let typing = dom::element_prop(&event, "target")
        .is_some_and(|t| matches!(dom::text_prop(&t, "tagName").as_str(), "TEXTAREA" | "INPUT"));
    match dom::key(&event).as_str() {
        "Escape" => tour::close(),
        "ArrowRight" if !typing => tour::next_by_key(),
        "ArrowLeft" if !typing => tour::back(),
        "Tab" => {
            if !trap_tab(&event) {
                return;
            }
        }
        _ => return,
    }
    event.prevent_default();
}

/// In a modal (floating) step, Tab and Shift+Tab cycle through its controls instead of leaving
/// it. Returns whether focus was moved.
fn trap_tab(event: &web_sys::Event) -> bool {
    let Some(card) = dom::element_prop(event, "currentTarget") else {
        return false;
    };
    if card.get_attribute("aria-modal").as_deref() != Some("true") {
        return false;
    }
    let controls: Vec<Element> = dom::query_all(&card, "button,a[href],input,textarea,select")
        .into_iter()
        .filter(|c| dom::rect_of(c).w > 0.0)
        .collect();
    let (Some(first), Some(last)) = (controls.first(), controls.last()) else {
        return false;
    };
    let active = dom::active_element();
    let at = |e: &Element| active.as_ref().is_some_and(|a| dom::same(a, e));
    let to = if dom::prop(event, "shiftKey").is_truthy() {
        at(first).then_some(last)
    } else {
        at(last).then_some(first)
    };
    to.map(dom::focus).is_some()
}

/// Scrolls the element to the middle of the viewport when any part of it is out of view.
pub fn scroll_into_view(el: &Element) {
    let (vw, vh) = dom::viewport();
    if !dom::rect_of(el).inside(vw, vh) {
        let options = Obj::new()
            .set("block", "center")
            .set("inline", "nearest")
            .done();
        el.scroll_into_view_with_scroll_into_view_options(options.unchecked_ref());
    }
}

impl StepView {
    /// Places the ring around `target` and the popover beside it, or centres the popover.
    pub fn position(&self, target: Option<&Element>, placement: Placement) {
        let viewport = dom::viewport();
        let size = dom::rect_of(&self.popover);
        let size = (size.w, size.h);
        let Some(target) = target else {
            let (x, y) = place::centered(size, viewport);
            dom::put(&self.popover, x, y);
            dom::set_attr(&self.popover, "data-side", "center");
            return;
        };
        let anchor = dom::rect_of(target);
        if let Some(ring) = &self.ring {
            let r = anchor.inflate(RING_PAD);
            dom::put(ring, r.x, r.y);
            dom::css(ring, "width", &dom::px(r.w));
            dom::css(ring, "height", &dom::px(r.h));
        }
        let p = place::place(anchor.inflate(RING_PAD), size, viewport, placement);
        dom::put(&self.popover, p.x, p.y);
        dom::set_attr(&self.popover, "data-side", p.side.as_str());
        // The stylesheet puts the arrow on the edge facing the element; this slides it along.
        let (along, across) = match p.side {
            place::Side::Top | place::Side::Bottom => ("left", "top"),
            place::Side::Left | place::Side::Right => ("top", "left"),
        };
        dom::css(&self.arrow, along, &dom::px(p.arrow));
        dom::css(&self.arrow, across, "");
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
