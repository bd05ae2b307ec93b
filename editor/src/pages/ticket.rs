//! One ticket: the employee's words, everything the overlay knew when they asked for help (so nobody
//! has to ask "which screen were you on?"), the conversation and audit trail, and the agent's
//! actions: public reply, internal note, assign, escalate, change status.
//!
//! After each action the ticket is fetched again and redrawn; what happened is announced in a live
//! region that survives the redraw.

use std::rc::Rc;

use cairn_shared::api::{TicketDetail, TicketEntry, TicketUpdate, TicketView};
use cairn_shared::helpdesk::{Impact, MAX_TIER, Urgency};
use cairn_shared::users::UserView;
use wasm_bindgen_futures::spawn_local;
use web_sys::Element;

use crate::api::{self, ApiError};
use crate::app;
use crate::describe;
use crate::dom::{self, el};
use crate::pages::{self, Ctx, tickets};
use crate::queue;
use crate::router::Route;

pub fn render(ctx: &Ctx, id: String) {
    dom::set_title("Ticket");
    ctx.append(pages::back_link(Route::Tickets, "← All tickets"));
    let heading = pages::heading("Ticket");
    ctx.append(&heading);
    let announce = el("div")
        .class("feedback")
        .attr("role", "status")
        .attr("aria-live", "polite")
        .attr("data-test", "ticket-feedback")
        .build();
    ctx.append(&announce);
    let slot = el("div").build();
    ctx.append(&slot);
    let page = Rc::new(Page {
        ctx: ctx.clone(),
        id,
        heading,
        announce,
        slot,
    });
    page.load();
}

struct Page {
    ctx: Ctx,
    id: String,
    heading: Element,
    announce: Element,
    slot: Element,
}

impl Page {
    fn load(self: &Rc<Self>) {
        let (id, me) = (self.id.clone(), self.clone());
        pages::load(
            &self.ctx,
            &self.slot,
            move || {
                let id = id.clone();
                async move { api::ticket(&id).await }
            },
            move |slot, d: TicketDetail| me.show(slot, &d),
        );
    }

    fn show(self: &Rc<Self>, slot: &Element, d: &TicketDetail) {
        let t = &d.ticket;
        let title = format!("Ticket #{}", t.number);
        self.heading.set_text_content(Some(&title));
        dom::set_title(&title);
        let _ = slot.append_child(&detail(t));
        let _ = slot.append_child(&self.actions(t));
        let _ = slot.append_child(&trail(&d.entries));
    }

    /// Runs an action, then reloads the ticket and announces `done`; errors stay next to the form.
    fn act<F>(self: &Rc<Self>, done: String, busy: Element, fut: F)
    where
        F: std::future::Future<Output = Result<(), ApiError>> + 'static,
    {
        if busy.get_attribute("aria-disabled").as_deref() == Some("true") {
            return;
        }
        dom::set_busy(&busy, true);
        self.announce.set_text_content(Some("Working…"));
        let me = self.clone();
        spawn_local(async move {
            let result = fut.await;
            dom::set_busy(&busy, false);
            if !me.ctx.is_current() {
                return;
            }
            match result {
                Ok(()) => {
                    me.announce.set_text_content(Some(&done));
                    me.load();
                }
                Err(e) if e.is_unauthorized() => app::signed_out(),
                Err(e) => {
                    let mut message = e.message();
                    if let ApiError::Status { problems, .. } = &e {
                        for p in problems {
                            message.push_str(&format!(" {}", p.message));
                        }
                    }
                    dom::replace(
                        &me.announce,
                        el("p")
                            .class("feedback-error")
                            .text(&format!("That did not work: {message}")),
                    );
                }
            }
        });
    }

