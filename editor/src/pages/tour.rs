//! One tour: edit each step's title and body (with a live markdown preview), see how each step finds
//! its element, save the draft, publish a version, and read the per-step analytics that show which
//! steps send employees to the help desk.
//!
//! Every edit goes to local storage at once ([`crate::drafts`]) and stays there until the server
//! has accepted the draft, so failed saves, expired sessions and closed tabs lose nothing.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use cairn_shared::api::{StepStats, TourDetail, TourStepAnalytics, TourSummary};
use cairn_shared::content::{DocumentError, Step, Tour};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::spawn_local;
use web_sys::{Element, KeyboardEvent};

use crate::api::{self, ApiError};
use crate::app;
use crate::describe;
use crate::dom::{self, el};
use crate::drafts::{self, LocalDraft};
use crate::format;
use crate::markdown_view;
use crate::pages::{self, Ctx, tours};

pub fn render(ctx: &Ctx, id: String) {
    dom::set_title("Tour");
    let heading = pages::heading("Tour");
    ctx.append(pages::back_link(crate::router::Route::Tours, "← All tours"));
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
            Editor::mount(&page_ctx, slot, &heading, &id, detail);
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
    note: Element,
    /// The inputs by the JSON pointer of what they edit, to mark the ones a problem is about.
    inputs: RefCell<Vec<(String, Element)>>,
}

impl Editor {
    fn mount(ctx: &Ctx, slot: &Element, heading: &Element, id: &str, detail: TourDetail) {
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
            save_button: el("button")
                .attr("type", "button")
                .class("button")
                .attr("data-test", "save-draft")
                .attr("aria-keyshortcuts", "Control+S")
                .text("Save draft")
                .build(),
            publish_button: el("button")
                .attr("type", "button")
                .class("button primary")
                .attr("data-test", "publish")
                .text("Publish")
                .build(),
            note: el("input")
                .attr("id", "publish-note")
                .attr("type", "text")
                .attr("data-test", "publish-note")
                .attr("autocomplete", "off")
                .build(),
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

        let toolbar = el("div")
            .class("toolbar")
            .child(
                el("div")
                    .class("toolbar-status")
                    .child(&ed.badge)
                    .child(&ed.meta),
            )
            .child(
                el("div")
                    .class("toolbar-actions")
                    .child(
                        el("div")
                            .class("field inline")
                            .child(
                                el("label")
                                    .attr("for", "publish-note")
                                    .text("Publish note (optional)"),
                            )
                            .child(&ed.note),
                    )
                    .child(&ed.save_button)
                    .child(&ed.publish_button)
                    .child(crate::author::record_button(id, &ed.feedback)),
            )
            .child(&ed.feedback);

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

        let steps_heading = dom::next_id("steps");
        let list = {
            let tour = ed.tour.borrow();
            el("ol").class("steps").children(
                tour.steps
                    .iter()
                    .enumerate()
                    .map(|(i, step)| ed.step_card(i, step)),
            )
        };
        let steps = el("section")
            .attr("aria-labelledby", &steps_heading)
            .child(el("h2").attr("id", &steps_heading).text("Steps"))
            .child(list);
        let page = page.child(steps).child(analytics_section(ctx, id));

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
        if restored.is_some() {
            ed.say_dirty();
        }
    }

    /// The banner shown when edits from an earlier visit were restored.
    fn restored_notice(self: &Rc<Self>, overwritten: bool) -> Element {
        let mut text = "Unsaved changes from an earlier visit were restored from this browser. \
                        Save or publish to keep them."
            .to_string();
        if overwritten {
            text.push_str(
                " The tour was also changed on the server since: saving replaces that version.",
            );
        }
        let id = self.id.clone();
        el("div")
            .class("notice")
            .attr("data-test", "restored-draft")
            .child(el("p").text(&text))
            .child(
                el("button")
                    .attr("type", "button")
                    .class("button quiet")
                    .text("Discard my changes")
                    .on("click", move |_| {
                        drafts::discard(&id);
                        app::rerender();
                    }),
            )
            .build()
    }

    fn step_card(self: &Rc<Self>, index: usize, step: &Step) -> Element {
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
                s.edit(|t| {
                    if let Some(step) = t.steps.get_mut(index) {
                        step.title = v;
                    }
                });
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
                s.edit(|t| {
                    if let Some(step) = t.steps.get_mut(index) {
                        step.body = v;
                    }
                });
            });
        self.track(&format!("/steps/{index}/body"), body.as_element());

        let mut head = el("h3").attr("id", &heading_id).text(&format!("Step {n}"));
        if step.optional {
            head = head.child(el("span").class("tag").text("Optional"));
        }

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

        el("li")
            .class("step-card")
            .attr("data-step-id", &step.id)
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
                    .child(
                        el("dl")
                            .class("facts")
                            .child(el("dt").text("Element"))
                            .child(target)
                            .children(pages::fact("Moves on with", dom::text(&describe::advance(&step.advance))))
                            .children(pages::fact("Placement", dom::text(describe::placement(step.placement)))),
                    ),
            )
            .build()
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
        let mut first_invalid = None;
        for (pointer, input) in self.inputs.borrow().iter() {
            let invalid = problems.iter().any(|p| {
                p.pointer.strip_prefix("/document").unwrap_or(&p.pointer) == pointer.as_str()
            });
            if invalid {
                dom::set_attr(input, "aria-invalid", "true");
                first_invalid.get_or_insert_with(|| input.clone());
            } else {
                let _ = input.remove_attribute("aria-invalid");
            }
        }
        dom::replace(
            &self.feedback,
            el("div")
                .class("feedback-error")
                .child(el("p").text(intro))
                .child(
                    el("ul")
                        .class("problems")
                        .children(problems.iter().map(|p| {
                            el("li").text(&format!(
                                "{}: {}",
                                describe::tour_pointer(&p.pointer),
                                p.message
                            ))
                        })),
                ),
        );
        if let Some(input) = first_invalid {
            dom::focus(&input);
        }
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
        let local_note = if self.dirty() {
            " Your changes are kept in this browser."
        } else {
            ""
        };
        dom::replace(
            &self.feedback,
            el("p")
                .class("feedback-error")
                .text(&format!("{what}: {}{local_note}", err.message())),
        );
        if err.is_retryable() {
            let s = self.clone();
            let retry = el("button")
                .attr("type", "button")
                .class("button")
                .text("Retry")
                .on("click", move |_| {
                    let s = s.clone();
                    match action {
                        Action::Save => spawn_local(s.save_only()),
                        Action::Publish => spawn_local(s.publish()),
                    }
                });
            let _ = self.feedback.append_child(&retry.build());
        }
    }

    fn set_busy(&self, busy: bool) {
        self.busy.set(busy);
        dom::set_busy(&self.save_button, busy);
        dom::set_busy(&self.publish_button, busy);
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

    /// Saves, then publishes the saved draft as a new version.
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
}

/// The value of the `<input>`/`<textarea>` an event came from.
fn event_value(e: &web_sys::Event) -> String {
    e.target()
        .and_then(|t| t.dyn_into::<Element>().ok())
        .map(|t| dom::value(&t))
        .unwrap_or_default()
}

fn field(id: &str, label: &str, input: dom::El) -> dom::El {
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
