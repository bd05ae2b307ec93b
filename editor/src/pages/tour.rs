//! One tour: the builder. Steps can be added, deleted and reordered (drag and drop, Move up/down
//! buttons, or Alt+ArrowUp/Down on a focused step); each step has its title, body (with a live
//! markdown preview), placement, what moves it on, whether it is optional, and text variants per
//! locale and proficiency level. The tour's targeting is edited with a plain-language summary that
//! follows every change. The toolbar shows the draft/published state at all times, saves, opens a
//! preview of the draft, publishes with a message and leads to the version history.
//!
//! Every edit goes to local storage at once ([`crate::drafts`]) and stays there until the server
//! has accepted the draft, so failed saves, expired sessions and closed tabs lose nothing.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use cairn_shared::api::{StepStats, TourDetail, TourStepAnalytics, TourSummary};
use cairn_shared::content::{
    Advance, DocumentError, Placement, Step, TextVariant, Tour, WhenAbsent,
};
use cairn_shared::summary;
use cairn_shared::targeting::Proficiency;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::spawn_local;
use web_sys::{DragEvent, Element, KeyboardEvent};

use crate::api::{self, ApiError};
use crate::app;
use crate::describe;
use crate::dom::{self, el};
use crate::drafts::{self, LocalDraft};
use crate::format;
use crate::markdown_view;
use crate::pages::{self, Ctx, builder, targeting, tours};
use crate::router::Route;

pub fn render(ctx: &Ctx, id: String, focus_step: Option<String>) {
    dom::set_title("Tour");
    let heading = pages::heading("Tour");
    ctx.append(pages::back_link(Route::Tours, "← All tours"));
    ctx.append(&heading);
    let slot = el("div").build();
    ctx.append(&slot);
    let (fetch_id, page_ctx) = (id.clone(), ctx.clone());
    pages::load(
        ctx,
        &slot,
        move || {
            let id = fetch_id.clone();
            async move { api::tour(&id).await }
        },
        move |slot, detail: TourDetail| {
            Editor::mount(
                &page_ctx,
                slot,
                &heading,
                &id,
                detail,
                focus_step.as_deref(),
            );
        },
    );
}

/// What the status region is saying, so typing does not re-announce "Unsaved changes" per key.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Said {
    Nothing,
    Dirty,
    Other,
}

/// Which action a Retry button repeats.
#[derive(Clone, Copy)]
enum Action {
    Save,
    Publish,
    Preview,
}

/// Where focus goes after the step list is redrawn.
enum Focus {
    None,
    /// The step at this index (its list item).
    Step(usize),
    /// The first element matching this selector inside the list.
    Selector(String),
}

/// The tour being edited and the parts of the page that change.
struct Editor {
    ctx: Ctx,
    id: String,
    tour: RefCell<Tour>,
    summary: RefCell<TourSummary>,
    /// Bumped by every edit; a save clears the local copy only if nothing was typed meanwhile.
    revision: Cell<u64>,
    saved_revision: Cell<u64>,
    busy: Cell<bool>,
    said: Cell<Said>,
    heading: Element,
    badge: Element,
    meta: Element,
    feedback: Element,
    save_button: Element,
    publish_button: Element,
    preview_button: Element,
    note: Element,
    /// `<ol>` of step cards, redrawn when steps are added, removed or moved.
    steps: Element,
    /// Announces moves and deletions.
    moves: Element,
    /// The step being dragged.
    dragging: Cell<Option<usize>>,
    /// The inputs by the JSON pointer of what they edit, to mark the ones a problem is about.
    inputs: RefCell<Vec<(String, Element)>>,
}