    fn actions(self: &Rc<Self>, t: &TicketView) -> Element {
        let section = el("section")
            .class("ticket-actions")
            .attr("aria-labelledby", "actions-heading")
            .child(
                el("h2")
                    .attr("id", "actions-heading")
                    .text("Work the ticket"),
            );

        // Reply and note: one text area, two buttons, so the choice is explicit at the moment of
        // sending.
        let text = el("textarea")
            .attr("id", "entry-body")
            .attr("rows", "4")
            .attr("data-test", "entry-body")
            .build();
        let reply = button("Send public reply", "send-reply", "button primary");
        let note = button("Add internal note", "add-note", "button");
        for (b, internal) in [(&reply, false), (&note, true)] {
            let (me, text, b2) = (self.clone(), text.clone(), b.clone());
            dom::on(b, "click", move |_| {
                let body = dom::value(&text).trim().to_string();
                if body.is_empty() {
                    me.announce.set_text_content(Some("Write something first."));
                    dom::focus(&text);
                    return;
                }
                let id = me.id.clone();
                let done = if internal {
                    "Internal note added."
                } else {
                    "Reply sent: the employee sees it in the application."
                };
                me.act(done.into(), b2.clone(), async move {
                    api::add_entry(&id, &body, internal).await.map(|_| ())
                });
            });
        }
        let write = el("div")
            .class("action-block")
            .child(
                el("label")
                    .attr("for", "entry-body")
                    .text("Reply to the employee, or note for colleagues"),
            )
            .child(&text)
            .child(el("p").class("hint").text(
                "A public reply shows in the employee's “My tickets”; an internal note never does.",
            ))
            .child(el("div").class("actions").child(&reply).child(&note));

        // Assign.
        let owner = el("select")
            .attr("id", "assign-owner")
            .attr("data-test", "assign-owner")
            .child(el("option").attr("value", "").text("Unassigned"))
            .build();
        if let Some(o) = &t.owner {
            let _ = owner.append_child(&el("option").attr("value", o).text(o).build());
            dom::set_value(&owner, o);
        }
        {
            let (owner, current) = (owner.clone(), t.owner.clone());
            spawn_local(async move {
                if let Ok(users) = api::users().await {
                    fill_owners(&owner, &users, current.as_deref());
                }
            });
        }
        let assign = button("Assign", "assign", "button");
        {
            let (me, owner, b) = (self.clone(), owner.clone(), assign.clone());
            dom::on(&assign, "click", move |_| {
                let who = dom::value(&owner);
                let id = me.id.clone();
                let done = if who.is_empty() {
                    "Unassigned.".to_string()
                } else {
                    format!("Assigned to {who}.")
                };
                let update = TicketUpdate {
                    owner: Some(who),
                    ..Default::default()
                };
                me.act(done, b.clone(), async move {
                    api::update_ticket(&id, &update).await.map(|_| ())
                });
            });
        }
        let assign_block = el("div")
            .class("action-block")
            .child(
                el("div")
                    .class("field inline")
                    .child(el("label").attr("for", "assign-owner").text("Owner"))
                    .child(&owner),
            )
            .child(&assign);

        // Escalate: only upward, with a required note.
        let escalate_block = if t.tier < MAX_TIER {
            let tier = el("select")
                .attr("id", "escalate-tier")
                .attr("data-test", "escalate-tier")
                .children((t.tier + 1..=MAX_TIER).map(|n| {
                    el("option")
                        .attr("value", &n.to_string())
                        .text(&format!("L{n}"))
                }))
                .build();
            let why = el("textarea")
                .attr("id", "escalate-note")
                .attr("rows", "2")
                .attr("data-test", "escalate-note")
                .flag("required", true)
                .attr("aria-required", "true")
                .build();
            let go = button("Escalate", "escalate", "button");
            let (me, tier2, why2, b) = (self.clone(), tier.clone(), why.clone(), go.clone());
            dom::on(&go, "click", move |_| {
                let note = dom::value(&why2).trim().to_string();
                let Ok(level) = dom::value(&tier2).parse::<u8>() else {
                    return;
                };
                if note.is_empty() {
                    dom::set_attr(&why2, "aria-invalid", "true");
                    me.announce
                        .set_text_content(Some("Say why the ticket goes up a tier."));
                    dom::focus(&why2);
                    return;
                }
                let id = me.id.clone();
                me.act(format!("Escalated to L{level}."), b.clone(), async move {
                    api::escalate(&id, level, &note).await.map(|_| ())
                });
            });
            el("div")
                .class("action-block")
                .child(
                    el("div")
                        .class("field inline")
                        .child(el("label").attr("for", "escalate-tier").text("Escalate to"))
                        .child(&tier),
                )
                .child(
                    el("div")
                        .class("field")
                        .child(
                            el("label")
                                .attr("for", "escalate-note")
                                .text("Why (required)"),
                        )
                        .child(&why),
                )
                .child(&go)
        } else {
            el("div")
                .class("action-block")
                .child(el("p").class("muted").text("At L4: the highest tier."))
        };

        // Status changes the workflow allows from here.
        let moves = queue::transitions(t.status);
        let status_block = el("div")
            .class("action-block")
            .attr("role", "group")
            .attr("aria-label", "Change status");
        let status_block = if moves.is_empty() {
            status_block.child(el("p").class("muted").text("Closed tickets are final."))
        } else {
            status_block.children(moves.into_iter().map(|(to, label)| {
                let b = button(label, &format!("status-{}", to.as_str()), "button");
                let (me, b2) = (self.clone(), b.clone());
                dom::on(&b, "click", move |_| {
                    let id = me.id.clone();
                    let update = TicketUpdate {
                        status: Some(to),
                        ..Default::default()
                    };
                    me.act(
                        format!("Status: {}.", to.as_str()),
                        b2.clone(),
                        async move { api::update_ticket(&id, &update).await.map(|_| ()) },
                    );
                });
                b
            }))
        };

        section
            .child(write)
            .child(
                el("div")
                    .class("action-row")
                    .child(assign_block)
                    .child(escalate_block)
                    .child(status_block),
            )
            .build()
    }
}

