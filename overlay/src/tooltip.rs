//! Tooltips: a standalone hint on a field or button. With the default beacon trigger a small pulsing
//! button sits next to the element and shows the hint on hover or focus; hover and focus triggers
//! show it from the element itself. Escape hides it; `tooltip_viewed` is reported once per page.

use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};

use cairn_shared::api::PublishedTooltip;
use cairn_shared::content::{Placement, TooltipTrigger};
use cairn_shared::events::EventKind;
use web_sys::Element;

use crate::dom::{self, Listener, Timer};
use crate::events::{self, Subject};
use crate::place;
use crate::resolve::{self, Waiter};
use crate::{launcher, markdown, runtime};

const WAIT_MS: i32 = 3000;
/// Lets the pointer travel from the beacon to the bubble without it closing.
const HIDE_DELAY_MS: i32 = 200;
const BEACON: f64 = 24.0;

struct Hint {
    tip: Rc<PublishedTooltip>,
    beacon: Option<Element>,
    bubble: Element,
    target: RefCell<Option<Element>>,
    open: Cell<bool>,
    hide_timer: RefCell<Option<Timer>>,
    waiter: RefCell<Option<Waiter>>,
    /// Listeners on the overlay's own elements and the document.
    listeners: RefCell<Vec<Listener>>,
    /// Listeners on the host's element, re-bound if the page replaces it.
    on_target: RefCell<Vec<Listener>>,
}

#[derive(Default)]
struct Hints {
    shown: RefCell<Vec<Rc<Hint>>>,
    /// Tooltips already reported as viewed on this page.
    viewed: RefCell<Vec<String>>,
    /// For unique bubble ids.
    next_id: Cell<u32>,
}

thread_local! {
    static HINTS: &'static Hints = Box::leak(Box::default());
}

fn hints() -> &'static Hints {
    HINTS.with(|h| *h)
}

/// Shows the tooltips that target the current page and removes the others.
pub fn sync() {
    let Some(rt) = runtime::get() else { return };
    let Some(layer) = rt.layer() else { return };
    let content = rt.content();
    let wanted: Vec<&Rc<PublishedTooltip>> = content
        .tooltips
        .iter()
        .filter(|t| runtime::shows(&t.doc.targeting))
        .collect();
    let removed: Vec<Rc<Hint>> = {
        let mut shown = hints().shown.borrow_mut();
        let (keep, gone) = shown
            .drain(..)
            .partition(|hint| wanted.iter().any(|t| t.id == hint.tip.id));
        *shown = keep;
        gone
    };
    for hint in removed {
        hint.remove();
    }
    for tip in wanted {
        if hints()
            .shown
            .borrow()
            .iter()
            .any(|hint| hint.tip.id == tip.id)
        {
            continue;
        }
        let hint = mount(tip, &layer);
        hints().shown.borrow_mut().push(hint);
    }
}

/// Follows the elements as the page moves.
pub fn reposition() {
    let shown = hints().shown.borrow().clone();
    for hint in shown {
        hint.place();
    }
}