impl Editor {
    fn mount(
        ctx: &Ctx,
        slot: &Element,
        heading: &Element,
        id: &str,
        detail: TourDetail,
        focus_step: Option<&str>,
    ) {
        // Fields, not a destructuring pattern, so new fields in the shared type don't break this.
        let (summary, draft) = (detail.summary, detail.draft);
        let local = drafts::load(id);
        let (tour, restored) = match local {
            Some(local) if local.tour != draft => {
                let overwritten = local.base_updated_at != summary.updated_at;
                (local.tour, Some(overwritten))
            }
            Some(_) => {
                drafts::discard(id); // Identical to the server's: nothing unsaved.
                (draft, None)
            }
            None => (draft, None),
        };

        let ed = Rc::new(Editor {
            ctx: ctx.clone(),
            id: id.to_string(),
            tour: RefCell::new(tour),
            summary: RefCell::new(summary),
            revision: Cell::new(u64::from(restored.is_some())),
            saved_revision: Cell::new(0),
            busy: Cell::new(false),
            said: Cell::new(Said::Nothing),
            heading: heading.clone(),
            badge: tours::badge(None, false),
            meta: el("p").class("meta").build(),
            feedback: el("div")
                .class("feedback")
                .attr("role", "status")
                .attr("aria-live", "polite")
                .attr("data-test", "save-status")
                .build(),
            save_button: button("Save draft", "save-draft", "button")
                .attr("aria-keyshortcuts", "Control+S")
                .build(),
            publish_button: button("Publish", "publish", "button primary").build(),
            preview_button: button("Preview draft", "preview-draft", "button").build(),
            note: el("input")
                .attr("id", "publish-note")
                .attr("type", "text")
                .attr("data-test", "publish-note")
                .attr("autocomplete", "off")
                .attr("placeholder", "What changed?")
                .build(),
            steps: el("ol")
                .class("steps")
                .attr("data-test", "steps")
                .attr("aria-describedby", "steps-help")
                .build(),
            moves: el("p")
                .class("visually-hidden")
                .attr("role", "status")
                .attr("aria-live", "polite")
                .attr("data-test", "moves")
                .build(),
            dragging: Cell::new(None),
            inputs: RefCell::new(Vec::new()),
        });
        dom::set_attr(&ed.badge, "data-test", "status");
        ed.show_summary();

        let s = ed.clone();
        dom::on(&ed.save_button, "click", move |_| {
            spawn_local(s.clone().save_only())
        });
        let s = ed.clone();
        dom::on(&ed.publish_button, "click", move |_| {
            spawn_local(s.clone().publish())
        });
        let s = ed.clone();
        dom::on(&ed.preview_button, "click", move |_| {
            spawn_local(s.clone().preview())
        });

        let history = el("a")
            .attr("href", &Route::TourVersions(id.to_string()).href())
            .attr("data-test", "version-history")
            .text("Version history")
            .build();
        let reports = el("a")
            .attr("href", &Route::Reports(Some(id.to_string())).href())
            .attr("data-test", "tour-reports")
            .text("Reports")
            .build();
        let record = crate::author::record_button(id, &ed.feedback);
        let toolbar = builder::toolbar(
            &[&ed.badge, &ed.meta, &history, &reports],
            &ed.note,
            &[
                &ed.save_button,
                &ed.preview_button,
                &ed.publish_button,
                &record,
            ],
            &ed.feedback,
        );

        let page = el("div").class("tour-editor").child(toolbar);
        let page = match restored {
            Some(overwritten) => page.child(ed.restored_notice(overwritten)),
            None => page,
        };

        let s = ed.clone();
        let tour_title = el("input")
            .attr("id", "tour-title")
            .attr("type", "text")
            .attr("data-test", "tour-title")
            .attr("value", &ed.tour.borrow().title)
            .on_value(move |e| {
                let v = event_value(&e);
                s.edit(|t| t.title = v);
            });
        ed.track("/title", tour_title.as_element());
        let page =
            page.child(field("tour-title", "Tour title", tour_title).class("field tour-title"));

        let add = button("Add a step", "add-step", "button").build();
        let s = ed.clone();
        dom::on(&add, "click", move |_| s.add_step());
        let steps = el("section")
            .attr("aria-labelledby", "steps-heading")
            .child(el("h2").attr("id", "steps-heading").text("Steps"))
            .child(el("p").attr("id", "steps-help").class("hint").text(
                "Reorder by dragging a step's handle, with its Move up / Move down buttons, \
                 or with Alt+ArrowUp / Alt+ArrowDown while the step has focus.",
            ))
            .child(&ed.moves)
            .child(&ed.steps)
            .child(add);
        let page = page
            .child(steps)
            .child(targeting::section(ed.clone()))
            .child(analytics_section(ctx, id));

        // Ctrl+S / Cmd+S saves instead of offering to save the web page.
        let s = ed.clone();
        let page = page.on("keydown", move |e| {
            let save_key = e.dyn_ref::<KeyboardEvent>().is_some_and(|k| {
                (k.ctrl_key() || k.meta_key()) && k.key().eq_ignore_ascii_case("s")
            });
            if save_key {
                e.prevent_default();
                spawn_local(s.clone().save_only());
            }
        });
        let _ = slot.append_child(&page.build());
        let focus = focus_step
            .and_then(|sid| ed.tour.borrow().steps.iter().position(|s| s.id == sid))
            .map_or(Focus::None, Focus::Step);
        ed.render_steps(focus);
        if restored.is_some() {
            ed.say_dirty();
        }
    }

    /// The banner shown when edits from an earlier visit were restored.
    fn restored_notice(self: &Rc<Self>, overwritten: bool) -> Element {
        let id = self.id.clone();
        builder::restored_notice(overwritten, move || drafts::discard(&id))
    }

    /// Redraws every step card from the model, then moves focus as asked.
    fn render_steps(self: &Rc<Self>, focus: Focus) {
        self.inputs
            .borrow_mut()
            .retain(|(pointer, _)| !pointer.starts_with("/steps"));
        dom::clear(&self.steps);
        let cards: Vec<Element> = {
            let tour = self.tour.borrow();
            let count = tour.steps.len();
            tour.steps
                .iter()
                .enumerate()
                .map(|(i, step)| self.step_card(i, step, count))
                .collect()
        };
        for c in &cards {
            let _ = self.steps.append_child(c);
        }
        match focus {
            Focus::None => {}
            Focus::Step(i) => {
                if let Some(card) = cards.get(i) {
                    dom::focus(card);
                    card.scroll_into_view();
                }
            }
            Focus::Selector(sel) => {
                if let Some(e) = self.steps.query_selector(&sel).ok().flatten() {
                    dom::focus(&e);
                }
            }
        }
        self.show_summary();
    }

