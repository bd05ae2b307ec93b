//! Content documents: what an author writes. A tour is an ordered list of steps, each anchored to an
//! element of the host page (found through several [`Strategy`]s) or floating as a modal.
//!
//! Documents are stored and exchanged as JSON; unknown-to-old-readers fields are defaulted so older
//! documents keep loading as the format grows.

use serde::{Deserialize, Serialize};

use crate::targeting::Targeting;

/// A guided tour: steps shown one after the other.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Tour {
    #[cfg_attr(feature = "schema", schemars(length(min = 1)))]
    pub title: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    #[serde(default)]
    pub targeting: Targeting,
    #[cfg_attr(feature = "schema", schemars(length(min = 1)))]
    pub steps: Vec<Step>,
}

/// One step of a tour.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Step {
    /// Stable across edits, so analytics and tickets keep pointing at the same step.
    #[cfg_attr(feature = "schema", schemars(length(min = 1)))]
    pub id: String,
    #[cfg_attr(feature = "schema", schemars(length(min = 1)))]
    pub title: String,
    /// Markdown subset, see [`crate::markdown`].
    #[serde(default)]
    pub body: String,
    /// `None`: a floating (modal) step.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<Target>,
    #[serde(default)]
    pub placement: Placement,
    #[serde(default)]
    pub advance: Advance,
    #[serde(default, skip_serializing_if = "is_false")]
    pub optional: bool,
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// How to find an element: strategies tried in order, the first that matches exactly one element wins.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Target {
    #[cfg_attr(feature = "schema", schemars(length(min = 1)))]
    pub strategies: Vec<Strategy>,
}

/// One way to find an element, captured when the author picked it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum Strategy {
    /// `id` attribute.
    Id { value: String },
    /// A stable attribute such as `data-test`, `aria-label` or `name`.
    Attr { name: String, value: String },
    /// ARIA role (explicit or implicit) and accessible name.
    Role { role: String, name: String },
    /// Visible text of an element with this tag.
    Text { tag: String, value: String },
    /// A structural CSS selector, the last resort.
    Css { value: String },
}

impl Strategy {
    /// The CSS selector that finds candidates for this strategy; `Role` and `Text` narrow them further
    /// by accessible name or text content.
    pub fn candidate_selector(&self) -> String {
        match self {
            Strategy::Id { value } => format!("[id=\"{}\"]", css_escape(value)),
            Strategy::Attr { name, value } => format!("[{}=\"{}\"]", name, css_escape(value)),
            Strategy::Role { role, .. } => implicit_role_selector(role),
            Strategy::Text { tag, .. } => tag.clone(),
            Strategy::Css { value } => value.clone(),
        }
    }

    /// Short name for reports ("which strategies failed").
    pub fn kind(&self) -> &'static str {
        match self {
            Strategy::Id { .. } => "id",
            Strategy::Attr { .. } => "attr",
            Strategy::Role { .. } => "role",
            Strategy::Text { .. } => "text",
            Strategy::Css { .. } => "css",
        }
    }
}

/// Escapes a value for use inside a double-quoted CSS attribute selector.
pub fn css_escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '"' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            '\n' => out.push_str("\\a "),
            _ => out.push(c),
        }
    }
    out
}

/// Elements that carry `role` explicitly or implicitly.
fn implicit_role_selector(role: &str) -> String {
    let implicit = match role {
        "button" => "button,input[type=button],input[type=submit]",
        "link" => "a[href]",
        "textbox" => "input:not([type]),input[type=text],input[type=email],textarea",
        "checkbox" => "input[type=checkbox]",
        "combobox" => "select",
        "heading" => "h1,h2,h3,h4,h5,h6",
        _ => "",
    };
    if implicit.is_empty() {
        format!("[role=\"{}\"]", css_escape(role))
    } else {
        format!("[role=\"{}\"],{implicit}", css_escape(role))
    }
}

/// Where a step's popover sits relative to its element.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum Placement {
    #[default]
    Auto,
    Top,
    Bottom,
    Left,
    Right,
}

/// What moves a step on.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(tag = "on", rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum Advance {
    /// The Next button.
    #[default]
    Next,
    /// A click on the target.
    Click,
    /// Typing into the target.
    Input,
    /// Reaching a URL matching the pattern.
    Url { pattern: String },
}

/// A standalone hint on a field or button.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Tooltip {
    #[cfg_attr(feature = "schema", schemars(length(min = 1)))]
    pub title: String,
    #[serde(default)]
    pub body: String,
    pub target: Target,
    #[serde(default)]
    pub trigger: TooltipTrigger,
    #[serde(default)]
    pub targeting: Targeting,
}

/// What shows a tooltip.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum TooltipTrigger {
    /// A pulsing beacon next to the element; hovering or focusing the beacon shows the hint.
    #[default]
    Beacon,
    Hover,
    Focus,
}

