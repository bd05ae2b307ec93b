//! Tooltips: the list and the builder. A tooltip's element is picked in the application with the
//! same author mode as a tour's steps ("Pick element in app"); its text is markdown with a live
//! preview; its trigger is hover, focus or a beacon; targeting is the shared section.

use std::cell::Cell;
use std::rc::Rc;

use cairn_shared::api::{DocumentSummary, TooltipDetail};
use cairn_shared::content::{DocumentError, Target, Tooltip, TooltipTrigger};
use cairn_shared::targeting::Targeting;
use web_sys::Element;

use crate::app;
use crate::describe;
use crate::dom::{self, el};
use crate::markdown_view;
use crate::pages::Ctx;
use crate::pages::builder::{self, Builder, Doc};
use crate::pages::tour::{event_value, field};
use crate::router::{Kind, Route};

impl Doc for Tooltip {
    type Detail = TooltipDetail;
    const KIND: Kind = Kind::Tooltips;

    fn new_doc(title: String) -> Self {
        Tooltip {
            title,
            body: String::new(),
            // Picked in the app next; publishing waits for it.
            target: Target {
                strategies: Vec::new(),
            },
            trigger: TooltipTrigger::Hover,
            targeting: Targeting::default(),
        }
    }
    fn split(detail: TooltipDetail) -> (DocumentSummary, Self) {
        (detail.summary, detail.draft)
    }
    fn title(&self) -> &str {
        &self.title
    }
    fn set_title(&mut self, title: String) {
        self.title = title;
    }
    fn validate(&self) -> Vec<DocumentError> {
        Tooltip::validate(self)
    }
    fn targeting_mut(&mut self) -> &mut Targeting {
        &mut self.targeting
    }
    fn targeting(&self) -> &Targeting {
        &self.targeting
    }
    fn list_route() -> Route {
        Route::Tooltips
    }
    fn route(id: String) -> Route {
        Route::Tooltip(id)
    }
}

pub fn render_list(ctx: &Ctx) {
    builder::list_page::<Tooltip>(
        ctx,
        "Tooltips",
        "Hints on one field or button, shown on hover, on focus or behind a beacon.",
    );
}

pub fn render(ctx: &Ctx, id: String) {
    builder::render::<Tooltip>(ctx, id, "← All tooltips", fields);
}

fn trigger_value(t: TooltipTrigger) -> &'static str {
    match t {
        TooltipTrigger::Hover => "hover",
        TooltipTrigger::Focus => "focus",
        TooltipTrigger::Beacon => "beacon",
    }
}

fn trigger_of(v: &str) -> TooltipTrigger {
    match v {
        "hover" => TooltipTrigger::Hover,
        "focus" => TooltipTrigger::Focus,
        _ => TooltipTrigger::Beacon,
    }
}

/// "Pick element in app"; once it was used, coming back to this tab shows the picked element
/// (the page is redrawn from the server when nothing typed here is unsaved).
fn pick_button(b: &Rc<Builder<Tooltip>>) -> Element {
    let button = crate::author::pick_button(&b.id, &b.feedback);
    let picking = Rc::new(Cell::new(false));
    let p = picking.clone();
    dom::on(&button, "click", move |_| p.set(true));
    if let Some(window) = web_sys::window() {
        let s = b.clone();
        dom::on(&window, "focus", move |_| {
            if picking.get() && !s.dirty() {
                picking.set(false);
                app::rerender();
            }
        });
    }
    button
}

fn fields(b: &Rc<Builder<Tooltip>>) -> Element {
    let doc = b.doc();
    let ways = describe::target(Some(&doc.target));
    let target_list = if ways.is_empty() {
        el("p")
            .class("hint")
            .attr("data-test", "tooltip-target")
            .text("No element picked yet: pick it in the application before publishing.")
            .build()
    } else {
        el("ul")
            .class("strategies")
            .attr("data-test", "tooltip-target")
            .attr("aria-label", "How the overlay finds the element")
            .children(ways.iter().map(|w| el("li").child(el("code").text(w))))
            .build()
    };
    let element = el("section")
        .attr("aria-labelledby", "tooltip-element-heading")
        .child(
            el("h2")
                .attr("id", "tooltip-element-heading")
                .text("Element"),
        )
        .child(target_list)
        .child(pick_button(b));

    let preview = el("div")
        .class("preview")
        .attr("data-test", "body-preview")
        .build();
    markdown_view::render_into(&preview, &doc.body);
    let (s, pv) = (b.clone(), preview.clone());
    let body = el("textarea")
        .attr("id", "tooltip-body")
        .attr("rows", "4")
        .attr("data-test", "tooltip-body")
        .attr("aria-describedby", "tooltip-body-hint")
        .text(&doc.body)
        .on_value(move |e| {
            let v = event_value(&e);
            markdown_view::render_into(&pv, &v);
            s.edit(|d| d.body = v);
        });
    b.track("/body", body.as_element());

    let s = b.clone();
    let trigger = el("select")
        .attr("id", "tooltip-trigger")
        .attr("data-test", "tooltip-trigger")
        .children(
            [
                (TooltipTrigger::Hover, "On hover of the element"),
                (TooltipTrigger::Focus, "On focus of the element"),
                (
                    TooltipTrigger::Beacon,
                    "Behind a beacon next to the element",
                ),
            ]
            .into_iter()
            .map(|(t, label)| {
                el("option")
                    .attr("value", trigger_value(t))
                    .flag("selected", t == doc.trigger)
                    .text(label)
            }),
        )
        .on("change", move |e| {
            let t = trigger_of(&event_value(&e));
            s.edit(|d| d.trigger = t);
        });
    b.track("/trigger", trigger.as_element());

    el("div")
        .child(element)
        .child(
            el("section")
                .attr("aria-labelledby", "tooltip-text-heading")
                .child(el("h2").attr("id", "tooltip-text-heading").text("Text"))
                .child(
                    field("tooltip-body", "Text", body).child(
                        el("p")
                            .attr("id", "tooltip-body-hint")
                            .class("hint")
                            .text("**bold**, *italic*, [link](https://…), - lists"),
                    ),
                )
                .child(
                    el("div")
                        .attr("role", "region")
                        .attr("aria-label", "Preview of the text")
                        .child(preview),
                )
                .child(field("tooltip-trigger", "Shown", trigger).class("field inline")),
        )
        .build()
}
