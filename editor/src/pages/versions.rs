//! A document's published versions (tour, tooltip or checklist, one screen for all): who published
//! what and when, with the publish message; the changes between any two versions (or a version and
//! the current draft); and rollback, which publishes an older version again as a new one (history is
//! never rewritten) and makes the draft that version too.

use std::rc::Rc;

use cairn_shared::api::{Change, DocumentSummary, VersionView};
use wasm_bindgen_futures::spawn_local;
use web_sys::Element;

use crate::api::{self, ApiError};
use crate::app;
use crate::describe;
use crate::dom::{self, el};
use crate::drafts;
use crate::pages::{self, Ctx, tours};
use crate::router::Kind;

/// Not generic over the document type: one copy of this screen in the wasm serves every kind.
pub fn render(ctx: &Ctx, kind: Kind, id: String) {
    dom::set_title("Versions");
    ctx.append(pages::back_link(
        kind.route(id.clone()),
        &format!("← Back to the {}", kind.noun()),
    ));
    let heading = pages::heading("Versions");
    ctx.append(&heading);
    let feedback = el("div")
        .class("feedback")
        .attr("role", "status")
        .attr("aria-live", "polite")
        .attr("data-test", "versions-feedback")
        .build();
    if let Some(said) = pages::take_flash() {
        feedback.set_text_content(Some(&said));
    }
    ctx.append(&feedback);
    let slot = el("div").build();
    ctx.append(&slot);
    let (fetch_id, c) = (id.clone(), ctx.clone());
    pages::load(
        ctx,
        &slot,
        move || {
            let id = fetch_id.clone();
            async move {
                // The document's summary fields, without its draft.
                let summary = api::document::<DocumentSummary>(kind.plural(), &id).await?;
                let versions = api::versions(kind.plural(), &id).await?;
                Ok::<_, ApiError>((summary, versions))
            }
        },
        move |slot, (summary, versions): (DocumentSummary, Vec<VersionView>)| {
            let title = format!("Versions of “{}”", summary.title);
            heading.set_text_content(Some(&title));
            dom::set_title(&title);
            let page = Rc::new(Page {
                ctx: c.clone(),
                kind,
                id: id.clone(),
                feedback: feedback.clone(),
            });
            page.show(slot, &summary, &versions);
        },
    );
}

struct Page {
    ctx: Ctx,
    kind: Kind,
    id: String,
    feedback: Element,
}

impl Page {
    fn show(self: &Rc<Self>, slot: &Element, s: &DocumentSummary, versions: &[VersionView]) {
        let badge = tours::badge(s.published_version, s.has_unpublished_changes);
        dom::set_attr(&badge, "data-test", "status");
        let _ = slot.append_child(&el("p").text("Now: ").child(badge).build());
        if versions.is_empty() {
            let _ = slot.append_child(
                &el("p")
                    .class("empty")
                    .text(&format!(
                        "Not published yet: publish the {} to start its history.",
                        self.kind.noun()
                    ))
                    .build(),
            );
            return;
        }
        let head = el("thead").child(
            el("tr").children(
                ["Version", "Message", "Published by", "When", ""]
                    .iter()
                    .map(|h| el("th").attr("scope", "col").text(h)),
            ),
        );
        // The newest version is the live one (publish and rollback both append); taken from the
        // list itself so the table never disagrees with its own rows.
        let current = versions.first().map(|v| v.version);
        let body = el("tbody").children(versions.iter().map(|v| self.row(v, current)));
        let _ = slot.append_child(&pages::table_wrap(
            "Version history",
            el("table")
                .class("data")
                .attr("data-test", "versions")
                .child(head)
                .child(body),
        ));
        let _ = slot.append_child(&self.compare(versions));
    }

    fn row(self: &Rc<Self>, v: &VersionView, current: Option<u32>) -> Element {
        let is_current = current == Some(v.version);
        let action = if is_current {
            el("td").child(el("span").class("tag").text("Live"))
        } else {
            let confirm_slot = el("span").build();
            let me = self.clone();
            let version = v.version;
            let slot2 = confirm_slot.clone();
            let start = el("button")
                .attr("type", "button")
                .class("button")
                .attr("data-test", "rollback")
                .attr("data-version", &version.to_string())
                .text(&format!("Roll back to v{version}"))
                .on("click", move |_| me.confirm(&slot2, version));
            el("td").child(start).child(confirm_slot)
        };
        el("tr")
            .attr("data-test", "version-row")
            .attr("data-version", &v.version.to_string())
            .child(el("td").class("num").text(&format!("v{}", v.version)))
            .child(el("td").text(if v.message.is_empty() {
                "—"
            } else {
                &v.message
            }))
            .child(el("td").text(v.published_by.as_deref().unwrap_or("—")))
            .child(el("td").child(pages::time(v.published_at)))
            .child(action)
            .build()
    }