    fn add_step(self: &Rc<Self>) {
        let id = new_step_id(&self.tour.borrow());
        let n = self.tour.borrow().steps.len() + 1;
        self.edit(|t| {
            t.steps.push(Step {
                id,
                title: format!("Step {n}"),
                body: String::new(),
                target: None,
                placement: Placement::Auto,
                advance: Advance::Next,
                optional: false,
                when_absent: None,
                variants: Vec::new(),
            })
        });
        let last = self.tour.borrow().steps.len() - 1;
        self.render_steps(Focus::Selector(format!(
            "li:nth-child({}) [data-test=step-title]",
            last + 1
        )));
        self.moves
            .set_text_content(Some(&format!("Step {} added.", last + 1)));
    }

    fn delete_step(self: &Rc<Self>, index: usize) {
        if self.tour.borrow().steps.len() <= 1 {
            self.moves
                .set_text_content(Some("A tour keeps at least one step."));
            return;
        }
        self.edit(|t| {
            if index < t.steps.len() {
                t.steps.remove(index);
            }
        });
        let remaining = self.tour.borrow().steps.len();
        self.render_steps(Focus::Step(index.min(remaining - 1)));
        self.moves.set_text_content(Some(&format!(
            "Step {} deleted. Unsaved until you save.",
            index + 1
        )));
    }

    fn move_step(self: &Rc<Self>, from: usize, to: usize) {
        let len = self.tour.borrow().steps.len();
        if from == to || from >= len || to >= len {
            return;
        }
        self.edit(|t| {
            let step = t.steps.remove(from);
            t.steps.insert(to, step);
        });
        self.render_steps(Focus::Step(to));
        self.moves.set_text_content(Some(&format!(
            "Step {} moved to position {}.",
            from + 1,
            to + 1
        )));
    }

    /// Edits the step at `index` (a no-op if it has gone meanwhile).
    fn edit_step(&self, index: usize, change: impl FnOnce(&mut Step)) {
        self.edit(|t| {
            if let Some(step) = t.steps.get_mut(index) {
                change(step);
            }
        });
    }

    fn step_card(self: &Rc<Self>, index: usize, step: &Step, count: usize) -> Element {
        let n = index + 1;
        let title_id = dom::next_id("step-title");
        let body_id = dom::next_id("step-body");
        let hint_id = dom::next_id("step-hint");
        let heading_id = dom::next_id("step-heading");

        let preview = el("div").class("markdown").build();
        markdown_view::render_into(&preview, &step.body);

        let s = self.clone();
        let title = el("input")
            .attr("id", &title_id)
            .attr("type", "text")
            .attr("data-test", "step-title")
            .attr("data-step-id", &step.id)
            .attr("value", &step.title)
            .on_value(move |e| {
                let v = event_value(&e);
                s.edit_step(index, |step| step.title = v);
            });
        self.track(&format!("/steps/{index}/title"), title.as_element());

        let s = self.clone();
        let preview_target = preview.clone();
        let body = el("textarea")
            .attr("id", &body_id)
            .attr("rows", "4")
            .attr("data-test", "step-body")
            .attr("data-step-id", &step.id)
            .attr("aria-describedby", &hint_id)
            .text(&step.body)
            .on_value(move |e| {
                let v = event_value(&e);
                markdown_view::render_into(&preview_target, &v);
                s.edit_step(index, |step| step.body = v);
            });
        self.track(&format!("/steps/{index}/body"), body.as_element());

        let strategies = describe::target(step.target.as_ref());
        let target = if step.target.is_none() {
            el("dd").text("None: shown as a floating dialog")
        } else if strategies.is_empty() {
            el("dd").text("No way to find the element recorded")
        } else {
            el("dd").child(
                el("ol")
                    .class("strategies")
                    .attr("aria-label", "Tried in this order")
                    .children(
                        strategies
                            .iter()
                            .map(|s| el("li").child(el("code").text(s))),
                    ),
            )
        };

        // Reorder and delete.
        let s = self.clone();
        let up = button("Move up", "step-up", "button small")
            .attr("aria-label", &format!("Move step {n} up"))
            .flag("disabled", index == 0)
            .on("click", move |_| {
                s.move_step(index, index.saturating_sub(1))
            });
        let s = self.clone();
        let down = button("Move down", "step-down", "button small")
            .attr("aria-label", &format!("Move step {n} down"))
            .flag("disabled", index + 1 >= count)
            .on("click", move |_| s.move_step(index, index + 1));
        let s = self.clone();
        let delete = button("Delete", "step-delete", "button small danger")
            .attr("aria-label", &format!("Delete step {n}"))
            .on("click", move |_| s.delete_step(index));
        let s = self.clone();
        let handle = el("span")
            .class("drag-handle")
            .attr("draggable", "true")
            .attr("title", "Drag to reorder")
            .attr("aria-hidden", "true")
            .attr("data-test", "drag-handle")
            .text("⠿")
            .on("dragstart", move |e| {
                s.dragging.set(Some(index));
                if let Some(dt) = e.dyn_ref::<DragEvent>().and_then(DragEvent::data_transfer) {
                    let _ = dt.set_data("text/plain", &index.to_string());
                    dt.set_effect_allowed("move");
                }
            });

        let head = el("div")
            .class("step-head")
            .child(handle)
            .child(
                el("h3")
                    .attr("id", &heading_id)
                    .text(&format!("Step {n}"))
                    .child(
                        el("span")
                            .class("step-head-title")
                            .text(&format!(" · {}", step.title)),
                    ),
            )
            .child(
                el("div")
                    .class("step-tools")
                    .attr("role", "group")
                    .attr("aria-label", &format!("Step {n} order"))
                    .child(up)
                    .child(down)
                    .child(delete),
            );

        let s = self.clone();
        let s2 = self.clone();
        let s3 = self.clone();
        el("li")
            .class("step-card")
            .attr("data-test", "step")
            .attr("data-step-id", &step.id)
            .attr("data-index", &index.to_string())
            .attr("tabindex", "0")
            .attr("aria-labelledby", &heading_id)
            .on("keydown", move |e| {
                let Some(k) = e.dyn_ref::<KeyboardEvent>() else {
                    return;
                };
                if !k.alt_key() {
                    return;
                }
                let len = s.tour.borrow().steps.len();
                match k.key().as_str() {
                    "ArrowUp" if index > 0 => {
                        e.prevent_default();
                        s.move_step(index, index - 1);
                    }
                    "ArrowDown" if index + 1 < len => {
                        e.prevent_default();
                        s.move_step(index, index + 1);
                    }
                    _ => {}
                }
            })
            .on("dragover", move |e| {
                if s2.dragging.get().is_some() {
                    e.prevent_default();
                }
            })
            .on("drop", move |e| {
                e.prevent_default();
                if let Some(from) = s3.dragging.take() {
                    s3.move_step(from, index);
                }
            })
            .on("dragend", {
                let s = self.clone();
                move |_| s.dragging.set(None)
            })
            .child(
                el("section")
                    .attr("aria-labelledby", &heading_id)
                    .child(head)
                    .child(
                        el("div")
                            .class("step-grid")
                            .child(
                                el("div")
                                    .class("step-fields")
                                    .child(field(&title_id, "Title", title))
                                    .child(
                                        field(&body_id, "Body", body).child(
                                            el("p")
                                                .attr("id", &hint_id)
                                                .class("hint")
                                                .text("Markdown: **bold**, *italic*, `code`, [link](https://…), lines starting with “- ” or “1. ” make lists."),
                                        ),
                                    ),
                            )
                            .child(
                                el("div")
                                    .class("preview")
                                    .child(el("p").class("preview-label").text("Preview"))
                                    .child(&preview),
                            ),
                    )
                    .child(self.behaviour(index, step))
                    .child(
                        el("dl")
                            .class("facts")
                            .child(el("dt").text("Element"))
                            .child(target),
                    )
                    .child(self.variants(index, step)),
            )
            .build()
    }

