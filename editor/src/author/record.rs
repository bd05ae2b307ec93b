//! The editor's "Record in app" button: asks for an author link and opens it in a new tab, where
//! the overlay's loader starts the author mode.

use wasm_bindgen_futures::spawn_local;
use web_sys::Element;

use crate::dom::{self, el};

/// The button, for the tour page's toolbar; `status` is where it reports (a live region).
pub fn record_button(tour_id: &str, status: &Element) -> Element {
    link_button(
        "tours",
        tour_id,
        status,
        ("Record in app", "record-in-app"),
        "Open the application in a new tab and add steps by pointing at its elements",
        "Recording in a new tab. When you are done there, reload this page to see the recorded steps.",
    )
}

/// The tooltip page's "Pick in app": the same author mode, picking the tooltip's element.
pub fn pick_button(tooltip_id: &str, status: &Element) -> Element {
    link_button(
        "tooltips",
        tooltip_id,
        status,
        ("Pick element in app", "pick-in-app"),
        "Open the application in a new tab and click the element this tooltip is about",
        "Picking in a new tab. When you are done there, come back to this tab to see the element.",
    )
}

fn link_button(
    kind: &'static str,
    id: &str,
    status: &Element,
    (label, test): (&str, &str),
    title: &str,
    opened: &'static str,
) -> Element {
    let button = el("button")
        .attr("type", "button")
        .class("button")
        .attr("data-test", test)
        .attr("title", title)
        .text(label)
        .build();
    let (id, status, b) = (id.to_string(), status.clone(), button.clone());
    dom::on(&button, "click", move |_| {
        let Some(window) = web_sys::window() else {
            return;
        };
        // Opened now, while the click still counts as a user gesture (pop-up blockers), and
        // pointed at the link once the server answers.
        let tab = window
            .open_with_url_and_target("about:blank", "_blank")
            .ok()
            .flatten();
        let (id, status, b) = (id.clone(), status.clone(), b.clone());
        dom::set_busy(&b, true);
        spawn_local(async move {
            let result = super::api::author_link(kind, &id).await;
            dom::set_busy(&b, false);
            match (result, tab) {
                (Ok(link), Some(tab)) => {
                    // The app's page must not be able to reach back into the editor.
                    let _ = tab.set_opener(&wasm_bindgen::JsValue::NULL);
                    let _ = tab.location().set_href(&link.url);
                    status.set_text_content(Some(opened));
                }
                (Ok(link), None) => {
                    // Pop-ups blocked: this tab goes instead (the draft is saved on the server).
                    let _ = window.location().set_href(&link.url);
                }
                (Err(e), tab) => {
                    if let Some(tab) = tab {
                        let _ = tab.close();
                    }
                    status.set_text_content(Some(&format!(
                        "Could not open the app in author mode: {}",
                        e.message()
                    )));
                }
            }
        });
    });
    button
}
