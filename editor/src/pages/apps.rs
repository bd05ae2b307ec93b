//! Install: for each application, its public key, the origins allowed to load the overlay and the
//! `<script>` snippet to paste into its pages, with a Copy button.

use cairn_shared::api::AppView;
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::{JsFuture, spawn_local};
use web_sys::Element;

use crate::api;
use crate::dom::{self, el};
use crate::pages::{self, Ctx};

pub fn render(ctx: &Ctx) {
    dom::set_title("Install");
    ctx.append(pages::heading("Install"));
    ctx.append(el("p").class("lead").text(
        "Paste an application's snippet into every page of it, just before </body>. \
         The overlay only loads on the allowed origins.",
    ));
    let slot = el("div").build();
    ctx.append(&slot);
    pages::load(ctx, &slot, api::apps, |slot, apps: Vec<AppView>| {
        if apps.is_empty() {
            let _ = slot.append_child(&el("p").class("empty").text("No applications yet.").build());
            return;
        }
        for app in &apps {
            let _ = slot.append_child(&card(app));
        }
    });
}

fn card(app: &AppView) -> Element {
    let heading_id = dom::next_id("app");
    let origins = if app.allowed_origins.is_empty() {
        el("dd").text("None yet: the overlay will not load anywhere.")
    } else {
        el("dd").child(
            el("ul").class("plain").children(
                app.allowed_origins
                    .iter()
                    .map(|o| el("li").child(el("code").text(o))),
            ),
        )
    };
    let feedback = el("span")
        .class("copy-feedback")
        .attr("role", "status")
        .build();
    let snippet = app.snippet.clone();
    let said = feedback.clone();
    let copy = el("button")
        .attr("type", "button")
        .class("button")
        .attr("data-test", "copy-snippet")
        .text("Copy snippet")
        .on("click", move |_| {
            let (snippet, said) = (snippet.clone(), said.clone());
            spawn_local(async move {
                let copied = copy_text(&snippet).await;
                said.set_text_content(Some(if copied {
                    "Copied to the clipboard."
                } else {
                    "Copying is not available here: select the snippet and press Ctrl+C."
                }));
            });
        });

    el("section")
        .class("app-card")
        .attr("data-test", "app")
        .attr("data-id", &app.id)
        .attr("aria-labelledby", &heading_id)
        .child(el("h2").attr("id", &heading_id).text(&app.name))
        .child(
            el("dl")
                .class("facts")
                .children(pages::fact(
                    "Public key",
                    el("code")
                        .attr("data-test", "app-key")
                        .text(&app.public_key),
                ))
                .child(el("dt").text("Allowed origins"))
                .child(origins),
        )
        .child(el("h3").text("Snippet"))
        .child(
            el("pre")
                .class("snippet")
                .attr("tabindex", "0")
                .attr("aria-label", &format!("Snippet for {}", app.name))
                .child(el("code").attr("data-test", "snippet").text(&app.snippet)),
        )
        .child(el("div").class("actions").child(copy).child(feedback))
        .build()
}

/// Copies with the async Clipboard API; false where it does not exist (plain-http origins other
/// than localhost) or the browser refuses.
async fn copy_text(text: &str) -> bool {
    let Some(window) = web_sys::window() else {
        return false;
    };
    let navigator = window.navigator();
    // Checked first: calling it when absent would throw through the wasm.
    let has_clipboard = js_sys::Reflect::get(&navigator, &JsValue::from_str("clipboard"))
        .map(|c| !c.is_undefined() && !c.is_null())
        .unwrap_or(false);
    if !has_clipboard {
        return false;
    }
    JsFuture::from(navigator.clipboard().write_text(text))
        .await
        .is_ok()
}
