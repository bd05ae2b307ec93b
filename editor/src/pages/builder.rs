//! What the tooltip and checklist builders share: the list page (title, state badge, last change,
//! a "New …" form) and the builder's frame: loading and error states, the toolbar with the
//! draft/published state always visible, Save draft, Publish with a message (Retry on failures),
//! problems shown next to their fields, the targeting section, and every edit kept in local
//! storage until the server has it ([`crate::drafts::LocalCopy`]). Each kind supplies its own
//! fields.

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
use crate::dom::{self, el};
use crate::drafts::{self, LocalCopy};
use crate::pages::tour::{button, event_value, field};
use crate::pages::{self, Ctx, targeting, tours};
use crate::router::{self, Route};

/// A kind of document with a builder.
pub trait Doc: Clone + PartialEq + Serialize + DeserializeOwned + 'static {
    /// `GET /{kind}/{id}`'s answer.
    type Detail: DeserializeOwned + 'static;
    /// The API's plural, also the local drafts' key: `tooltips`, `checklists`.
    const KIND: &'static str;
    /// "tooltip", "checklist".
    const NOUN: &'static str;

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
        || api::documents(D::KIND),
        move |slot, mut docs: Vec<DocumentSummary>| {
            if docs.is_empty() {
                let _ = slot.append_child(
                    &el("p")
                        .class("empty")
                        .text(&format!("No {}s yet. Create one above.", D::NOUN))
                        .build(),
                );
                return;
            }
            docs.sort_by_key(|d| std::cmp::Reverse(d.updated_at));
            let table =
                el("table")
                    .class("list")
                    .attr("data-test", &format!("{}-list", D::KIND))
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
    let title_id = format!("new-{}-title", D::NOUN);
    let app_id = format!("new-{}-app", D::NOUN);
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
        .attr("data-test", &format!("new-{}-status", D::NOUN))
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
        .attr("data-test", &format!("new-{}", D::NOUN))
        .attr("aria-label", &format!("New {}", D::NOUN))
        .child(field(&title_id, "Title", el("span").child(&title)))
        .child(field(&app_id, "Application", el("span").child(&app)))
        .child(
            el("button")
                .attr("type", "submit")
                .class("button primary")
                .attr("data-test", &format!("create-{}", D::NOUN))
                .text(&format!("Create {}", D::NOUN)),
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
                match api::create_document::<_, D::Detail>(D::KIND, &body).await {
                    Ok(detail) => router::go(&D::route(D::split(detail).0.id)),
                    Err(e) if e.is_unauthorized() => app::signed_out(),
                    Err(e) => s.set_text_content(Some(&format!("Not created: {}", e.message()))),
                }
            });
        })
        .build()
}

