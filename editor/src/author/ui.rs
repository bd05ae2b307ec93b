//! The author mode's UI: a toolbar (tour title, steps with move up/down and delete, Add step, Save,
//! Done), the pick-mode outline, and the popover in place where a picked element's step gets its
//! title, body and placement. Every change is kept in memory and saved through the author API;
//! a failed save keeps the work on screen and says why.
//!
//! A tooltip's author link uses the same toolbar, picker and popover for one element: the
//! popover edits the tooltip's text and trigger, and saving sets its target. The popover keeps
//! Tab inside itself (a focus trap) and previews the markdown body as it is typed.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use cairn_shared::capture;
use cairn_shared::content::{Placement, Step, Strategy, Target, Tooltip, TooltipTrigger, Tour};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::spawn_local;
use web_sys::{Element, Event, KeyboardEvent, ShadowRoot, ShadowRootInit, ShadowRootMode};

use super::api::AuthorApi;
use super::inspect;
use super::pick::{self, Picker};
use crate::api::ApiError;
use crate::dom::{self, el};

/// The id of the author mode's host element (its UI is in that element's shadow root).
pub const ROOT_ID: &str = "cairn-author-root";
/// Where the loader keeps the token for this tab, so recording survives navigation.
const STORAGE_KEY: &str = "cairn_author";
const CSS: &str = include_str!("author.css");

struct Author {
    api: AuthorApi,
    tour: RefCell<Option<Tour>>,
    /// The tooltip, when the link is a tooltip's (then `tour` stays `None`).
    tooltip: RefCell<Option<Tooltip>>,
    dirty: Cell<bool>,
    host: Element,
    tour_title: Element,
    list: Element,
    status: Element,
    add: Element,
    save: Element,
    highlight: Element,
    popover: Element,
    picker: RefCell<Option<Picker>>,
}

thread_local! {
    static AUTHOR: RefCell<Option<Rc<Author>>> = const { RefCell::new(None) };
}

pub fn start(server: String, token: String) {
    let doc = dom::document();
    if doc.get_element_by_id(ROOT_ID).is_some() {
        return;
    }
    let Some(author) = mount(AuthorApi::new(&server, token)) else {
        return;
    };
    AUTHOR.with(|a| *a.borrow_mut() = Some(author.clone()));
    if author.api.is_tooltip() {
        author.set_status("Loading the tooltip…", false);
        spawn_local(async move {
            match author.api.tooltip().await {
                Ok(d) => {
                    *author.tooltip.borrow_mut() = Some(d.draft);
                    author.render();
                    author.set_status(
                        "Pick element, then click the element this tooltip is about.",
                        false,
                    );
                }
                Err(e) => author.fail("The tooltip could not be loaded", &e),
            }
        });
        return;
    }
    author.set_status("Loading the tour…", false);
    spawn_local(async move {
        match author.api.draft().await {
            Ok(d) => {
                *author.tour.borrow_mut() = Some(d.draft);
                author.render();
                author.set_status("Add a step, then click the element it is about.", false);
            }
            Err(e) => author.fail("The tour could not be loaded", &e),
        }
    });
}

fn button(label: &str, hook: &str) -> dom::El {
    el("button")
        .attr("type", "button")
        .attr("data-cairn", hook)
        .text(label)
}

