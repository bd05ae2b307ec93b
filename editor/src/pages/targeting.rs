//! The targeting editor every builder shares (tours, tooltips, checklists): pages, attribute
//! rules, proficiency, frequency and schedule, with the plain-language summary following every
//! change. The builder owning the document is its [`Host`].

use std::rc::Rc;

use cairn_shared::summary;
use cairn_shared::targeting::{AttributeRule, Frequency, Proficiency, Schedule, Targeting};
use wasm_bindgen::JsCast;
use web_sys::Element;

use crate::dom::{self, el};
use crate::pages::tour::{button, event_value, field};

/// The builder whose document's targeting is edited.
pub trait Host {
    fn targeting(&self) -> Targeting;
    /// Applies an edit to the document's targeting (and keeps the local draft).
    fn edit_targeting(&self, change: &mut dyn FnMut(&mut Targeting));
    /// Remembers which input edits the value at `pointer`, to mark it when a problem is about it.
    fn track(&self, pointer: &str, input: &Element);
}

/// The section for `host`'s document.
pub fn section(host: Rc<dyn Host>) -> Element {
    Rc::new(Section {
        host,
        rules: el("div").class("rules").build(),
        targeting_summary: el("p")
            .class("summary")
            .attr("id", "targeting-summary")
            .attr("data-test", "targeting-summary")
            .attr("aria-live", "polite")
            .build(),
    })
    .build()
}

struct Section {
    host: Rc<dyn Host>,
    /// The attribute rules, redrawn when one is added or removed.
    rules: Element,
    /// The targeting in words, updated on every targeting edit.
    targeting_summary: Element,
}

impl Section {
    /// Targeting: pages, attribute rules, proficiency, frequency and schedule, with the summary.
    fn build(self: &Rc<Self>) -> Element {
        let t = self.host.targeting();

        let s = self.clone();
        let patterns = el("textarea")
            .attr("id", "targeting-urls")
            .attr("rows", "2")
            .attr("data-test", "targeting-urls")
            .attr("aria-describedby", "targeting-urls-hint")
            .text(&t.url_patterns.join("\n"))
            .on_value(move |e| {
                let list: Vec<String> = event_value(&e)
                    .lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty())
                    .map(str::to_string)
                    .collect();
                s.edit_targeting(|t| t.url_patterns = list);
            });
        self.host
            .track("/targeting/url_patterns", patterns.as_element());

        let levels = el("fieldset")
            .class("levels")
            .child(el("legend").text("Proficiency levels (none checked: every level)"))
            .children(Proficiency::ALL.iter().map(|&p| {
                let id = format!("level-{}", p.as_str());
                let s = self.clone();
                el("span")
                    .class("check")
                    .child(
                        el("input")
                            .attr("type", "checkbox")
                            .attr("id", &id)
                            .attr("data-test", &id)
                            .flag("checked", t.proficiency.contains(&p))
                            .on("change", move |e| {
                                let on = e
                                    .target()
                                    .and_then(|t| t.dyn_into::<Element>().ok())
                                    .is_some_and(|t| dom::checked(&t));
                                s.edit_targeting(|t| {
                                    t.proficiency.retain(|x| *x != p);
                                    if on {
                                        t.proficiency.push(p);
                                        t.proficiency.sort();
                                    }
                                });
                            }),
                    )
                    .child(el("label").attr("for", &id).text(p.as_str()))
            }));

        let s = self.clone();
        let frequency = el("select")
            .attr("id", "targeting-frequency")
            .attr("data-test", "targeting-frequency")
            .children(
                [
                    Frequency::Once,
                    Frequency::EveryVisit,
                    Frequency::UntilCompleted,
                    Frequency::Manual,
                ]
                .into_iter()
                .map(|f| {
                    el("option")
                        .attr("value", frequency_value(f))
                        .flag("selected", f == t.frequency)
                        .text(summary::frequency(f))
                }),
            )
            .on("change", move |e| {
                let f = parse_frequency(&event_value(&e));
                s.edit_targeting(|t| t.frequency = f);
            });

        let date_input = |id: &str, value: Option<i64>, start: bool| {
            let s = self.clone();
            el("input")
                .attr("id", id)
                .attr("type", "date")
                .attr("data-test", id)
                .attr("value", &value.map(summary::date).unwrap_or_default())
                .on_value(move |e| {
                    let ms = summary::parse_date(&event_value(&e));
                    s.edit_targeting(|t| {
                        let mut sch = t.schedule.unwrap_or_default();
                        if start {
                            sch.starts_at = ms;
                        } else {
                            sch.ends_at = ms;
                        }
                        t.schedule = (sch != Schedule::default()).then_some(sch);
                    });
                })
        };
        let schedule = t.schedule.unwrap_or_default();
        let starts = date_input("targeting-start", schedule.starts_at, true);
        let ends = date_input("targeting-end", schedule.ends_at, false);

        let add_rule = button("Add an attribute rule", "rule-add", "button small").build();
        let s = self.clone();
        dom::on(&add_rule, "click", move |_| {
            s.edit_targeting(|t| t.attributes.push(AttributeRule::default()));
            s.render_rules(true);
        });
        self.render_rules(false);
        self.update_targeting_summary();