fn mount(tip: &Rc<PublishedTooltip>, layer: &Element) -> Rc<Hint> {
    let n = hints().next_id.replace(hints().next_id.get() + 1);
    let bubble_id = dom::cat(&["cairn-tip-", &dom::int(f64::from(n))]);
    let bubble = dom::el(
        "div",
        &[
            ("class", "tip"),
            ("role", "tooltip"),
            ("id", &bubble_id),
            ("data-cairn", "tooltip"),
            ("data-tooltip-id", &tip.id),
            ("hidden", ""),
        ],
    );
    dom::append(
        &bubble,
        &[&dom::text_el(
            "strong",
            &[("class", "tip-title")],
            &tip.doc.title,
        )],
    );
    markdown::render(&bubble, &tip.doc.body);
    dom::append(
        &bubble,
        &[&dom::button(
            &[("class", "link"), ("data-cairn", "tooltip-stuck")],
            "Still stuck?",
        )],
    );
    let beacon = matches!(tip.doc.trigger, TooltipTrigger::Beacon).then(|| {
        let b = dom::button(
            &[
                ("class", "beacon"),
                ("data-cairn", "beacon"),
                ("data-tooltip-id", &tip.id),
                ("aria-label", &tip.doc.title),
                ("aria-describedby", &bubble_id),
                ("hidden", ""),
            ],
            "",
        );
        dom::append(layer, &[&b]);
        b
    });
    dom::append(layer, &[&bubble]);
    let hint = Rc::new(Hint {
        tip: Rc::clone(tip),
        beacon,
        bubble,
        target: RefCell::default(),
        open: Cell::new(false),
        hide_timer: RefCell::default(),
        waiter: RefCell::default(),
        listeners: RefCell::default(),
        on_target: RefCell::default(),
    });
    hint.bind_own();
    match resolve::find(&tip.doc.target) {
        Some(el) => hint.attach(el),
        None => {
            let weak = Rc::downgrade(&hint);
            let tip = Rc::clone(tip);
            let find = move || resolve::find(&tip.doc.target);
            let waiter = resolve::wait(find, WAIT_MS, move |found| {
                let Some(hint) = weak.upgrade() else { return };
                hint.waiter.borrow_mut().take();
                match found {
                    Some(el) => hint.attach(el),
                    None => hint.emit_failed(
                        EventKind::ElementNotFound,
                        Some(resolve::failed_strategies(&hint.tip.doc.target)),
                    ),
                }
            });
            *hint.waiter.borrow_mut() = Some(waiter);
        }
    }
    hint
}

/// What a hint's listener does. One enum rather than a closure per listener: every listener is the
/// same closure type, compiled once (~13 closures, shims and drops fewer in the wasm).
#[derive(Clone, Copy)]
enum Act {
    Show,
    Hide,
    HideSoon,
    CancelHide,
    Toggle,
    /// A click in the bubble: "Still stuck?" opens the form.
    BubbleClick,
    /// A key anywhere: Escape hides an open hint.
    Key,
}

/// A listener that does `act` on the hint while it still exists.
fn listen(
    hint: &Rc<Hint>,
    target: &web_sys::EventTarget,
    kind: &'static str,
    act: Act,
) -> Listener {
    let weak: Weak<Hint> = Rc::downgrade(hint);
    Listener::new(target, kind, false, move |e| {
        if let Some(hint) = weak.upgrade() {
            hint.act(act, &e);
        }
    })
}

impl Hint {
    fn act(self: &Rc<Self>, act: Act, e: &web_sys::Event) {
        match act {
            Act::Show => self.show(),
            Act::Hide => self.hide(),
            Act::HideSoon => self.hide_soon(),
            Act::CancelHide => self.cancel_hide(),
            Act::Toggle if self.open.get() => self.hide(),
            Act::Toggle => self.show(),
            Act::BubbleClick => {
                let on_stuck = dom::element_prop(e, "target").is_some_and(|t| {
                    t.get_attribute("data-cairn").as_deref() == Some("tooltip-stuck")
                });
                if on_stuck {
                    self.hide();
                    launcher::contact(None);
                }
            }
            Act::Key => {
                if self.open.get() && dom::key(e) == "Escape" {
                    self.hide();
                }
            }
        }
    }

    /// Hover and focus on the beacon and bubble, and Escape anywhere.
    fn bind_own(self: &Rc<Self>) {
        let mut own = vec![
            listen(self, &self.bubble, "mouseenter", Act::CancelHide),
            listen(self, &self.bubble, "mouseleave", Act::HideSoon),
            listen(self, &self.bubble, "click", Act::BubbleClick),
            listen(self, &dom::document(), "keydown", Act::Key),
        ];
        if let Some(b) = &self.beacon {
            own.extend([
                listen(self, b, "mouseenter", Act::Show),
                listen(self, b, "mouseleave", Act::HideSoon),
                listen(self, b, "focus", Act::Show),
                listen(self, b, "blur", Act::Hide),
                listen(self, b, "click", Act::Toggle),
            ]);
        }
        *self.listeners.borrow_mut() = own;
    }

