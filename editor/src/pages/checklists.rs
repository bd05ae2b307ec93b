//! Checklists: the list and the builder. Items start a tour (done when the employee completes it)
//! or link to a page (done once opened), and may also be done by an event the application reports
//! (`cairn.track`); they are added, removed and reordered with Move up/down or Alt+ArrowUp/Down on
//! a focused item; targeting is the shared section.

use std::cell::RefCell;
use std::rc::Rc;

use cairn_shared::api::{ChecklistDetail, DocumentSummary, TourSummary};
use cairn_shared::content::{Checklist, ChecklistAction, ChecklistItem, DocumentError};
use cairn_shared::targeting::Targeting;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::spawn_local;
use web_sys::{Element, KeyboardEvent};

use crate::api;
use crate::dom::{self, el};
use crate::pages::Ctx;
use crate::pages::builder::{self, Builder, Doc};
use crate::pages::tour::{button, event_value, field};
use crate::router::{Kind, Route};

impl Doc for Checklist {
    type Detail = ChecklistDetail;
    const KIND: Kind = Kind::Checklists;

    fn new_doc(title: String) -> Self {
        Checklist {
            title,
            items: vec![ChecklistItem {
                id: "item-1".into(),
                title: "Read the guide".into(),
                action: ChecklistAction::Link { url: "/".into() },
                done_on_event: None,
            }],
            targeting: Targeting::default(),
        }
    }
    fn split(detail: ChecklistDetail) -> (DocumentSummary, Self) {
        (detail.summary, detail.draft)
    }
    fn title(&self) -> &str {
        &self.title
    }
    fn set_title(&mut self, title: String) {
        self.title = title;
    }
    fn validate(&self) -> Vec<DocumentError> {
        Checklist::validate(self)
    }
    fn targeting_mut(&mut self) -> &mut Targeting {
        &mut self.targeting
    }
    fn targeting(&self) -> &Targeting {
        &self.targeting
    }
    fn list_route() -> Route {
        Route::Checklists
    }
    fn route(id: String) -> Route {
        Route::Checklist(id)
    }
}

pub fn render_list(ctx: &Ctx) {
    builder::list_page::<Checklist>(
        ctx,
        "Checklists",
        "Things to do, in the launcher: each starts a tour or opens a page, and is ticked once done.",
    );
}

pub fn render(ctx: &Ctx, id: String) {
    builder::render::<Checklist>(ctx, id, "← All checklists", fields);
}

/// The item list and what it needs: the tours an item can start, the live region for moves.
struct Items {
    b: Rc<Builder<Checklist>>,
    list: Element,
    moves: Element,
    tours: RefCell<Vec<TourSummary>>,
}

/// `cairn.track('name')`, as the application writes it (`name` when nothing is typed yet).
fn track_call(name: &str) -> String {
    let name = if name.is_empty() { "name" } else { name };
    format!("cairn.track('{name}')")
}

/// An id not used by the checklist yet: `item-1`, `item-2`, …
fn new_item_id(list: &Checklist) -> String {
    (1..)
        .map(|n| format!("item-{n}"))
        .find(|id| !list.items.iter().any(|i| &i.id == id))
        .unwrap_or_default()
}

fn fields(b: &Rc<Builder<Checklist>>) -> Element {
    let items = Rc::new(Items {
        b: b.clone(),
        list: el("ol")
            .class("steps")
            .attr("data-test", "items")
            .attr("aria-describedby", "items-help")
            .build(),
        moves: el("p")
            .class("visually-hidden")
            .attr("role", "status")
            .attr("aria-live", "polite")
            .attr("data-test", "moves")
            .build(),
        tours: RefCell::new(Vec::new()),
    });
    items.render(None);
    // The tours an item can start, for its picker; the list is usable before they arrive.
    let i = items.clone();
    spawn_local(async move {
        if let Ok(tours) = api::tours().await {
            *i.tours.borrow_mut() = tours;
            if i.b
                .doc()
                .items
                .iter()
                .any(|it| matches!(it.action, ChecklistAction::StartTour { .. }))
            {
                i.render(None);
            }
        }
    });
    let add = button("Add an item", "add-item", "button").build();
    let i = items.clone();
    dom::on(&add, "click", move |_| {
        let mut index = 0;
        i.b.edit(|d| {
            let id = new_item_id(d);
            d.items.push(ChecklistItem {
                id,
                title: String::new(),
                action: ChecklistAction::Link { url: "/".into() },
                done_on_event: None,
            });
            index = d.items.len() - 1;
        });
        i.render(Some(index));
    });
    el("section")
        .attr("aria-labelledby", "items-heading")
        .child(el("h2").attr("id", "items-heading").text("Items"))
        .child(el("p").attr("id", "items-help").class("hint").text(
            "Reorder with an item's Move up / Move down buttons, or with Alt+ArrowUp / \
             Alt+ArrowDown while the item has focus.",
        ))
        .child(&items.moves)
        .child(&items.list)
        .child(add)
        .build()
}

