//! What the tour, tooltip and checklist builders share: the list page of tooltips and checklists
//! (title, state badge, last change, a "New …" form) and every builder's frame: loading and error
//! states, the toolbar with the draft/published state always visible and a link to the version
//! history, Save draft (also Ctrl+S), Publish with a message (Retry on failures), problems shown
//! next to their fields, the targeting section, and every edit kept in local storage until the
//! server has it ([`crate::drafts`]). Each kind supplies its own fields ([`Parts`]).

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use cairn_shared::api::DocumentSummary;
use cairn_shared::content::DocumentError;
use cairn_shared::targeting::Targeting;
use serde::Serialize;
use serde::de::DeserializeOwned;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::spawn_local;
use web_sys::{Element, KeyboardEvent};

use crate::api::{self, ApiError};
use crate::app;
use crate::describe;
use crate::dom::{self, el};
use crate::drafts::{self, LocalCopy};
use crate::pages::tour::{button, event_value, field};
use crate::pages::{self, Ctx, targeting, tours};
use crate::router::{self, Kind, Route};

/// A kind of document with a builder.
pub trait Doc: Clone + PartialEq + Serialize + DeserializeOwned + 'static {
    /// `GET /{kind}/{id}`'s answer.
    type Detail: DeserializeOwned + 'static;
    /// Which kind: the API's plural, the local drafts' key, the nouns on screen.
    const KIND: Kind;
    /// The title field's label.
    const TITLE_LABEL: &'static str = "Title";

    /// A new document with this title, as the "New …" form creates it.
    fn new_doc(title: String) -> Self;
    fn split(detail: Self::Detail) -> (DocumentSummary, Self);
    fn title(&self) -> &str;
    fn set_title(&mut self, title: String);
    fn validate(&self) -> Vec<DocumentError>;
    fn targeting_mut(&mut self) -> &mut Targeting;
    fn targeting(&self) -> &Targeting;
    fn list_route() -> Route;
    fn route(id: String) -> Route;
    /// The toolbar's words before the last save's time.
    fn saved_words(&self) -> String {
        "Draft saved ".to_string()
    }
}

/// `{app_id, document}` of `POST /{kind}`.
#[derive(Serialize)]
struct NewDoc<'a, D> {
    app_id: &'a str,
    document: &'a D,
}

/// The list page of a kind: heading, lead, the "New …" form and the table.
pub fn list_page<D: Doc>(ctx: &Ctx, heading: &str, lead: &str) {
    dom::set_title(heading);
    ctx.append(pages::heading(heading));
    ctx.append(el("p").class("lead").text(lead));
    ctx.append(new_form::<D>());
    let slot = el("div").build();
    ctx.append(&slot);
    let heading = heading.to_string();
    pages::load(
        ctx,
        &slot,
        || api::documents(D::KIND.plural()),
        move |slot, mut docs: Vec<DocumentSummary>| {
            if docs.is_empty() {
                let _ = slot.append_child(
                    &el("p")
                        .class("empty")
                        .text(&format!("No {}s yet. Create one above.", D::KIND.noun()))
                        .build(),
                );
                return;
            }
            docs.sort_by_key(|d| std::cmp::Reverse(d.updated_at));
            let table =
                el("table")
                    .class("list")
                    .attr("data-test", &format!("{}-list", D::KIND.plural()))
                    .child(
                        el("thead").child(
                            el("tr")
                                .child(el("th").attr("scope", "col").text("Title"))
                                .child(el("th").attr("scope", "col").text("State"))
                                .child(el("th").attr("scope", "col").text("Changed")),
                        ),
                    )
                    .child(el("tbody").children(docs.iter().map(|d| {
                        el("tr")
                            .attr("data-test", "doc-row")
                            .child(
                                el("td").child(
                                    el("a")
                                        .attr("href", &D::route(d.id.clone()).href())
                                        .text(&d.title),
                                ),
                            )
                            .child(el("td").child(tours::badge(
                                d.published_version,
                                d.has_unpublished_changes,
                            )))
                            .child(el("td").child(pages::time(d.updated_at)))
                    })));
            let _ = slot.append_child(&pages::table_wrap(&heading, table));
        },
    );
}

