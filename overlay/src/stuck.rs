//! "Still stuck?": a short form that files a help-desk ticket carrying the employee's words, a
//! category, who is affected and how urgent it is (in their words), who they are, and where they
//! were (page, tour, step, version, whether the element was found, the steps seen, browser,
//! viewport). Before filing it suggests up to three published tours that match the words
//! (deflection): "Show me" starts one, and once it ends the form comes back asking whether it
//! solved the problem. It opens inside the step popover or the launcher panel, one at a time.

use std::cell::RefCell;
use std::rc::Rc;

use cairn_shared::api::PublishedTour;
use cairn_shared::events::EventKind;
use cairn_shared::helpdesk::{Impact, Urgency};
use cairn_shared::search::{self, Candidate};
use cairn_shared::tickets::{MAX_MESSAGE_CHARS, Viewport};
use web_sys::Element;

use crate::dom::{self, Listener};
use crate::events::{self, Subject};
use crate::{api, codec, launcher, runtime, tour};

/// At most this many tours are suggested.
const MAX_SUGGESTIONS: usize = 3;

/// Who opened the form, so that closing a step only removes its own form.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Owner {
    Tour,
    Launcher,
}

/// Where the employee was: the fields of `cairn_shared::tickets::StepContext` that the overlay
/// fills (the others are the server's), written by `codec::stuck_report`. Not `StepContext`
/// itself: the drop code of its attribute map, always empty here, cost ~900 B of wasm.
#[derive(Default)]
pub struct Context {
    pub page_url: String,
    pub tour_id: Option<String>,
    pub tour_title: Option<String>,
    pub step_id: Option<String>,
    pub step_index: Option<u32>,
    pub step_title: Option<String>,
    pub version: Option<u32>,
    pub element_found: Option<bool>,
    pub steps_seen: Vec<String>,
    pub user_agent: String,
    pub viewport: Viewport,
    pub user_id: Option<String>,
}

/// What `POST /api/v1/overlay/tickets` takes (`cairn_shared::tickets::StuckReport`), by reference.
pub struct Report<'a> {
    pub message: &'a str,
    pub context: &'a Context,
    pub category: Option<String>,
    pub impact: Impact,
    pub urgency: Urgency,
    pub deflections_offered: &'a [String],
}

/// A ticket being written: kept while the employee follows a suggested tour.
pub struct Draft {
    message: String,
    context: Context,
    /// Ids of the tours suggested so far.
    offered: Vec<String>,
    /// The suggested tour the employee chose to follow.
    followed: Option<Rc<PublishedTour>>,
}

impl Draft {
    pub fn new(context: Context) -> Draft {
        Draft {
            message: String::new(),
            context,
            offered: Vec::new(),
            followed: None,
        }
    }
}

struct Form {
    owner: Owner,
    form: Element,
    /// What the form replaces while it is open.
    hidden: Vec<Element>,
    message: Element,
    /// The category, impact and urgency fields.
    fields: Element,
    /// Where suggestions and "did it solve it?" go.
    deflect: Element,
    submit: Element,
    error: Element,
    draft: Draft,
    after_close: Rc<dyn Fn()>,
    _listeners: Vec<Listener>,
}

thread_local! {
    static FORM: &'static RefCell<Option<Form>> = Box::leak(Box::default());
    /// The draft of a form left to follow a suggested tour.
    static PENDING: &'static RefCell<Option<Draft>> = Box::leak(Box::default());
}

fn form_cell() -> &'static RefCell<Option<Form>> {
    FORM.with(|f| *f)
}

/// The part of a ticket's context that does not depend on a tour.
pub fn page_context() -> Context {
    let (width, height) = dom::viewport();
    Context {
        page_url: runtime::page_url(),
        user_agent: dom::text_prop(&dom::prop(&dom::window(), "navigator"), "userAgent"),
        viewport: Viewport {
            width: width as u32,
            height: height as u32,
        },
        user_id: runtime::get().and_then(|rt| rt.user_id()),
        ..Context::default()
    }
}

const IMPACTS: [(&str, &str); 3] = [
    ("me", "Just me"),
    ("team", "My team"),
    ("everyone", "Everyone"),
];
const URGENCIES: [(&str, &str); 3] = [
    ("can_wait", "It can wait"),
    ("slowed", "It slows me down"),
    ("blocking", "It's blocking my work"),
];