impl Items {
    /// Redraws every item from the model; `focus` moves focus to that item's title.
    fn render(self: &Rc<Self>, focus: Option<usize>) {
        self.b.untrack("/items");
        dom::clear(&self.list);
        let doc = self.b.doc();
        let count = doc.items.len();
        for (i, item) in doc.items.iter().enumerate() {
            let card = self.card(i, item, count);
            let _ = self.list.append_child(&card);
        }
        if let Some(i) = focus
            && let Some(input) = self
                .list
                .query_selector(&format!("#item-{i}-title"))
                .ok()
                .flatten()
        {
            dom::focus(&input);
        }
    }

    fn edit_item(&self, index: usize, change: impl FnOnce(&mut ChecklistItem)) {
        self.b.edit(|d| {
            if let Some(it) = d.items.get_mut(index) {
                change(it);
            }
        });
    }

    fn move_item(self: &Rc<Self>, from: usize, to: usize, hook: &str) {
        let count = self.b.doc().items.len();
        if from >= count || to >= count || from == to {
            return;
        }
        self.b.edit(|d| {
            let it = d.items.remove(from);
            d.items.insert(to, it);
        });
        self.render(None);
        let title = self.b.doc().items[to].title.clone();
        self.moves.set_text_content(Some(&format!(
            "Moved “{title}” to position {} of {count}.",
            to + 1
        )));
        // Keep the keyboard on the moved item.
        let selector = format!("[data-index=\"{to}\"] [data-test=\"{hook}\"]:not([disabled])");
        let target = self
            .list
            .query_selector(&selector)
            .ok()
            .flatten()
            .or_else(|| {
                self.list
                    .query_selector(&format!("[data-index=\"{to}\"]"))
                    .ok()
                    .flatten()
            });
        if let Some(t) = target {
            dom::focus(&t);
        }
    }