/// Builds the shadow root and the toolbar.
fn mount(api: AuthorApi) -> Option<Rc<Author>> {
    let doc = dom::document();
    let host = el("div").attr("id", ROOT_ID).build();
    let shadow = host
        .attach_shadow(&ShadowRootInit::new(ShadowRootMode::Open))
        .ok()?;
    adopt_styles(&shadow);
    let tour_title = el("p")
        .class("tour")
        .attr("data-cairn", "author-title")
        .build();
    let list = el("ol")
        .class("steps")
        .attr("data-cairn", "author-steps")
        .attr("aria-label", "Steps")
        .build();
    let status = el("p")
        .class("status")
        .attr("role", "status")
        .attr("data-cairn", "author-status")
        .build();
    let tooltip = api.is_tooltip();
    let add = button(add_label(tooltip), "author-add")
        .class("primary")
        .attr("aria-pressed", "false")
        .build();
    let save = button("Save", "author-save").build();
    let done = button("Done", "author-done").build();
    let bar = el("section")
        .class("bar")
        .attr("aria-label", "Cairn: record in app")
        .attr("data-cairn", "author-bar")
        .child(el("h2").text(if tooltip {
            "Tooltip element"
        } else {
            "Recording tour"
        }))
        .child(&tour_title)
        .child(&list)
        .child(
            el("div")
                .class("actions")
                .child(&add)
                .child(&save)
                .child(&done),
        )
        .child(&status)
        .build();
    let highlight = el("div")
        .class("box")
        .attr("data-cairn", "author-highlight")
        .attr("aria-hidden", "true")
        .flag("hidden", true)
        .build();
    let popover = el("div")
        .class("pop")
        .attr("role", "dialog")
        .attr("aria-modal", "false")
        .attr("data-cairn", "author-popover")
        .flag("hidden", true)
        .build();
    let _ = shadow.append_child(&highlight);
    let _ = shadow.append_child(&bar);
    let _ = shadow.append_child(&popover);
    let parent: Element = doc
        .body()
        .map(Into::into)
        .or_else(|| doc.document_element())?;
    let _ = parent.append_child(&host);

    let author = Rc::new(Author {
        api,
        tour: RefCell::new(None),
        tooltip: RefCell::new(None),
        dirty: Cell::new(false),
        host,
        tour_title,
        list,
        status,
        add: add.clone(),
        save: save.clone(),
        highlight,
        popover,
        picker: RefCell::new(None),
    });
    let a = author.clone();
    dom::on(&add, "click", move |_| a.toggle_pick());
    let a = author.clone();
    dom::on(&save, "click", move |_| a.save_now(false));
    let a = author.clone();
    dom::on(&done, "click", move |_| a.save_now(true));
    Some(author)
}

fn add_label(tooltip: bool) -> &'static str {
    if tooltip { "Pick element" } else { "Add step" }
}

fn trigger_of(value: &str) -> TooltipTrigger {
    match value {
        "hover" => TooltipTrigger::Hover,
        "focus" => TooltipTrigger::Focus,
        _ => TooltipTrigger::Beacon,
    }
}

fn trigger_value(t: TooltipTrigger) -> &'static str {
    match t {
        TooltipTrigger::Hover => "hover",
        TooltipTrigger::Focus => "focus",
        TooltipTrigger::Beacon => "beacon",
    }
}

/// Keeps Tab and Shift+Tab inside `container`: from its last focusable element to its first and
/// back (the popover is a dialog; focus must not wander into the page behind it).
fn trap_focus(container: &Element, e: &KeyboardEvent) {
    if e.key() != "Tab" {
        return;
    }
    let Ok(list) = container.query_selector_all(
        "input:not([disabled]),textarea:not([disabled]),select:not([disabled]),button:not([disabled]),[href]",
    ) else {
        return;
    };
    let (Some(first), Some(last)) = (
        list.item(0).and_then(|n| n.dyn_into::<Element>().ok()),
        list.item(list.length().saturating_sub(1))
            .and_then(|n| n.dyn_into::<Element>().ok()),
    ) else {
        return;
    };
    let at = e.target().and_then(|t| t.dyn_into::<Element>().ok());
    let wrap_to = if e.shift_key() && at.as_ref() == Some(&first) {
        Some(last)
    } else if !e.shift_key() && at.as_ref() == Some(&last) {
        Some(first)
    } else {
        None
    };
    if let Some(to) = wrap_to {
        e.prevent_default();
        dom::focus(&to);
    }
}

