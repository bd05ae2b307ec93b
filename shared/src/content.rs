//! Content documents: what an author writes. A tour is an ordered list of steps, each anchored to an
//! element of the host page (found through several [`Strategy`]s) or floating as a modal.
//!
//! Documents are stored and exchanged as JSON; unknown-to-old-readers fields are defaulted so older
//! documents keep loading as the format grows.

use serde::{Deserialize, Serialize};

use crate::targeting::{Proficiency, Targeting};

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
    /// The locale `title` and `body` texts are written in (BCP 47); the fallback for every user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
    #[cfg_attr(feature = "schema", schemars(length(min = 1)))]
    pub steps: Vec<Step>,
    /// The tour's own texts for other locales and levels: a variant's `title` replaces the tour's
    /// title, its `body` the description (see [`Tour::text`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub variants: Vec<TextVariant>,
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
    /// Skip the step when its element is absent after the wait (the same as `when_absent: "skip"`).
    #[serde(default, skip_serializing_if = "is_false")]
    pub optional: bool,
    /// What the tour does when the step's element is still absent after the wait; `None` (and not
    /// `optional`): the step shows floating and the miss is reported.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub when_absent: Option<WhenAbsent>,
    /// Texts for other locales and proficiency levels. `title` and `body` above are the tour's
    /// locale, for every level; a variant overrides what it sets, for whom it names.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub variants: Vec<TextVariant>,
}

/// A branch taken when a step's element is absent: `"skip"` or `{"goto": "<step id>"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum WhenAbsent {
    /// Go on with the next step, as if this one had been passed.
    Skip,
    /// Jump to a later step of the same tour (by its id). Only forward, so a tour cannot loop.
    Goto(String),
}

/// A step's text for a locale, a proficiency level, or both. Unset texts fall back to the step's own.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct TextVariant {
    /// A BCP 47 language tag (`de`, `fr-CA`); `None`: every locale.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
    /// `None`: every level.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proficiency: Option<Proficiency>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
}

/// The texts a user sees for a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StepText<'a> {
    pub title: &'a str,
    pub body: &'a str,
}

impl TextVariant {
    /// How well this variant fits; `None` when it is for someone else. A locale match outweighs a
    /// proficiency match, and an exact locale outweighs its language (`de` serves `de-CH`).
    fn fit(&self, locale: Option<&str>, proficiency: Proficiency) -> Option<u8> {
        let locale_fit = match (&self.locale, locale) {
            (None, _) => 0,
            (Some(want), Some(have)) if want.eq_ignore_ascii_case(have) => 4,
            // A language-only variant (`de`) serves every region of it; `de-CH` serves only itself.
            (Some(want), Some(have)) if want.eq_ignore_ascii_case(language(have)) => 2,
            _ => return None,
        };
        let level_fit = match self.proficiency {
            None => 0,
            Some(p) if p == proficiency => 1,
            Some(_) => return None,
        };
        Some(locale_fit + level_fit)
    }
}

/// A BCP 47-shaped tag: letters, then subtags of letters or digits, separated by `-`.
pub fn is_language_tag(tag: &str) -> bool {
    let mut parts = tag.split('-');
    let lang_ok = parts
        .next()
        .is_some_and(|l| (2..=8).contains(&l.len()) && l.bytes().all(|b| b.is_ascii_alphabetic()));
    lang_ok
        && parts.all(|p| (1..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()))
}

/// The primary language subtag: `pt` of `pt-BR`.
pub fn language(tag: &str) -> &str {
    // By byte: `split` brings a pattern searcher into the overlay's wasm.
    let end = tag.bytes().position(|b| b == b'-' || b == b'_');
    tag.get(..end.unwrap_or(tag.len())).unwrap_or(tag)
}

impl Step {
    /// A step that moves on with Next: not optional, no branch when absent, no text variants.
    pub fn new(
        id: String,
        title: String,
        body: String,
        target: Option<Target>,
        placement: Placement,
    ) -> Step {
        Step {
            id,
            title,
            body,
            target,
            placement,
            advance: Advance::Next,
            optional: false,
            when_absent: None,
            variants: Vec::new(),
        }
    }

    /// The branch to take when the element is absent; `optional` is the older spelling of skip.
    pub fn when_absent(&self) -> Option<WhenAbsent> {
        match &self.when_absent {
            Some(w) => Some(w.clone()),
            None if self.optional => Some(WhenAbsent::Skip),
            None => None,
        }
    }