/// "New …": a title and an application; the builder opens on the new draft.
fn new_form<D: Doc>() -> Element {
    let title_id = format!("new-{}-title", D::KIND.noun());
    let app_id = format!("new-{}-app", D::KIND.noun());
    let title = el("input")
        .attr("id", &title_id)
        .attr("data-test", &title_id)
        .attr("required", "")
        .attr("autocomplete", "off")
        .build();
    let app = el("select")
        .attr("id", &app_id)
        .attr("data-test", &app_id)
        .build();
    let status = el("p")
        .class("feedback")
        .attr("role", "status")
        .attr("data-test", &format!("new-{}-status", D::KIND.noun()))
        .build();
    {
        let (app, status) = (app.clone(), status.clone());
        spawn_local(async move {
            match api::apps().await {
                Ok(apps) => {
                    for a in apps {
                        let _ = app
                            .append_child(&el("option").attr("value", &a.id).text(&a.name).build());
                    }
                }
                Err(e) => status.set_text_content(Some(&format!(
                    "The applications could not be loaded: {}",
                    e.message()
                ))),
            }
        });
    }
    let (t, a, s) = (title.clone(), app.clone(), status.clone());
    el("form")
        .class("new-form")
        .attr("data-test", &format!("new-{}", D::KIND.noun()))
        .attr("aria-label", &format!("New {}", D::KIND.noun()))
        .child(field(&title_id, "Title", el("span").child(&title)))
        .child(field(&app_id, "Application", el("span").child(&app)))
        .child(
            el("button")
                .attr("type", "submit")
                .class("button primary")
                .attr("data-test", &format!("create-{}", D::KIND.noun()))
                .text(&format!("Create {}", D::KIND.noun())),
        )
        .child(&status)
        .on("submit", move |e| {
            e.prevent_default();
            let name = dom::value(&t).trim().to_string();
            let app_id = dom::value(&a);
            if name.is_empty() {
                s.set_text_content(Some("Type a title first."));
                dom::focus(&t);
                return;
            }
            let s = s.clone();
            s.set_text_content(Some("Creating…"));
            spawn_local(async move {
                let doc = D::new_doc(name);
                let body = NewDoc {
                    app_id: &app_id,
                    document: &doc,
                };
                match api::create_document::<_, D::Detail>(D::KIND.plural(), &body).await {
                    Ok(detail) => router::go(&D::route(D::split(detail).0.id)),
                    Err(e) if e.is_unauthorized() => app::signed_out(),
                    Err(e) => s.set_text_content(Some(&format!("Not created: {}", e.message()))),
                }
            });
        })
        .build()
}

/// What the status region is saying, so typing does not re-announce "Unsaved changes" per key.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Said {
    Nothing,
    Dirty,
    Other,
}

/// What a kind adds to the builder's frame.
pub struct Parts {
    /// Links beside the state in the toolbar, after "Version history".
    pub links: Vec<Element>,
    /// Buttons between Save draft and Publish, busy with them.
    pub actions: Vec<Element>,
    /// Buttons after Publish.
    pub tools: Vec<Element>,
    /// The kind's own fields, between the title and the targeting.
    pub fields: Element,
    /// Sections after the targeting.
    pub after: Vec<Element>,
    /// Runs once the page is in the document (to draw what moves focus, for instance).
    pub mounted: Option<Box<dyn FnOnce()>>,
}

impl Parts {
    /// Only the kind's own fields.
    pub fn fields(fields: Element) -> Parts {
        Parts {
            links: Vec::new(),
            actions: Vec::new(),
            tools: Vec::new(),
            fields,
            after: Vec::new(),
            mounted: None,
        }
    }
}

/// The document being edited and the parts of the page that change.
pub struct Builder<D: Doc> {
    ctx: Ctx,
    pub id: String,
    doc: RefCell<D>,
    summary: RefCell<DocumentSummary>,
    /// Bumped by every edit; a save clears the local copy only if nothing was typed meanwhile.
    revision: Cell<u64>,
    saved_revision: Cell<u64>,
    busy: Cell<bool>,
    said: Cell<Said>,
    heading: Element,
    badge: Element,
    meta: Element,
    pub feedback: Element,
    save_button: Element,
    publish_button: Element,
    /// The kind's buttons that wait with Save and Publish.
    actions: RefCell<Vec<Element>>,
    note: Element,
    /// The inputs by the JSON pointer of what they edit, to mark the ones a problem is about.
    inputs: RefCell<Vec<(String, Element)>>,
}

/// The builder page of one document: `fields` draws the kind's own fields.
pub fn render<D: Doc>(
    ctx: &Ctx,
    id: String,
    back: &'static str,
    fields: fn(&Rc<Builder<D>>) -> Element,
) {
    render_with(ctx, id, back, move |b| Parts::fields(fields(b)));
}

