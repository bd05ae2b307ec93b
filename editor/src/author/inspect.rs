//! Reading the picked element into a [`Picked`] snapshot, and the live check: how many elements of
//! the page each strategy finds, counted the way the overlay's resolver (`overlay/src/resolve.rs`)
//! finds them, so "found 1 element" here means the overlay will find it too.

use cairn_shared::capture::{PathSegment, Picked, implicit_role, squash};
use cairn_shared::content::{Strategy, css_escape};
use wasm_bindgen::JsCast;
use web_sys::Element;

use crate::dom;

fn tag_of(el: &Element) -> String {
    el.tag_name().to_ascii_lowercase()
}

/// Everything the capture ranking needs from the element.
pub fn picked(el: &Element) -> Picked {
    let attrs_map = el.attributes();
    let attrs = (0..attrs_map.length())
        .filter_map(|i| attrs_map.item(i))
        .map(|a| (a.name().to_ascii_lowercase(), a.value()))
        .collect();
    let tag = tag_of(el);
    let role = el
        .get_attribute("role")
        .map(|r| r.trim().to_string())
        .filter(|r| !r.is_empty())
        .or_else(|| {
            let ty = el.get_attribute("type");
            implicit_role(&tag, ty.as_deref(), el.has_attribute("href")).map(str::to_string)
        });
    Picked {
        attrs,
        role,
        accessible_name: accessible_name(el),
        text: el.text_content().unwrap_or_default(),
        path: path(el),
        tag,
    }
}

/// From the element up to `<body>`, stopping at the first element with an id (the ranking decides
/// whether that id is stable enough to root the path; if not, the walk goes on).
fn path(el: &Element) -> Vec<PathSegment> {
    let mut out = Vec::new();
    let mut current = Some(el.clone());
    while let Some(node) = current {
        let tag = tag_of(&node);
        if tag == "body" || tag == "html" {
            break;
        }
        let parent = node.parent_element();
        let nth_of_type = parent.as_ref().and_then(|p| {
            let same: Vec<Element> = element_children(p)
                .into_iter()
                .filter(|c| tag_of(c) == tag)
                .collect();
            (same.len() > 1)
                .then(|| same.iter().position(|c| c == &node).map(|i| i + 1))
                .flatten()
        });
        let id = node.get_attribute("id").filter(|i| !i.is_empty());
        let stable_root = id
            .as_deref()
            .is_some_and(cairn_shared::capture::is_stable_value);
        out.push(PathSegment {
            tag,
            id,
            nth_of_type,
        });
        if stable_root {
            break;
        }
        current = parent;
    }
    out
}

fn element_children(parent: &Element) -> Vec<Element> {
    let list = parent.children();
    (0..list.length()).filter_map(|i| list.item(i)).collect()
}

/// How many elements `strategy` finds on the page now, as the overlay counts them.
pub fn count(strategy: &Strategy) -> usize {
    let Ok(list) = dom::document().query_selector_all(&strategy.candidate_selector()) else {
        return 0;
    };
    (0..list.length())
        .filter_map(|i| list.item(i))
        .filter_map(|n| n.dyn_into::<Element>().ok())
        .filter(|el| !is_ours(el) && accepts(strategy, el))
        .count()
}

/// The author mode's own root never counts as a match.
fn is_ours(el: &Element) -> bool {
    el.id() == super::ui::ROOT_ID
}

fn accepts(strategy: &Strategy, el: &Element) -> bool {
    match strategy {
        Strategy::Role { name, .. } => squash(&accessible_name(el)) == squash(name),
        Strategy::Text { value, .. } => {
            squash(&el.text_content().unwrap_or_default()) == squash(value)
        }
        _ => true,
    }
}

/// The accessible name as the overlay computes it (see `resolve.rs`): `aria-labelledby`,
/// `aria-label`, a form field's `<label>`, `alt`, a button input's value, the text, `title`.
pub fn accessible_name(el: &Element) -> String {
    let doc = dom::document();
    if let Some(ids) = el.get_attribute("aria-labelledby") {
        let mut text = String::new();
        for id in ids.split_whitespace() {
            if let Some(t) = doc.get_element_by_id(id).and_then(|e| e.text_content()) {
                text.push(' ');
                text.push_str(&t);
            }
        }
        if !text.trim().is_empty() {
            return text;
        }
    }
    let attr = |name: &str| el.get_attribute(name).filter(|v| !v.trim().is_empty());
    if let Some(label) = attr("aria-label") {
        return label;
    }
    let tag = tag_of(el);
    if matches!(tag.as_str(), "input" | "textarea" | "select") {
        if let Some(ty) = attr("type")
            && matches!(ty.as_str(), "button" | "submit" | "reset")
            && let Some(value) = attr("value")
        {
            return value;
        }
        let id = el.get_attribute("id").unwrap_or_default();
        let by_for = (!id.is_empty())
            .then(|| {
                let selector = format!("label[for=\"{}\"]", css_escape(&id));
                doc.query_selector(&selector).ok().flatten()
            })
            .flatten();
        let wrapping = el.closest("label").ok().flatten();
        if let Some(label) = by_for.or(wrapping).and_then(|l| l.text_content())
            && !label.trim().is_empty()
        {
            return label;
        }
        return attr("title")
            .or_else(|| attr("placeholder"))
            .unwrap_or_default();
    }
    if tag == "img" {
        return attr("alt").unwrap_or_default();
    }
    let text = el.text_content().unwrap_or_default();
    if text.trim().is_empty() {
        attr("title").unwrap_or_default()
    } else {
        text
    }
}

/// A short description of a strategy for the check list.
pub fn describe(strategy: &Strategy) -> String {
    match strategy {
        Strategy::Id { value } => format!("id = {value}"),
        Strategy::Attr { name, value } => format!("{name} = {value}"),
        Strategy::Role { role, name } => format!("{role} named “{name}”"),
        Strategy::Text { tag, value } => format!("<{tag}> with text “{value}”"),
        Strategy::Css { value } => format!("CSS path {value}"),
    }
}