/// A fieldset of radio buttons named `name`, the first one checked.
fn radios(name: &str, legend: &str, options: &[(&str, &str)]) -> Element {
    let set = dom::el("fieldset", &[("data-cairn", name)]);
    dom::append(&set, &[&dom::text_el("legend", &[], legend)]);
    for (i, (value, text)) in options.iter().enumerate() {
        let label = dom::el("label", &[("class", "radio")]);
        let input = dom::el(
            "input",
            &[("type", "radio"), ("name", name), ("value", value)],
        );
        if i == 0 {
            dom::set_attr(&input, "checked", "");
        }
        dom::append(&label, &[&input]);
        dom::append_text(&label, text);
        dom::append(&set, &[&label]);
    }
    set
}

/// Opens an empty form (see [`open_draft`]).
pub fn open(
    owner: Owner,
    container: &Element,
    hide: Vec<Element>,
    context: Context,
    after_close: impl Fn() + 'static,
) {
    open_draft(
        owner,
        container,
        hide,
        Draft::new(context),
        Rc::new(after_close),
    );
}

/// Opens the form at the end of `container`, hiding `hide` until it closes; `after_close` runs when
/// the employee closes it (not when it is discarded along with its container). A draft whose
/// suggested tour was followed opens on "Did it solve your problem?". Not generic over
/// `after_close`, so the form is built by one copy of this function whatever the caller.
#[inline(never)]
pub fn open_draft(
    owner: Owner,
    container: &Element,
    hide: Vec<Element>,
    draft: Draft,
    after_close: Rc<dyn Fn()>,
) {
    discard_any();
    let form = dom::el(
        "form",
        &[
            ("data-cairn", "stuck-form"),
            ("novalidate", ""),
            ("aria-label", "Ask the help desk"),
        ],
    );
    let label = dom::text_el(
        "label",
        &[("for", "cairn-stuck-message")],
        "What were you trying to do?",
    );
    let message = dom::el(
        "textarea",
        &[
            ("id", "cairn-stuck-message"),
            ("data-cairn", "stuck-message"),
            ("rows", "3"),
            // The browser enforces the server's limit (UTF-16 units are never fewer than chars).
            ("maxlength", &dom::int(MAX_MESSAGE_CHARS as f64)),
            ("aria-describedby", "cairn-stuck-error"),
        ],
    );
    dom::append_text(&message, &draft.message);
    let fields = dom::el("div", &[("data-cairn", "stuck-fields")]);
    let categories = runtime::get()
        .map(|rt| rt.content().categories.clone())
        .unwrap_or_default();
    if !categories.is_empty() {
        let label = dom::text_el("label", &[("for", "cairn-stuck-category")], "Category");
        let select = dom::el(
            "select",
            &[
                ("id", "cairn-stuck-category"),
                ("data-cairn", "stuck-category"),
            ],
        );
        dom::append(
            &select,
            &[&dom::text_el("option", &[("value", "")], "Choose…")],
        );
        for c in &categories {
            dom::append(&select, &[&dom::text_el("option", &[("value", c)], c)]);
        }
        dom::append(&fields, &[&label, &select]);
    }
    dom::append(
        &fields,
        &[
            &radios("stuck-impact", "Who is affected?", &IMPACTS),
            &radios("stuck-urgency", "How urgent is it?", &URGENCIES),
        ],
    );
    let deflect = dom::el(
        "div",
        &[
            ("data-cairn", "deflection"),
            ("class", "deflect"),
            ("hidden", ""),
        ],
    );
    let error = dom::el(
        "p",
        &[
            ("id", "cairn-stuck-error"),
            ("class", "error"),
            ("data-cairn", "stuck-error"),
            ("role", "alert"),
            ("hidden", ""),
        ],
    );
    let actions = dom::el("div", &[("class", "actions")]);
    let cancel = dom::button(&[("data-cairn", "stuck-cancel")], "Cancel");
    let submit = dom::text_el(
        "button",
        &[
            ("type", "submit"),
            ("class", "primary"),
            ("data-cairn", "stuck-submit"),
        ],
        "Send to help desk",
    );
    dom::append(&actions, &[&cancel, &submit]);
    dom::append(
        &form,
        &[&label, &message, &fields, &deflect, &error, &actions],
    );
    for h in &hide {
        dom::set_hidden(h, true);
    }
    dom::append(container, &[&form]);

    let listeners = vec![
        Listener::on(&form, "submit", |e| {
            e.prevent_default();
            send();
        }),
        // One listener for every button of the form, whatever it shows at the time.
        Listener::on(&form, "click", |e| {
            let button = dom::element_prop(&e, "target")
                .and_then(|t| t.closest("button[data-cairn]").ok().flatten());
            if let Some(b) = button {
                clicked(&b);
            }
        }),
        Listener::on(&form, "keydown", |e| {
            if dom::key(&e) == "Escape" {
                // Escape closes the form only, not the tour or panel around it.
                e.stop_propagation();
                e.prevent_default();
                close();
            }
        }),
    ];
    let followed = draft.followed.clone();
    *form_cell().borrow_mut() = Some(Form {
        owner,
        form,
        hidden: hide,
        message: message.clone(),
        fields,
        deflect,
        submit,
        error,
        draft,
        after_close,
        _listeners: listeners,
    });
    match followed {
        Some(tour) => ask_solved(&tour),
        None => dom::focus(&message),
    }
}