    /// The title and body for a user, choosing the best-fitting variant for each text separately.
    pub fn text(&self, locale: Option<&str>, proficiency: Proficiency) -> StepText<'_> {
        pick(&self.variants, &self.title, &self.body, locale, proficiency)
    }
}

impl Tour {
    /// Where the tour goes when step `index`'s element is absent: `Some(Some(i))` shows step `i`,
    /// `Some(None)` ends the tour (skipping the last step), `None` shows the step without its
    /// element. A `goto` naming no later step behaves like skip.
    pub fn absent_branch(&self, index: usize) -> Option<Option<usize>> {
        let next = index + 1;
        let to = match self.steps.get(index)?.when_absent()? {
            WhenAbsent::Skip => next,
            WhenAbsent::Goto(id) => self
                .steps
                .iter()
                .position(|s| s.id == id)
                .filter(|&i| i > index)
                .unwrap_or(next),
        };
        Some((to < self.steps.len()).then_some(to))
    }

    /// The tour's title and description (as `body`) for a user, like [`Step::text`].
    pub fn text(&self, locale: Option<&str>, proficiency: Proficiency) -> StepText<'_> {
        pick(
            &self.variants,
            &self.title,
            &self.description,
            locale,
            proficiency,
        )
    }
}

fn pick<'a>(
    variants: &'a [TextVariant],
    title: &'a str,
    body: &'a str,
    locale: Option<&str>,
    proficiency: Proficiency,
) -> StepText<'a> {
    // The best fit for each text; among equal fits the first listed wins. A plain scan rather
    // than a sort: this runs in the overlay, where a sort's code costs kilobytes.
    let mut best_title: Option<(u8, &str)> = None;
    let mut best_body: Option<(u8, &str)> = None;
    for v in variants {
        let Some(fit) = v.fit(locale, proficiency) else {
            continue;
        };
        for (best, text) in [(&mut best_title, &v.title), (&mut best_body, &v.body)] {
            if let Some(text) = text.as_deref()
                && best.is_none_or(|(f, _)| fit > f)
            {
                *best = Some((fit, text));
            }
        }
    }
    let title = best_title.map_or(title, |(_, t)| t);
    let body = best_body.map_or(body, |(_, t)| t);
    StepText { title, body }
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
            // `#id`, not `[id="…"]`: browsers answer it from their id map instead of visiting every
            // element, which matters on pages of 100,000 elements.
            // Concatenated rather than `format!`: this runs in the overlay, whose wasm budget
            // is tight.
            Strategy::Id { value } if !value.is_empty() => concat(&["#", &css_ident(value)]),
            Strategy::Id { value } => concat(&["[id=\"", &css_escape(value), "\"]"]),
            Strategy::Attr { name, value } => {
                concat(&["[", name, "=\"", &css_escape(value), "\"]"])
            }
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

/// Trimmed, with runs of white space collapsed to one space: how accessible names and visible
/// texts are compared when finding an element.
pub fn squash(s: &str) -> String {
    // A char loop rather than `split_whitespace`, whose iterator costs more wasm in the overlay.
    let mut out = String::with_capacity(s.len());
    let mut gap = false;
    for c in s.chars() {
        if c.is_whitespace() {
            gap = !out.is_empty();
        } else {
            if gap {
                out.push(' ');
                gap = false;
            }
            out.push(c);
        }
    }
    out
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

/// Escapes a value as a CSS identifier, as `CSS.escape` does (for `#id` selectors).
pub fn css_ident(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    let first_dash = value.starts_with('-');
    for (i, c) in value.chars().enumerate() {
        let digit_at_start = c.is_ascii_digit() && (i == 0 || (i == 1 && first_dash));
        match c {
            '\0' => out.push('\u{FFFD}'),
            '\u{1}'..='\u{1f}' | '\u{7f}' => hex_escape(&mut out, c),
            _ if digit_at_start => hex_escape(&mut out, c),
            '-' if value.len() == 1 => out.push_str("\\-"),
            c if c.is_ascii_alphanumeric() || c == '-' || c == '_' || !c.is_ascii() => out.push(c),
            c => {
                out.push('\\');
                out.push(c);
            }
        }
    }
    out
}

/// `\` + the code point in hex + a space; by hand, as the overlay cannot afford `format!` here.
fn hex_escape(out: &mut String, c: char) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let n = c as u32;
    out.push('\\');
    if n >= 16 {
        out.push(char::from(DIGITS[(n >> 4) as usize & 15]));
    }
    out.push(char::from(DIGITS[n as usize & 15]));
    out.push(' ');
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
    let own = concat(&["[role=\"", &css_escape(role), "\"]"]);
    if implicit.is_empty() {
        own
    } else {
        concat(&[&own, ",", implicit])
    }
}