fn adopt_styles(root: &ShadowRoot) {
    if let Ok(sheet) = web_sys::CssStyleSheet::new()
        && sheet.replace_sync(CSS).is_ok()
    {
        root.set_adopted_style_sheets(&js_sys::Array::of1(&sheet));
    }
}

/// A step id not used by the tour yet: `step-1`, `step-2`, …
fn new_step_id(tour: &Tour) -> String {
    (1..)
        .map(|n| format!("step-{n}"))
        .find(|id| !tour.steps.iter().any(|s| &s.id == id))
        .unwrap_or_default()
}

fn placement_of(value: &str) -> Placement {
    match value {
        "top" => Placement::Top,
        "bottom" => Placement::Bottom,
        "left" => Placement::Left,
        "right" => Placement::Right,
        _ => Placement::Auto,
    }
}

fn select_value(select: &Element) -> String {
    select
        .dyn_ref::<web_sys::HtmlSelectElement>()
        .map(web_sys::HtmlSelectElement::value)
        .unwrap_or_default()
}

fn session_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok().flatten()
}

impl Author {
    fn set_status(&self, text: &str, error: bool) {
        self.status.set_text_content(Some(text));
        self.status
            .set_class_name(if error { "status error" } else { "status" });
    }

    fn fail(&self, what: &str, e: &ApiError) {
        let mut text = format!("{what}: {}", e.message());
        if let ApiError::Status { problems, .. } = e {
            for p in problems {
                text.push_str(&format!(" {} {}.", p.pointer, p.message));
            }
        }
        if e.is_unauthorized()
            && let Some(s) = session_storage()
        {
            // An expired link: the next page load must not try it again.
            let _ = s.remove_item(STORAGE_KEY);
        }
        self.set_status(&text, true);
    }

    fn mark_dirty(&self) {
        self.dirty.set(true);
        self.set_status("Unsaved changes.", false);
    }

    /// The toolbar's title and step list, from the tour in memory.
    fn render(self: &Rc<Self>) {
        if let Some(tip) = self.tooltip.borrow().as_ref() {
            self.tour_title.set_text_content(Some(&tip.title));
            let element = tip.target.strategies.first().map_or_else(
                || "No element picked yet".to_string(),
                |s| format!("Element: {}", inspect::describe(s)),
            );
            let item = el("li")
                .attr("data-cairn", "author-tooltip-target")
                .child(el("span").class("name").text(&element));
            dom::replace(&self.list, item);
            return;
        }
        let tour = self.tour.borrow();
        let Some(tour) = tour.as_ref() else {
            return;
        };
        self.tour_title.set_text_content(Some(&tour.title));
        dom::clear(&self.list);
        let count = tour.steps.len();
        for (i, step) in tour.steps.iter().enumerate() {
            let n = i + 1;
            // Only the exception is worth the room: most steps point at an element.
            let where_ = if step.target.is_some() {
                ""
            } else {
                " · floating"
            };
            let up = button("↑", "author-step-up")
                .class("small")
                .attr("aria-label", &format!("Move step {n} up"))
                .flag("disabled", i == 0)
                .build();
            let down = button("↓", "author-step-down")
                .class("small")
                .attr("aria-label", &format!("Move step {n} down"))
                .flag("disabled", n == count)
                .build();
            let delete = button("Delete", "author-step-delete")
                .class("small")
                .attr("aria-label", &format!("Delete step {n}: {}", step.title))
                .build();
            let a = self.clone();
            dom::on(&up, "click", move |_| a.move_step(i, -1));
            let a = self.clone();
            dom::on(&down, "click", move |_| a.move_step(i, 1));
            let a = self.clone();
            dom::on(&delete, "click", move |_| a.delete_step(i));
            let item = el("li")
                .attr("data-cairn", "author-step")
                .attr("data-step-id", &step.id)
                .child(
                    el("span")
                        .class("name")
                        .text(&format!("{n}. {}", step.title))
                        .child(el("span").class("where").text(where_)),
                )
                .child(up)
                .child(down)
                .child(delete);
            let _ = self.list.append_child(item.as_ref());
        }
    }