    /// The element is there: show the beacon, or listen on the element for hover/focus triggers.
    fn attach(self: &Rc<Self>, el: Element) {
        let mut on_target = Vec::new();
        if matches!(self.tip.doc.trigger, TooltipTrigger::Hover) {
            on_target.push(listen(self, &el, "mouseenter", Act::Show));
            on_target.push(listen(self, &el, "mouseleave", Act::HideSoon));
        }
        if !matches!(self.tip.doc.trigger, TooltipTrigger::Beacon) {
            on_target.push(listen(self, &el, "focusin", Act::Show));
            on_target.push(listen(self, &el, "focusout", Act::Hide));
        }
        *self.on_target.borrow_mut() = on_target;
        *self.target.borrow_mut() = Some(el);
        if let Some(b) = &self.beacon {
            dom::set_hidden(b, false);
        }
        self.place();
    }

    /// Puts the beacon at the element's right edge and the bubble next to what it hangs from.
    fn place(self: &Rc<Self>) {
        let stale = self
            .target
            .borrow()
            .as_ref()
            .is_some_and(|t| !dom::is_connected(t));
        if stale && let Some(el) = resolve::find(&self.tip.doc.target) {
            self.attach(el);
            return;
        }
        let Some(target) = self.target.borrow().clone() else {
            return;
        };
        let (vw, vh) = dom::viewport();
        let r = dom::rect_of(&target);
        let visible = r.w > 0.0 || r.h > 0.0;
        let anchor = match &self.beacon {
            Some(b) => {
                dom::set_hidden(b, !visible);
                let x = (r.right() + 4.0).min(vw - BEACON - place::MARGIN);
                let y = r.y + r.h / 2.0 - BEACON / 2.0;
                dom::put(b, x, y);
                place::Rect {
                    x,
                    y,
                    w: BEACON,
                    h: BEACON,
                }
            }
            None => r,
        };
        if self.open.get() {
            let size = dom::rect_of(&self.bubble);
            let p = place::place(anchor, (size.w, size.h), (vw, vh), Placement::Auto);
            dom::put(&self.bubble, p.x, p.y);
        }
    }

    fn show(self: &Rc<Self>) {
        self.cancel_hide();
        if self.open.replace(true) {
            return;
        }
        dom::set_hidden(&self.bubble, false);
        self.place();
        let mut viewed = hints().viewed.borrow_mut();
        let first = !viewed.contains(&self.tip.id);
        if first {
            viewed.push(self.tip.id.clone());
        }
        drop(viewed);
        if first {
            self.emit(EventKind::TooltipViewed);
        }
    }

    fn hide(&self) {
        self.cancel_hide();
        self.open.set(false);
        dom::set_hidden(&self.bubble, true);
    }

    fn hide_soon(self: &Rc<Self>) {
        let weak = Rc::downgrade(self);
        let timer = Timer::once(HIDE_DELAY_MS, move || {
            if let Some(hint) = weak.upgrade() {
                hint.hide();
            }
        });
        *self.hide_timer.borrow_mut() = Some(timer);
    }

    fn cancel_hide(&self) {
        self.hide_timer.borrow_mut().take();
    }

    fn emit(&self, kind: EventKind) {
        self.emit_failed(kind, None);
    }

    fn emit_failed(&self, kind: EventKind, failed_strategies: Option<String>) {
        events::emit_failed(
            kind,
            Subject {
                content_id: &self.tip.id,
                version: self.tip.version,
                step: None,
            },
            failed_strategies,
        );
    }

    fn remove(&self) {
        self.waiter.borrow_mut().take();
        self.listeners.borrow_mut().clear();
        self.on_target.borrow_mut().clear();
        self.cancel_hide();
        self.bubble.remove();
        if let Some(b) = &self.beacon {
            b.remove();
        }
    }
}