    /// Rollback publishes at once, so it asks first, inline (no modal dialog to trap focus).
    fn confirm(self: &Rc<Self>, slot: &Element, version: u32) {
        let me = self.clone();
        let yes = el("button")
            .attr("type", "button")
            .class("button primary")
            .attr("data-test", "rollback-confirm")
            .text(&format!("Publish v{version} again"))
            .build();
        let no = el("button")
            .attr("type", "button")
            .class("button quiet")
            .text("Cancel")
            .build();
        let (slot_no, yes2) = (slot.clone(), yes.clone());
        dom::on(&no, "click", move |_| dom::clear(&slot_no));
        dom::on(&yes, "click", move |_| {
            if yes2.get_attribute("aria-disabled").as_deref() == Some("true") {
                return;
            }
            dom::set_busy(&yes2, true);
            let me = me.clone();
            spawn_local(async move {
                let result = api::rollback(me.kind.plural(), &me.id, version).await;
                if !me.ctx.is_current() {
                    return;
                }
                match result {
                    Ok(p) => {
                        // The draft is now that version: an old local copy would shadow it.
                        drafts::discard(me.kind, &me.id);
                        pages::flash(format!(
                            "Rolled back: version {version} is live again as version {}.",
                            p.version
                        ));
                        app::rerender();
                    }
                    Err(e) if e.is_unauthorized() => app::signed_out(),
                    Err(e) => me
                        .feedback
                        .set_text_content(Some(&format!("Could not roll back: {}", e.message()))),
                }
            });
        });
        dom::replace(
            slot,
            el("span")
                .class("confirm")
                .text(" Sure? ")
                .child(&yes)
                .child(&no),
        );
        dom::focus(&yes);
    }

    fn compare(self: &Rc<Self>, versions: &[VersionView]) -> Element {
        let option = |v: &VersionView| {
            el("option")
                .attr("value", &v.version.to_string())
                .text(&format!("v{}", v.version))
        };
        let from = el("select")
            .attr("id", "diff-from")
            .attr("data-test", "diff-from")
            .children(versions.iter().map(option))
            .build();
        let to = el("select")
            .attr("id", "diff-to")
            .attr("data-test", "diff-to")
            .child(el("option").attr("value", "draft").text("Current draft"))
            .children(versions.iter().map(option))
            .build();
        // Default: the previous version against the latest.
        if let Some(older) = versions.get(1) {
            dom::set_value(&from, &older.version.to_string());
            dom::set_value(&to, &versions[0].version.to_string());
        }
        let out = el("div")
            .attr("data-test", "diff")
            .attr("aria-live", "polite")
            .build();
        let show = el("button")
            .attr("type", "button")
            .class("button")
            .attr("data-test", "diff-show")
            .text("Show changes")
            .build();
        let (me, f, t, o) = (self.clone(), from.clone(), to.clone(), out.clone());
        dom::on(&show, "click", move |_| {
            let Ok(a) = dom::value(&f).parse::<u32>() else {
                return;
            };
            let b = dom::value(&t).parse::<u32>().ok();
            let (kind, id, o) = (me.kind, me.id.clone(), o.clone());
            pages::load(
                &me.ctx,
                &o,
                move || {
                    let id = id.clone();
                    async move { api::diff(kind.plural(), &id, a, b).await }
                },
                move |slot, changes: Vec<Change>| {
                    let _ = slot.append_child(&diff_list(&changes, kind));
                },
            );
        });
        el("section")
            .attr("aria-labelledby", "compare-heading")
            .child(el("h2").attr("id", "compare-heading").text("Compare"))
            .child(
                el("div")
                    .class("filters")
                    .child(
                        el("div")
                            .class("field inline")
                            .child(el("label").attr("for", "diff-from").text("From"))
                            .child(&from),
                    )
                    .child(
                        el("div")
                            .class("field inline")
                            .child(el("label").attr("for", "diff-to").text("To"))
                            .child(&to),
                    )
                    .child(show),
            )
            .child(out)
            .build()
    }
}

fn short(v: &Option<serde_json::Value>) -> String {
    match v {
        None => "—".to_string(),
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

fn diff_list(changes: &[Change], kind: Kind) -> Element {
    if changes.is_empty() {
        return el("p").class("empty").text("No differences.").build();
    }
    el("ul")
        .class("diff")
        .children(changes.iter().map(|c| {
            let what = match c.op.as_str() {
                "added" => "Added",
                "removed" => "Removed",
                _ => "Changed",
            };
            el("li")
                .attr("data-test", "diff-change")
                .attr("data-pointer", &c.pointer)
                .class(&format!("diff-{}", c.op))
                .child(
                    el("strong").text(&format!("{what}: {} ", describe::pointer(kind, &c.pointer))),
                )
                .child(el("code").class("pointer").text(&c.pointer))
                .child(
                    el("div")
                        .class("diff-values")
                        .child(el("del").text(&short(&c.before)))
                        .text(" → ")
                        .child(el("ins").text(&short(&c.after))),
                )
        }))
        .build()
}