/// Which action a Retry button repeats.
#[derive(Clone, Copy)]
enum Action {
    Save,
    Publish,
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
    heading: Element,
    badge: Element,
    meta: Element,
    pub feedback: Element,
    save_button: Element,
    publish_button: Element,
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
    dom::set_title(D::NOUN);
    let heading = pages::heading(D::NOUN);
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
            async move { api::document::<D::Detail>(D::KIND, &id).await }
        },
        move |slot, detail: D::Detail| {
            Builder::mount(&page_ctx, slot, &heading, &id, detail, fields);
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
        fields: fn(&Rc<Builder<D>>) -> Element,
    ) {
        let (summary, draft) = D::split(detail);
        let (doc, restored) = match drafts::load_doc::<D>(D::KIND, id) {
            Some(local) if local.doc != draft => {
                let overwritten = local.base_updated_at != summary.updated_at;
                (local.doc, Some(overwritten))
            }
            Some(_) => {
                drafts::discard_doc(D::KIND, id);
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
        let toolbar = toolbar(
            &[&b.badge, &b.meta],
            &b.note,
            &[&b.save_button, &b.publish_button],
            &b.feedback,
        );
        let mut page = el("div")
            .class("tour-editor")
            .attr("data-test", &format!("{}-builder", D::NOUN))
            .child(toolbar);
        if let Some(overwritten) = restored {
            let id = b.id.clone();
            page = page.child(restored_notice(overwritten, move || {
                drafts::discard_doc(D::KIND, &id)
            }));
        }
        let s = b.clone();
        let title_id = format!("{}-title", D::NOUN);
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
        let page = page
            .child(field(&title_id, "Title", title).class("field tour-title"))
            .child(fields(&b))
            .child(targeting::section(b.clone()));
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
        if restored.is_some() {
            b.say(
                "Unsaved changes, kept in this browser until you save.",
                false,
            );
        }
    }

    /// A copy of the document as it is now.
    pub fn doc(&self) -> D {
        self.doc.borrow().clone()
    }

    /// Applies an edit and keeps it in local storage at once.
    pub fn edit(&self, change: impl FnOnce(&mut D)) {
        change(&mut self.doc.borrow_mut());
        self.revision.set(self.revision.get() + 1);
        let title = self.doc.borrow().title().to_string();
        self.heading.set_text_content(Some(&title));
        let copy = LocalCopy {
            base_updated_at: self.summary.borrow().updated_at,
            doc: self.doc(),
        };
        if drafts::store_doc(D::KIND, &self.id, &copy) {
            // Said once, not re-announced per keystroke.
            let unsaved = "Unsaved changes, kept in this browser until you save.";
            if self.feedback.text_content().as_deref() != Some(unsaved) {
                self.say(unsaved, false);
            }
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

    fn show_summary(&self) {
        let s = self.summary.borrow();
        let title = self.doc.borrow().title().to_string();
        self.heading.set_text_content(Some(&title));
        dom::set_title(&title);
        tours::update_badge(&self.badge, s.published_version, s.has_unpublished_changes);
        dom::clear(&self.meta);
        let _ = self.meta.append_child(&dom::text("Draft saved "));
        let _ = self.meta.append_child(&pages::time(s.updated_at));
    }

    /// Typed edits the server does not have yet.
    pub fn dirty(&self) -> bool {
        self.revision.get() != self.saved_revision.get()
    }

    /// Puts a message in the status region (`error` styles it as one).
    pub fn say(&self, message: &str, error: bool) {
        let class = if error {
            "feedback-error"
        } else {
            "feedback-ok"
        };
        dom::replace(&self.feedback, el("p").class(class).text(message));
    }

    fn show_problems(&self, intro: &str, problems: &[DocumentError]) {
        show_problems(
            &self.feedback,
            &self.inputs.borrow(),
            intro,
            problems,
            describe_pointer,
        );
    }

    fn fail(self: &Rc<Self>, what: &str, err: &ApiError, action: Action) {
        let s = self.clone();
        show_failure(&self.feedback, what, err, self.dirty(), move || {
            let s = s.clone();
            match action {
                Action::Save => spawn_local(s.save_only()),
                Action::Publish => spawn_local(s.publish()),
            }
        });
    }

    fn set_busy(&self, busy: bool) {
        self.busy.set(busy);
        dom::set_busy(&self.save_button, busy);
        dom::set_busy(&self.publish_button, busy);
    }

    async fn save_only(self: Rc<Self>) {
        if self.save().await {
            self.say("Draft saved.", false);
        }
    }

    /// Sends the whole draft; true when the server has it.
    async fn save(self: &Rc<Self>) -> bool {
        if self.busy.get() {
            return false;
        }
        let snapshot = self.doc();
        let problems = snapshot.validate();
        if !problems.is_empty() {
            self.show_problems("Fix these before saving:", &problems);
            return false;
        }
        self.set_busy(true);
        self.say("Saving…", false);
        let revision = self.revision.get();
        let result = api::save_document::<D, D::Detail>(D::KIND, &self.id, &snapshot).await;
        self.set_busy(false);
        match result {
            Ok(detail) => {
                let (summary, _) = D::split(detail);
                self.saved_revision.set(revision);
                if self.dirty() {
                    let copy = LocalCopy {
                        base_updated_at: summary.updated_at,
                        doc: self.doc(),
                    };
                    drafts::store_doc(D::KIND, &self.id, &copy);
                } else {
                    drafts::discard_doc(D::KIND, &self.id);
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
        let result = api::publish_document(D::KIND, &self.id, &message).await;
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
            Err(e) => self.fail("Could not publish", &e, Action::Publish),
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

/// The builders' toolbar: the state (badge, last save, `links`), the publish message and the
/// `actions` buttons, and the status region. Shared with the tour builder.
pub(crate) fn toolbar(
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
/// Shared with the tour builder.
pub(crate) fn restored_notice(overwritten: bool, discard: impl Fn() + 'static) -> Element {
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
/// and moves focus to the first of them. Shared with the tour builder.
pub(crate) fn show_problems(
    feedback: &Element,
    inputs: &[(String, Element)],
    intro: &str,
    problems: &[DocumentError],
    describe: fn(&str) -> String,
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
                el("ul").class("problems").children(
                    problems.iter().map(|p| {
                        el("li").text(&format!("{}: {}", describe(&p.pointer), p.message))
                    }),
                ),
            ),
    );
    if let Some(input) = first_invalid {
        dom::focus(&input);
    }
}

/// An error in `feedback`, with a Retry button running `retry` when trying again may help.
/// Shared with the tour builder.
pub(crate) fn show_failure(
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

/// `/items/2/title` → "Item 3, title"; `/target/strategies` → "Target, strategies".
pub fn describe_pointer(pointer: &str) -> String {
    let pointer = pointer.strip_prefix("/document").unwrap_or(pointer);
    let mut words = Vec::new();
    let mut parts = pointer.split('/').filter(|p| !p.is_empty()).peekable();
    while let Some(p) = parts.next() {
        let name = p.replace('_', " ");
        match parts.peek().and_then(|n| n.parse::<usize>().ok()) {
            Some(i) => {
                parts.next();
                words.push(format!("{} {}", singular(&name), i + 1));
            }
            None => words.push(name),
        }
    }
    let text = words.join(", ");
    let mut chars = text.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => "The document".to_string(),
    }
}

fn singular(name: &str) -> &str {
    name.strip_suffix('s').unwrap_or(name)
}

#[cfg(test)]
mod tests {
    use super::describe_pointer;

    #[test]
    fn pointers_read_as_words() {
        assert_eq!(describe_pointer("/items/2/title"), "Item 3, title");
        assert_eq!(
            describe_pointer("/document/items/0/action/tour_id"),
            "Item 1, action, tour id"
        );
        assert_eq!(describe_pointer("/target/strategies"), "Target, strategies");
        assert_eq!(describe_pointer(""), "The document");
    }
}
