//! The launcher: a round "?" button in the bottom-right corner that opens the in-app help panel with
//! the page's checklist, the tours available on this page (searchable by title), "My tickets" and
//! "Contact support". The panel is rebuilt each time it opens, so it always reflects progress so far;
//! an event the application reports (`cairn.track`) ticks its items in place while it is open.
//! A badge on the button counts tickets with a reply the employee has not seen.

use std::cell::RefCell;
use std::rc::Rc;

use cairn_shared::api::{PublishedChecklist, PublishedTour};
use cairn_shared::content::ChecklistAction;
use cairn_shared::markdown::is_safe_href;
use web_sys::Element;

use crate::dom::{self, Listener};
use crate::storage::{self, Store};
use crate::{my_tickets, runtime, stuck, tour};

struct Launcher {
    button: Element,
    panel: Element,
    _fixed: Vec<Listener>,
    /// Listeners of the panel's current content, replaced on each rebuild.
    content: Vec<Listener>,
}

thread_local! {
    static LAUNCHER: &'static RefCell<Option<Launcher>> = Box::leak(Box::default());
}

fn launcher() -> &'static RefCell<Option<Launcher>> {
    LAUNCHER.with(|l| *l)
}

pub fn mount(layer: &Element) {
    let button = dom::button(
        &[
            ("class", "fab"),
            ("data-cairn", "launcher-button"),
            ("aria-label", "Help"),
            ("aria-expanded", "false"),
            ("aria-controls", "cairn-launcher"),
        ],
        "?",
    );
    let panel = dom::el(
        "div",
        &[
            ("class", "card panel"),
            ("id", "cairn-launcher"),
            ("role", "dialog"),
            ("aria-labelledby", "cairn-launcher-title"),
            ("data-cairn", "launcher"),
            ("hidden", ""),
        ],
    );
    dom::append(layer, &[&panel, &button]);
    let fixed = vec![
        Listener::on(&button, "click", |_| toggle()),
        Listener::on(&panel, "keydown", |e| {
            if dom::key(&e) == "Escape" {
                e.prevent_default();
                close(true);
            }
        }),
    ];
    *launcher().borrow_mut() = Some(Launcher {
        button,
        panel,
        _fixed: fixed,
        content: Vec::new(),
    });
}

fn parts() -> Option<(Element, Element)> {
    let l = launcher().try_borrow().ok()?;
    l.as_ref().map(|l| (l.button.clone(), l.panel.clone()))
}

pub fn is_mounted() -> bool {
    parts().is_some()
}

pub fn is_open() -> bool {
    parts().is_some_and(|(_, panel)| panel.get_attribute("hidden").is_none())
}

fn toggle() {
    if is_open() { close(false) } else { open() }
}

/// Opens the panel (the button, or `cairn.openLauncher()`).
pub fn open() {
    let Some((button, panel)) = parts() else {
        return;
    };
    dom::set_hidden(&panel, false);
    rebuild(&panel);
    dom::set_attr(&button, "aria-expanded", "true");
    my_tickets::refresh();
    let first = panel
        .query_selector("[data-cairn=launcher-search],button")
        .ok()
        .flatten();
    if let Some(first) = first {
        dom::focus(&first);
    }
}

/// Opens the panel on the "Still stuck?" form (the tooltip's link, a followed suggestion ending).
pub fn contact(draft: Option<stuck::Draft>) {
    open();
    show_form(draft);
}

/// Opens the form in the open panel, in place of its content.
fn show_form(draft: Option<stuck::Draft>) {
    let Some((_, panel)) = parts() else {
        return;
    };
    let find = |sel: &str| panel.query_selector(sel).ok().flatten();
    let (Some(scroll), Some(foot), Some(contact)) = (
        find(".scroll"),
        find(".foot"),
        find("[data-cairn=contact-support]"),
    ) else {
        return;
    };
    let draft = draft.unwrap_or_else(|| stuck::Draft::new(stuck::page_context()));
    stuck::open_draft(
        stuck::Owner::Launcher,
        &panel,
        vec![scroll, foot],
        draft,
        Rc::new(move || dom::focus(&contact)),
    );
}

