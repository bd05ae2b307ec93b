//! Deliveries: each ticket event on its way to a webhook or help desk, with its status, attempts and
//! last error; dead-lettered ones can be put back in the queue.

use cairn_shared::deliveries::DeliveryView;
use wasm_bindgen_futures::spawn_local;
use web_sys::Element;

use crate::api::{self, ApiError};
use crate::app;
use crate::dom::{self, el};
use crate::pages::{self, Ctx};
use crate::router::Route;

pub fn render(ctx: &Ctx) {
    dom::set_title("Deliveries");
    ctx.append(pages::back_link(Route::Tickets, "← Tickets"));
    ctx.append(pages::heading("Deliveries"));
    ctx.append(el("p").class("lead").text(
        "Tickets sent to webhooks and help desks. Failed sends are retried with growing delays; \
         after 8 attempts a delivery is dead until you retry it.",
    ));
    let feedback = el("div")
        .class("feedback")
        .attr("role", "status")
        .attr("aria-live", "polite")
        .attr("data-test", "deliveries-feedback")
        .build();
    ctx.append(&feedback);
    let slot = el("div").build();
    ctx.append(&slot);
    let c = ctx.clone();
    pages::load(
        ctx,
        &slot,
        || async {
            let deliveries = api::deliveries().await?;
            // Names are a nicety: without them the id is shown.
            let integrations = api::integrations().await.unwrap_or_default();
            Ok::<_, ApiError>((deliveries, integrations))
        },
        move |slot, (deliveries, integrations): (Vec<DeliveryView>, Vec<serde_json::Value>)| {
            if deliveries.is_empty() {
                let _ = slot.append_child(
                    &el("p")
                        .class("empty")
                        .text("Nothing sent yet: no integration is configured, or no ticket was filed since.")
                        .build(),
                );
                return;
            }
            let name = |id: &str| {
                integrations
                    .iter()
                    .find(|i| i.get("id").and_then(|v| v.as_str()) == Some(id))
                    .map(|i| {
                        format!(
                            "{} ({})",
                            i.get("name").and_then(|v| v.as_str()).unwrap_or(id),
                            i.get("kind").and_then(|v| v.as_str()).unwrap_or("?")
                        )
                    })
                    .unwrap_or_else(|| id.to_string())
            };
            let head = el("thead").child(
                el("tr").children(
                    [
                        "Created",
                        "Integration",
                        "Ticket",
                        "Event",
                        "Status",
                        "Attempts",
                        "Last error",
                        "External ticket",
                        "",
                    ]
                    .iter()
                    .map(|h| el("th").attr("scope", "col").text(h)),
                ),
            );
            let body = el("tbody").children(
                deliveries
                    .iter()
                    .map(|d| row(&c, d, &name(&d.integration_id), &feedback)),
            );
            let table = el("table")
                .class("data")
                .attr("data-test", "deliveries")
                .child(head)
                .child(body);
            let _ = slot.append_child(&pages::table_wrap("Deliveries", table));
        },
    );
}

fn row(ctx: &Ctx, d: &DeliveryView, integration: &str, feedback: &Element) -> Element {
    let error = match (&d.last_error, d.last_status) {
        (Some(e), Some(s)) => format!("HTTP {s}: {e}"),
        (Some(e), None) => e.clone(),
        (None, Some(s)) => format!("HTTP {s}"),
        (None, None) => "—".to_string(),
    };
    let external = match (&d.external_id, &d.external_url) {
        (id, Some(url)) if url.starts_with("http") => el("td").child(
            el("a")
                .attr("href", url)
                .attr("target", "_blank")
                .attr("rel", "noopener noreferrer")
                .text(id.as_deref().unwrap_or("Open")),
        ),
        (Some(id), _) => el("td").text(id),
        _ => el("td").text("—"),
    };
    let action = if d.status == "dead" {
        let id = d.id.clone();
        let (ctx, feedback) = (ctx.clone(), feedback.clone());
        el("td").child(
            el("button")
                .attr("type", "button")
                .class("button")
                .attr("data-test", "retry-delivery")
                .attr("aria-label", &format!("Retry delivery to {integration}"))
                .text("Retry")
                .on("click", move |_| {
                    let (id, ctx, feedback) = (id.clone(), ctx.clone(), feedback.clone());
                    spawn_local(async move {
                        let result = api::retry_delivery(&id).await;
                        if !ctx.is_current() {
                            return;
                        }
                        match result {
                            Ok(()) => {
                                feedback.set_text_content(Some("Queued again."));
                                app::rerender();
                            }
                            Err(e) if e.is_unauthorized() => app::signed_out(),
                            Err(e) => feedback.set_text_content(Some(&format!(
                                "Could not retry: {}",
                                e.message()
                            ))),
                        }
                    });
                }),
        )
    } else {
        el("td")
    };
    el("tr")
        .attr("data-test", "delivery-row")
        .attr("data-status", &d.status)
        .child(el("td").child(pages::time(d.created_at)))
        .child(el("td").text(integration))
        .child(
            el("td").child(
                el("a")
                    .attr("href", &Route::Ticket(d.ticket_id.clone()).href())
                    .text("Open ticket"),
            ),
        )
        .child(el("td").text(&d.event))
        .child(
            el("td").child(
                el("span")
                    .class(&format!("badge delivery-{}", d.status))
                    .text(&d.status),
            ),
        )
        .child(el("td").class("num").text(&d.attempts.to_string()))
        .child(el("td").class("message").text(&error))
        .child(external)
        .child(action)
        .build()
}