/// Removes the form and shows what it hid. Returns its `after_close`.
fn take(owner: Option<Owner>) -> Option<(Rc<dyn Fn()>, Draft)> {
    let form = {
        let mut f = form_cell().try_borrow_mut().ok()?;
        if owner.is_some_and(|o| f.as_ref().is_some_and(|form| form.owner != o)) {
            return None;
        }
        f.take()?
    };
    form.form.remove();
    for h in &form.hidden {
        dom::set_hidden(h, false);
    }
    Some((form.after_close.clone(), form.draft))
}

/// Closes the form (Cancel, Escape, Close after filing).
pub fn close() {
    if let Some((after_close, _)) = take(None) {
        after_close();
    }
}

/// Drops `owner`'s form without a callback, when the step or panel around it goes away.
pub fn discard(owner: Owner) {
    take(Some(owner));
}

fn discard_any() {
    take(None);
}

/// Runs `f` on the open form.
fn with_form<R>(f: impl FnOnce(&mut Form) -> R) -> Option<R> {
    form_cell().try_borrow_mut().ok()?.as_mut().map(f)
}

fn show_error(error: &Element, text: &str) {
    error.set_text_content(Some(text));
    dom::set_hidden(error, false);
}

/// A button of the form was pressed.
fn clicked(button: &Element) {
    match button.get_attribute("data-cairn").as_deref() {
        Some("stuck-cancel" | "stuck-close") => close(),
        Some("deflection-decline") => decline(),
        Some("deflection-show") => {
            let id = button.get_attribute("data-tour-id").unwrap_or_default();
            let tour = runtime::get()
                .and_then(|rt| rt.content().tours.iter().find(|t| t.id == id).cloned());
            if let Some(tour) = tour {
                follow(tour);
            }
        }
        Some("deflection-solved") => {
            if let Some(tour) = with_form(|f| f.draft.followed.clone()).flatten() {
                solved_by(&tour);
            }
        }
        _ => {}
    }
}

/// The published tours on this page that match `words`, best first, leaving out the tour the
/// employee is stuck in.
fn suggestions(words: &str, current: Option<&str>) -> Vec<Rc<PublishedTour>> {
    let Some(rt) = runtime::get() else {
        return Vec::new();
    };
    let url = runtime::page_url();
    let tours: Vec<Rc<PublishedTour>> = rt
        .content()
        .tours
        .iter()
        .filter(|t| {
            !t.doc.steps.is_empty()
                && Some(t.id.as_str()) != current
                && t.doc.targeting.matches_url(&url)
        })
        .cloned()
        .collect();
    // Lower-cased by the browser, so the ranking needs no Unicode tables of its own.
    let texts: Vec<(String, String)> = tours
        .iter()
        .map(|t| {
            let mut text = t.doc.description.clone();
            for s in &t.doc.steps {
                for part in [&s.title, &s.body] {
                    text.push(' ');
                    text.push_str(part);
                }
            }
            (dom::lower(&t.doc.title), dom::lower(&text))
        })
        .collect();
    let candidates: Vec<Candidate> = tours
        .iter()
        .zip(&texts)
        .map(|(t, (title, text))| Candidate {
            id: &t.id,
            title,
            text,
        })
        .collect();
    search::rank_folded(&dom::lower(words), &candidates)
        .into_iter()
        .take(MAX_SUGGESTIONS)
        .map(|(i, _)| tours[i].clone())
        .collect()
}