/// Shows `count` unseen replies on the button (none hides the badge).
pub fn set_badge(count: usize) {
    let Some((button, _)) = parts() else {
        return;
    };
    let badge = match button.query_selector(".badge").ok().flatten() {
        Some(b) => b,
        None => {
            let b = dom::el(
                "span",
                &[
                    ("class", "badge"),
                    ("data-cairn", "launcher-badge"),
                    ("aria-hidden", "true"),
                ],
            );
            dom::append(&button, &[&b]);
            b
        }
    };
    let label = if count == 0 {
        "Help".to_string()
    } else {
        let n = dom::int(count as f64);
        badge.set_text_content(Some(&n));
        dom::cat(&[
            "Help, ",
            &n,
            if count == 1 {
                " new reply"
            } else {
                " new replies"
            },
        ])
    };
    dom::set_hidden(&badge, count == 0);
    dom::set_attr(&button, "aria-label", &label);
}

/// Closes the panel; `focus_button` gives focus back to the "?" button (Escape, Close).
pub fn close(focus_button: bool) {
    let Some((button, panel)) = parts() else {
        return;
    };
    stuck::discard(stuck::Owner::Launcher);
    dom::set_hidden(&panel, true);
    dom::set_attr(&button, "aria-expanded", "false");
    if focus_button {
        dom::focus(&button);
    }
}

/// Brings an open panel up to date (a tour finished, the page changed).
pub fn refresh() {
    if let Some((_, panel)) = parts()
        && is_open()
    {
        rebuild(&panel);
    }
}

fn rebuild(panel: &Element) {
    stuck::discard(stuck::Owner::Launcher);
    let listeners = fill(panel);
    if let Ok(mut l) = launcher().try_borrow_mut()
        && let Some(l) = l.as_mut()
    {
        l.content = listeners;
    }
}

/// Builds the panel's content and returns its listeners.
fn fill(panel: &Element) -> Vec<Listener> {
    let mut listeners = Vec::new();
    let Some(rt) = runtime::get() else {
        return listeners;
    };
    let content = rt.content();
    panel.set_text_content(None);

    let head = dom::el("div", &[("class", "head")]);
    let title = dom::text_el("h2", &[("id", "cairn-launcher-title")], "Help");
    let close_button = dom::button(
        &[
            ("class", "x"),
            ("data-cairn", "launcher-close"),
            ("aria-label", "Close help"),
        ],
        "×",
    );
    listeners.push(Listener::on(&close_button, "click", |_| close(true)));
    dom::append(&head, &[&title, &close_button]);

    let scroll = dom::el("div", &[("class", "scroll")]);
    if let Some(list) = content
        .checklists
        .iter()
        .find(|c| runtime::shows(&c.doc.targeting))
    {
        dom::append(&scroll, &[&checklist(list, &mut listeners)]);
    }
    let tours: Vec<&PublishedTour> = content
        .tours
        .iter()
        .map(|t| t.as_ref())
        .filter(|t| !t.doc.steps.is_empty() && runtime::shows(&t.doc.targeting))
        .collect();
    tour_list(&scroll, &tours, &mut listeners);

    if let Some(mine) = my_tickets::section() {
        dom::append(&scroll, &[&mine]);
    }

    let foot = dom::el("div", &[("class", "foot")]);
    let contact = dom::button(&[("data-cairn", "contact-support")], "Contact support");
    dom::append(&foot, &[&contact]);
    listeners.push(Listener::on(&contact, "click", |_| show_form(None)));
    dom::append(panel, &[&head, &scroll, &foot]);
    listeners
}

/// The key remembering that the application reported `name` for the identified user, per
/// application (an event name has no `/`, so no user id can make two keys meet).
fn event_key(name: &str) -> String {
    runtime::get()
        .map(|rt| {
            let user = rt.user_id.borrow();
            let user = user.as_deref().unwrap_or("");
            rt.key(&dom::cat(&["event:", name, "/", user]))
        })
        .unwrap_or_default()
}

