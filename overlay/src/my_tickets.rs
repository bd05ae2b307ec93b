//! "My tickets" in the launcher: the employee's own tickets with their status and the help desk's
//! public replies. Personal data, so the server answers only for an identity verified with its hash;
//! without one the section explains why it is empty. Fetched at start-up (when identified) and each
//! time the launcher opens, never polled. A reply newer than the last one the employee saw (kept in
//! localStorage) puts a badge on the launcher button.

use std::cell::{Cell, RefCell};

use cairn_shared::markdown::is_safe_href;
use cairn_shared::tickets::MyTicket;
use wasm_bindgen::JsValue;
use web_sys::Element;

use crate::storage::{self, Store};
use crate::{api, codec, dom, launcher, markdown, runtime};

/// What the last fetch brought.
enum Known {
    Loading,
    Tickets(Vec<MyTicket>),
    /// The server refused the identity (403): not verified.
    Unverified,
    Unreachable,
}

struct State {
    known: RefCell<Known>,
    in_flight: Cell<bool>,
    /// The section of the open launcher panel, re-rendered when an answer arrives.
    section: RefCell<Option<Element>>,
}

thread_local! {
    static STATE: &'static State = Box::leak(Box::new(State {
        known: RefCell::new(Known::Loading),
        in_flight: Cell::new(false),
        section: RefCell::default(),
    }));
}

fn state() -> &'static State {
    STATE.with(|s| *s)
}

/// The identified user's id and hash, when there is a hash to prove it.
fn credentials() -> Option<(String, Option<String>)> {
    let rt = runtime::get()?;
    let identity = rt.identity.borrow();
    let identity = identity.as_ref()?;
    Some((
        codec::opt_string(identity, "id")?,
        codec::opt_string(identity, "hash"),
    ))
}

fn seen_key(user: &str) -> String {
    runtime::get()
        .map(|rt| rt.key(&dom::cat(&["seen:", user])))
        .unwrap_or_default()
}

/// When the newest reply the employee has seen was written (ms), 0 if none.
fn last_seen(user: &str) -> f64 {
    storage::get(Store::Local, &seen_key(user))
        .and_then(|s| codec::parse(&s))
        .and_then(|v| v.as_f64())
        .unwrap_or(0.0)
}

/// `cairn.identify` was called: fetch once the overlay is on the page.
pub fn identified() {
    if runtime::get().is_some_and(|rt| rt.ui.get().is_some()) && launcher::is_mounted() {
        refresh();
    }
}

/// Fetches the tickets (at most one request at a time) and updates the badge and an open panel.
pub fn refresh() {
    let Some((user, hash)) = credentials() else {
        render();
        launcher::set_badge(0);
        return;
    };
    let Some(hash) = hash else {
        *state().known.borrow_mut() = Known::Unverified;
        render();
        return;
    };
    let s = state();
    if s.in_flight.replace(true) {
        return;
    }
    let headers = [
        ("x-cairn-user-id", user.as_str()),
        ("x-cairn-user-hash", &hash),
    ];
    let user = user.clone();
    api::request_with("GET", api::MY_TICKETS, None, &headers, move |answer| {
        s.in_flight.set(false);
        let known = match answer {
            Some((status, body)) if api::ok(status) => Known::Tickets(codec::my_tickets(&body)),
            Some((403, _)) => Known::Unverified,
            _ => Known::Unreachable,
        };
        let unseen = match &known {
            Known::Tickets(list) => {
                let seen = last_seen(&user);
                list.iter()
                    .filter(|t| t.last_reply_at.is_some_and(|at| at as f64 > seen))
                    .count()
            }
            _ => 0,
        };
        *s.known.borrow_mut() = known;
        launcher::set_badge(unseen);
        render();
    });
}

/// The "My tickets" section for the launcher panel; nothing when no one is identified.
pub fn section() -> Option<Element> {
    credentials()?;
    let section = dom::el(
        "section",
        &[
            ("data-cairn", "my-tickets"),
            ("aria-labelledby", "cairn-my-tickets"),
        ],
    );
    dom::append(
        &section,
        &[&dom::text_el(
            "h3",
            &[("id", "cairn-my-tickets")],
            "My tickets",
        )],
    );
    let body = dom::el("div", &[]);
    dom::append(&section, &[&body]);
    *state().section.borrow_mut() = Some(body);
    render();
    Some(section)
}

