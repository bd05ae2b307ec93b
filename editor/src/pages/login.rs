//! The sign-in screen: email and password, errors from the server shown inline and announced.

use wasm_bindgen_futures::spawn_local;
use web_sys::Element;

use crate::api;
use crate::app;
use crate::dom::{self, el};

/// The whole screen (it has its own `<main>`: the shell is not shown while signed out).
pub fn render(note: Option<&str>) -> Element {
    let email = el("input")
        .attr("id", "login-email")
        .attr("type", "email")
        .attr("name", "email")
        .attr("autocomplete", "username")
        .attr("data-test", "login-email")
        .flag("required", true)
        .build();
    let password = el("input")
        .attr("id", "login-password")
        .attr("type", "password")
        .attr("name", "password")
        .attr("autocomplete", "current-password")
        .attr("data-test", "login-password")
        .flag("required", true)
        .build();
    // Empty until there is something to say; role=alert announces what is put in it.
    let alert = el("div")
        .class("form-error")
        .attr("role", "alert")
        .attr("data-test", "login-error")
        .build();
    let submit = el("button")
        .attr("type", "submit")
        .class("button primary wide")
        .attr("data-test", "login-submit")
        .text("Sign in")
        .build();

    let form = el("form")
        .attr("novalidate", "")
        .child(field("login-email", "Email", &email))
        .child(field("login-password", "Password", &password))
        .child(alert.clone())
        .child(submit.clone());

    let (email_in, password_in) = (email.clone(), password.clone());
    let form = form.on("submit", move |e| {
        e.prevent_default();
        if submit.get_attribute("aria-disabled").as_deref() == Some("true") {
            return;
        }
        let address = dom::value(&email_in).trim().to_string();
        let secret = dom::value(&password_in);
        if address.is_empty() || secret.is_empty() {
            alert.set_text_content(Some("Enter your email and password."));
            dom::focus(if address.is_empty() {
                &email_in
            } else {
                &password_in
            });
            return;
        }
        alert.set_text_content(None);
        dom::set_busy(&submit, true);
        submit.set_text_content(Some("Signing in…"));
        let (alert, submit, password) = (alert.clone(), submit.clone(), password_in.clone());
        spawn_local(async move {
            match api::login(&address, &secret).await {
                Ok(me) => app::show_shell(&me, true),
                Err(e) => {
                    dom::set_busy(&submit, false);
                    submit.set_text_content(Some("Sign in"));
                    alert.set_text_content(Some(&e.message()));
                    dom::set_value(&password, "");
                    dom::focus(&password);
                }
            }
        });
    });

    let mut card = el("div").class("card").child(
        el("h1")
            .attr("tabindex", "-1")
            .class("login-title")
            .text("Sign in to Cairn"),
    );
    if let Some(note) = note {
        card = card.child(el("p").class("note").attr("role", "status").text(note));
    }
    let card = card.child(form).child(
        el("p")
            .class("muted small")
            .text("Cairn: guided tours and help-desk handoff for your business applications."),
    );
    let page = el("main")
        .attr("id", "main")
        .class("login")
        .child(card)
        .build();
    let email_focus = email.clone();
    // Focus the first field once the screen is in the document.
    wasm_bindgen_futures::spawn_local(async move { dom::focus(&email_focus) });
    page
}

fn field(id: &str, label: &str, input: &Element) -> dom::El {
    el("div")
        .class("field")
        .child(el("label").attr("for", id).text(label))
        .child(input)
}