    /// Placement, what moves the step on, and whether it is optional.
    fn behaviour(self: &Rc<Self>, index: usize, step: &Step) -> Element {
        let placement_id = dom::next_id("placement");
        let s = self.clone();
        let placement = el("select")
            .attr("id", &placement_id)
            .attr("data-test", "step-placement")
            .children(
                [
                    Placement::Auto,
                    Placement::Top,
                    Placement::Bottom,
                    Placement::Left,
                    Placement::Right,
                ]
                .into_iter()
                .map(|p| {
                    el("option")
                        .attr("value", placement_value(p))
                        .flag("selected", p == step.placement)
                        .text(describe::placement(p))
                }),
            )
            .on("change", move |e| {
                let v = event_value(&e);
                s.edit_step(index, |step| step.placement = parse_placement(&v));
            });

        let advance_id = dom::next_id("advance");
        let pattern_id = dom::next_id("pattern");
        let current_pattern = match &step.advance {
            Advance::Url { pattern } => pattern.clone(),
            _ => String::new(),
        };
        let pattern = el("input")
            .attr("id", &pattern_id)
            .attr("type", "text")
            .attr("data-test", "step-advance-pattern")
            .attr("placeholder", "/orders/*")
            .attr("value", &current_pattern)
            .build();
        let pattern_field = el("div")
            .class("field")
            .flag("hidden", !matches!(step.advance, Advance::Url { .. }))
            .child(el("label").attr("for", &pattern_id).text("URL pattern"))
            .child(&pattern)
            .build();
        let kind = match step.advance {
            Advance::Next => "next",
            Advance::Click => "click",
            Advance::Input => "input",
            Advance::Url { .. } => "url",
        };
        let (s, pattern_in, pattern_box) = (self.clone(), pattern.clone(), pattern_field.clone());
        let advance = el("select")
            .attr("id", &advance_id)
            .attr("data-test", "step-advance")
            .children(
                [
                    ("next", "The Next button"),
                    ("click", "A click on the element"),
                    ("input", "Typing into the element"),
                    ("url", "Reaching a page (URL pattern)"),
                ]
                .into_iter()
                .map(|(v, l)| {
                    el("option")
                        .attr("value", v)
                        .flag("selected", v == kind)
                        .text(l)
                }),
            )
            .on("change", move |e| {
                let v = event_value(&e);
                let is_url = v == "url";
                if is_url {
                    let _ = pattern_box.remove_attribute("hidden");
                } else {
                    dom::set_attr(&pattern_box, "hidden", "");
                }
                let p = dom::value(&pattern_in);
                s.edit_step(index, |step| step.advance = advance_of(&v, p));
            });
        let s = self.clone();
        dom::on(&pattern, "input", move |e| {
            let p = event_value(&e);
            s.edit_step(index, |step| {
                if let Advance::Url { pattern } = &mut step.advance {
                    *pattern = p;
                }
            });
        });

        let optional_id = dom::next_id("optional");
        let s = self.clone();
        let optional = el("input")
            .attr("id", &optional_id)
            .attr("type", "checkbox")
            .attr("data-test", "step-optional")
            .flag("checked", step.optional)
            .on("change", move |e| {
                let on = e
                    .target()
                    .and_then(|t| t.dyn_into::<Element>().ok())
                    .is_some_and(|t| dom::checked(&t));
                s.edit_step(index, |step| step.optional = on);
            });

        // Branch targets: later steps only (the shared validation refuses a jump backwards).
        let later: Vec<(String, String)> = self
            .tour
            .borrow()
            .steps
            .iter()
            .enumerate()
            .skip(index + 1)
            .map(|(i, st)| {
                let label = format!("Go to step {}: {}", i + 1, st.title);
                (
                    describe::absent_value(&Some(WhenAbsent::Goto(st.id.clone()))),
                    label,
                )
            })
            .collect();
        let absent_id = dom::next_id("absent");
        let current = describe::absent_value(&step.when_absent);
        let s = self.clone();
        let absent = el("select")
            .attr("id", &absent_id)
            .attr("data-test", "step-when-absent")
            .children(
                [
                    (String::new(), "Show it floating and report it".to_string()),
                    (
                        describe::absent_value(&Some(WhenAbsent::Skip)),
                        "Skip to the next step".to_string(),
                    ),
                ]
                .into_iter()
                .chain(later)
                .map(|(v, l)| {
                    el("option")
                        .attr("value", &v)
                        .flag("selected", v == current)
                        .text(&l)
                }),
            )
            .on("change", move |e| {
                let v = event_value(&e);
                s.edit_step(index, |step| step.when_absent = describe::parse_absent(&v));
            });

        el("div")
            .class("step-behaviour")
            .child(
                el("div")
                    .class("field")
                    .child(el("label").attr("for", &placement_id).text("Placement"))
                    .child(placement),
            )
            .child(
                el("div")
                    .class("field")
                    .child(
                        el("label")
                            .attr("for", &absent_id)
                            .text("If its element is missing"),
                    )
                    .child(absent),
            )
            .child(
                el("div")
                    .class("field")
                    .child(el("label").attr("for", &advance_id).text("Moves on with"))
                    .child(advance),
            )
            .child(pattern_field)
            .child(
                el("div").class("field check").child(optional).child(
                    el("label")
                        .attr("for", &optional_id)
                        .text("Optional: employees may skip it"),
                ),
            )
            .build()
    }