fn button(label: &str, test: &str, class: &str) -> Element {
    el("button")
        .attr("type", "button")
        .class(class)
        .attr("data-test", test)
        .text(label)
        .build()
}

fn fill_owners(select: &Element, users: &[UserView], current: Option<&str>) {
    for u in users.iter().filter(|u| u.can_work_tickets) {
        if Some(u.email.as_str()) == current {
            continue;
        }
        let _ = select.append_child(
            &el("option")
                .attr("value", &u.email)
                .text(&format!("{} ({})", u.email, u.role))
                .build(),
        );
    }
}

fn impact(i: Impact) -> &'static str {
    match i {
        Impact::Me => "Just me",
        Impact::Team => "My team",
        Impact::Everyone => "Everyone",
    }
}

fn urgency(u: Urgency) -> &'static str {
    match u {
        Urgency::CanWait => "Can wait",
        Urgency::Slowed => "Slows me down",
        Urgency::Blocking => "Blocking me",
    }
}

fn detail(t: &TicketView) -> Element {
    let c = &t.context;
    let text = |s: &str| dom::text(s);
    let or_dash = |s: Option<&str>| dom::text(s.filter(|s| !s.is_empty()).unwrap_or("—"));
    let now = pages::now_ms();

    let tour = match (&c.tour_title, &c.tour_id) {
        (title, Some(id)) => {
            let route = match &c.step_id {
                Some(step) => Route::TourStep(id.clone(), step.clone()),
                None => Route::Tour(id.clone()),
            };
            el("span")
                .text(title.as_deref().unwrap_or(id))
                .text(" · ")
                .child(
                    el("a")
                        .attr("href", &route.href())
                        .attr("data-test", "open-tour-step")
                        .text("Open this step in the editor"),
                )
                .build()
        }
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
    // The guides the form suggested before filing: they did not help.
    let offered = if c.deflections_offered.is_empty() {
        el("span").text("—").build()
    } else {
        el("ul")
            .attr("data-test", "deflections-offered")
            .children(
                c.deflections_offered
                    .iter()
                    .map(|id| el("li").child(el("code").text(id))),
            )
            .build()
    };
    let viewport = if c.viewport.width == 0 && c.viewport.height == 0 {
        text("—")
    } else {
        text(&format!("{} × {} px", c.viewport.width, c.viewport.height))
    };
    let user = match (&c.user_id, c.user_verified) {
        (None, _) => el("span").text("Anonymous").build(),
        (Some(id), Some(true)) => el("span")
            .child(el("code").text(id))
            .text(" ")
            .child(el("span").class("badge verified").text("Verified"))
            .build(),
        (Some(id), _) => el("span")
            .child(el("code").text(id))
            .text(" ")
            .child(el("span").class("badge unverified").text("Unverified"))
            .build(),
    };
    let attributes = if c.user_attributes.is_empty() {
        el("span").text("—").build()
    } else {
        el("ul")
            .class("plain attributes")
            .children(c.user_attributes.iter().map(|(k, v)| {
                el("li")
                    .child(el("span").class("attr-name").text(k))
                    .text(": ")
                    .text(v)
            }))
            .build()
    };
    let external = if t.external.is_empty() {
        el("span").text("Not sent to an external help desk").build()
    } else {
        el("ul")
            .class("plain")
            .attr("data-test", "external-refs")
            .children(t.external.iter().map(|x| {
                let li = el("li").text(&format!("{} ({}): ", x.integration, x.kind));
                let id = x.id.as_deref().unwrap_or("—");
                match x.url.as_deref().filter(|u| u.starts_with("http")) {
                    Some(url) => li.child(
                        el("a")
                            .attr("href", url)
                            .attr("target", "_blank")
                            .attr("rel", "noopener noreferrer")
                            .text(id),
                    ),
                    None => li.text(id),
                }
            }))
            .build()
    };
    let sla = if queue::breached(t) {
        el("span").child(tickets::sla_badge(t, now)).text(" · ")
    } else {
        el("span")
    };
    let sla = sla
        .text(&format!(
            "Response {} · resolution {}",
            if t.sla.first_responded_at.is_some() {
                "given".to_string()
            } else {
                queue::due_phrase(now, t.sla.first_response_due)
            },
            if t.status.is_active() {
                queue::due_phrase(now, t.sla.resolution_due)
            } else {
                "done".to_string()
            }
        ))
        .build();

    let summary = el("dl")
        .class("facts wide")
        .attr("data-test", "ticket-summary")
        .children(pages::fact("Status", tickets::status_badge(t.status)))
        .children(pages::fact(
            "Priority",
            el("span")
                .child(tickets::priority_badge(t.priority))
                .text(&format!(
                    " {} · impact: {} · urgency: {}",
                    tickets::describe_priority(t.priority),
                    impact(t.impact),
                    urgency(t.urgency)
                )),
        ))
        .children(pages::fact("Category", or_dash(t.category.as_deref())))
        .children(pages::fact(
            "Tier",
            el("span")
                .attr("data-test", "ticket-tier")
                .text(&format!("L{}", t.tier)),
        ))
        .children(pages::fact(
            "Owner",
            el("span")
                .attr("data-test", "ticket-owner")
                .text(t.owner.as_deref().unwrap_or("Unassigned")),
        ))
        .children(pages::fact("SLA", sla))
        .children(pages::fact("External ticket", external))
        .children(pages::fact("Filed", pages::date_time(t.created_at)));

    let facts = el("dl")
        .class("facts wide")
        .attr("data-test", "ticket-context")
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
            "Content version",
            c.version
                .map_or_else(|| text("—"), |v| text(&format!("v{v}"))),
        ))
        .children(pages::fact(
            "Element found",
            el("span")
                .attr("data-test", "element-found")
                .text(describe::element_found(c.element_found)),
        ))
        .children(pages::fact("Last steps seen", steps_seen))
        .children(pages::fact("Guides offered, not followed", offered))
        .children(pages::fact("Browser", or_dash(Some(&c.user_agent))))
        .children(pages::fact("Viewport", viewport))
        .children(pages::fact("User", user))
        .children(pages::fact("Attributes", attributes));

    el("div")
        .class("ticket")
        .attr("data-test", "ticket-detail")
        .attr("data-id", &t.id)
        .attr("data-status", t.status.as_str())
        .child(summary)
        .child(el("h2").text("The employee's words"))
        .child(
            el("blockquote")
                .class("message-full")
                .attr("data-test", "ticket-message")
                .child(el("p").text(&t.message)),
        )
        .child(el("h2").text("Where they were"))
        .child(facts)
        .build()
}