        el("section")
            .class("targeting")
            .attr("aria-labelledby", "targeting-heading")
            .attr("data-test", "targeting")
            .child(el("h2").attr("id", "targeting-heading").text("Who sees it, where and when"))
            .child(&self.targeting_summary)
            .child(
                el("div")
                    .class("field")
                    .child(
                        el("label")
                            .attr("for", "targeting-urls")
                            .text("Pages (URL patterns, one per line)"),
                    )
                    .child(patterns)
                    .child(el("p").attr("id", "targeting-urls-hint").class("hint").text(
                        "A path such as /orders/* or a full URL; * matches anything. Empty: every page.",
                    )),
            )
            .child(
                el("fieldset")
                    .class("rules-box")
                    .child(el("legend").text("User attributes (all rules must hold)"))
                    .child(&self.rules)
                    .child(add_rule),
            )
            .child(levels)
            .child(
                el("div")
                    .class("field inline")
                    .child(
                        el("label")
                            .attr("for", "targeting-frequency")
                            .text("Starts by itself"),
                    )
                    .child(frequency),
            )
            .child(
                el("div")
                    .class("schedule")
                    .child(field("targeting-start", "Live from (UTC day)", starts))
                    .child(field("targeting-end", "Live until (UTC day, excluded)", ends)),
            )
            .build()
    }

    /// Redraws the attribute rules; `focus_last` after adding one.
    fn render_rules(self: &Rc<Self>, focus_last: bool) {
        dom::clear(&self.rules);
        let rules = self.host.targeting().attributes;
        let mut last = None;
        for (i, r) in rules.iter().enumerate() {
            let name_id = format!("rule-{i}-attribute");
            let op_id = format!("rule-{i}-op");
            let values_id = format!("rule-{i}-values");
            let s = self.clone();
            let name = el("input")
                .attr("id", &name_id)
                .attr("type", "text")
                .attr("data-test", "rule-attribute")
                .attr("list", "attribute-names")
                .attr("placeholder", "role, department…")
                .attr("value", &r.attribute)
                .on_value(move |e| {
                    let v = event_value(&e).trim().to_string();
                    s.edit_rule(i, |r| r.attribute = v);
                });
            self.host.track(
                &format!("/targeting/attributes/{i}/attribute"),
                name.as_element(),
            );
            last = Some(name.as_element().clone());
            let s = self.clone();
            let op = el("select")
                .attr("id", &op_id)
                .attr("data-test", "rule-op")
                .child(
                    el("option")
                        .attr("value", "one_of")
                        .flag("selected", !r.negate)
                        .text("is one of"),
                )
                .child(
                    el("option")
                        .attr("value", "not_one_of")
                        .flag("selected", r.negate)
                        .text("is not one of"),
                )
                .on("change", move |e| {
                    let negate = event_value(&e) == "not_one_of";
                    s.edit_rule(i, |r| r.negate = negate);
                });
            let s = self.clone();
            let values = el("input")
                .attr("id", &values_id)
                .attr("type", "text")
                .attr("data-test", "rule-values")
                .attr("placeholder", "approver, buyer")
                .attr("value", &r.one_of.join(", "))
                .on_value(move |e| {
                    let list: Vec<String> = event_value(&e)
                        .split(',')
                        .map(str::trim)
                        .filter(|v| !v.is_empty())
                        .map(str::to_string)
                        .collect();
                    s.edit_rule(i, |r| r.one_of = list);
                });
            self.host.track(
                &format!("/targeting/attributes/{i}/one_of"),
                values.as_element(),
            );
            let s = self.clone();
            let remove = button("Remove", "rule-remove", "button small quiet")
                .attr("aria-label", &format!("Remove attribute rule {}", i + 1))
                .on("click", move |_| {
                    s.edit_targeting(|t| {
                        if i < t.attributes.len() {
                            t.attributes.remove(i);
                        }
                    });
                    s.render_rules(false);
                });
            let row = el("div")
                .class("rule")
                .attr("data-test", "rule")
                .child(field(&name_id, "Attribute", name))
                .child(field(&op_id, "Condition", op))
                .child(field(&values_id, "Values (comma-separated)", values))
                .child(remove)
                .build();
            let _ = self.rules.append_child(&row);
        }
        let _ = self.rules.append_child(
            &el("datalist")
                .attr("id", "attribute-names")
                .children(
                    ["role", "department", "locale", "country", "site"]
                        .iter()
                        .map(|n| el("option").attr("value", n)),
                )
                .build(),
        );
        if focus_last && let Some(last) = last {
            dom::focus(&last);
        }
    }

    fn edit_rule(&self, index: usize, change: impl FnOnce(&mut AttributeRule)) {
        self.edit_targeting(|t| {
            if let Some(r) = t.attributes.get_mut(index) {
                change(r);
            }
        });
    }

    fn edit_targeting(&self, change: impl FnOnce(&mut Targeting)) {
        let mut change = Some(change);
        self.host.edit_targeting(&mut |t| {
            if let Some(c) = change.take() {
                c(t);
            }
        });
        self.update_targeting_summary();
    }

    fn update_targeting_summary(&self) {
        let text = summary::targeting(&self.host.targeting());
        self.targeting_summary.set_text_content(Some(&text));
    }
}

fn frequency_value(f: Frequency) -> &'static str {
    match f {
        Frequency::Once => "once",
        Frequency::EveryVisit => "every_visit",
        Frequency::UntilCompleted => "until_completed",
        Frequency::Manual => "manual",
    }
}

fn parse_frequency(v: &str) -> Frequency {
    match v {
        "every_visit" => Frequency::EveryVisit,
        "until_completed" => Frequency::UntilCompleted,
        "manual" => Frequency::Manual,
        _ => Frequency::Once,
    }
}
