//! Authored text to DOM nodes: the markdown subset parsed by `cairn_shared::markdown`, built with
//! `createElement` and text nodes only, so nothing an author writes is ever parsed as HTML.

use cairn_shared::markdown::{self, Block, Inline};
use web_sys::Element;

use crate::dom;

/// Appends the rendering of `source` to `parent`.
pub fn render(parent: &Element, source: &str) {
    for block in markdown::parse(source) {
        let node = match block {
            Block::Paragraph(inlines) => {
                let p = dom::el("p", &[]);
                inline(&p, &inlines);
                p
            }
            Block::List { ordered, items } => {
                let list = dom::el(if ordered { "ol" } else { "ul" }, &[]);
                for item in items {
                    let li = dom::el("li", &[]);
                    inline(&li, &item);
                    dom::append(&list, &[&li]);
                }
                list
            }
        };
        dom::append(parent, &[&node]);
    }
}

fn inline(parent: &Element, inlines: &[Inline]) {
    for i in inlines {
        let child = match i {
            Inline::Text(text) => {
                dom::append_text(parent, text);
                continue;
            }
            Inline::Code(text) => dom::text_el("code", &[], text),
            Inline::Strong(children) | Inline::Emphasis(children) => {
                let tag = if matches!(i, Inline::Strong(_)) {
                    "strong"
                } else {
                    "em"
                };
                let e = dom::el(tag, &[]);
                inline(&e, children);
                e
            }
            Inline::Link { href, children } => {
                // The parser only keeps http(s) and relative links.
                let a = dom::el(
                    "a",
                    &[
                        ("href", href),
                        ("target", "_blank"),
                        ("rel", "noopener noreferrer"),
                    ],
                );
                inline(&a, children);
                a
            }
            Inline::LineBreak => dom::el("br", &[]),
        };
        dom::append(parent, &[&child]);
    }
}