/// `parts` joined with nothing between them.
fn concat(parts: &[&str]) -> String {
    let mut out = String::new();
    for p in parts {
        out.push_str(p);
    }
    out
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
    /// May be empty in a draft (created before its element is picked); publishing needs one.
    #[cfg_attr(feature = "schema", schemars(with = "DraftTarget"))]
    pub target: Target,
    #[serde(default)]
    pub trigger: TooltipTrigger,
    #[serde(default)]
    pub targeting: Targeting,
}

/// A tooltip's [`Target`] as the schema sees it: no strategy yet is a valid draft.
#[cfg(feature = "schema")]
#[derive(schemars::JsonSchema)]
#[allow(dead_code)]
struct DraftTarget {
    strategies: Vec<Strategy>,
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

/// A list of things to do, each starting a tour or linking to a page, and done by that or by an
/// event the application reports (`done_on_event`).
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
    /// Also done when the application reports this event (`cairn.track(name)` on the page); see
    /// [`is_event_name`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schemars(pattern(r"^[A-Za-z0-9_.:-]{1,64}$")))]
    pub done_on_event: Option<String>,
}

/// Whether `name` can be an application event (`cairn.track`): 1–64 characters of
/// `A-Z a-z 0-9 _ . : -`, so it is safe in storage keys and logs and matches the schema's pattern.
pub fn is_event_name(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b':' | b'-'))
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
    fn squash_trims_and_collapses_white_space() {
        assert_eq!(squash("  New \n  order "), "New order");
        assert_eq!(squash(" \t\u{a0} "), "");
        assert_eq!(squash("a"), "a");
        assert_eq!(squash("a  b\tc"), "a b c");
    }

    #[test]
    fn css_escape_quotes_and_backslashes() {
        assert_eq!(css_escape(r#"a"b\c"#), r#"a\"b\\c"#);
        let s = Strategy::Id {
            value: "x\"y".into(),
        };
        assert_eq!(s.candidate_selector(), r#"#x\"y"#);
    }

    #[test]
    fn css_ident_escapes_like_css_escape() {
        assert_eq!(css_ident("new-order_2"), "new-order_2");
        assert_eq!(css_ident("1st"), "\\31 st");
        assert_eq!(css_ident("-2x"), "-\\32 x");
        assert_eq!(css_ident("-"), "\\-");
        assert_eq!(css_ident("a.b:c d"), "a\\.b\\:c\\ d");
        assert_eq!(css_ident("é€"), "é€");
        assert_eq!(css_ident("a\nb"), "a\\a b");
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
        check_variants(&self.variants, "", &mut err);
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
            check_variants(&step.variants, &format!("/steps/{i}"), &mut err);
            if let Some(WhenAbsent::Goto(to)) = &step.when_absent {
                let at = format!("/steps/{i}/when_absent/goto");
                match self.steps.iter().position(|s| &s.id == to) {
                    None => err(at, "goto names no step of this tour"),
                    Some(j) if j <= i => err(at, "goto jumps to a later step (a tour cannot loop)"),
                    Some(_) => {}
                }
            }
            if step.when_absent.is_some() && step.target.is_none() {
                err(
                    format!("/steps/{i}/when_absent"),
                    "only a step anchored to an element can be absent",
                );
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

impl Tooltip {
    /// Rules the types cannot express. Empty when the tooltip can be saved.
    pub fn validate(&self) -> Vec<DocumentError> {
        let mut errors = Vec::new();
        if self.title.trim().is_empty() {
            errors.push(DocumentError::new("/title", "a tooltip needs a title"));
        }
        errors
    }

    /// What must also hold before publishing: the element has been picked.
    pub fn publish_problems(&self) -> Vec<DocumentError> {
        let mut errors = self.validate();
        if self.target.strategies.is_empty() {
            errors.push(DocumentError::new(
                "/target/strategies",
                "pick the tooltip's element in the app before publishing",
            ));
        }
        errors
    }
}

impl Checklist {
    /// Rules the types cannot express. Empty when the checklist can be saved.
    pub fn validate(&self) -> Vec<DocumentError> {
        let mut errors = Vec::new();
        if self.title.trim().is_empty() {
            errors.push(DocumentError::new("/title", "a checklist needs a title"));
        }
        if self.items.is_empty() {
            errors.push(DocumentError::new(
                "/items",
                "a checklist needs at least one item",
            ));
        }
        let mut seen = std::collections::HashSet::new();
        for (i, item) in self.items.iter().enumerate() {
            if item.id.trim().is_empty() {
                errors.push(DocumentError::new(
                    &format!("/items/{i}/id"),
                    "an item needs an id",
                ));
            } else if !seen.insert(item.id.as_str()) {
                errors.push(DocumentError::new(
                    &format!("/items/{i}/id"),
                    "item ids must be unique within a checklist",
                ));
            }
            if item.title.trim().is_empty() {
                errors.push(DocumentError::new(
                    &format!("/items/{i}/title"),
                    "an item needs a title",
                ));
            }
            match &item.action {
                ChecklistAction::StartTour { tour_id } if tour_id.trim().is_empty() => {
                    errors.push(DocumentError::new(
                        &format!("/items/{i}/action/tour_id"),
                        "choose the tour this item starts",
                    ))
                }
                ChecklistAction::Link { url } if !crate::markdown::is_safe_href(url) => errors
                    .push(DocumentError::new(
                        &format!("/items/{i}/action/url"),
                        "a link is an http(s) address or a path of the application",
                    )),
                _ => {}
            }
            if let Some(name) = &item.done_on_event
                && !is_event_name(name)
            {
                errors.push(DocumentError::new(
                    &format!("/items/{i}/done_on_event"),
                    "an event name is 1 to 64 letters, digits, or _ . : -",
                ));
            }
        }
        errors
    }

    /// The tours the items start, with the pointer of each reference.
    pub fn tour_references(&self) -> Vec<(String, &str)> {
        self.items
            .iter()
            .enumerate()
            .filter_map(|(i, item)| match &item.action {
                ChecklistAction::StartTour { tour_id } => {
                    Some((format!("/items/{i}/action/tour_id"), tour_id.as_str()))
                }
                ChecklistAction::Link { .. } => None,
            })
            .collect()
    }
}

impl DocumentError {
    pub fn new(pointer: &str, message: &str) -> Self {
        DocumentError {
            pointer: pointer.to_string(),
            message: message.to_string(),
        }
    }
}

/// The rules of a list of text variants at `at` (`""` for the tour, `/steps/i` for a step).
fn check_variants(variants: &[TextVariant], at: &str, err: &mut impl FnMut(String, &str)) {
    let mut keys = std::collections::HashSet::new();
    for (j, v) in variants.iter().enumerate() {
        let at = format!("{at}/variants/{j}");
        if v.locale.is_none() && v.proficiency.is_none() {
            err(
                at.clone(),
                "a variant names a locale, a proficiency level or both",
            );
        }
        if let Some(l) = &v.locale
            && !is_language_tag(l)
        {
            err(
                format!("{at}/locale"),
                "a locale is a language tag such as de or fr-CA",
            );
        }
        if !keys.insert((
            v.locale.as_deref().map(str::to_ascii_lowercase),
            v.proficiency,
        )) {
            err(at.clone(), "two variants for the same locale and level");
        }
        if v.title.as_deref().is_some_and(|t| t.trim().is_empty()) {
            err(
                format!("{at}/title"),
                "a variant's title, when set, is not empty",
            );
        }
    }
}

#[cfg(test)]
mod validation_tests {
    use super::*;

    fn step(id: &str, title: &str) -> Step {
        Step::new(
            id.into(),
            title.into(),
            String::new(),
            None,
            Placement::Auto,
        )
    }

    fn anchored(id: &str, when_absent: Option<WhenAbsent>) -> Step {
        Step {
            target: Some(Target {
                strategies: vec![Strategy::Id { value: id.into() }],
            }),
            when_absent,
            ..step(id, "x")
        }
    }

    fn tour(steps: Vec<Step>) -> Tour {
        Tour {
            title: "Ok".into(),
            description: String::new(),
            targeting: Targeting::default(),
            locale: None,
            variants: Vec::new(),
            steps,
        }
    }

    #[test]
    fn when_absent_is_skip_or_goto_in_json() {
        let t: Tour = serde_json::from_str(
            r#"{"title":"T","steps":[
              {"id":"a","title":"A","target":{"strategies":[{"kind":"id","value":"a"}]},"when_absent":{"goto":"c"}},
              {"id":"b","title":"B","target":{"strategies":[{"kind":"id","value":"b"}]},"when_absent":"skip"},
              {"id":"c","title":"C","optional":true,"target":{"strategies":[{"kind":"id","value":"c"}]}}]}"#,
        )
        .expect("valid tour");
        assert_eq!(t.steps[0].when_absent, Some(WhenAbsent::Goto("c".into())));
        assert_eq!(t.steps[1].when_absent, Some(WhenAbsent::Skip));
        assert_eq!(t.steps[2].when_absent(), Some(WhenAbsent::Skip));
        let back = serde_json::to_value(&t).expect("serialises");
        assert_eq!(back["steps"][0]["when_absent"]["goto"], "c");
        assert_eq!(back["steps"][1]["when_absent"], "skip");
        assert!(back["steps"][2].get("when_absent").is_none());
        assert!(t.validate().is_empty(), "{:?}", t.validate());
    }

    #[test]
    fn absent_branch_goes_forward_or_ends() {
        let t = tour(vec![
            anchored("a", Some(WhenAbsent::Goto("d".into()))),
            anchored("b", None),
            anchored("c", Some(WhenAbsent::Goto("a".into()))),
            anchored("d", Some(WhenAbsent::Skip)),
        ]);
        assert_eq!(t.absent_branch(0), Some(Some(3)));
        assert_eq!(t.absent_branch(1), None);
        // A backward goto (refused by validation) falls back to skipping.
        assert_eq!(t.absent_branch(2), Some(Some(3)));
        // Skipping the last step ends the tour.
        assert_eq!(t.absent_branch(3), Some(None));
        assert_eq!(t.absent_branch(9), None);
    }

    #[test]
    fn goto_must_name_a_later_step() {
        let t = tour(vec![
            anchored("a", Some(WhenAbsent::Goto("zz".into()))),
            anchored("b", Some(WhenAbsent::Goto("a".into()))),
            anchored("c", Some(WhenAbsent::Goto("c".into()))),
            Step {
                when_absent: Some(WhenAbsent::Skip),
                ..step("d", "floating")
            },
        ]);
        let pointers: Vec<_> = t.validate().into_iter().map(|e| e.pointer).collect();
        assert_eq!(
            pointers,
            [
                "/steps/0/when_absent/goto",
                "/steps/1/when_absent/goto",
                "/steps/2/when_absent/goto",
                "/steps/3/when_absent",
            ]
        );
    }

    #[test]
    fn reports_every_problem_with_its_pointer() {
        let tour = Tour {
            title: " ".into(),
            description: String::new(),
            targeting: Targeting::default(),
            locale: None,
            variants: Vec::new(),
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
            locale: None,
            variants: Vec::new(),
            steps: vec![step("a", "One")],
        };
        assert!(tour.validate().is_empty());
    }

    #[test]
    fn variants_are_checked() {
        let mut s = step("a", "One");
        s.variants = vec![
            TextVariant::default(),
            TextVariant {
                locale: Some("not a tag".into()),
                ..TextVariant::default()
            },
            TextVariant {
                locale: Some("DE".into()),
                title: Some(" ".into()),
                ..TextVariant::default()
            },
            TextVariant {
                locale: Some("de".into()),
                ..TextVariant::default()
            },
        ];
        let tour = Tour {
            title: "Ok".into(),
            description: String::new(),
            targeting: Targeting::default(),
            locale: None,
            variants: Vec::new(),
            steps: vec![s],
        };
        let pointers: Vec<_> = tour.validate().into_iter().map(|e| e.pointer).collect();
        assert_eq!(
            pointers,
            [
                "/steps/0/variants/0",
                "/steps/0/variants/1/locale",
                "/steps/0/variants/2/title",
                "/steps/0/variants/3",
            ]
        );
    }

    #[test]
    fn text_picks_the_best_variant_per_field() {
        let mut s = step("a", "Open the form");
        s.body = "Click **New**.".into();
        s.variants = vec![
            TextVariant {
                locale: Some("de".into()),
                title: Some("Formular öffnen".into()),
                body: Some("Klicken Sie auf **Neu**.".into()),
                ..TextVariant::default()
            },
            TextVariant {
                proficiency: Some(Proficiency::Expert),
                body: Some("New.".into()),
                ..TextVariant::default()
            },
            TextVariant {
                locale: Some("de-CH".into()),
                proficiency: Some(Proficiency::Expert),
                body: Some("Neu.".into()),
                ..TextVariant::default()
            },
        ];
        let b = Proficiency::Beginner;
        let e = Proficiency::Expert;
        assert_eq!(s.text(None, b).title, "Open the form");
        assert_eq!(s.text(Some("fr"), b).body, "Click **New**.");
        assert_eq!(s.text(Some("fr"), e).body, "New.");
        assert_eq!(s.text(Some("de-AT"), b).title, "Formular öffnen");
        assert_eq!(s.text(Some("de-AT"), e).body, "Klicken Sie auf **Neu**.");
        let swiss_expert = s.text(Some("de-CH"), e);
        assert_eq!(swiss_expert.title, "Formular öffnen");
        assert_eq!(swiss_expert.body, "Neu.");
        assert!(is_language_tag("pt-BR") && is_language_tag("zh-Hant-TW"));
        assert!(!is_language_tag("") && !is_language_tag("e") && !is_language_tag("de_DE"));
    }

    #[test]
    fn tooltips_and_checklists_are_checked() {
        let tip = Tooltip {
            title: " ".into(),
            body: String::new(),
            target: Target { strategies: vec![] },
            trigger: TooltipTrigger::Hover,
            targeting: Targeting::default(),
        };
        let pointers: Vec<_> = tip.validate().into_iter().map(|e| e.pointer).collect();
        assert_eq!(pointers, ["/title"]);
        let pointers: Vec<_> = tip
            .publish_problems()
            .into_iter()
            .map(|e| e.pointer)
            .collect();
        assert_eq!(pointers, ["/title", "/target/strategies"]);
        let item = |id: &str, title: &str, action: ChecklistAction| ChecklistItem {
            id: id.into(),
            title: title.into(),
            action,
            done_on_event: None,
        };
        let list = Checklist {
            title: "Start".into(),
            items: vec![
                item(
                    "a",
                    "One",
                    ChecklistAction::StartTour {
                        tour_id: "t1".into(),
                    },
                ),
                item(
                    "a",
                    "",
                    ChecklistAction::StartTour {
                        tour_id: " ".into(),
                    },
                ),
                item(
                    "c",
                    "Three",
                    ChecklistAction::Link {
                        url: "javascript:alert(1)".into(),
                    },
                ),
                item(
                    "d",
                    "Four",
                    ChecklistAction::Link {
                        url: "/orders".into(),
                    },
                ),
            ],
            targeting: Targeting::default(),
        };
        let pointers: Vec<_> = list.validate().into_iter().map(|e| e.pointer).collect();
        assert_eq!(
            pointers,
            [
                "/items/1/id",
                "/items/1/title",
                "/items/1/action/tour_id",
                "/items/2/action/url"
            ]
        );
        assert_eq!(
            list.tour_references()[0],
            ("/items/0/action/tour_id".to_string(), "t1")
        );
        assert_eq!(list.tour_references().len(), 2);
    }

    #[test]
    fn event_names_are_short_and_plain() {
        for good in [
            "x",
            "invoice.created",
            "orders:submitted",
            "step_2-done",
            &"a".repeat(64),
        ] {
            assert!(is_event_name(good), "{good}");
        }
        for bad in ["", "has space", "naïve", "a/b", "<b>", &"a".repeat(65)] {
            assert!(!is_event_name(bad), "{bad}");
        }
    }

    #[test]
    fn an_item_done_on_an_event_round_trips_and_is_checked() {
        let json = r#"{"title":"Start","items":[
            {"id":"a","title":"Send","action":{"type":"link","url":"/send"},"done_on_event":"invoice.sent"},
            {"id":"b","title":"Read","action":{"type":"link","url":"/read"}},
            {"id":"c","title":"Bad","action":{"type":"link","url":"/c"},"done_on_event":"not an event"}]}"#;
        let list: Checklist = serde_json::from_str(json).expect("valid checklist");
        assert_eq!(list.items[0].done_on_event.as_deref(), Some("invoice.sent"));
        assert_eq!(list.items[1].done_on_event, None);
        let pointers: Vec<_> = list.validate().into_iter().map(|e| e.pointer).collect();
        assert_eq!(pointers, ["/items/2/done_on_event"]);
        // Lossless, and an item without the field is written as before (old exports stay identical).
        let back = serde_json::to_value(&list).expect("serialises");
        assert_eq!(back["items"][0]["done_on_event"], "invoice.sent");
        assert!(back["items"][1].get("done_on_event").is_none());
        let again: Checklist = serde_json::from_value(back).expect("round trip");
        assert_eq!(list, again);
    }
}