/// Fills the open panel's section from what is known; marks the replies shown as seen.
fn render() {
    let Some(body) = state()
        .section
        .borrow()
        .clone()
        .filter(|b| dom::is_connected(b))
    else {
        return;
    };
    body.set_text_content(None);
    let note = |text: &str| {
        let p = dom::text_el(
            "p",
            &[("class", "muted"), ("data-cairn", "my-tickets-note")],
            text,
        );
        dom::append(&body, &[&p]);
    };
    let Some((user, _)) = credentials() else {
        return;
    };
    match &*state().known.borrow() {
        Known::Loading => note("Loading…"),
        Known::Unverified => {
            note("Your tickets can be shown here once this application signs you in securely.")
        }
        Known::Unreachable => note("Your tickets could not be loaded. Please try again later."),
        Known::Tickets(list) if list.is_empty() => note("You have no tickets."),
        Known::Tickets(list) => {
            let seen = last_seen(&user);
            let ul = dom::el("ul", &[("class", "list")]);
            let mut newest = seen;
            for t in list {
                dom::append(&ul, &[&ticket(t, seen)]);
                if let Some(at) = t.last_reply_at {
                    newest = newest.max(at as f64);
                }
            }
            dom::append(&body, &[&ul]);
            if newest > seen && launcher::is_open() {
                if let Some(json) = codec::stringify(&JsValue::from_f64(newest)) {
                    storage::set(Store::Local, &seen_key(&user), &json);
                }
                launcher::set_badge(0);
            }
        }
    }
}

/// One ticket: number, status, the employee's words and the public replies.
fn ticket(t: &MyTicket, seen: f64) -> Element {
    let number = dom::int(t.number as f64);
    let li = dom::el(
        "li",
        &[
            ("class", "ticket"),
            ("data-cairn", "my-ticket"),
            ("data-ticket-number", &number),
        ],
    );
    let head = dom::el("p", &[("class", "meta")]);
    dom::append(
        &head,
        &[
            &dom::text_el("strong", &[], &dom::cat(&["#", &number])),
            &dom::text_el(
                "span",
                &[("class", "status"), ("data-cairn", "ticket-status")],
                t.status.as_str(),
            ),
        ],
    );
    let words = dom::text_el("p", &[("class", "words")], &t.message);
    dom::append(&li, &[&head, &words]);
    // Where the help desk works it: "IT ServiceNow: INC0010042", linked when it gave a safe URL.
    for x in &t.external {
        let p = dom::el(
            "p",
            &[("class", "muted"), ("data-cairn", "ticket-external")],
        );
        dom::append_text(&p, &x.system);
        dom::append_text(&p, ": ");
        let label = x.id.as_deref().unwrap_or("open");
        match x.url.as_deref().filter(|u| is_safe_href(u)) {
            Some(url) => dom::append(
                &p,
                &[&dom::text_el(
                    "a",
                    &[
                        ("href", url),
                        ("target", "_blank"),
                        ("rel", "noopener noreferrer"),
                    ],
                    label,
                )],
            ),
            None => dom::append_text(&p, label),
        }
        dom::append(&li, &[&p]);
    }
    for r in &t.replies {
        let reply = dom::el("div", &[("class", "reply"), ("data-cairn", "ticket-reply")]);
        let meta = dom::text_el("p", &[("class", "muted")], &r.author);
        dom::append_text(&meta, " · ");
        dom::append_text(&meta, &when(r.created_at));
        if r.created_at as f64 > seen {
            dom::append(&meta, &[&dom::text_el("span", &[("class", "tag")], "New")]);
        }
        dom::append(&reply, &[&meta]);
        markdown::render(&reply, &r.body);
        dom::append(&li, &[&reply]);
    }
    li
}

/// A time in the employee's language and time zone.
fn when(ms: i64) -> String {
    let date = js_sys::Date::new(&JsValue::from_f64(ms as f64));
    date.to_locale_string("default", &JsValue::UNDEFINED).into()
}