/// Submit: suggests tours the first time some match, files the ticket otherwise.
fn send() {
    let Some((message, submit, error, textarea, offered, current)) = with_form(|f| {
        (
            dom::value(&f.message),
            f.submit.clone(),
            f.error.clone(),
            f.message.clone(),
            f.draft.offered.is_empty(),
            f.draft.context.tour_id.clone(),
        )
    }) else {
        return;
    };
    if submit.get_attribute("disabled").is_some() {
        return;
    }
    let message = message.trim().to_string();
    if message.is_empty() {
        show_error(&error, "Please describe what you were trying to do.");
        dom::focus(&textarea);
        return;
    }
    dom::set_hidden(&error, true);
    if offered {
        let tours = suggestions(&message, current.as_deref());
        if !tours.is_empty() {
            suggest(&tours);
            return;
        }
    }
    file(message);
}

/// "These guides may help": each suggestion with "Show me", and "No, file my ticket".
fn suggest(tours: &[Rc<PublishedTour>]) {
    let Some((fields, deflect, submit)) = with_form(|f| {
        f.draft.offered = tours.iter().map(|t| t.id.clone()).collect();
        (f.fields.clone(), f.deflect.clone(), f.submit.clone())
    }) else {
        return;
    };
    deflect.set_text_content(None);
    let intro = dom::text_el(
        "p",
        &[("id", "cairn-deflect-title")],
        "These guides may help:",
    );
    let list = dom::el(
        "ul",
        &[
            ("class", "list"),
            ("aria-labelledby", "cairn-deflect-title"),
        ],
    );
    let mut first = None;
    for t in tours {
        events::emit(
            EventKind::DeflectionOffered,
            Subject {
                content_id: &t.id,
                version: t.version,
                step: None,
            },
        );
        let li = dom::el(
            "li",
            &[("data-cairn", "deflection-tour"), ("data-tour-id", &t.id)],
        );
        let title = dom::text_el("span", &[("class", "grow")], &t.doc.title);
        let show = dom::button(
            &[
                ("data-cairn", "deflection-show"),
                ("data-tour-id", &t.id),
                ("aria-label", &dom::cat(&["Show me: ", &t.doc.title])),
            ],
            "Show me",
        );
        dom::append(&li, &[&title, &show]);
        dom::append(&list, &[&li]);
        first.get_or_insert(show);
    }
    let decline = decline_button();
    dom::append(&deflect, &[&intro, &list, &decline]);
    dom::set_hidden(&fields, true);
    dom::set_hidden(&submit, true);
    dom::set_hidden(&deflect, false);
    announce("These guides may help.");
    if let Some(first) = first {
        dom::focus(&first);
    }
}

fn announce(text: &str) {
    if let Some(rt) = runtime::get() {
        rt.announce(text);
    }
}

fn decline_button() -> Element {
    dom::button(
        &[("data-cairn", "deflection-decline")],
        "No, file my ticket",
    )
}

/// "No, file my ticket": back to the fields, to say how much it hurts and send.
fn decline() {
    let Some(fields) = with_form(|f| {
        dom::set_hidden(&f.deflect, true);
        dom::set_hidden(&f.fields, false);
        dom::set_hidden(&f.submit, false);
        f.fields.clone()
    }) else {
        return;
    };
    announce("Say who is affected and how urgent it is, then send.");
    if let Ok(Some(first)) = fields.query_selector("select,input") {
        dom::focus(&first);
    }
}

/// "Show me": keeps the draft and starts the suggested tour; the form comes back when it ends.
fn follow(tour: Rc<PublishedTour>) {
    let Some((owner, message)) = with_form(|f| (f.owner, dom::value(&f.message))) else {
        return;
    };
    let Some((_, mut draft)) = take(None) else {
        return;
    };
    if owner == Owner::Launcher {
        launcher::close(false);
    }
    draft.message = message;
    draft.followed = Some(tour.clone());
    PENDING.with(|p| *p.borrow_mut() = Some(draft));
    tour::start(&tour.id);
}

/// A tour ended: if the employee was following a suggestion, ask whether it solved the problem.
pub fn tour_ended(tour_id: &str) {
    let draft = PENDING.with(|p| {
        let mut p = p.borrow_mut();
        let follows = p
            .as_ref()
            .and_then(|d| d.followed.as_ref())
            .is_some_and(|t| t.id == tour_id);
        if follows { p.take() } else { None }
    });
    if let Some(draft) = draft {
        dom::soon(move || launcher::contact(Some(draft)));
    }
}