    /// The step's texts for other locales and proficiency levels.
    fn variants(self: &Rc<Self>, index: usize, step: &Step) -> Element {
        let n = index + 1;
        let rows = step.variants.iter().enumerate().map(|(j, v)| {
            let locale_id = dom::next_id("variant-locale");
            let level_id = dom::next_id("variant-level");
            let title_id = dom::next_id("variant-title");
            let body_id = dom::next_id("variant-body");
            let s = self.clone();
            let locale = el("input")
                .attr("id", &locale_id)
                .attr("type", "text")
                .attr("data-test", "variant-locale")
                .attr("placeholder", "de, fr-CA (empty: every locale)")
                .attr("value", v.locale.as_deref().unwrap_or(""))
                .on_value(move |e| {
                    let val = non_empty(event_value(&e));
                    s.edit_variant(index, j, |v| v.locale = val);
                });
            self.track(
                &format!("/steps/{index}/variants/{j}/locale"),
                locale.as_element(),
            );
            let s = self.clone();
            let level = el("select")
                .attr("id", &level_id)
                .attr("data-test", "variant-level")
                .child(el("option").attr("value", "").text("Every level"))
                .children(Proficiency::ALL.iter().map(|p| {
                    el("option")
                        .attr("value", p.as_str())
                        .flag("selected", v.proficiency == Some(*p))
                        .text(p.as_str())
                }))
                .on("change", move |e| {
                    let val = Proficiency::parse(&event_value(&e));
                    s.edit_variant(index, j, |v| v.proficiency = val);
                });
            let s = self.clone();
            let title = el("input")
                .attr("id", &title_id)
                .attr("type", "text")
                .attr("data-test", "variant-title")
                .attr("placeholder", "Empty: the step's title")
                .attr("value", v.title.as_deref().unwrap_or(""))
                .on_value(move |e| {
                    let val = non_empty(event_value(&e));
                    s.edit_variant(index, j, |v| v.title = val);
                });
            self.track(
                &format!("/steps/{index}/variants/{j}/title"),
                title.as_element(),
            );
            let s = self.clone();
            let body = el("textarea")
                .attr("id", &body_id)
                .attr("rows", "2")
                .attr("data-test", "variant-body")
                .attr("placeholder", "Empty: the step's body")
                .text(v.body.as_deref().unwrap_or(""))
                .on_value(move |e| {
                    let val = non_empty(event_value(&e));
                    s.edit_variant(index, j, |v| v.body = val);
                });
            let s = self.clone();
            let remove = button("Remove variant", "variant-remove", "button small quiet")
                .attr(
                    "aria-label",
                    &format!("Remove variant {} of step {n}", j + 1),
                )
                .on("click", move |_| {
                    s.edit_step(index, |step| {
                        if j < step.variants.len() {
                            step.variants.remove(j);
                        }
                    });
                    s.render_steps(Focus::Selector(format!(
                        "li:nth-child({}) [data-test=variant-add]",
                        index + 1
                    )));
                });
            el("li")
                .class("variant")
                .attr("data-test", "variant")
                .child(field(&locale_id, "Locale", locale))
                .child(field(&level_id, "Proficiency", level))
                .child(field(&title_id, "Title", title))
                .child(field(&body_id, "Body", body))
                .child(remove)
        });
        let s = self.clone();
        let add = button("Add a variant", "variant-add", "button small")
            .attr("aria-label", &format!("Add a text variant to step {n}"))
            .on("click", move |_| {
                s.edit_step(index, |step| {
                    step.variants.push(TextVariant {
                        proficiency: Some(Proficiency::Beginner),
                        ..Default::default()
                    })
                });
                let j = s
                    .tour
                    .borrow()
                    .steps
                    .get(index)
                    .map_or(0, |st| st.variants.len());
                s.render_steps(Focus::Selector(format!(
                    "li:nth-child({}) li.variant:nth-child({j}) [data-test=variant-locale]",
                    index + 1
                )));
            });
        el("details")
            .class("variants")
            .flag("open", !step.variants.is_empty())
            .child(el("summary").text(&format!(
                "Text variants for locales and proficiency levels ({})",
                step.variants.len()
            )))
            .child(el("p").class("hint").text(
                "A variant replaces the title and body it sets, for the locale and level it names.",
            ))
            .child(el("ol").class("plain variant-list").children(rows))
            .child(add)
            .build()
    }