    fn step_button(&self, index: usize, hook: &str) -> Option<Element> {
        let item = self.list.children().item(u32::try_from(index).ok()?)?;
        item.query_selector(&format!("[data-cairn={hook}]"))
            .ok()
            .flatten()
    }

    fn move_step(self: &Rc<Self>, index: usize, by: isize) {
        let to = {
            let mut tour = self.tour.borrow_mut();
            let Some(tour) = tour.as_mut() else {
                return;
            };
            let Some(to) = index
                .checked_add_signed(by)
                .filter(|t| *t < tour.steps.len())
            else {
                return;
            };
            tour.steps.swap(index, to);
            to
        };
        self.render();
        self.mark_dirty();
        // Keep the keyboard on the moved step.
        let hook = if by < 0 {
            "author-step-up"
        } else {
            "author-step-down"
        };
        if let Some(b) = self
            .step_button(to, hook)
            .filter(|b| !b.has_attribute("disabled"))
        {
            dom::focus(&b);
        } else if let Some(b) = self.step_button(to, "author-step-delete") {
            dom::focus(&b);
        }
    }

    fn delete_step(self: &Rc<Self>, index: usize) {
        let left = {
            let mut tour = self.tour.borrow_mut();
            let Some(tour) = tour.as_mut() else {
                return;
            };
            if index >= tour.steps.len() {
                return;
            }
            tour.steps.remove(index);
            tour.steps.len()
        };
        self.render();
        self.mark_dirty();
        match self.step_button(index.min(left.saturating_sub(1)), "author-step-delete") {
            Some(b) if left > 0 => dom::focus(&b),
            _ => dom::focus(&self.add),
        }
    }

    fn toggle_pick(self: &Rc<Self>) {
        if self.picker.borrow().is_some() {
            self.stop_pick("Picking cancelled.");
            return;
        }
        if self.tour.borrow().is_none() && self.tooltip.borrow().is_none() {
            return;
        }
        self.close_popover(false);
        let (a, b) = (self.clone(), self.clone());
        let picker = pick::start(
            self.host.clone(),
            self.highlight.clone(),
            move |picked| a.picked(picked),
            move || b.stop_pick("Picking cancelled."),
        );
        *self.picker.borrow_mut() = Some(picker);
        dom::set_attr(&self.add, "aria-pressed", "true");
        self.add.set_text_content(Some("Picking… (Esc to cancel)"));
        let what = if self.api.is_tooltip() {
            "this tooltip"
        } else {
            "this step"
        };
        self.set_status(
            &format!(
                "Point at the element {what} is about and click it (or Tab to it and press Enter). Esc cancels."
            ),
            false,
        );
    }

    fn stop_pick(&self, message: &str) {
        self.picker.borrow_mut().take();
        dom::set_attr(&self.add, "aria-pressed", "false");
        self.add
            .set_text_content(Some(add_label(self.api.is_tooltip())));
        let _ = self.highlight.set_attribute("hidden", "");
        if !message.is_empty() {
            self.set_status(message, false);
        }
        dom::focus(&self.add);
    }

    /// An element was picked: capture its strategies, check each on the live page, open the popover.
    fn picked(self: &Rc<Self>, element: Element) {
        self.stop_pick("");
        pick::outline(&self.highlight, &element);
        let found = inspect::picked(&element);
        let candidates = capture::candidates(&found);
        let counts: Vec<usize> = candidates.iter().map(inspect::count).collect();
        let strategies = capture::order_by_check(candidates, &counts);
        let counts: Vec<usize> = strategies.iter().map(inspect::count).collect();
        self.open_popover(&element, strategies, &counts);
    }

