//! The overlay's styles: one constructable stylesheet adopted by the shadow root. No `<style>`
//! element and no `style` attribute, so it works under `style-src 'self'`.

use web_sys::{CssStyleSheet, ShadowRoot};

use crate::dom::Res;

const CSS: &str = include_str!(concat!(env!("OUT_DIR"), "/overlay.min.css"));

pub fn adopt(root: &ShadowRoot) -> Res<()> {
    let sheet = CssStyleSheet::new()?;
    sheet.replace_sync(CSS)?;
    // Through `Reflect.set` rather than one more setter binding.
    js_sys::Reflect::set(
        root,
        &"adoptedStyleSheets".into(),
        &js_sys::Array::of1(&sheet),
    )?;
    Ok(())
}