/// "Did this guide solve your problem?" with "This solved it" and "No, file my ticket".
fn ask_solved(tour: &Rc<PublishedTour>) {
    let Some((fields, deflect, submit)) =
        with_form(|f| (f.fields.clone(), f.deflect.clone(), f.submit.clone()))
    else {
        return;
    };
    deflect.set_text_content(None);
    let question = dom::text_el(
        "p",
        &[("data-cairn", "deflection-question")],
        &dom::cat(&["Did “", &tour.doc.title, "” solve your problem?"]),
    );
    let solved = dom::button(
        &[("class", "primary"), ("data-cairn", "deflection-solved")],
        "This solved it",
    );
    let row = dom::el("div", &[("class", "actions")]);
    dom::append(&row, &[&decline_button(), &solved]);
    dom::append(&deflect, &[&question, &row]);
    dom::set_hidden(&fields, true);
    dom::set_hidden(&submit, true);
    dom::set_hidden(&deflect, false);
    dom::focus(&solved);
}

/// A confirmed deflection: counted, and no ticket is filed.
fn solved_by(tour: &PublishedTour) {
    events::emit(
        EventKind::DeflectionAccepted,
        Subject {
            content_id: &tour.id,
            version: tour.version,
            step: None,
        },
    );
    let Some(form) = with_form(|f| f.form.clone()) else {
        return;
    };
    finished(
        &form,
        "deflection-thanks",
        "Glad it helped! No ticket was filed.",
    );
}

/// The checked radio of group `name`, as its value.
fn checked(form: &Element, name: &str) -> String {
    form.query_selector(&dom::cat(&["[name=", name, "]:checked"]))
        .ok()
        .flatten()
        .map(|e| dom::value(&e))
        .unwrap_or_default()
}

/// Files the ticket, keeping the form as it is if that fails.
fn file(message: String) {
    // The user may have been identified, or resized the window, since the form opened.
    let now = page_context();
    let Some((form, submit, error, body)) = with_form(|f| {
        let category = f
            .form
            .query_selector("select")
            .ok()
            .flatten()
            .map(|s| dom::value(&s))
            .filter(|c| !c.is_empty());
        f.draft.context.user_id = now.user_id;
        f.draft.context.viewport = now.viewport;
        let body = codec::stuck_report(&Report {
            message: &message,
            context: &f.draft.context,
            category,
            impact: Impact::parse(&checked(&f.form, "stuck-impact")).unwrap_or_default(),
            urgency: Urgency::parse(&checked(&f.form, "stuck-urgency")).unwrap_or_default(),
            deflections_offered: &f.draft.offered,
        });
        (f.form.clone(), f.submit.clone(), f.error.clone(), body)
    }) else {
        return;
    };
    if let Some(identity) = runtime::get().and_then(|rt| rt.identity.borrow().clone()) {
        let _ = js_sys::Reflect::set(&body, &"identity".into(), &identity);
    }
    dom::set_attr(&submit, "disabled", "");
    submit.set_text_content(Some("Sending…"));
    api::file_ticket(&body, move |result| {
        if !dom::is_connected(&form) {
            return;
        }
        match result {
            Ok(number) => {
                finished(
                    &form,
                    "ticket-number",
                    &dom::cat(&[
                        "Ticket #",
                        &dom::int(number as f64),
                        " filed — the help desk will get back to you.",
                    ]),
                );
                crate::my_tickets::refresh();
            }
            Err(reason) => {
                dom::remove_attr(&submit, "disabled");
                submit.set_text_content(Some("Send to help desk"));
                show_error(
                    &error,
                    &dom::cat(&[
                        "Could not file the ticket: ",
                        &reason,
                        ". Your message is kept, please try again.",
                    ]),
                );
            }
        }
    });
}

/// Replaces the form's content with `text` and a Close button.
fn finished(form: &Element, hook: &str, text: &str) {
    form.set_text_content(None);
    let done = dom::text_el(
        "p",
        &[("class", "done"), ("data-cairn", hook), ("role", "status")],
        text,
    );
    let actions = dom::el("div", &[("class", "actions")]);
    let ok = dom::button(
        &[("class", "primary"), ("data-cairn", "stuck-close")],
        "Close",
    );
    dom::append(&actions, &[&ok]);
    dom::append(form, &[&done, &actions]);
    dom::focus(&ok);
}
