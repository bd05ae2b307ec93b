//! The markdown subset authors write step bodies in: paragraphs, `**bold**`, `*italic*`, `` `code` ``,
//! `[links](https://…)`, `-`/`1.` lists and line breaks. It parses to a small tree that the overlay and
//! the editor turn into DOM nodes with `textContent`, so authored text is never parsed as HTML.
//!
//! Links keep only `http:`, `https:` and relative targets; anything else (`javascript:`, `data:`…)
//! renders as plain text.

/// A block of text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    Paragraph(Vec<Inline>),
    List {
        ordered: bool,
        items: Vec<Vec<Inline>>,
    },
}

/// A run of text inside a block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Inline {
    Text(String),
    Strong(Vec<Inline>),
    Emphasis(Vec<Inline>),
    Code(String),
    Link { href: String, children: Vec<Inline> },
    LineBreak,
}

/// Parses the subset. Never fails: what is not markup is text.
pub fn parse(source: &str) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut paragraph: Vec<&str> = Vec::new();
    let mut list: Option<(bool, Vec<Vec<Inline>>)> = None;

    let flush_paragraph = |paragraph: &mut Vec<&str>, blocks: &mut Vec<Block>| {
        if !paragraph.is_empty() {
            let mut inlines = Vec::new();
            for (i, line) in paragraph.iter().enumerate() {
                if i > 0 {
                    inlines.push(Inline::LineBreak);
                }
                inlines.extend(parse_inline(line.trim()));
            }
            blocks.push(Block::Paragraph(inlines));
            paragraph.clear();
        }
    };

    // Cut at '\n' by byte rather than with `lines()` (its `\r` stripping and iterator cost the
    // overlay's wasm); every use of a line trims it, which drops a `\r` all the same.
    let mut rest = Some(source);
    while let Some(text) = rest {
        let (line, next) = match text.bytes().position(|b| b == b'\n') {
            Some(i) => (&text[..i], text.get(i + 1..)),
            None => (text, None),
        };
        rest = next;
        let trimmed = line.trim();
        if trimmed.is_empty() {
            flush_paragraph(&mut paragraph, &mut blocks);
            if let Some((ordered, items)) = list.take() {
                blocks.push(Block::List { ordered, items });
            }
            continue;
        }
        if let Some((ordered, item)) = list_item(trimmed) {
            flush_paragraph(&mut paragraph, &mut blocks);
            match &mut list {
                Some((o, items)) if *o == ordered => items.push(parse_inline(item)),
                _ => {
                    if let Some((o, items)) = list.take() {
                        blocks.push(Block::List { ordered: o, items });
                    }
                    list = Some((ordered, vec![parse_inline(item)]));
                }
            }
            continue;
        }
        if let Some((ordered, items)) = list.take() {
            blocks.push(Block::List { ordered, items });
        }
        paragraph.push(line);
    }
    flush_paragraph(&mut paragraph, &mut blocks);
    if let Some((ordered, items)) = list {
        blocks.push(Block::List { ordered, items });
    }
    blocks
}

/// `- item`, `* item` or `1. item`.
fn list_item(line: &str) -> Option<(bool, &str)> {
    if let Some(rest) = line.strip_prefix("- ").or_else(|| line.strip_prefix("* ")) {
        return Some((false, rest.trim()));
    }
    let digits = line.bytes().take_while(u8::is_ascii_digit).count();
    if digits > 0
        && digits < 4
        && let Some(rest) = line[digits..].strip_prefix(". ")
    {
        return Some((true, rest.trim()));
    }
    None
}

/// Parses inline markup of one line.
pub fn parse_inline(text: &str) -> Vec<Inline> {
    let mut out = Vec::new();
    let mut buf = String::new();
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        let parsed = match c {
            '`' => {
                delimited(rest, "`").map(|(inner, after)| (Inline::Code(inner.to_string()), after))
            }
            '*' if rest.starts_with("**") => delimited(rest, "**")
                .map(|(inner, after)| (Inline::Strong(parse_inline(inner)), after)),
            '*' | '_' => delimited(rest, if c == '*' { "*" } else { "_" })
                .map(|(inner, after)| (Inline::Emphasis(parse_inline(inner)), after)),
            '[' => link(rest),
            '\\' => {
                let mut chars = rest.chars();
                chars.next();
                match chars.next() {
                    Some(escaped @ ('\\' | '`' | '*' | '_' | '[' | ']' | '(' | ')')) => {
                        buf.push(escaped);
                        rest = chars.as_str();
                        continue;
                    }
                    _ => None,
                }
            }
            _ => None,
        };
        match parsed {
            Some((inline, after)) => {
                if !buf.is_empty() {
                    out.push(Inline::Text(std::mem::take(&mut buf)));
                }
                out.push(inline);
                rest = after;
            }
            None => {
                buf.push(c);
                rest = &rest[c.len_utf8()..];
            }
        }
    }
    if !buf.is_empty() {
        out.push(Inline::Text(buf));
    }
    out
}

/// `rest` starts with `delim`; returns the text up to the closing `delim` and what follows. As in
/// CommonMark, the text must not start or end with white space (`2 * 3 * 4` is not emphasis).
fn delimited<'a>(rest: &'a str, delim: &str) -> Option<(&'a str, &'a str)> {
    let body = &rest[delim.len()..];
    let end = crate::find_str(body, delim)?;
    let inner = &body[..end];
    if inner.is_empty()
        || inner.starts_with(char::is_whitespace)
        || inner.ends_with(char::is_whitespace)
    {
        return None;
    }
    Some((&body[..end], &body[end + delim.len()..]))
}