/// The conversation and every change, oldest first; internal entries are marked as such.
fn trail(entries: &[TicketEntry]) -> Element {
    let list = if entries.is_empty() {
        el("p").class("empty").text("Nothing yet.").build()
    } else {
        el("ol")
            .class("trail")
            .attr("data-test", "audit-trail")
            .children(entries.iter().map(|e| {
                let kind = match e.kind.as_str() {
                    "created" => "Filed",
                    "reply" => "Public reply",
                    "note" => "Internal note",
                    "escalated" => "Escalated",
                    "assigned" => "Assignment",
                    "status" => "Status",
                    "priority" => "Priority",
                    "category" => "Category",
                    other => other,
                };
                el("li")
                    .class(if e.internal {
                        "entry internal"
                    } else {
                        "entry public"
                    })
                    .attr("data-test", "entry")
                    .attr("data-kind", &e.kind)
                    .attr("data-internal", if e.internal { "true" } else { "false" })
                    .child(
                        el("p")
                            .class("entry-head")
                            .child(el("strong").text(kind))
                            .text(&format!(
                                " · {} · ",
                                e.author.as_deref().unwrap_or("Employee")
                            ))
                            .child(pages::time(e.created_at))
                            .text(if e.internal && e.kind == "note" {
                                " · not visible to the employee"
                            } else {
                                ""
                            }),
                    )
                    .child(el("p").class("entry-body").text(&e.body))
            }))
            .build()
    };
    el("section")
        .attr("aria-labelledby", "trail-heading")
        .child(
            el("h2")
                .attr("id", "trail-heading")
                .text("Conversation and audit trail"),
        )
        .child(list)
        .build()
}
