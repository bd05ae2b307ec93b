//! Authored text to DOM nodes: the markdown subset parsed by `cairn_shared::markdown`, built with
//! `createElement` and `textContent` only, so nothing an author writes is ever parsed as HTML.

use cairn_shared::markdown::{self, Block, Inline};
use web_sys::Element;

use crate::dom::{self, Res};

/// Appends the rendering of `source` to `parent`.
pub fn render(parent: &Element, source: &str) -> Res<()> {
    for block in markdown::parse(source) {
        let node = match block {
            Block::Paragraph(inlines) => {
                let p = dom::el("p", &[])?;
                inline(&p, &inlines)?;
                p
            }
            Block::List { ordered, items } => {
                let list = dom::el(if ordered { "ol" } else { "ul" }, &[])?;
                for item in items {
                    let li = dom::el("li", &[])?;
                    inline(&li, &item)?;
                    list.append_child(&li)?;
                }
                list
            }
        };
        parent.append_child(&node)?;
    }
    Ok(())
}

fn inline(parent: &Element, inlines: &[Inline]) -> Res<()> {
    for i in inlines {
        match i {
            Inline::Text(text) => {
                parent.append_with_str_1(text)?;
            }
            Inline::Code(text) => {
                dom::append(parent, &[&dom::text_el("code", &[], text)?])?;
            }
            Inline::Strong(children) | Inline::Emphasis(children) => {
                let tag = if matches!(i, Inline::Strong(_)) { "strong" } else { "em" };
                let e = dom::el(tag, &[])?;
                inline(&e, children)?;
                parent.append_child(&e)?;
            }
            Inline::Link { href, children } => {
                // The parser only keeps http(s) and relative links.
                let a = dom::el(
                    "a",
                    &[("href", href), ("target", "_blank"), ("rel", "noopener noreferrer")],
                )?;
                inline(&a, children)?;
                parent.append_child(&a)?;
            }
            Inline::LineBreak => {
                dom::append(parent, &[&dom::el("br", &[])?])?;
            }
        }
    }
    Ok(())
}