    fn edit_variant(&self, step: usize, variant: usize, change: impl FnOnce(&mut TextVariant)) {
        self.edit_step(step, |s| {
            if let Some(v) = s.variants.get_mut(variant) {
                change(v);
            }
        });
    }

    /// Remembers which input edits the value at `pointer`.
    fn track(&self, pointer: &str, input: &Element) {
        self.inputs
            .borrow_mut()
            .push((pointer.to_string(), input.clone()));
    }

    /// Lists the problems in the status region, marks the inputs they are about as invalid and moves
    /// focus to the first of them.
    fn show_problems(&self, intro: &str, problems: &[DocumentError]) {
        self.said.set(Said::Other);
        builder::show_problems(
            &self.feedback,
            &self.inputs.borrow(),
            intro,
            problems,
            describe::tour_pointer,
        );
    }

    fn clear_invalid(&self) {
        for (_, input) in self.inputs.borrow().iter() {
            let _ = input.remove_attribute("aria-invalid");
        }
    }

    /// Applies an edit, keeps it in local storage and says there are unsaved changes.
    fn edit(&self, change: impl FnOnce(&mut Tour)) {
        change(&mut self.tour.borrow_mut());
        self.revision.set(self.revision.get() + 1);
        let title = self.tour.borrow().title.clone();
        self.heading.set_text_content(Some(&title));
        dom::set_title(&title);
        let local = LocalDraft {
            base_updated_at: self.summary.borrow().updated_at,
            tour: self.tour.borrow().clone(),
        };
        if !drafts::store(&self.id, &local) {
            self.say(
                "This browser refused to keep a local copy: save soon.",
                false,
            );
            return;
        }
        self.say_dirty();
    }

    fn show_summary(&self) {
        let s = self.summary.borrow();
        let title = self.tour.borrow().title.clone();
        self.heading.set_text_content(Some(&title));
        dom::set_title(&title);
        tours::update_badge(&self.badge, s.published_version, s.has_unpublished_changes);
        dom::clear(&self.meta);
        let steps = self.tour.borrow().steps.len();
        let _ = self.meta.append_child(&dom::text(&format!(
            "{steps} step{} · draft saved ",
            if steps == 1 { "" } else { "s" }
        )));
        let _ = self.meta.append_child(&pages::time(s.updated_at));
    }

    fn dirty(&self) -> bool {
        self.revision.get() != self.saved_revision.get()
    }

    fn say_dirty(&self) {
        if self.said.get() != Said::Dirty {
            self.said.set(Said::Dirty);
            dom::replace(
                &self.feedback,
                el("p")
                    .class("feedback-dirty")
                    .text("Unsaved changes, kept in this browser until you save."),
            );
        }
    }

    /// Puts a message in the status region (`error` styles it as one).
    fn say(&self, message: &str, error: bool) {
        self.said.set(Said::Other);
        let class = if error {
            "feedback-error"
        } else {
            "feedback-ok"
        };
        dom::replace(&self.feedback, el("p").class(class).text(message));
    }

    /// An error with a Retry button that repeats `action`.
    fn fail(self: &Rc<Self>, what: &str, err: &ApiError, action: Action) {
        self.said.set(Said::Other);
        let s = self.clone();
        builder::show_failure(&self.feedback, what, err, self.dirty(), move || {
            let s = s.clone();
            match action {
                Action::Save => spawn_local(s.save_only()),
                Action::Publish => spawn_local(s.publish()),
                Action::Preview => spawn_local(s.preview()),
            }
        });
    }

    fn set_busy(&self, busy: bool) {
        self.busy.set(busy);
        dom::set_busy(&self.save_button, busy);
        dom::set_busy(&self.publish_button, busy);
        dom::set_busy(&self.preview_button, busy);
    }