    fn open_popover(
        self: &Rc<Self>,
        element: &Element,
        strategies: Vec<Strategy>,
        counts: &[usize],
    ) {
        let n = self.tour.borrow().as_ref().map_or(1, |t| t.steps.len() + 1);
        let tip = self.tooltip.borrow().clone();
        let heading_id = dom::next_id("cairn-author-pop");
        let title_id = dom::next_id("cairn-author-title");
        let body_id = dom::next_id("cairn-author-body");
        let placement_id = dom::next_id("cairn-author-placement");
        let checks = el("ul")
            .class("checks")
            .attr("data-cairn", "author-checks")
            .attr("aria-label", "How the overlay will find this element");
        let checks = strategies.iter().zip(counts).fold(checks, |list, (s, c)| {
            list.child(
                el("li")
                    .attr("data-cairn", "author-check")
                    .attr("data-kind", s.kind())
                    .attr("data-matches", &c.to_string())
                    .child(el("span").class("how").text(&inspect::describe(s)))
                    .child(
                        el("span")
                            .class(if *c == 1 { "ok" } else { "warn" })
                            .text(capture::check_label(*c)),
                    ),
            )
        });
        let unique = counts.iter().filter(|c| **c == 1).count();
        let summary = if unique == 0 {
            "Warning: no way of finding this element is unique on this page. Pick a more specific element."
                .to_string()
        } else {
            format!(
                "{unique} of {} ways find exactly this element.",
                counts.len()
            )
        };
        let title = el("input")
            .attr("id", &title_id)
            .attr("data-cairn", "author-step-title")
            .attr("autocomplete", "off")
            .attr("value", tip.as_ref().map_or("", |t| t.title.as_str()))
            .flag("required", true)
            .build();
        let body = el("textarea")
            .attr("id", &body_id)
            .attr("data-cairn", "author-step-body")
            .text(tip.as_ref().map_or("", |t| t.body.as_str()))
            .build();
        // The body as employees will see it, redrawn on every keystroke.
        let preview_id = dom::next_id("cairn-author-preview");
        let preview = el("div")
            .class("preview")
            .attr("id", &preview_id)
            .attr("data-cairn", "author-body-preview")
            .build();
        crate::markdown_view::render_into(&preview, &dom::value(&body));
        let pv = preview.clone();
        dom::on(&body, "input", move |e: Event| {
            if let Some(t) = e.target().and_then(|t| t.dyn_into::<Element>().ok()) {
                crate::markdown_view::render_into(&pv, &dom::value(&t));
            }
        });
        let (third_label, placement) = match &tip {
            Some(t) => (
                "Shown on",
                el("select")
                    .attr("id", &placement_id)
                    .attr("data-cairn", "author-trigger")
                    .children(
                        [
                            ("hover", "hover"),
                            ("focus", "focus"),
                            ("beacon", "a beacon"),
                        ]
                        .into_iter()
                        .map(|(v, label)| {
                            el("option")
                                .attr("value", v)
                                .flag("selected", trigger_value(t.trigger) == v)
                                .text(label)
                        }),
                    )
                    .build(),
            ),
            None => (
                "Placement",
                el("select")
                    .attr("id", &placement_id)
                    .attr("data-cairn", "author-placement")
                    .children(
                        ["auto", "bottom", "top", "left", "right"]
                            .into_iter()
                            .map(|p| el("option").attr("value", p).text(p)),
                    )
                    .build(),
            ),
        };
        let problem = el("p")
            .class("problem")
            .attr("role", "alert")
            .attr("data-cairn", "author-step-problem")
            .build();
        let form = el("form")
            .child(el("h2").attr("id", &heading_id).text(&if tip.is_some() {
                "Tooltip".to_string()
            } else {
                format!("Step {n}")
            }))
            .child(
                el("p")
                    .class(if unique == 0 { "problem" } else { "hint" })
                    .attr("data-cairn", "author-check-summary")
                    .text(&summary),
            )
            .child(checks)
            .child(el("label").attr("for", &title_id).text("Title"))
            .child(&title)
            .child(
                el("label").attr("for", &body_id).text("Body ").child(
                    el("span")
                        .class("hint")
                        .text("(**bold**, *italic*, [link](https://…), - lists)"),
                ),
            )
            .child(&body)
            .child(
                el("p")
                    .class("hint")
                    .attr("id", &format!("{preview_id}-label"))
                    .text("Preview"),
            )
            .child(
                el("div")
                    .attr("role", "region")
                    .attr("aria-labelledby", &format!("{preview_id}-label"))
                    .child(&preview),
            )
            .child(el("label").attr("for", &placement_id).text(third_label))
            .child(&placement)
            .child(&problem)
            .child(
                el("div")
                    .class("actions")
                    .child(
                        el("button")
                            .attr("type", "submit")
                            .class("primary")
                            .attr("data-cairn", "author-step-save")
                            .text(if tip.is_some() {
                                "Use this element"
                            } else {
                                "Save step"
                            }),
                    )
                    .child(button("Cancel", "author-step-cancel").on("click", {
                        let a = self.clone();
                        move |_| a.close_popover(true)
                    })),
            )
            .build();
        let a = self.clone();
        let (t, b, p) = (title.clone(), body.clone(), placement.clone());
        dom::on(&form, "submit", move |e: Event| {
            e.prevent_default();
            let text = dom::value(&t).trim().to_string();
            if text.is_empty() {
                problem.set_text_content(Some("Type a title."));
                dom::focus(&t);
                return;
            }
            if let Some(tip) = &tip {
                a.set_tooltip(Tooltip {
                    title: text,
                    body: dom::value(&b).trim().to_string(),
                    target: Target {
                        strategies: strategies.clone(),
                    },
                    trigger: trigger_of(&select_value(&p)),
                    targeting: tip.targeting.clone(),
                });
                return;
            }
            let step = Step::new(
                String::new(),
                text,
                dom::value(&b).trim().to_string(),
                Some(Target {
                    strategies: strategies.clone(),
                }),
                placement_of(&select_value(&p)),
            );
            a.add_step(step);
        });
        let a = self.clone();
        let trap = form.clone();
        dom::on(&form, "keydown", move |e: Event| {
            let Some(k) = e.dyn_ref::<KeyboardEvent>() else {
                return;
            };
            if k.key() == "Escape" {
                e.prevent_default();
                a.close_popover(true);
            } else {
                trap_focus(&trap, k);
            }
        });
        dom::set_attr(&self.popover, "aria-labelledby", &heading_id);
        dom::replace(&self.popover, &form);
        let _ = self.popover.remove_attribute("hidden");
        self.place_popover(element);
        dom::focus(&title);
        self.set_status(
            if self.api.is_tooltip() {
                "Check the tooltip's text, then Use this element."
            } else {
                "Type the step's title and body, then Save step."
            },
            false,
        );
    }