/// The builder page of one document: `parts` draws what the kind adds to the frame.
pub fn render_with<D: Doc>(
    ctx: &Ctx,
    id: String,
    back: &'static str,
    parts: impl Fn(&Rc<Builder<D>>) -> Parts + 'static,
) {
    let noun = D::KIND.noun();
    dom::set_title(noun);
    let mut chars = noun.chars();
    let capital: String = chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default();
    let heading = pages::heading(&capital);
    ctx.append(pages::back_link(D::list_route(), back));
    ctx.append(&heading);
    let slot = el("div").build();
    ctx.append(&slot);
    let (fetch_id, page_ctx) = (id.clone(), ctx.clone());
    pages::load(
        ctx,
        &slot,
        move || {
            let id = fetch_id.clone();
            async move { api::document::<D::Detail>(D::KIND.plural(), &id).await }
        },
        move |slot, detail: D::Detail| {
            Builder::mount(&page_ctx, slot, &heading, &id, detail, &parts);
        },
    );
}

impl<D: Doc> Builder<D> {
    fn mount(
        ctx: &Ctx,
        slot: &Element,
        heading: &Element,
        id: &str,
        detail: D::Detail,
        parts: &dyn Fn(&Rc<Builder<D>>) -> Parts,
    ) {
        let (summary, draft) = D::split(detail);
        let (doc, restored) = match drafts::load::<D>(D::KIND, id) {
            Some(local) if local.doc != draft => {
                let overwritten = local.base_updated_at != summary.updated_at;
                (local.doc, Some(overwritten))
            }
            Some(_) => {
                drafts::discard(D::KIND, id); // Identical to the server's: nothing unsaved.
                (draft, None)
            }
            None => (draft, None),
        };
        let b = Rc::new(Builder {
            ctx: ctx.clone(),
            id: id.to_string(),
            doc: RefCell::new(doc),
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
            actions: RefCell::new(Vec::new()),
            note: el("input")
                .attr("id", "publish-note")
                .attr("type", "text")
                .attr("data-test", "publish-note")
                .attr("autocomplete", "off")
                .attr("placeholder", "What changed?")
                .build(),
            inputs: RefCell::new(Vec::new()),
        });
        dom::set_attr(&b.badge, "data-test", "status");
        b.show_summary();
        let s = b.clone();
        dom::on(&b.save_button, "click", move |_| {
            spawn_local(s.clone().save_only())
        });
        let s = b.clone();
        dom::on(&b.publish_button, "click", move |_| {
            spawn_local(s.clone().publish())
        });

        let s = b.clone();
        let title_id = format!("{}-title", D::KIND.noun());
        let title = el("input")
            .attr("id", &title_id)
            .attr("type", "text")
            .attr("data-test", &title_id)
            .attr("value", b.doc.borrow().title())
            .on_value(move |e| {
                let v = event_value(&e);
                s.edit(|d| d.set_title(v));
            });
        b.track("/title", title.as_element());
        let Parts {
            links,
            actions,
            tools,
            fields,
            after,
            mounted,
        } = parts(&b);
        b.actions.borrow_mut().extend(actions.iter().cloned());

        let history = el("a")
            .attr("href", &Route::Versions(D::KIND, b.id.clone()).href())
            .attr("data-test", "version-history")
            .text("Version history")
            .build();
        let status: Vec<&Element> = [&b.badge, &b.meta, &history]
            .into_iter()
            .chain(&links)
            .collect();
        let buttons: Vec<&Element> = std::iter::once(&b.save_button)
            .chain(&actions)
            .chain(std::iter::once(&b.publish_button))
            .chain(&tools)
            .collect();
        let toolbar = toolbar(&status, &b.note, &buttons, &b.feedback);
        let mut page = el("div")
            .class("tour-editor")
            .attr("data-test", &format!("{}-builder", D::KIND.noun()))
            .child(toolbar);
        if let Some(overwritten) = restored {
            let id = b.id.clone();
            page = page.child(restored_notice(overwritten, move || {
                drafts::discard(D::KIND, &id)
            }));
        }
        let page = page
            .child(field(&title_id, D::TITLE_LABEL, title).class("field tour-title"))
            .child(fields)
            .child(targeting::section(b.clone()))
            .children(after.iter());
        // Ctrl+S / Cmd+S saves instead of offering to save the web page.
        let s = b.clone();
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
        if let Some(mounted) = mounted {
            mounted();
        }
        if restored.is_some() {
            b.say_dirty();
        }
    }

