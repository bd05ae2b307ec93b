//! "Still stuck?": a short form that files a help-desk ticket carrying the employee's words and where
//! they were (page, tour, step, version, whether the element was found, the steps seen, browser,
//! viewport and user). It opens inside the step popover or the launcher panel, one at a time.

use std::cell::RefCell;
use std::rc::Rc;

use cairn_shared::tickets::{MAX_MESSAGE_CHARS, StepContext, StuckReport, Viewport};
use web_sys::Element;

use crate::dom::{self, Listener};
use crate::{api, runtime};

/// Who opened the form, so that closing a step only removes its own form.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Owner {
    Tour,
    Launcher,
}

struct Form {
    owner: Owner,
    form: Element,
    /// What the form replaces while it is open.
    hidden: Vec<Element>,
    message: Element,
    submit: Element,
    error: Element,
    context: StepContext,
    after_close: Rc<dyn Fn()>,
    listeners: Vec<Listener>,
}

thread_local! {
    static FORM: &'static RefCell<Option<Form>> = Box::leak(Box::default());
}

fn form_cell() -> &'static RefCell<Option<Form>> {
    FORM.with(|f| *f)
}

/// The part of a ticket's context that does not depend on a tour.
pub fn page_context() -> StepContext {
    let (width, height) = dom::viewport();
    StepContext {
        page_url: runtime::page_url(),
        user_agent: dom::text_prop(&dom::prop(&dom::window(), "navigator"), "userAgent"),
        viewport: Viewport {
            width: width as u32,
            height: height as u32,
        },
        user_id: runtime::get().and_then(|rt| rt.user_id.borrow().clone()),
        ..StepContext::default()
    }
}

/// Opens the form at the end of `container`, hiding `hide` until it closes; `after_close` runs when
/// the employee closes it (not when it is discarded along with its container).
pub fn open(
    owner: Owner,
    container: &Element,
    hide: Vec<Element>,
    context: StepContext,
    after_close: impl Fn() + 'static,
) {
    discard_any();
    let form = dom::el("form", &[("data-cairn", "stuck-form"), ("novalidate", "")]);
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
            ("rows", "4"),
            // The browser enforces the server's limit (UTF-16 units are never fewer than chars).
            ("maxlength", &MAX_MESSAGE_CHARS.to_string()),
            ("aria-describedby", "cairn-stuck-error"),
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
    dom::append(&form, &[&label, &message, &error, &actions]);
    for h in &hide {
        dom::set_hidden(h, true);
    }
    dom::append(container, &[&form]);

    let listeners = vec![
        Listener::on(&form, "submit", |e| {
            e.prevent_default();
            send();
        }),
        Listener::on(&cancel, "click", |_| close()),
        Listener::on(&form, "keydown", |e| {
            if dom::key(&e) == "Escape" {
                // Escape closes the form only, not the tour or panel around it.
                e.stop_propagation();
                e.prevent_default();
                close();
            }
        }),
    ];
    dom::focus(&message);
    *form_cell().borrow_mut() = Some(Form {
        owner,
        form,
        hidden: hide,
        message,
        submit,
        error,
        context,
        after_close: Rc::new(after_close),
        listeners,
    });
}

/// Removes the form and shows what it hid. Returns its `after_close`.
fn take(owner: Option<Owner>) -> Option<Rc<dyn Fn()>> {
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
    Some(form.after_close.clone())
}

/// Closes the form (Cancel, Escape, Close after filing).
pub fn close() {
    if let Some(after_close) = take(None) {
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

fn show_error(error: &Element, text: &str) {
    error.set_text_content(Some(text));
    dom::set_hidden(error, false);
}

/// Files the ticket, keeping the typed text if that fails.
fn send() {
    let Some((message, mut context, submit, error, textarea, form)) =
        form_cell().try_borrow().ok().and_then(|f| {
            let f = f.as_ref()?;
            Some((
                dom::value(&f.message),
                f.context.clone(),
                f.submit.clone(),
                f.error.clone(),
                f.message.clone(),
                f.form.clone(),
            ))
        })
    else {
        return;
    };
    if submit.has_attribute("disabled") {
        return;
    }
    let message = message.trim().to_string();
    if message.is_empty() {
        show_error(&error, "Please describe what you were trying to do.");
        dom::focus(&textarea);
        return;
    }
    // The user may have been identified since the form opened.
    let now = page_context();
    context.user_id = now.user_id;
    context.viewport = now.viewport;
    dom::set_attr(&submit, "disabled", "");
    submit.set_text_content(Some("Sending…"));
    dom::set_hidden(&error, true);
    let report = StuckReport {
        message,
        context,
        category: None,
        impact: Default::default(),
        urgency: Default::default(),
        identity: None,
        deflections_offered: Vec::new(),
    };
    api::file_ticket(&report, move |result| {
        if !dom::is_connected(&form) {
            return;
        }
        match result {
            Ok(number) => show_filed(&form, number),
            Err(reason) => {
                dom::remove_attr(&submit, "disabled");
                submit.set_text_content(Some("Send to help desk"));
                show_error(
                    &error,
                    &format!(
                        "Could not file the ticket: {reason}. Your message is kept, please try again."
                    ),
                );
            }
        }
    });
}

/// Replaces the form's fields with the ticket number.
fn show_filed(form: &Element, number: i64) {
    form.set_text_content(None);
    let done = dom::text_el(
        "p",
        &[
            ("class", "done"),
            ("data-cairn", "ticket-number"),
            ("role", "status"),
        ],
        &format!("Ticket #{number} filed — the help desk will get back to you."),
    );
    let actions = dom::el("div", &[("class", "actions")]);
    let ok = dom::button(
        &[("class", "primary"), ("data-cairn", "stuck-close")],
        "Close",
    );
    dom::append(&actions, &[&ok]);
    dom::append(form, &[&done, &actions]);
    let listener = Listener::on(&ok, "click", |_| close());
    if let Ok(mut f) = form_cell().try_borrow_mut()
        && let Some(f) = f.as_mut()
    {
        f.listeners.push(listener);
    }
    dom::focus(&ok);
}
