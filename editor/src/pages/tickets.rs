//! The ticket queue: "Still stuck?" reports with priority, tier, owner and SLA, filtered by the
//! server (status, priority, tier, owner, SLA breach) and sorted in the browser. The filters stay
//! as set while the agent opens tickets and comes back.

use std::cell::RefCell;
use std::rc::Rc;

use cairn_shared::api::TicketView;
use cairn_shared::targeting;
use cairn_shared::tickets::TicketStatus;
use cairn_shared::users::UserView;
use wasm_bindgen_futures::spawn_local;
use web_sys::Element;

use crate::api;
use crate::describe;
use crate::dom::{self, el};
use crate::format;
use crate::pages::{self, Ctx};
use crate::queue::{self, QueueFilter, Sort};
use crate::router::{self, Route};

thread_local! {
    static FILTER: RefCell<(QueueFilter, Sort)> = RefCell::new(Default::default());
}

const STATUSES: [TicketStatus; 5] = [
    TicketStatus::New,
    TicketStatus::Open,
    TicketStatus::Pending,
    TicketStatus::Resolved,
    TicketStatus::Closed,
];

pub fn render(ctx: &Ctx) {
    dom::set_title("Tickets");
    ctx.append(pages::heading("Tickets"));
    ctx.append(
        el("p")
            .class("lead")
            .text("Filed by employees with “Still stuck?”, with the step they were on. ")
            .child(
                el("a")
                    .attr("href", &Route::Deliveries.href())
                    .attr("data-test", "nav-deliveries")
                    .text("Deliveries to help desks"),
            ),
    );
    let (filter, sort) = FILTER.with(|f| f.borrow().clone());
    let count = el("p")
        .class("muted")
        .attr("role", "status")
        .attr("data-test", "queue-count")
        .build();
    let slot = el("div").build();

    let status = select(
        "queue-status",
        "Status",
        std::iter::once(("", "Any status".to_string()))
            .chain(STATUSES.iter().map(|s| (s.as_str(), label(s.as_str()))))
            .collect(),
        filter.status.map(TicketStatus::as_str).unwrap_or(""),
    );
    let priority = select(
        "queue-priority",
        "Priority",
        vec![
            ("", "Any priority".into()),
            ("1", "P1 critical".into()),
            ("2", "P2 high".into()),
            ("3", "P3 medium".into()),
            ("4", "P4 low".into()),
        ],
        &filter.priority.map(|p| p.to_string()).unwrap_or_default(),
    );
    let tier = select(
        "queue-tier",
        "Tier",
        vec![
            ("", "Any tier".into()),
            ("1", "L1".into()),
            ("2", "L2".into()),
            ("3", "L3".into()),
            ("4", "L4".into()),
        ],
        &filter.tier.map(|p| p.to_string()).unwrap_or_default(),
    );
    let owner = select(
        "queue-owner",
        "Owner",
        vec![("", "Anyone".into()), ("me", "Me".into())],
        filter.owner.as_deref().unwrap_or(""),
    );
    let breach = select(
        "queue-breached",
        "SLA",
        vec![
            ("", "Any".into()),
            ("true", "Breached".into()),
            ("false", "Within target".into()),
        ],
        &filter.breached.map(|b| b.to_string()).unwrap_or_default(),
    );
    let sort_select = select(
        "queue-sort",
        "Sort by",
        Sort::ALL
            .iter()
            .map(|s| (s.as_str(), s.label().to_string()))
            .collect(),
        sort.as_str(),
    );
    // The owner list comes from the organisation's users; "Anyone" and "Me" work meanwhile.
    let owner_select = owner.1.clone();
    let chosen_owner = filter.owner.clone();
    spawn_local(async move {
        if let Ok(users) = api::users().await {
            add_owner_options(&owner_select, &users, chosen_owner.as_deref());
        }
    });

    let controls: Vec<(Element, Element)> = vec![
        status.clone(),
        priority.clone(),
        tier.clone(),
        owner.clone(),
        breach.clone(),
        sort_select.clone(),
    ];
    let read = {
        let (status, priority, tier, owner, breach, sort_select) = (
            status.1.clone(),
            priority.1.clone(),
            tier.1.clone(),
            owner.1.clone(),
            breach.1.clone(),
            sort_select.1.clone(),
        );
        move || {
            let v = |e: &Element| dom::value(e);
            let filter = QueueFilter {
                status: TicketStatus::parse(&v(&status)),
                priority: v(&priority).parse().ok(),
                tier: v(&tier).parse().ok(),
                owner: Some(v(&owner)).filter(|o| !o.is_empty()),
                breached: v(&breach).parse().ok(),
            };
            (filter, Sort::parse(&v(&sort_select)))
        }
    };
    let read = Rc::new(read);
    let clear = el("button")
        .attr("type", "button")
        .class("button quiet")
        .attr("data-test", "queue-clear")
        .text("Clear filters")
        .build();
    let form = el("form")
        .class("filters")
        .attr("aria-label", "Filter and sort the queue")
        .attr("data-test", "queue-filters")
        .children(
            controls
                .iter()
                .map(|(wrap, _)| wrap.clone())
                .collect::<Vec<_>>(),
        )
        .child(&clear)
        .on("submit", |e| e.prevent_default())
        .build();
    ctx.append(&form);
    ctx.append(&count);
    ctx.append(&slot);

    let run = {
        let (ctx, slot, count) = (ctx.clone(), slot.clone(), count.clone());
        Rc::new(move |filter: QueueFilter, sort: Sort| {
            FILTER.with(|f| *f.borrow_mut() = (filter.clone(), sort));
            let query = filter.query();
            let count = count.clone();
            let filtered = !filter.is_empty();
            pages::load(
                &ctx,
                &slot,
                move || {
                    let q = query.clone();
                    async move { api::tickets(&q).await }
                },
                move |slot, mut tickets: Vec<TicketView>| {
                    let one = tickets.len() == 1;
                    count.set_text_content(Some(&format!(
                        "{} ticket{}{}",
                        tickets.len(),
                        if one { "" } else { "s" },
                        match (filtered, one) {
                            (false, _) => "",
                            (true, true) => " matches the filters",
                            (true, false) => " match the filters",
                        }
                    )));
                    if tickets.is_empty() {
                        let _ = slot.append_child(
                            &el("p")
                                .class("empty")
                                .text(if filtered {
                                    "No ticket matches these filters."
                                } else {
                                    "No tickets yet."
                                })
                                .build(),
                        );
                        return;
                    }
                    sort.apply(&mut tickets);
                    let _ = slot.append_child(&pages::table_wrap("Tickets", table(&tickets)));
                },
            );
        })
    };
    for (_, control) in &controls {
        let (run, read) = (run.clone(), read.clone());
        dom::on(control, "change", move |_| {
            let (f, s) = read();
            run(f, s);
        });
    }
    {
        let run = run.clone();
        let controls = controls.clone();
        dom::on(&clear, "click", move |_| {
            for (_, c) in &controls {
                if c.id() != "queue-sort" {
                    dom::set_value(c, "");
                }
            }
            let sort = FILTER.with(|f| f.borrow().1);
            run(QueueFilter::default(), sort);
        });
    }
    run(filter, sort);
}