    /// A copy of the document as it is now.
    pub fn doc(&self) -> D {
        self.doc.borrow().clone()
    }

    /// Reads the document as it is now, without copying it.
    pub fn with_doc<R>(&self, read: impl FnOnce(&D) -> R) -> R {
        read(&self.doc.borrow())
    }

    /// Applies an edit, keeps it in local storage at once and says there are unsaved changes.
    pub fn edit(&self, change: impl FnOnce(&mut D)) {
        change(&mut self.doc.borrow_mut());
        self.revision.set(self.revision.get() + 1);
        let title = self.doc.borrow().title().to_string();
        self.heading.set_text_content(Some(&title));
        dom::set_title(&title);
        let copy = LocalCopy {
            base_updated_at: self.summary.borrow().updated_at,
            doc: self.doc(),
        };
        if drafts::store(D::KIND, &self.id, &copy) {
            self.say_dirty();
        } else {
            self.say(
                "This browser refused to keep a local copy: save soon.",
                false,
            );
        }
    }

    /// Remembers which input edits the value at `pointer`.
    pub fn track(&self, pointer: &str, input: &Element) {
        self.inputs
            .borrow_mut()
            .push((pointer.to_string(), input.clone()));
    }

    /// Forgets the inputs under `prefix` (their part of the page is being redrawn).
    pub fn untrack(&self, prefix: &str) {
        self.inputs
            .borrow_mut()
            .retain(|(p, _)| !p.starts_with(prefix));
    }

    /// Redraws the title, the state badge and the last save's time.
    pub fn show_summary(&self) {
        let s = self.summary.borrow();
        let (title, words) = self.with_doc(|d| (d.title().to_string(), d.saved_words()));
        self.heading.set_text_content(Some(&title));
        dom::set_title(&title);
        tours::update_badge(&self.badge, s.published_version, s.has_unpublished_changes);
        dom::clear(&self.meta);
        let _ = self.meta.append_child(&dom::text(&words));
        let _ = self.meta.append_child(&pages::time(s.updated_at));
    }

    /// False once the agent has left this page.
    pub fn is_current(&self) -> bool {
        self.ctx.is_current()
    }

    /// Typed edits the server does not have yet.
    pub fn dirty(&self) -> bool {
        self.revision.get() != self.saved_revision.get()
    }

