//! One ticket: the employee's words and everything the overlay knew when they asked for help, so
//! nobody has to ask "which screen were you on?".

use cairn_shared::api::TicketView;
use web_sys::Element;

use crate::api;
use crate::describe;
use crate::dom::{self, el};
use crate::pages::{self, Ctx, tickets};
use crate::router::Route;

pub fn render(ctx: &Ctx, id: String) {
    dom::set_title("Ticket");
    ctx.append(pages::back_link(Route::Tickets, "← All tickets"));
    let heading = pages::heading("Ticket");
    ctx.append(&heading);
    let slot = el("div").build();
    ctx.append(&slot);
    pages::load(
        ctx,
        &slot,
        move || {
            let id = id.clone();
            async move { api::ticket(&id).await }
        },
        move |slot, t: TicketView| {
            let title = format!("Ticket #{}", t.number);
            heading.set_text_content(Some(&title));
            dom::set_title(&title);
            let _ = slot.append_child(&detail(&t));
        },
    );
}

fn detail(t: &TicketView) -> Element {
    let c = &t.context;
    let text = |s: &str| dom::text(s);
    let or_dash = |s: Option<&str>| dom::text(s.filter(|s| !s.is_empty()).unwrap_or("—"));

    let tour = match (&c.tour_title, &c.tour_id) {
        (Some(title), Some(id)) => el("span")
            .text(title)
            .text(" ")
            .child(el("code").class("id").text(id))
            .build(),
        (None, Some(id)) => el("code").class("id").text(id).build(),
        (Some(title), None) => el("span").text(title).build(),
        (None, None) => el("span").text("—").build(),
    };
    let step = match (c.step_index, c.step_title.as_deref()) {
        (Some(i), Some(title)) => text(&format!("{} — {title}", i + 1)),
        (Some(i), None) => text(&(i + 1).to_string()),
        (None, title) => or_dash(title),
    };
    let steps_seen = if c.steps_seen.is_empty() {
        el("span").text("—").build()
    } else {
        el("ol")
            .class("seen")
            .children(
                c.steps_seen
                    .iter()
                    .map(|s| el("li").child(el("code").text(s))),
            )
            .build()
    };
    let viewport = if c.viewport.width == 0 && c.viewport.height == 0 {
        text("—")
    } else {
        text(&format!("{} × {} px", c.viewport.width, c.viewport.height))
    };

    let facts = el("dl")
        .class("facts wide")
        .children(pages::fact("Application", text(&t.app_name)))
        .children(pages::fact(
            "Page",
            el("span").class("url").text(if c.page_url.is_empty() {
                "—"
            } else {
                &c.page_url
            }),
        ))
        .children(pages::fact("Tour", tour))
        .children(pages::fact("Step", step))
        .children(pages::fact(
            "Version",
            c.version
                .map_or_else(|| text("—"), |v| text(&format!("v{v}"))),
        ))
        .children(pages::fact(
            "Element found",
            text(describe::element_found(c.element_found)),
        ))
        .children(pages::fact("Steps seen", steps_seen))
        .children(pages::fact("Browser", or_dash(Some(&c.user_agent))))
        .children(pages::fact("Viewport", viewport))
        .children(pages::fact("User", or_dash(c.user_id.as_deref())))
        .children(pages::fact("Filed", pages::date_time(t.created_at)));

    el("div")
        .class("ticket")
        .attr("data-test", "ticket-detail")
        .attr("data-id", &t.id)
        .child(
            el("p")
                .class("ticket-status")
                .text("Status ")
                .child(tickets::status_badge(t.status)),
        )
        .child(el("h2").text("Message"))
        .child(
            el("blockquote")
                .class("message-full")
                .child(el("p").text(&t.message)),
        )
        .child(el("h2").text("Context"))
        .child(facts)
        .build()
}