    /// Below the element when there is room, above it otherwise; always inside the viewport.
    fn place_popover(&self, element: &Element) {
        let Some(window) = web_sys::window() else {
            return;
        };
        let vw = window
            .inner_width()
            .ok()
            .and_then(|v| v.as_f64())
            .unwrap_or(1024.0);
        let vh = window
            .inner_height()
            .ok()
            .and_then(|v| v.as_f64())
            .unwrap_or(768.0);
        let r = element.get_bounding_client_rect();
        let pop = self.popover.get_bounding_client_rect();
        let (w, h) = (pop.width().max(300.0), pop.height().max(200.0));
        let below = r.bottom() + 8.0;
        let top = if below + h <= vh {
            below
        } else {
            (r.top() - 8.0 - h).max(8.0)
        };
        let left = r.left().min(vw - w - 8.0).max(8.0);
        dom::set_style(&self.popover, "top", &format!("{top}px"));
        dom::set_style(&self.popover, "left", &format!("{left}px"));
    }

    fn close_popover(&self, announce: bool) {
        if self.popover.has_attribute("hidden") {
            return;
        }
        let _ = self.popover.set_attribute("hidden", "");
        dom::clear(&self.popover);
        let _ = self.highlight.set_attribute("hidden", "");
        if announce {
            self.set_status(
                if self.api.is_tooltip() {
                    "Nothing changed."
                } else {
                    "Step discarded."
                },
                false,
            );
            dom::focus(&self.add);
        }
    }