/// `cairn.track(name)`: the application reports an event. Items done on it are done for this
/// user from now on; an open panel ticks them in place, keeping focus and a half-written ticket.
pub fn track(name: &str) {
    let Some(rt) = runtime::get() else { return };
    let waited = rt.content().checklists.iter().any(|c| {
        c.doc
            .items
            .iter()
            .any(|i| i.done_on_event.as_deref() == Some(name))
    });
    // Only names an item waits for are kept: a host may report many events.
    if !waited {
        return;
    }
    storage::set(Store::Local, &event_key(name), "1");
    let Some((_, panel)) = parts() else { return };
    // A closed panel is rebuilt when it opens.
    if panel.has_attribute("hidden") {
        return;
    }
    for li in dom::query_all(&panel, "[data-event]") {
        if li.get_attribute("data-event").as_deref() == Some(name) {
            mark_done(&li, &panel);
        }
    }
}

/// Shows a checklist item done where it stands (`scope` holds the checklist): its tick, " (done)"
/// for screen readers, and the progress line, a status region, so the new count is announced.
fn mark_done(li: &Element, scope: &Element) {
    if li.get_attribute("data-done").as_deref() == Some("true") {
        return;
    }
    dom::set_attr(li, "data-done", "true");
    let find = |sel: &str| li.query_selector(sel).ok().flatten();
    if let Some(check) = find(".check") {
        check.set_text_content(Some("✓"));
    }
    if let Some(control) = find(".item") {
        dom::append(
            &control,
            &[&dom::text_el("span", &[("class", "sr")], " (done)")],
        );
    }
    if let Ok(Some(p)) = scope.query_selector("[data-cairn=checklist-progress]") {
        // Only checklist items have `data-done`.
        let count = |sel: &str| dom::query_all(scope, sel).len();
        p.set_text_content(Some(&progress_text(
            count("[data-done=true]"),
            count("[data-done]"),
        )));
    }
}

/// "2 of 3 done".
fn progress_text(done: usize, total: usize) -> String {
    dom::cat(&[
        &dom::int(done as f64),
        " of ",
        &dom::int(total as f64),
        " done",
    ])
}

