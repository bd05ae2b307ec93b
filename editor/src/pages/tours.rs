//! The tours list: title, lifecycle badge, step count and last change, each row leading to the tour.

use cairn_shared::api::TourSummary;
use web_sys::Element;

use crate::api;
use crate::dom::{self, el};
use crate::drafts;
use crate::format::{self, TourState};
use crate::pages::{self, Ctx};
use crate::router::{self, Route};

pub fn render(ctx: &Ctx) {
    dom::set_title("Tours");
    ctx.append(pages::heading("Tours"));
    ctx.append(
        el("p")
            .class("lead")
            .text("Step-by-step walkthroughs employees follow inside your applications."),
    );
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
                    .text("No tours yet. Tours created in the overlay's author mode or imported with ")
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
    if drafts::exists(&t.id) {
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
