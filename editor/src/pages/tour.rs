//! One tour: the builder, on the shared frame of [`crate::pages::builder`] (toolbar, save,
//! publish, problems, local drafts, targeting, version history). Steps can be added, deleted and
//! reordered (drag and drop, Move up/down buttons, or Alt+ArrowUp/Down on a focused step); each
//! step has its title, body (with a live markdown preview), placement, what moves it on, whether
//! it is optional, and text variants per locale and proficiency level. The tour adds Preview draft,
//! Record in app, a link to its reports and the step analytics.

use std::cell::Cell;
use std::rc::Rc;

use cairn_shared::api::{DocumentSummary, StepStats, TourDetail, TourStepAnalytics};
use cairn_shared::content::{
    Advance, DocumentError, Placement, Step, TextVariant, Tour, WhenAbsent,
};
use cairn_shared::summary;
use cairn_shared::targeting::{Proficiency, Targeting};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::spawn_local;
use web_sys::{DragEvent, Element, KeyboardEvent};

use crate::api;
use crate::app;
use crate::describe;
use crate::dom::{self, el};
use crate::format;
use crate::markdown_view;
use crate::pages::builder::{self, Builder, Doc, Parts};
use crate::pages::{self, Ctx};
use crate::router::{Kind, Route};

impl Doc for Tour {
    type Detail = TourDetail;
    const KIND: Kind = Kind::Tours;
    const TITLE_LABEL: &'static str = "Tour title";

    /// A draft with one floating step; steps are then added in the builder or recorded in the app.
    fn new_doc(title: String) -> Self {
        Tour {
            title,
            steps: vec![blank_step("step-1".into(), "Step 1".into())],
            description: String::new(),
            targeting: Targeting::default(),
            locale: None,
            variants: Vec::new(),
        }
    }
    fn split(detail: TourDetail) -> (DocumentSummary, Self) {
        // Fields, not a destructuring pattern, so new fields in the shared type don't break this.
        let s = detail.summary;
        let summary = DocumentSummary {
            id: s.id,
            app_id: s.app_id,
            title: s.title,
            published_version: s.published_version,
            has_unpublished_changes: s.has_unpublished_changes,
            updated_at: s.updated_at,
        };
        (summary, detail.draft)
    }
    fn title(&self) -> &str {
        &self.title
    }
    fn set_title(&mut self, title: String) {
        self.title = title;
    }
    fn validate(&self) -> Vec<DocumentError> {
        Tour::validate(self)
    }
    fn targeting_mut(&mut self) -> &mut Targeting {
        &mut self.targeting
    }
    fn targeting(&self) -> &Targeting {
        &self.targeting
    }
    fn list_route() -> Route {
        Route::Tours
    }
    fn route(id: String) -> Route {
        Route::Tour(id)
    }
    fn saved_words(&self) -> String {
        let steps = self.steps.len();
        format!(
            "{steps} step{} · draft saved ",
            if steps == 1 { "" } else { "s" }
        )
    }
}

/// The builder of tour `id`, with focus on step `focus_step` if given (a link from a ticket).
pub fn render(ctx: &Ctx, id: String, focus_step: Option<String>) {
    let page_ctx = ctx.clone();
    builder::render_with::<Tour>(ctx, id, "← All tours", move |b| {
        Steps::parts(&page_ctx, b, focus_step.clone())
    });
}

/// Where focus goes after the step list is redrawn.
enum Focus {
    None,
    /// The step at this index (its list item).
    Step(usize),
    /// The first element matching this selector inside the list.
    Selector(String),
}

/// The step list of the tour being edited.
struct Steps {
    b: Rc<Builder<Tour>>,
    /// `<ol>` of step cards, redrawn when steps are added, removed or moved.
    list: Element,
    /// Announces moves and deletions.
    moves: Element,
    /// The step being dragged.
    dragging: Cell<Option<usize>>,
}

impl Steps {
    /// What the tour adds to the builder: Preview draft, Record in app, the Reports link, the
    /// steps and the step analytics.
    fn parts(ctx: &Ctx, b: &Rc<Builder<Tour>>, focus_step: Option<String>) -> Parts {
        let ed = Rc::new(Steps {
            b: b.clone(),
            list: el("ol")
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
        });
        let preview = button("Preview draft", "preview-draft", "button").build();
        let s = b.clone();
        dom::on(&preview, "click", move |_| {
            spawn_local(preview_draft(s.clone()))
        });
        let reports = el("a")
            .attr("href", &Route::Reports(Some(b.id.clone())).href())
            .attr("data-test", "tour-reports")
            .text("Reports")
            .build();
        let record = crate::author::record_button(&b.id, &b.feedback);

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
            .child(&ed.list)
            .child(add)
            .build();
        let focus = focus_step
            .and_then(|sid| b.with_doc(|t| t.steps.iter().position(|s| s.id == sid)))
            .map_or(Focus::None, Focus::Step);
        Parts {
            links: vec![reports],
            actions: vec![preview],
            tools: vec![record],
            fields: steps,
            after: vec![analytics_section(ctx, &b.id)],
            mounted: Some(Box::new(move || ed.render_steps(focus))),
        }
    }

