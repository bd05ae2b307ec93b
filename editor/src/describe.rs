//! Plain-language descriptions of what a tour step and a ticket's context mean, for help-desk agents
//! who never see the JSON: how a step finds its element, what moves it on, where it sits. Pure, and
//! unit-tested natively.

use cairn_shared::content::{Advance, Placement, Strategy, Target, WhenAbsent};
use cairn_shared::tickets::StepContext;

use crate::router::Kind;

/// One element-finding strategy, as a short phrase.
pub fn strategy(s: &Strategy) -> String {
    match s {
        Strategy::Id { value } => format!("id “{value}”"),
        Strategy::Attr { name, value } => format!("{name} = “{value}”"),
        Strategy::Role { role, name } => format!("{role} named “{name}”"),
        Strategy::Text { tag, value } => format!("{tag} with text “{value}”"),
        Strategy::Css { value } => format!("CSS path {value}"),
    }
}

/// The strategies a step's target is found with, in the order the overlay tries them; an empty list
/// for a floating step.
pub fn target(t: Option<&Target>) -> Vec<String> {
    t.map(|t| t.strategies.iter().map(strategy).collect())
        .unwrap_or_default()
}

/// What moves a step on.
pub fn advance(a: &Advance) -> String {
    match a {
        Advance::Next => "The Next button".to_string(),
        Advance::Click => "A click on the element".to_string(),
        Advance::Input => "Typing into the element".to_string(),
        Advance::Url { pattern } => format!("Reaching a page matching {pattern}"),
    }
}

/// Where the popover sits relative to its element.
pub fn placement(p: Placement) -> &'static str {
    match p {
        Placement::Auto => "Automatic",
        Placement::Top => "Above the element",
        Placement::Bottom => "Below the element",
        Placement::Left => "Left of the element",
        Placement::Right => "Right of the element",
    }
}

/// Whether the step's element was on the page when the ticket was filed.
pub fn element_found(found: Option<bool>) -> &'static str {
    match found {
        Some(true) => "Yes",
        Some(false) => "No",
        None => "n.a.",
    }
}

/// `Create a purchase order › 2. Pick the supplier`, or an em dash outside any tour.
pub fn tour_step(ctx: &StepContext) -> String {
    let tour = ctx.tour_title.as_deref().or(ctx.tour_id.as_deref());
    let step = match (ctx.step_index, ctx.step_title.as_deref()) {
        (Some(i), Some(title)) => Some(format!("{}. {title}", i + 1)),
        (Some(i), None) => Some(format!("Step {}", i + 1)),
        (None, Some(title)) => Some(title.to_string()),
        (None, None) => None,
    };
    match (tour, step) {
        (Some(t), Some(s)) => format!("{t} › {s}"),
        (Some(t), None) => t.to_string(),
        (None, Some(s)) => s,
        (None, None) => "—".to_string(),
    }
}

/// A problem's or a change's JSON pointer in words, for a document of `kind`.
pub fn pointer(kind: Kind, pointer: &str) -> String {
    match kind {
        Kind::Tours => tour_pointer(pointer),
        Kind::Tooltips | Kind::Checklists => document_pointer(pointer),
    }
}

/// `/items/2/title` → "Item 3, title"; `/target/strategies` → "Target, strategies".
pub fn document_pointer(pointer: &str) -> String {
    let pointer = pointer.strip_prefix("/document").unwrap_or(pointer);
    let mut words = Vec::new();
    let mut parts = pointer.split('/').filter(|p| !p.is_empty()).peekable();
    while let Some(p) = parts.next() {
        let name = p.replace('_', " ");
        match parts.peek().and_then(|n| n.parse::<usize>().ok()) {
            Some(i) => {
                parts.next();
                words.push(format!("{} {}", singular(&name), i + 1));
            }
            None => words.push(name),
        }
    }
    let text = words.join(", ");
    let mut chars = text.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => "The document".to_string(),
    }
}

fn singular(name: &str) -> &str {
    name.strip_suffix('s').unwrap_or(name)
}

/// Where a JSON pointer into a tour points, in words: `/steps/1/title` → `Step 2 title`. The
/// server may prefix pointers with where the document sat in the request (`/document`).
pub fn tour_pointer(pointer: &str) -> String {
    let p = pointer.strip_prefix("/document").unwrap_or(pointer);
    let parts: Vec<&str> = p.split('/').skip(1).collect();
    match parts.as_slice() {
        [] | [""] => "The tour".to_string(),
        ["title"] => "Tour title".to_string(),
        ["steps"] => "Steps".to_string(),
        ["steps", index, rest @ ..] => match index.parse::<usize>() {
            Ok(i) => {
                let what = match rest.first().copied() {
                    Some("title") => " title",
                    Some("body") => " body",
                    Some("target") => " element",
                    Some("id") => " id",
                    Some("advance") => " advance",
                    Some("placement") => " placement",
                    _ => "",
                };
                format!("Step {}{what}", i + 1)
            }
            Err(_) => p.to_string(),
        },
        _ => p.to_string(),
    }
}

