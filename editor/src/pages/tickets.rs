//! The ticket queue: every "Still stuck?" report, newest first, with the employee's words and the
//! tour step it came from.

use cairn_shared::api::TicketView;
use cairn_shared::targeting;
use web_sys::Element;

use crate::api;
use crate::describe;
use crate::dom::{self, el};
use crate::format;
use crate::pages::{self, Ctx};
use crate::router::{self, Route};

pub fn render(ctx: &Ctx) {
    dom::set_title("Tickets");
    ctx.append(pages::heading("Tickets"));
    ctx.append(
        el("p")
            .class("lead")
            .text("Filed by employees with “Still stuck?”, with the step they were on."),
    );
    let slot = el("div").build();
    ctx.append(&slot);
    pages::load(
        ctx,
        &slot,
        api::tickets,
        |slot, mut tickets: Vec<TicketView>| {
            if tickets.is_empty() {
                let _ = slot.append_child(&el("p").class("empty").text("No tickets yet.").build());
                return;
            }
            // The server sends newest first; sorting again keeps that true whatever it sends.
            tickets.sort_by(|a, b| {
                b.created_at
                    .cmp(&a.created_at)
                    .then(b.number.cmp(&a.number))
            });
            let _ = slot.append_child(&pages::table_wrap("Tickets", table(&tickets)));
        },
    );
}

fn table(tickets: &[TicketView]) -> Element {
    let head = el("thead").child(
        el("tr").children(
            [
                "Ticket",
                "Status",
                "Message",
                "Tour › step",
                "Page",
                "Created",
            ]
            .iter()
            .map(|h| el("th").attr("scope", "col").text(h)),
        ),
    );
    el("table")
        .class("data clickable")
        .child(head)
        .child(el("tbody").children(tickets.iter().map(row)))
        .build()
}

fn row(t: &TicketView) -> Element {
    let route = Route::Ticket(t.id.clone());
    el("tr")
        .attr("data-test", "ticket-row")
        .attr("data-id", &t.id)
        .child(
            el("td").child(
                el("a")
                    .attr("href", &route.href())
                    .text(&format!("#{}", t.number)),
            ),
        )
        .child(el("td").child(status_badge(t.status)))
        .child(
            el("td")
                .class("message")
                .text(&format::excerpt(&t.message, 80)),
        )
        .child(el("td").text(&describe::tour_step(&t.context)))
        .child(
            el("td").child(el("span").class("url").text(&format::excerpt(
                targeting::path_of(&t.context.page_url),
                48,
            ))),
        )
        .child(el("td").child(pages::time(t.created_at)))
        .on("click", move |e| {
            let on_link = e
                .target()
                .and_then(|t| wasm_bindgen::JsCast::dyn_into::<Element>(t).ok())
                .and_then(|t| t.closest("a").ok().flatten())
                .is_some();
            if !on_link {
                router::go(&route);
            }
        })
        .build()
}

/// `New`, `Open`, `Pending`, `Resolved` or `Closed`, coloured by how much it needs attention.
pub fn status_badge(status: cairn_shared::tickets::TicketStatus) -> Element {
    let s = status.as_str();
    let mut label = s.to_string();
    if let Some(first) = label.get_mut(0..1) {
        first.make_ascii_uppercase();
    }
    el("span")
        .class(&format!("badge ticket-{s}"))
        .attr("data-status", s)
        .text(&label)
        .build()
}
