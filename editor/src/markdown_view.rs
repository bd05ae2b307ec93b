//! Renders the markdown subset (parsed by `cairn_shared::markdown`) to DOM nodes, the same way the
//! overlay does, for the live preview of a step body. Authored text only ever becomes text nodes.

use cairn_shared::markdown::{self, Block, Inline};
use web_sys::Element;

use crate::dom::{self, el};

/// Replaces `container`'s children with the rendering of `source`.
pub fn render_into(container: &Element, source: &str) {
    dom::clear(container);
    let blocks = markdown::parse(source);
    if blocks.is_empty() {
        let _ = container.append_child(
            &el("p")
                .class("muted")
                .text("Nothing to preview yet.")
                .build(),
        );
        return;
    }
    for b in &blocks {
        let _ = container.append_child(&block(b));
    }
}

fn block(b: &Block) -> Element {
    match b {
        Block::Paragraph(inlines) => inline_into(el("p"), inlines).build(),
        Block::List { ordered, items } => {
            let list = el(if *ordered { "ol" } else { "ul" });
            list.children(items.iter().map(|item| inline_into(el("li"), item)))
                .build()
        }
    }
}

fn inline_into(parent: dom::El, inlines: &[Inline]) -> dom::El {
    inlines.iter().fold(parent, |parent, i| match i {
        Inline::Text(t) => parent.text(t),
        Inline::Strong(c) => parent.child(inline_into(el("strong"), c)),
        Inline::Emphasis(c) => parent.child(inline_into(el("em"), c)),
        Inline::Code(t) => parent.child(el("code").text(t)),
        // The parser only keeps http(s) and relative links. A new tab keeps the editor open.
        Inline::Link { href, children } => parent.child(inline_into(
            el("a")
                .attr("href", href)
                .attr("target", "_blank")
                .attr("rel", "noopener noreferrer"),
            children,
        )),
        Inline::LineBreak => parent.child(el("br")),
    })
}
