//! Minifies `src/overlay.css` into `$OUT_DIR/overlay.min.css` for `include_str!`: the readable
//! stylesheet stays the source, the wasm carries only what the browser needs.

use std::{env, fs, path::Path};

fn main() {
    let source = "src/overlay.css";
    println!("cargo::rerun-if-changed={source}");
    let css = fs::read_to_string(source).expect("src/overlay.css is readable");
    let out = Path::new(&env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("overlay.min.css");
    fs::write(out, minify(&css)).expect("OUT_DIR is writable");
}

/// Drops comments, collapses white space, and removes the spaces that punctuation makes redundant.
/// Spaces inside values and selectors (`calc(100% - 8px)`, `.a .b`) are kept.
fn minify(css: &str) -> String {
    let mut text = String::with_capacity(css.len());
    let mut rest = css;
    while let Some(start) = rest.find("/*") {
        text.push_str(&rest[..start]);
        rest = rest[start + 2..]
            .find("*/")
            .map_or("", |end| &rest[start + 2 + end + 2..]);
    }
    text.push_str(rest);
    let words: Vec<&str> = text.split_whitespace().collect();
    let mut out = String::with_capacity(text.len());
    for word in words {
        let glue = out.ends_with(['{', '}', ';', ',', ':', '>'])
            || word.starts_with(['{', '}', ';', ',', '>', '!']);
        if !out.is_empty() && !glue {
            out.push(' ');
        }
        out.push_str(word);
    }
    out.replace(";}", "}")
}