fn label(s: &str) -> String {
    let mut l = s.to_string();
    if let Some(first) = l.get_mut(0..1) {
        first.make_ascii_uppercase();
    }
    l
}

/// A labelled `<select>`: (wrapper, select).
fn select(id: &str, label: &str, options: Vec<(&str, String)>, chosen: &str) -> (Element, Element) {
    let s = el("select")
        .attr("id", id)
        .attr("data-test", id)
        .children(options.iter().map(|(value, text)| {
            el("option")
                .attr("value", value)
                .flag("selected", *value == chosen)
                .text(text)
        }))
        .build();
    let wrap = el("div")
        .class("field inline")
        .child(el("label").attr("for", id).text(label))
        .child(&s)
        .build();
    (wrap, s)
}

fn add_owner_options(select: &Element, users: &[UserView], chosen: Option<&str>) {
    for u in users.iter().filter(|u| u.can_work_tickets) {
        let _ = select.append_child(&el("option").attr("value", &u.email).text(&u.email).build());
    }
    if let Some(c) = chosen {
        dom::set_value(select, c);
    }
}

fn table(tickets: &[TicketView]) -> Element {
    let head = el("thead").child(
        el("tr").children(
            [
                "Ticket",
                "Priority",
                "Status",
                "Tier",
                "Owner",
                "SLA",
                "Message",
                "Tour › step",
                "Page",
                "Created",
            ]
            .iter()
            .map(|h| el("th").attr("scope", "col").text(h)),
        ),
    );
    let now = pages::now_ms();
    el("table")
        .class("data clickable")
        .attr("data-test", "ticket-table")
        .child(head)
        .child(el("tbody").children(tickets.iter().map(|t| row(t, now))))
        .build()
}

fn row(t: &TicketView, now: i64) -> Element {
    let route = Route::Ticket(t.id.clone());
    el("tr")
        .attr("data-test", "ticket-row")
        .attr("data-id", &t.id)
        .attr("data-priority", &t.priority.to_string())
        .attr("data-status", t.status.as_str())
        .child(
            el("td").child(
                el("a")
                    .attr("href", &route.href())
                    .text(&format!("#{}", t.number)),
            ),
        )
        .child(el("td").child(priority_badge(t.priority)))
        .child(el("td").child(status_badge(t.status)))
        .child(el("td").text(&format!("L{}", t.tier)))
        .child(el("td").text(t.owner.as_deref().unwrap_or("Unassigned")))
        .child(el("td").child(sla_badge(t, now)))
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
pub fn status_badge(status: TicketStatus) -> Element {
    let s = status.as_str();
    el("span")
        .class(&format!("badge ticket-{s}"))
        .attr("data-status", s)
        .text(&label(s))
        .build()
}

/// `P1` … `P4`.
pub fn priority_badge(priority: u8) -> Element {
    el("span")
        .class(&format!("badge priority-{priority}"))
        .attr("data-priority", &priority.to_string())
        .attr("title", describe_priority(priority))
        .text(&format!("P{priority}"))
        .build()
}

pub fn describe_priority(priority: u8) -> &'static str {
    match priority {
        1 => "Critical",
        2 => "High",
        3 => "Medium",
        _ => "Low",
    }
}

/// "Breached" (in words, not only colour) or the next due time.
pub fn sla_badge(t: &TicketView, now: i64) -> Element {
    let due = queue::next_due(t);
    if queue::breached(t) {
        let what = if t.sla.response_breached && t.sla.first_responded_at.is_none() {
            "Response overdue"
        } else if t.sla.resolution_breached {
            "Resolution overdue"
        } else {
            "Breached"
        };
        el("span")
            .class("badge sla-breached")
            .attr("data-test", "sla-breached")
            .text(what)
            .build()
    } else {
        el("span")
            .class("sla-due")
            .text(&queue::due_phrase(now, due))
            .build()
    }
}