    async fn save_only(self: Rc<Self>) {
        if self.save().await {
            let message = if self.dirty() {
                "Draft saved; changes typed since are not saved yet."
            } else {
                "Draft saved."
            };
            self.say(message, false);
        }
    }

    /// Sends the whole draft; true when the server has it.
    async fn save(self: &Rc<Self>) -> bool {
        if self.busy.get() {
            return false;
        }
        let snapshot = self.tour.borrow().clone();
        // The server would refuse these anyway; saying so at once, next to the fields, is kinder.
        let problems = snapshot.validate();
        if !problems.is_empty() {
            self.show_problems("Fix these before saving:", &problems);
            return false;
        }
        self.set_busy(true);
        self.say("Saving…", false);
        let revision = self.revision.get();
        let result = api::save_tour(&self.id, &snapshot).await;
        self.set_busy(false);
        match result {
            Ok(detail) => {
                // Done even if the agent has left the page: the local copy is no longer needed.
                self.saved_revision.set(revision);
                if !self.dirty() {
                    drafts::discard(&self.id);
                } else {
                    // Keep later edits, now relative to the version just saved.
                    let local = LocalDraft {
                        base_updated_at: detail.summary.updated_at,
                        tour: self.tour.borrow().clone(),
                    };
                    drafts::store(&self.id, &local);
                }
                *self.summary.borrow_mut() = detail.summary;
                if self.ctx.is_current() {
                    self.clear_invalid();
                    self.show_summary();
                }
                true
            }
            Err(e) if e.is_unauthorized() => {
                if self.ctx.is_current() {
                    app::signed_out();
                }
                false
            }
            Err(ApiError::Status { problems, .. }) if !problems.is_empty() => {
                if self.ctx.is_current() {
                    self.show_problems("The server refused the draft:", &problems);
                }
                false
            }
            Err(e) => {
                if self.ctx.is_current() {
                    self.fail("Could not save the draft", &e, Action::Save);
                }
                false
            }
        }
    }

    /// Saves, then publishes the saved draft as a new version with the publish message.
    async fn publish(self: Rc<Self>) {
        if self.busy.get() || !self.save().await {
            return;
        }
        self.set_busy(true);
        self.say("Publishing…", false);
        let message = dom::value(&self.note).trim().to_string();
        let result = api::publish(&self.id, &message).await;
        self.set_busy(false);
        if !self.ctx.is_current() {
            return;
        }
        match result {
            Ok(published) => {
                {
                    let mut s = self.summary.borrow_mut();
                    s.published_version = Some(published.version);
                    s.has_unpublished_changes = self.dirty();
                }
                self.show_summary();
                dom::set_value(&self.note, "");
                self.say(
                    &format!(
                        "Published version {}. Employees get it the next time a page of the application loads.",
                        published.version
                    ),
                    false,
                );
            }
            Err(e) if e.is_unauthorized() => app::signed_out(),
            Err(e) => self.fail("Could not publish", &e, Action::Publish),
        }
    }

    /// Saves, then asks for a short-lived preview link and opens it in a new tab (the draft is
    /// shown to this author only, through the link's token).
    async fn preview(self: Rc<Self>) {
        // The window is opened at once, within the click, so popup blockers allow it; it is
        // pointed at the preview once the link exists (or closed if there is none).
        let window = web_sys::window();
        let tab = window
            .as_ref()
            .and_then(|w| w.open_with_url_and_target("about:blank", "_blank").ok())
            .flatten();
        if self.busy.get() || !self.save().await {
            if let Some(tab) = &tab {
                let _ = tab.close();
            }
            return;
        }
        self.set_busy(true);
        self.say("Preparing the preview…", false);
        let result = api::preview(&self.id).await;
        self.set_busy(false);
        match result {
            Ok(link) => {
                let opened = tab
                    .as_ref()
                    .is_some_and(|t| t.location().set_href(&link.url).is_ok());
                if !self.ctx.is_current() {
                    return;
                }
                self.said.set(Said::Other);
                let until = link
                    .expires_at
                    .map(|ms| format!(" The link works until {}.", summary::date(ms)))
                    .unwrap_or_default();
                dom::replace(
                    &self.feedback,
                    el("p")
                        .class("feedback-ok")
                        .text(if opened {
                            "The preview opened in a new tab."
                        } else {
                            "The preview is ready: "
                        })
                        .child(
                            el("a")
                                .attr("href", &link.url)
                                .attr("target", "_blank")
                                .attr("rel", "noopener")
                                .attr("data-test", "preview-link")
                                .text(if opened {
                                    " Open it again"
                                } else {
                                    "Open the preview"
                                }),
                        )
                        .text(&until),
                );
            }
            Err(e) => {
                if let Some(tab) = &tab {
                    let _ = tab.close();
                }
                if !self.ctx.is_current() {
                    return;
                }
                if e.is_unauthorized() {
                    app::signed_out();
                } else {
                    self.fail("Could not open a preview", &e, Action::Preview);
                }
            }
        }
    }
}

impl targeting::Host for Editor {
    fn targeting(&self) -> cairn_shared::targeting::Targeting {
        self.tour.borrow().targeting.clone()
    }
    fn edit_targeting(&self, change: &mut dyn FnMut(&mut cairn_shared::targeting::Targeting)) {
        self.edit(|t| change(&mut t.targeting));
    }
    fn track(&self, pointer: &str, input: &Element) {
        Editor::track(self, pointer, input);
    }
}