    fn add_step(self: &Rc<Self>, mut step: Step) {
        {
            let mut tour = self.tour.borrow_mut();
            let Some(tour) = tour.as_mut() else {
                return;
            };
            step.id = new_step_id(tour);
            tour.steps.push(step);
            // The tour is shown where its steps were recorded (every page of a multi-page tour).
            if let Some(location) = web_sys::window().map(|w| w.location())
                && let (Ok(href), Ok(path)) = (location.href(), location.pathname())
            {
                capture::include_page(&mut tour.targeting, &href, &path);
            }
        }
        self.close_popover(false);
        self.render();
        self.dirty.set(true);
        dom::focus(&self.add);
        self.save_now(false);
    }

    /// The picked element and text become the tooltip's, saved at once.
    fn set_tooltip(self: &Rc<Self>, tooltip: Tooltip) {
        *self.tooltip.borrow_mut() = Some(tooltip);
        self.close_popover(false);
        self.render();
        self.dirty.set(true);
        dom::focus(&self.add);
        self.save_now(false);
    }

    fn save_tooltip(self: &Rc<Self>, tooltip: Tooltip, then_leave: bool) {
        dom::set_busy(&self.save, true);
        self.set_status("Saving…", false);
        let a = self.clone();
        spawn_local(async move {
            let result = a.api.save_tooltip(&tooltip).await;
            dom::set_busy(&a.save, false);
            match result {
                Ok(saved) => {
                    *a.tooltip.borrow_mut() = Some(saved.draft);
                    a.dirty.set(false);
                    a.render();
                    a.set_status("Saved: the tooltip points at this element.", false);
                    dom::set_attr(&a.status, "data-saved", "true");
                    if then_leave {
                        leave();
                    }
                }
                Err(e) => a.fail("Not saved", &e),
            }
        });
    }

    /// Saves the tour; with `then_leave`, ends author mode once it is saved.
    fn save_now(self: &Rc<Self>, then_leave: bool) {
        if let Some(tip) = self.tooltip.borrow().clone() {
            if !self.dirty.get() && then_leave {
                leave();
            } else {
                self.save_tooltip(tip, then_leave);
            }
            return;
        }
        let Some(tour) = self.tour.borrow().clone() else {
            return;
        };
        if !self.dirty.get() && then_leave {
            leave();
            return;
        }
        dom::set_busy(&self.save, true);
        self.set_status("Saving…", false);
        let a = self.clone();
        spawn_local(async move {
            let result = a.api.save(&tour).await;
            dom::set_busy(&a.save, false);
            match result {
                Ok(saved) => {
                    *a.tour.borrow_mut() = Some(saved.draft);
                    a.dirty.set(false);
                    a.render();
                    let n = a.tour.borrow().as_ref().map_or(0, |t| t.steps.len());
                    a.set_status(&format!("Saved: {n} steps in the draft."), false);
                    dom::set_attr(&a.status, "data-saved", "true");
                    if then_leave {
                        leave();
                    }
                }
                Err(e) => a.fail("Not saved", &e),
            }
        });
    }
}

/// Ends author mode for this tab: forgets the token and reloads the page as employees see it.
fn leave() {
    if let Some(s) = session_storage() {
        let _ = s.remove_item(STORAGE_KEY);
    }
    AUTHOR.with(|a| {
        if let Some(author) = a.borrow_mut().take() {
            author.picker.borrow_mut().take();
            author.host.remove();
        }
    });
    if let Some(w) = web_sys::window() {
        let _ = w.location().reload();
    }
}