/// `[text](href)`; an unsafe href keeps the text and drops the link.
fn link(rest: &str) -> Option<(Inline, &str)> {
    let close = crate::find_str(rest, "](")?;
    let label = &rest[1..close];
    let after_label = &rest[close + 2..];
    // By byte (`find(char)` brings a searcher and `memchr` into the overlay's wasm).
    let end = after_label.bytes().position(|b| b == b')')?;
    let href = after_label[..end].trim();
    let after = &after_label[end + 1..];
    let children = parse_inline(label);
    if is_safe_href(href) {
        Some((
            Inline::Link {
                href: href.to_string(),
                children,
            },
            after,
        ))
    } else {
        Some((Inline::Text(label.to_string()), after))
    }
}

/// `http(s)://…` or a relative reference (no scheme at all).
pub fn is_safe_href(href: &str) -> bool {
    let lower = href.to_ascii_lowercase();
    if lower.starts_with("http://") || lower.starts_with("https://") {
        return true;
    }
    // A scheme is letters/digits/+/-/. before the first ':' that comes before any '/', '?' or '#'.
    match lower
        .bytes()
        .position(|b| matches!(b, b':' | b'/' | b'?' | b'#'))
    {
        Some(i) => lower.as_bytes()[i] != b':',
        None => !lower.is_empty(),
    }
}

/// The text of a tree without markup, for search and screen-reader announcements.
pub fn plain_text(blocks: &[Block]) -> String {
    fn inline_text(inlines: &[Inline], out: &mut String) {
        for i in inlines {
            match i {
                Inline::Text(t) | Inline::Code(t) => out.push_str(t),
                Inline::Strong(c) | Inline::Emphasis(c) | Inline::Link { children: c, .. } => {
                    inline_text(c, out)
                }
                Inline::LineBreak => out.push(' '),
            }
        }
    }
    let mut out = String::new();
    for b in blocks {
        if !out.is_empty() {
            out.push(' ');
        }
        match b {
            Block::Paragraph(p) => inline_text(p, &mut out),
            Block::List { items, .. } => {
                for (n, item) in items.iter().enumerate() {
                    if n > 0 {
                        out.push(' ');
                    }
                    inline_text(item, &mut out);
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> Inline {
        Inline::Text(s.to_string())
    }

    #[test]
    fn crlf_and_trailing_newlines_read_like_lf() {
        for (crlf, lf) in [
            ("one\r\ntwo\r\n\r\n- a\r\n- b\r\n", "one\ntwo\n\n- a\n- b"),
            ("x\n", "x"),
            ("\n\n", ""),
        ] {
            assert_eq!(parse(crlf), parse(lf), "{crlf:?}");
        }
    }

    #[test]
    fn paragraphs_and_line_breaks() {
        let b = parse("one\ntwo\n\nthree");
        assert_eq!(
            b,
            vec![
                Block::Paragraph(vec![text("one"), Inline::LineBreak, text("two")]),
                Block::Paragraph(vec![text("three")]),
            ]
        );
    }

    #[test]
    fn emphasis_strong_code() {
        assert_eq!(
            parse_inline("a **b** *c* `d*e`"),
            vec![
                text("a "),
                Inline::Strong(vec![text("b")]),
                text(" "),
                Inline::Emphasis(vec![text("c")]),
                text(" "),
                Inline::Code("d*e".into()),
            ]
        );
    }

    #[test]
    fn unclosed_markers_stay_text() {
        assert_eq!(parse_inline("2 * 3 and **x"), vec![text("2 * 3 and **x")]);
    }

    #[test]
    fn safe_links_only() {
        assert_eq!(
            parse_inline("[Help](https://help.test/a)"),
            vec![Inline::Link {
                href: "https://help.test/a".into(),
                children: vec![text("Help")]
            }]
        );
        assert_eq!(
            parse_inline("[x](/orders/new)"),
            vec![Inline::Link {
                href: "/orders/new".into(),
                children: vec![text("x")]
            }]
        );
        assert_eq!(
            parse_inline("[x](javascript:alert(1))"),
            vec![text("x"), text(")")]
        );
        assert!(!is_safe_href("JavaScript:alert(1)"));
        assert!(!is_safe_href("data:text/html,hi"));
        assert!(is_safe_href("orders?id=1:2"));
        assert!(is_safe_href("#section"));
    }

    #[test]
    fn html_is_just_text() {
        assert_eq!(
            parse_inline("<img src=x onerror=alert(1)>"),
            vec![text("<img src=x onerror=alert(1)>")]
        );
    }

    #[test]
    fn lists() {
        let b = parse("Do this:\n- one\n- **two**\n\n1. first\n2. second");
        assert_eq!(
            b,
            vec![
                Block::Paragraph(vec![text("Do this:")]),
                Block::List {
                    ordered: false,
                    items: vec![vec![text("one")], vec![Inline::Strong(vec![text("two")])]]
                },
                Block::List {
                    ordered: true,
                    items: vec![vec![text("first")], vec![text("second")]]
                },
            ]
        );
    }

    #[test]
    fn escapes() {
        assert_eq!(parse_inline(r"\*not italic\*"), vec![text("*not italic*")]);
    }

    #[test]
    fn plain_text_flattens() {
        assert_eq!(
            plain_text(&parse("**Hi** [there](/x)\n- a\n- b")),
            "Hi there a b"
        );
    }
}