/// The checklist: each item starts a tour (done once it is completed) or opens a link (done once
/// followed), or is done once the application reports its event.
fn checklist(list: &PublishedChecklist, listeners: &mut Vec<Listener>) -> Element {
    let section = dom::el(
        "section",
        &[
            ("data-cairn", "checklist"),
            ("aria-labelledby", "cairn-checklist-title"),
        ],
    );
    let title = dom::text_el("h3", &[("id", "cairn-checklist-title")], &list.doc.title);
    let items = dom::el("ul", &[("class", "list")]);
    let mut done_count = 0;
    for item in &list.doc.items {
        let link_key = runtime::get()
            .map(|rt| rt.key(&dom::cat(&["link:", &list.id, ":", &item.id])))
            .unwrap_or_default();
        let done = match &item.action {
            ChecklistAction::StartTour { tour_id } => {
                tour::outcome(tour_id).as_deref() == Some(tour::COMPLETED)
            }
            ChecklistAction::Link { .. } => storage::get(Store::Local, &link_key).is_some(),
        } || item
            .done_on_event
            .as_deref()
            .is_some_and(|e| storage::get(Store::Local, &event_key(e)).is_some());
        done_count += usize::from(done);
        let li = dom::el(
            "li",
            &[
                ("data-cairn", "checklist-item"),
                ("data-item-id", &item.id),
                ("data-done", if done { "true" } else { "false" }),
            ],
        );
        if let Some(e) = &item.done_on_event {
            dom::set_attr(&li, "data-event", e);
        }
        let control = match &item.action {
            ChecklistAction::StartTour { tour_id } => {
                let b = dom::button(&[("class", "item"), ("data-tour-id", tour_id)], "");
                let tour_id = tour_id.clone();
                listeners.push(Listener::on(&b, "click", move |_| {
                    close(true);
                    tour::start(&tour_id);
                }));
                b
            }
            ChecklistAction::Link { url } => {
                let href = if is_safe_href(url) { url.as_str() } else { "#" };
                let a = dom::el("a", &[("class", "item"), ("href", href)]);
                // Pages of the application open in place, other sites in a new tab.
                if href.starts_with("http://") || href.starts_with("https://") {
                    dom::set_attr(&a, "target", "_blank");
                    dom::set_attr(&a, "rel", "noopener noreferrer");
                }
                let (li, section) = (li.clone(), section.clone());
                listeners.push(Listener::on(&a, "click", move |_| {
                    storage::set(Store::Local, &link_key, "1");
                    mark_done(&li, &section);
                }));
                a
            }
        };
        let check = dom::text_el(
            "span",
            &[("class", "check"), ("aria-hidden", "true")],
            if done { "✓" } else { "" },
        );
        let label = dom::text_el("span", &[("class", "label")], &item.title);
        dom::append(&control, &[&check, &label]);
        if done {
            dom::append(
                &control,
                &[&dom::text_el("span", &[("class", "sr")], " (done)")],
            );
        }
        dom::append(&li, &[&control]);
        dom::append(&items, &[&li]);
    }
    let progress = dom::text_el(
        "p",
        &[
            ("class", "muted"),
            ("data-cairn", "checklist-progress"),
            ("role", "status"),
        ],
        &progress_text(done_count, list.doc.items.len()),
    );
    dom::append(&section, &[&title, &progress, &items]);
    section
}

/// The tours on this page, with a search box that filters them by title.
fn tour_list(parent: &Element, tours: &[&PublishedTour], listeners: &mut Vec<Listener>) {
    let heading = dom::text_el("h3", &[("id", "cairn-tours-title")], "Tours on this page");
    let list = dom::el(
        "ul",
        &[("class", "list"), ("aria-labelledby", "cairn-tours-title")],
    );
    let empty = dom::text_el(
        "p",
        &[
            ("class", "muted"),
            ("data-cairn", "launcher-empty"),
            ("role", "status"),
        ],
        "No tours on this page.",
    );
    dom::set_hidden(&empty, !tours.is_empty());
    let mut rows = Vec::new();
    for t in tours {
        let li = dom::el("li", &[]);
        let b = dom::button(
            &[
                ("class", "item"),
                ("data-cairn", "launcher-tour"),
                ("data-tour-id", &t.id),
            ],
            &t.doc.title,
        );
        let id = t.id.clone();
        listeners.push(Listener::on(&b, "click", move |_| {
            close(true);
            tour::start(&id);
        }));
        dom::append(&li, &[&b]);
        dom::append(&list, &[&li]);
        rows.push((li, dom::lower(&t.doc.title)));
    }
    if !tours.is_empty() {
        let label = dom::text_el(
            "label",
            &[("for", "cairn-search"), ("class", "sr")],
            "Search tours",
        );
        let search = dom::el(
            "input",
            &[
                ("type", "search"),
                ("id", "cairn-search"),
                ("data-cairn", "launcher-search"),
                ("placeholder", "Search tours"),
                ("autocomplete", "off"),
            ],
        );
        dom::append(parent, &[&label, &search]);
        let input = search.clone();
        let empty = empty.clone();
        listeners.push(Listener::on(&search, "input", move |_| {
            let query = dom::lower(dom::value(&input).trim());
            let mut shown = 0;
            for (li, title) in &rows {
                let matches = cairn_shared::find_str(title, &query).is_some();
                shown += usize::from(matches);
                dom::set_hidden(li, !matches);
            }
            empty.set_text_content(Some("No tours match your search."));
            dom::set_hidden(&empty, shown > 0);
        }));
    }
    dom::append(parent, &[&heading, &list, &empty]);
}