    /// Redraws every step card from the model, then moves focus as asked.
    fn render_steps(self: &Rc<Self>, focus: Focus) {
        self.b.untrack("/steps");
        dom::clear(&self.list);
        let cards: Vec<Element> = self.b.with_doc(|tour| {
            let count = tour.steps.len();
            tour.steps
                .iter()
                .enumerate()
                .map(|(i, step)| self.step_card(i, step, count))
                .collect()
        });
        for c in &cards {
            let _ = self.list.append_child(c);
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
                if let Some(e) = self.list.query_selector(&sel).ok().flatten() {
                    dom::focus(&e);
                }
            }
        }
        self.b.show_summary();
    }

    fn add_step(self: &Rc<Self>) {
        let id = self.b.with_doc(new_step_id);
        let n = self.step_count() + 1;
        self.b
            .edit(|t| t.steps.push(blank_step(id, format!("Step {n}"))));
        let last = self.step_count() - 1;
        self.render_steps(Focus::Selector(format!(
            "li:nth-child({}) [data-test=step-title]",
            last + 1
        )));
        self.moves
            .set_text_content(Some(&format!("Step {} added.", last + 1)));
    }

    fn delete_step(self: &Rc<Self>, index: usize) {
        if self.step_count() <= 1 {
            self.moves
                .set_text_content(Some("A tour keeps at least one step."));
            return;
        }
        self.b.edit(|t| {
            if index < t.steps.len() {
                t.steps.remove(index);
            }
        });
        let remaining = self.step_count();
        self.render_steps(Focus::Step(index.min(remaining - 1)));
        self.moves.set_text_content(Some(&format!(
            "Step {} deleted. Unsaved until you save.",
            index + 1
        )));
    }

    fn move_step(self: &Rc<Self>, from: usize, to: usize) {
        let len = self.step_count();
        if from == to || from >= len || to >= len {
            return;
        }
        self.b.edit(|t| {
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
        self.b
            .track(&format!("/steps/{index}/title"), title.as_element());

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
        self.b
            .track(&format!("/steps/{index}/body"), body.as_element());

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
                let len = s.step_count();
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
        let later: Vec<(String, String)> = self.b.with_doc(|tour| {
            tour.steps
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
                .collect()
        });
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
            self.b.track(
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
            self.b.track(
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
                let j =
                    s.b.with_doc(|t| t.steps.get(index).map_or(0, |st| st.variants.len()));
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

    /// Edits the step at `index` (a no-op if it has gone meanwhile).
    fn edit_step(&self, index: usize, change: impl FnOnce(&mut Step)) {
        self.b.edit(|t| {
            if let Some(step) = t.steps.get_mut(index) {
                change(step);
            }
        });
    }

    fn step_count(&self) -> usize {
        self.b.with_doc(|t| t.steps.len())
    }
}

/// Saves, then asks for a short-lived preview link and opens it in a new tab (the draft is shown
/// to this author only, through the link's token).
async fn preview_draft(b: Rc<Builder<Tour>>) {
    // The window is opened at once, within the click, so popup blockers allow it; it is pointed
    // at the preview once the link exists (or closed if there is none).
    let window = web_sys::window();
    let tab = window
        .as_ref()
        .and_then(|w| w.open_with_url_and_target("about:blank", "_blank").ok())
        .flatten();
    if b.busy() || !b.save().await {
        if let Some(tab) = &tab {
            let _ = tab.close();
        }
        return;
    }
    b.set_busy(true);
    b.say("Preparing the preview…", false);
    let result = api::preview(&b.id).await;
    b.set_busy(false);
    match result {
        Ok(link) => {
            let opened = tab
                .as_ref()
                .is_some_and(|t| t.location().set_href(&link.url).is_ok());
            if !b.is_current() {
                return;
            }
            let until = link
                .expires_at
                .map(|ms| format!(" The link works until {}.", summary::date(ms)))
                .unwrap_or_default();
            b.show(
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
            if !b.is_current() {
                return;
            }
            if e.is_unauthorized() {
                app::signed_out();
            } else {
                let s = b.clone();
                b.fail("Could not open a preview", &e, move || {
                    spawn_local(preview_draft(s.clone()))
                });
            }
        }
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

/// A floating step with only a title, moved on with Next.
fn blank_step(id: String, title: String) -> Step {
    Step::new(id, title, String::new(), None, Placement::Auto)
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