    fn card(self: &Rc<Self>, i: usize, item: &ChecklistItem, count: usize) -> Element {
        let n = i + 1;
        let at = format!("/items/{i}");
        let title_id = format!("item-{i}-title");
        let s = self.clone();
        let title = el("input")
            .attr("id", &title_id)
            .attr("type", "text")
            .attr("data-test", "item-title")
            .attr("value", &item.title)
            .on_value(move |e| {
                let v = event_value(&e);
                s.edit_item(i, |it| it.title = v);
            });
        self.b.track(&format!("{at}/title"), title.as_element());

        let kind_id = format!("item-{i}-kind");
        let is_tour = matches!(item.action, ChecklistAction::StartTour { .. });
        let s = self.clone();
        let kind = el("select")
            .attr("id", &kind_id)
            .attr("data-test", "item-kind")
            .child(
                el("option")
                    .attr("value", "start_tour")
                    .flag("selected", is_tour)
                    .text("Start a tour"),
            )
            .child(
                el("option")
                    .attr("value", "link")
                    .flag("selected", !is_tour)
                    .text("Open a page"),
            )
            .on("change", move |e| {
                let tour = event_value(&e) == "start_tour";
                let first = s.tours.borrow().first().map(|t| t.id.clone());
                s.edit_item(i, |it| {
                    it.action = if tour {
                        ChecklistAction::StartTour {
                            tour_id: first.unwrap_or_default(),
                        }
                    } else {
                        ChecklistAction::Link { url: "/".into() }
                    };
                });
                s.render(None);
                if let Some(k) = s
                    .list
                    .query_selector(&format!("#item-{i}-kind"))
                    .ok()
                    .flatten()
                {
                    dom::focus(&k);
                }
            });

        let what_id = format!("item-{i}-what");
        let (what_label, what, done) = match &item.action {
            ChecklistAction::StartTour { tour_id } => {
                let s = self.clone();
                let tours = self.tours.borrow();
                let mut select = el("select")
                    .attr("id", &what_id)
                    .attr("data-test", "item-tour");
                if !tours.iter().any(|t| &t.id == tour_id) {
                    select = select.child(
                        el("option")
                            .attr("value", tour_id)
                            .flag("selected", true)
                            .text(if tour_id.is_empty() {
                                "Choose a tour"
                            } else {
                                "Loading the tours…"
                            }),
                    );
                }
                let select = select
                    .children(tours.iter().map(|t| {
                        el("option")
                            .attr("value", &t.id)
                            .flag("selected", &t.id == tour_id)
                            .text(&t.title)
                    }))
                    .on("change", move |e| {
                        let id = event_value(&e);
                        s.edit_item(i, |it| {
                            it.action = ChecklistAction::StartTour { tour_id: id };
                        });
                    });
                self.b
                    .track(&format!("{at}/action/tour_id"), select.as_element());
                ("Tour", select, "Done when the employee completes the tour.")
            }
            ChecklistAction::Link { url } => {
                let s = self.clone();
                let input = el("input")
                    .attr("id", &what_id)
                    .attr("type", "text")
                    .attr("data-test", "item-url")
                    .attr("value", url)
                    .on_value(move |e| {
                        let url = event_value(&e).trim().to_string();
                        s.edit_item(i, |it| it.action = ChecklistAction::Link { url });
                    });
                self.b
                    .track(&format!("{at}/action/url"), input.as_element());
                (
                    "Page (a path such as /orders or an https address)",
                    input,
                    "Done once the employee opens the page from the checklist.",
                )
            }
        };

        let event_id = format!("item-{i}-event");
        let event_hint_id = format!("item-{i}-event-hint");
        let name = item.done_on_event.clone().unwrap_or_default();
        // The call the application makes, written out with the name as typed.
        let call = el("code")
            .attr("data-test", "item-event-call")
            .text(&track_call(&name))
            .build();
        let event_hint = el("p")
            .class("hint")
            .attr("id", &event_hint_id)
            .text("Optional. Your application reports it with ")
            .child(&call)
            .text(" (1 to 64 letters, digits, or _ . : -).");
        let s = self.clone();
        let event = el("input")
            .attr("id", &event_id)
            .attr("type", "text")
            .attr("data-test", "item-event")
            .attr("autocomplete", "off")
            .attr("spellcheck", "false")
            .attr("aria-describedby", &event_hint_id)
            .attr("value", &name)
            .on_value(move |e| {
                let v = event_value(&e).trim().to_string();
                call.set_text_content(Some(&track_call(&v)));
                s.edit_item(i, |it| it.done_on_event = (!v.is_empty()).then_some(v));
            });
        self.b
            .track(&format!("{at}/done_on_event"), event.as_element());

        let s = self.clone();
        let up = button("Move up", "item-up", "button small")
            .attr("aria-label", &format!("Move item {n} up"))
            .flag("disabled", i == 0)
            .on("click", move |_| {
                s.move_item(i, i.saturating_sub(1), "item-up")
            });
        let s = self.clone();
        let down = button("Move down", "item-down", "button small")
            .attr("aria-label", &format!("Move item {n} down"))
            .flag("disabled", n == count)
            .on("click", move |_| s.move_item(i, i + 1, "item-down"));
        let s = self.clone();
        let remove = button("Remove", "item-remove", "button small quiet")
            .attr("aria-label", &format!("Remove item {n}"))
            .flag("disabled", count == 1)
            .on("click", move |_| {
                s.b.edit(|d| {
                    if i < d.items.len() {
                        d.items.remove(i);
                    }
                });
                let left = s.b.doc().items.len();
                s.render(Some(i.min(left.saturating_sub(1))));
                s.moves
                    .set_text_content(Some(&format!("Item {n} removed.")));
            });

        let s = self.clone();
        el("li")
            .class("step-card")
            .attr("data-test", "item")
            .attr("data-index", &i.to_string())
            .attr("tabindex", "-1")
            .attr("aria-label", &format!("Item {n} of {count}"))
            .child(field(&title_id, &format!("Item {n}"), title))
            .child(field(&kind_id, "Action", kind))
            .child(field(&what_id, what_label, what))
            .child(
                el("p")
                    .class("hint")
                    .attr("data-test", "item-done")
                    .text(done),
            )
            .child(field(
                &event_id,
                "Also done when the app reports event",
                event,
            ))
            .child(event_hint)
            .child(
                el("div")
                    .class("step-actions")
                    .child(up)
                    .child(down)
                    .child(remove),
            )
            .on("keydown", move |e| {
                let Some(k) = e.dyn_ref::<KeyboardEvent>() else {
                    return;
                };
                if !k.alt_key() {
                    return;
                }
                match k.key().as_str() {
                    "ArrowUp" if i > 0 => {
                        e.prevent_default();
                        s.move_item(i, i - 1, "item-up");
                    }
                    "ArrowDown" => {
                        e.prevent_default();
                        s.move_item(i, i + 1, "item-down");
                    }
                    _ => {}
                }
            })
            .build()
    }
}