pub(crate) fn button(label: &str, test: &str, class: &str) -> dom::El {
    el("button")
        .attr("type", "button")
        .class(class)
        .attr("data-test", test)
        .text(label)
}

fn non_empty(s: String) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_string())
}

/// A step id not used in the tour: `step-` and 8 random hex digits.
fn new_step_id(tour: &Tour) -> String {
    loop {
        let n = (js_sys::Math::random() * f64::from(u32::MAX)) as u32;
        let id = format!("step-{n:08x}");
        if !tour.steps.iter().any(|s| s.id == id) {
            return id;
        }
    }
}

fn placement_value(p: Placement) -> &'static str {
    match p {
        Placement::Auto => "auto",
        Placement::Top => "top",
        Placement::Bottom => "bottom",
        Placement::Left => "left",
        Placement::Right => "right",
    }
}

fn parse_placement(v: &str) -> Placement {
    match v {
        "top" => Placement::Top,
        "bottom" => Placement::Bottom,
        "left" => Placement::Left,
        "right" => Placement::Right,
        _ => Placement::Auto,
    }
}

fn advance_of(kind: &str, pattern: String) -> Advance {
    match kind {
        "click" => Advance::Click,
        "input" => Advance::Input,
        "url" => Advance::Url { pattern },
        _ => Advance::Next,
    }
}

/// The value of the `<input>`/`<textarea>` an event came from.
pub(crate) fn event_value(e: &web_sys::Event) -> String {
    e.target()
        .and_then(|t| t.dyn_into::<Element>().ok())
        .map(|t| dom::value(&t))
        .unwrap_or_default()
}

pub(crate) fn field(id: &str, label: &str, input: dom::El) -> dom::El {
    el("div")
        .class("field")
        .child(el("label").attr("for", id).text(label))
        .child(input)
}

/// "Step analytics": loads on its own so a slow analytics query never delays editing.
fn analytics_section(ctx: &Ctx, tour_id: &str) -> Element {
    let heading_id = dom::next_id("analytics");
    let slot = el("div").build();
    let section = el("section")
        .class("analytics")
        .attr("aria-labelledby", &heading_id)
        .child(el("h2").attr("id", &heading_id).text("Step analytics"))
        .child(el("p").class("hint").text(
            "All published versions together. Tickets per 1,000 views shows which steps send employees to the help desk.",
        ))
        .child(&slot)
        .build();
    let id = tour_id.to_string();
    pages::load(
        ctx,
        &slot,
        move || {
            let id = id.clone();
            async move { api::step_analytics(&id).await }
        },
        |slot, stats: TourStepAnalytics| {
            let _ = slot.append_child(&pages::table_wrap(
                "Step analytics table",
                stats_table(&stats.steps),
            ));
        },
    );
    section
}

fn stats_table(steps: &[StepStats]) -> Element {
    const HEADERS: [&str; 10] = [
        "Step",
        "Title",
        "Views",
        "Advances",
        "Completions",
        "Dismissals",
        "Elements not found",
        "“Still stuck?” opened",
        "Tickets",
        "Tickets per 1,000 views",
    ];
    let max_rate = steps
        .iter()
        .filter_map(|s| s.tickets_per_1000_views)
        .fold(0.0_f64, f64::max);
    let head = el("thead").child(el("tr").children(HEADERS.iter().enumerate().map(|(i, h)| {
        let th = el("th").attr("scope", "col");
        if i >= 2 { th.class("num") } else { th }.text(h)
    })));
    let body = if steps.is_empty() {
        el("tbody").child(
            el("tr").child(
                el("td")
                    .attr("colspan", "10")
                    .class("empty")
                    .text("No steps yet."),
            ),
        )
    } else {
        el("tbody").children(steps.iter().map(|s| stats_row(s, max_rate)))
    };
    el("table")
        .class("data stats")
        .attr("data-test", "step-stats")
        .child(head)
        .child(body)
        .build()
}

fn stats_row(s: &StepStats, max_rate: f64) -> Element {
    let num = |n: i64| el("td").class("num").text(&format::count(n));
    // The bar is relative to the worst step; the number next to it is what screen readers get.
    let width = format::bar_width(s.tickets_per_1000_views, max_rate);
    // A flex box inside the cell: `display: flex` on the <td> itself would take it out of the table.
    let rate = el("td").class("num").child(
        el("div")
            .class("rate")
            .child(
                el("span")
                    .class("rate-value")
                    .text(&format::rate(s.tickets_per_1000_views)),
            )
            .child(
                el("span")
                    .class("bar-track")
                    .attr("aria-hidden", "true")
                    .child(el("span").class("bar").style("width", &width)),
            ),
    );
    el("tr")
        .attr("data-step-id", &s.step_id)
        .child(el("td").class("num").text(&(s.step_index + 1).to_string()))
        .child(el("td").class("title-cell").text(&s.title))
        .child(num(s.views))
        .child(num(s.advances))
        .child(num(s.completions))
        .child(num(s.dismissals))
        .child(num(s.not_found))
        .child(num(s.stuck_opened))
        .child(num(s.tickets))
        .child(rate)
        .build()
}
