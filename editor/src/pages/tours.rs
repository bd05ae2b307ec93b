//! The tours list: title, lifecycle badge, step count and last change, each row leading to the tour.

use cairn_shared::api::{NewTour, TourSummary};
use cairn_shared::content::Tour;
use wasm_bindgen_futures::spawn_local;
use web_sys::Element;

use crate::api;
use crate::dom::{self, el};
use crate::drafts;
use crate::format::{self, TourState};
use crate::pages::builder::Doc;
use crate::pages::{self, Ctx};
use crate::router::{self, Kind, Route};

pub fn render(ctx: &Ctx) {
    dom::set_title("Tours");
    ctx.append(pages::heading("Tours"));
    ctx.append(
        el("p")
            .class("lead")
            .text("Step-by-step walkthroughs employees follow inside your applications."),
    );
    ctx.append(pages::reports::alert_banner(ctx));
    ctx.append(new_tour_form());
    let slot = el("div").build();
    ctx.append(&slot);
    pages::load(
        ctx,
        &slot,
        api::tours,
        |slot, mut tours: Vec<TourSummary>| {
            if tours.is_empty() {
                let _ = slot.append_child(
                    &el("p")
                        .class("empty")
                        .text("No tours yet. Create one above, or import tours with ")
                        .child(el("code").text("cairn import"))
                        .text(" appear here.")
                        .build(),
                );
                return;
            }
            tours.sort_by_key(|t| std::cmp::Reverse(t.updated_at));
            let _ = slot.append_child(&pages::table_wrap("Tours", table(&tours)));
            // For measuring time to interactive: navigation start to the first useful screen.
            if let Some(perf) = web_sys::window().and_then(|w| w.performance())
                && perf.get_entries_by_name("cairn-editor-ready").length() == 0
            {
                let _ = perf.mark("cairn-editor-ready");
            }
        },
    );
}

/// "New tour": a title and an application; the tour starts as a draft with one floating step, and
/// the builder opens on it (steps are then added there or recorded in the app).
fn new_tour_form() -> Element {
    let title = el("input")
        .attr("id", "new-tour-title")
        .attr("data-test", "new-tour-title")
        .attr("required", "")
        .attr("autocomplete", "off")
        .build();
    let app = el("select")
        .attr("id", "new-tour-app")
        .attr("data-test", "new-tour-app")
        .build();
    let status = el("p")
        .class("feedback")
        .attr("role", "status")
        .attr("data-test", "new-tour-status")
        .build();
    {
        let (app, status) = (app.clone(), status.clone());
        spawn_local(async move {
            match api::apps().await {
                Ok(apps) => {
                    for a in apps {
                        let _ = app
                            .append_child(&el("option").attr("value", &a.id).text(&a.name).build());
                    }
                }
                Err(e) => status.set_text_content(Some(&e.message())),
            }
        });
    }
    let (t, a, s) = (title.clone(), app.clone(), status.clone());
    el("form")
        .class("new-tour")
        .attr("data-test", "new-tour")
        .attr("aria-labelledby", "new-tour-heading")
        .child(el("h2").attr("id", "new-tour-heading").text("New tour"))
        .child(el("label").attr("for", "new-tour-title").text("Title"))
        .child(title)
        .child(el("label").attr("for", "new-tour-app").text("Application"))
        .child(app)
        .child(
            el("button")
                .attr("type", "submit")
                .class("button primary")
                .attr("data-test", "new-tour-create")
                .text("Create tour"),
        )
        .child(status)
        .on("submit", move |e| {
            e.prevent_default();
            let name = dom::value(&t).trim().to_string();
            if name.is_empty() {
                s.set_text_content(Some("Give the tour a title."));
                return;
            }
            let new = NewTour {
                app_id: dom::value(&a),
                document: Tour::new_doc(name),
            };
            let s = s.clone();
            s.set_text_content(Some("Creating…"));
            spawn_local(async move {
                match api::create_tour(&new).await {
                    Ok(detail) => router::go(&Route::Tour(detail.summary.id)),
                    Err(e) => s.set_text_content(Some(&e.message())),
                }
            });
        })
        .build()
}

fn table(tours: &[TourSummary]) -> Element {
    let head = el("thead").child(
        el("tr").children(
            ["Title", "Status", "Steps", "Updated"]
                .iter()
                .map(|h| el("th").attr("scope", "col").text(h)),
        ),
    );
    el("table")
        .class("data clickable")
        .child(head)
        .child(el("tbody").children(tours.iter().map(row)))
        .build()
}

fn row(t: &TourSummary) -> Element {
    let route = Route::Tour(t.id.clone());
    let mut title = el("td").child(el("a").attr("href", &route.href()).text(&t.title));
    if drafts::exists(Kind::Tours, &t.id) {
        title = title.child(
            el("span")
                .class("hint-inline")
                .text("Unsaved changes in this browser"),
        );
    }
    el("tr")
        .attr("data-test", "tour-row")
        .attr("data-id", &t.id)
        .child(title)
        .child(el("td").child(badge(t.published_version, t.has_unpublished_changes)))
        .child(el("td").class("num").text(&t.step_count.to_string()))
        .child(el("td").child(pages::time(t.updated_at)))
        // The whole row is a mouse target; keyboard users have the link in the first cell.
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

/// The lifecycle badge: Draft, Published vN, or Published vN · unpublished changes.
pub fn badge(published_version: Option<u32>, has_unpublished_changes: bool) -> Element {
    let state = TourState::of(published_version, has_unpublished_changes);
    el("span")
        .class(&format!("badge badge-{}", state.as_str()))
        .attr("data-state", state.as_str())
        .text(&format::tour_status(
            published_version,
            has_unpublished_changes,
        ))
        .build()
}

/// Updates a badge made by [`badge`] in place.
pub fn update_badge(
    badge: &Element,
    published_version: Option<u32>,
    has_unpublished_changes: bool,
) {
    let state = TourState::of(published_version, has_unpublished_changes);
    badge.set_class_name(&format!("badge badge-{}", state.as_str()));
    dom::set_attr(badge, "data-state", state.as_str());
    badge.set_text_content(Some(&format::tour_status(
        published_version,
        has_unpublished_changes,
    )));
}