/// The "If its element is missing" select's value: empty (report it), `skip`, or `goto:<step id>`.
pub fn absent_value(w: &Option<WhenAbsent>) -> String {
    match w {
        None => String::new(),
        Some(WhenAbsent::Skip) => "skip".to_string(),
        Some(WhenAbsent::Goto(id)) => format!("goto:{id}"),
    }
}

pub fn parse_absent(v: &str) -> Option<WhenAbsent> {
    match v {
        "skip" => Some(WhenAbsent::Skip),
        _ => v
            .strip_prefix("goto:")
            .filter(|id| !id.is_empty())
            .map(|id| WhenAbsent::Goto(id.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strategies_read_as_phrases() {
        let t = Target {
            strategies: vec![
                Strategy::Id {
                    value: "po-new".into(),
                },
                Strategy::Attr {
                    name: "data-test".into(),
                    value: "new-order".into(),
                },
                Strategy::Role {
                    role: "button".into(),
                    name: "New order".into(),
                },
                Strategy::Text {
                    tag: "button".into(),
                    value: "New".into(),
                },
                Strategy::Css {
                    value: "main > button:nth-child(2)".into(),
                },
            ],
        };
        assert_eq!(
            target(Some(&t)),
            vec![
                "id “po-new”",
                "data-test = “new-order”",
                "button named “New order”",
                "button with text “New”",
                "CSS path main > button:nth-child(2)",
            ]
        );
        assert!(target(None).is_empty());
    }

    #[test]
    fn advance_and_placement() {
        assert_eq!(advance(&Advance::Next), "The Next button");
        assert_eq!(
            advance(&Advance::Url {
                pattern: "/orders/*".into()
            }),
            "Reaching a page matching /orders/*"
        );
        assert_eq!(placement(Placement::Auto), "Automatic");
        assert_eq!(element_found(None), "n.a.");
        assert_eq!(element_found(Some(false)), "No");
    }

    #[test]
    fn pointers_read_as_places() {
        assert_eq!(tour_pointer(""), "The tour");
        assert_eq!(tour_pointer("/title"), "Tour title");
        assert_eq!(tour_pointer("/document/title"), "Tour title");
        assert_eq!(tour_pointer("/steps"), "Steps");
        assert_eq!(tour_pointer("/steps/1/title"), "Step 2 title");
        assert_eq!(tour_pointer("/steps/0/target/strategies"), "Step 1 element");
        assert_eq!(tour_pointer("/steps/3"), "Step 4");
        assert_eq!(
            tour_pointer("/targeting/url_patterns/0"),
            "/targeting/url_patterns/0"
        );
    }

    #[test]
    fn tour_step_context() {
        let mut ctx = StepContext::default();
        assert_eq!(tour_step(&ctx), "—");
        ctx.tour_id = Some("t1".into());
        assert_eq!(tour_step(&ctx), "t1");
        ctx.tour_title = Some("New order".into());
        ctx.step_index = Some(1);
        assert_eq!(tour_step(&ctx), "New order › Step 2");
        ctx.step_title = Some("Pick the supplier".into());
        assert_eq!(tour_step(&ctx), "New order › 2. Pick the supplier");
    }

    #[test]
    fn when_absent_round_trips_through_the_select_value() {
        for w in [
            None,
            Some(WhenAbsent::Skip),
            Some(WhenAbsent::Goto("step-3".into())),
        ] {
            assert_eq!(parse_absent(&absent_value(&w)), w);
        }
        assert_eq!(parse_absent("goto:"), None);
        assert_eq!(parse_absent("nonsense"), None);
    }

    #[test]
    fn pointers_read_as_words() {
        assert_eq!(document_pointer("/items/2/title"), "Item 3, title");
        assert_eq!(
            document_pointer("/document/items/0/action/tour_id"),
            "Item 1, action, tour id"
        );
        assert_eq!(document_pointer("/target/strategies"), "Target, strategies");
        assert_eq!(document_pointer(""), "The document");
        assert_eq!(pointer(Kind::Checklists, "/items/0/title"), "Item 1, title");
        assert_eq!(pointer(Kind::Tours, "/steps/1/title"), "Step 2 title");
    }
}