/// A list of things to do, each starting a tour or linking to a page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Checklist {
    #[cfg_attr(feature = "schema", schemars(length(min = 1)))]
    pub title: String,
    #[cfg_attr(feature = "schema", schemars(length(min = 1)))]
    pub items: Vec<ChecklistItem>,
    #[serde(default)]
    pub targeting: Targeting,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ChecklistItem {
    #[cfg_attr(feature = "schema", schemars(length(min = 1)))]
    pub id: String,
    #[cfg_attr(feature = "schema", schemars(length(min = 1)))]
    pub title: String,
    pub action: ChecklistAction,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum ChecklistAction {
    /// Starts the tour; the item is done when the tour completes.
    StartTour { tour_id: String },
    /// Opens a page.
    Link { url: String },
}

/// The kinds of content document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum ContentKind {
    Tour,
    Tooltip,
    Checklist,
}

impl ContentKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ContentKind::Tour => "tour",
            ContentKind::Tooltip => "tooltip",
            ContentKind::Checklist => "checklist",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "tour" => Some(ContentKind::Tour),
            "tooltip" => Some(ContentKind::Tooltip),
            "checklist" => Some(ContentKind::Checklist),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strategy_json_is_tagged_by_kind() {
        let s: Strategy =
            serde_json::from_str(r#"{"kind":"attr","name":"data-test","value":"new-order"}"#)
                .expect("valid strategy");
        assert_eq!(s.candidate_selector(), r#"[data-test="new-order"]"#);
        assert_eq!(s.kind(), "attr");
    }

    #[test]
    fn css_escape_quotes_and_backslashes() {
        assert_eq!(css_escape(r#"a"b\c"#), r#"a\"b\\c"#);
        let s = Strategy::Id {
            value: "x\"y".into(),
        };
        assert_eq!(s.candidate_selector(), r#"[id="x\"y"]"#);
    }

    #[test]
    fn role_selector_includes_implicit_elements() {
        let s = Strategy::Role {
            role: "button".into(),
            name: "Save".into(),
        };
        assert!(s.candidate_selector().contains("button"));
        let custom = Strategy::Role {
            role: "tab".into(),
            name: "x".into(),
        };
        assert_eq!(custom.candidate_selector(), r#"[role="tab"]"#);
    }

    #[test]
    fn tour_defaults_fill_missing_fields() {
        let t: Tour = serde_json::from_str(r#"{"title":"T","steps":[{"id":"s1","title":"Hi"}]}"#)
            .expect("valid tour");
        assert_eq!(t.steps[0].advance, Advance::Next);
        assert_eq!(t.steps[0].placement, Placement::Auto);
        assert!(t.steps[0].target.is_none());
        let back = serde_json::to_string(&t).expect("serialises");
        let again: Tour = serde_json::from_str(&back).expect("round trip");
        assert_eq!(t, again);
    }
}

/// One problem in a document, located by its JSON pointer (RFC 6901).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct DocumentError {
    pub pointer: String,
    pub message: String,
}

impl Tour {
    /// Rules the types cannot express. Empty when the tour can be saved.
    pub fn validate(&self) -> Vec<DocumentError> {
        let mut errors = Vec::new();
        let mut err = |pointer: String, message: &str| {
            errors.push(DocumentError {
                pointer,
                message: message.to_string(),
            })
        };
        if self.title.trim().is_empty() {
            err("/title".into(), "a tour needs a title");
        }
        if self.steps.is_empty() {
            err("/steps".into(), "a tour needs at least one step");
        }
        let mut seen = std::collections::HashSet::new();
        for (i, step) in self.steps.iter().enumerate() {
            if step.id.trim().is_empty() {
                err(format!("/steps/{i}/id"), "a step needs an id");
            } else if !seen.insert(step.id.as_str()) {
                err(
                    format!("/steps/{i}/id"),
                    "step ids must be unique within a tour",
                );
            }
            if step.title.trim().is_empty() {
                err(format!("/steps/{i}/title"), "a step needs a title");
            }
            if let Some(target) = &step.target
                && target.strategies.is_empty()
            {
                err(
                    format!("/steps/{i}/target/strategies"),
                    "an anchored step needs at least one way to find its element",
                );
            }
        }
        errors
    }
}

#[cfg(test)]
mod validation_tests {
    use super::*;

    fn step(id: &str, title: &str) -> Step {
        Step {
            id: id.into(),
            title: title.into(),
            body: String::new(),
            target: None,
            placement: Placement::Auto,
            advance: Advance::Next,
            optional: false,
        }
    }

    #[test]
    fn reports_every_problem_with_its_pointer() {
        let tour = Tour {
            title: " ".into(),
            description: String::new(),
            targeting: Targeting::default(),
            steps: vec![
                step("a", "One"),
                step("a", ""),
                Step {
                    target: Some(Target { strategies: vec![] }),
                    ..step("c", "x")
                },
            ],
        };
        let pointers: Vec<_> = tour.validate().into_iter().map(|e| e.pointer).collect();
        assert_eq!(
            pointers,
            [
                "/title",
                "/steps/1/id",
                "/steps/1/title",
                "/steps/2/target/strategies"
            ]
        );
    }

    #[test]
    fn a_good_tour_has_no_errors() {
        let tour = Tour {
            title: "Ok".into(),
            description: String::new(),
            targeting: Targeting::default(),
            steps: vec![step("a", "One")],
        };
        assert!(tour.validate().is_empty());
    }
}