    /// Whether a save, publish or one of the kind's actions is under way.
    pub fn busy(&self) -> bool {
        self.busy.get()
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
    pub fn say(&self, message: &str, error: bool) {
        let class = if error {
            "feedback-error"
        } else {
            "feedback-ok"
        };
        self.show(el("p").class(class).text(message));
    }

    /// Puts `content` in the status region.
    pub fn show(&self, content: dom::El) {
        self.said.set(Said::Other);
        dom::replace(&self.feedback, content);
    }

    fn show_problems(&self, intro: &str, problems: &[DocumentError]) {
        self.said.set(Said::Other);
        show_problems(
            &self.feedback,
            &self.inputs.borrow(),
            intro,
            problems,
            D::KIND,
        );
    }

    /// An error in the status region, with a Retry button running `retry` when it may help.
    pub fn fail(&self, what: &str, err: &ApiError, retry: impl Fn() + 'static) {
        self.said.set(Said::Other);
        show_failure(&self.feedback, what, err, self.dirty(), retry);
    }

    /// Marks Save, Publish and the kind's actions busy (or not).
    pub fn set_busy(&self, busy: bool) {
        self.busy.set(busy);
        dom::set_busy(&self.save_button, busy);
        dom::set_busy(&self.publish_button, busy);
        for action in self.actions.borrow().iter() {
            dom::set_busy(action, busy);
        }
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
    pub async fn save(self: &Rc<Self>) -> bool {
        if self.busy.get() {
            return false;
        }
        let snapshot = self.doc();
        // The server would refuse these anyway; saying so at once, next to the fields, is kinder.
        let problems = snapshot.validate();
        if !problems.is_empty() {
            self.show_problems("Fix these before saving:", &problems);
            return false;
        }
        self.set_busy(true);
        self.say("Saving…", false);
        let revision = self.revision.get();
        let result =
            api::save_document::<D, D::Detail>(D::KIND.plural(), &self.id, &snapshot).await;
        self.set_busy(false);
        match result {
            Ok(detail) => {
                // Done even if the agent has left the page: the local copy is no longer needed.
                let (summary, _) = D::split(detail);
                self.saved_revision.set(revision);
                if self.dirty() {
                    // Keep later edits, now relative to the version just saved.
                    let copy = LocalCopy {
                        base_updated_at: summary.updated_at,
                        doc: self.doc(),
                    };
                    drafts::store(D::KIND, &self.id, &copy);
                } else {
                    drafts::discard(D::KIND, &self.id);
                }
                *self.summary.borrow_mut() = summary;
                if self.ctx.is_current() {
                    for (_, input) in self.inputs.borrow().iter() {
                        let _ = input.remove_attribute("aria-invalid");
                    }
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
                    let s = self.clone();
                    self.fail("Could not save the draft", &e, move || {
                        spawn_local(s.clone().save_only())
                    });
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
        let result = api::publish_document(D::KIND.plural(), &self.id, &message).await;
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
            Err(ApiError::Status { problems, .. }) if !problems.is_empty() => {
                self.show_problems("Not published yet:", &problems)
            }
            Err(e) => {
                let s = self.clone();
                self.fail("Could not publish", &e, move || {
                    spawn_local(s.clone().publish())
                });
            }
        }
    }
}

impl<D: Doc> targeting::Host for Builder<D> {
    fn targeting(&self) -> Targeting {
        self.doc.borrow().targeting().clone()
    }
    fn edit_targeting(&self, change: &mut dyn FnMut(&mut Targeting)) {
        self.edit(|d| change(d.targeting_mut()));
    }
    fn track(&self, pointer: &str, input: &Element) {
        Builder::track(self, pointer, input);
    }
}

/// The builders' toolbar: the state (badge, last save, links), the publish message and the
/// `actions` buttons, and the status region.
fn toolbar(
    status: &[&Element],
    note: &Element,
    actions: &[&Element],
    feedback: &Element,
) -> Element {
    el("div")
        .class("toolbar")
        .attr("role", "region")
        .attr("aria-label", "Draft and publishing")
        .child(
            el("div")
                .class("toolbar-status")
                .children(status.iter().copied()),
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
                                .text("Publish message"),
                        )
                        .child(note),
                )
                .children(actions.iter().copied()),
        )
        .child(feedback)
        .build()
}

/// The banner shown when edits from an earlier visit were restored; `discard` forgets them.
fn restored_notice(overwritten: bool, discard: impl Fn() + 'static) -> Element {
    let mut text = "Unsaved changes from an earlier visit were restored from this browser. \
                    Save or publish to keep them."
        .to_string();
    if overwritten {
        text.push_str(" It was also changed on the server since: saving replaces that version.");
    }
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
                    discard();
                    app::rerender();
                }),
        )
        .build()
}

/// Lists the problems in `feedback`, marks the inputs (by JSON pointer) they are about as invalid
/// and moves focus to the first of them.
fn show_problems(
    feedback: &Element,
    inputs: &[(String, Element)],
    intro: &str,
    problems: &[DocumentError],
    kind: Kind,
) {
    let mut first_invalid = None;
    for (pointer, input) in inputs {
        let invalid = problems.iter().any(|p| {
            let at = p.pointer.strip_prefix("/document").unwrap_or(&p.pointer);
            at == pointer.as_str() || at.starts_with(&format!("{pointer}/"))
        });
        if invalid {
            dom::set_attr(input, "aria-invalid", "true");
            first_invalid.get_or_insert_with(|| input.clone());
        } else {
            let _ = input.remove_attribute("aria-invalid");
        }
    }
    dom::replace(
        feedback,
        el("div")
            .class("feedback-error")
            .child(el("p").text(intro))
            .child(
                el("ul")
                    .class("problems")
                    .children(problems.iter().map(|p| {
                        el("li").text(&format!(
                            "{}: {}",
                            describe::pointer(kind, &p.pointer),
                            p.message
                        ))
                    })),
            ),
    );
    if let Some(input) = first_invalid {
        dom::focus(&input);
    }
}

/// An error in `feedback`, with a Retry button running `retry` when trying again may help.
fn show_failure(
    feedback: &Element,
    what: &str,
    err: &ApiError,
    unsaved: bool,
    retry: impl Fn() + 'static,
) {
    let local_note = if unsaved {
        " Your changes are kept in this browser."
    } else {
        ""
    };
    dom::replace(
        feedback,
        el("p")
            .class("feedback-error")
            .text(&format!("{what}: {}{local_note}", err.message())),
    );
    if err.is_retryable() {
        let retry = el("button")
            .attr("type", "button")
            .class("button")
            .attr("data-test", "retry")
            .text("Retry")
            .on("click", move |_| retry());
        let _ = feedback.append_child(&retry.build());
    }
}
