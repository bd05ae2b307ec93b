//! Shorter import and export names between a wasm-bindgen module and its JS glue. wasm-bindgen names
//! each import `__wbg_<method>_<16 hex digits>` and each closure shim
//! `wasm_bindgen__convert__closures_____invoke__h<16 hex digits>`, and every name appears in both files:
//! the hashes alone cost 3.7 KB gzipped on the overlay (72.6 → 68.9 KB), whose budget is 60 KB. This renames those
//! names to `$0`, `$1`… in the wasm's import and export sections and in the glue, and the import
//! module `./<name>_bg.js` to `m`. Other sections refer to imports and exports by index, so nothing
//! else changes.

use anyhow::{Context, Result, bail};

/// Whether wasm-bindgen made this name unique with a hash suffix.
fn hashed(name: &str) -> bool {
    let Some(cut) = name.len().checked_sub(16) else {
        return false;
    };
    let (head, hash) = name.split_at(cut);
    (head.ends_with('_') || head.ends_with("__h"))
        && hash.bytes().all(|b| b.is_ascii_hexdigit())
        && (name.starts_with("__wbg_")
            || name.starts_with("__wbindgen_")
            || name.starts_with("wasm_bindgen__"))
}

/// Whether to rename: hashed names, and wasm-bindgen's own unhashed intrinsics
/// (`__wbindgen_malloc`, `__externref_table_alloc`…), which the glue only reaches as `wasm.NAME`
/// or as an import key.
fn renamed(name: &str) -> bool {
    hashed(name)
        || name.starts_with("__wbindgen_")
        || name.starts_with("__externref_")
        || closure_shim(name)
}

/// wasm-bindgen 0.2.130 names each closure shim after its full signature, unhashed
/// (`wasm_bindgen_<crate hash>___convert__closures_____invoke___<argument types>_<flag>_`, up to 300
/// characters), and the glue mentions each one three times.
fn closure_shim(name: &str) -> bool {
    name.starts_with("wasm_bindgen_") && name.contains("___convert__closures_____invoke_")
}

/// Replaces whole identifiers only: `__wbindgen_free` must not match inside a longer name.
fn replace_ident(js: &str, old: &str, new: &str) -> String {
    let ident = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '$';
    let mut out = String::with_capacity(js.len());
    let mut rest = js;
    while let Some(at) = rest.find(old) {
        let (before, after) = (&rest[..at], &rest[at + old.len()..]);
        out.push_str(before);
        let whole = !before.ends_with(ident) && !after.starts_with(ident);
        out.push_str(if whole { new } else { old });
        rest = after;
    }
    out.push_str(rest);
    out
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn byte(&mut self) -> Result<u8> {
        let b = *self.bytes.get(self.at).context("truncated wasm")?;
        self.at += 1;
        Ok(b)
    }

    fn leb(&mut self) -> Result<u64> {
        let (mut value, mut shift) = (0u64, 0);
        loop {
            let b = self.byte()?;
            value |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Ok(value);
            }
            shift += 7;
            if shift > 63 {
                bail!("bad LEB128");
            }
        }
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        let end = self.at.checked_add(n).context("truncated wasm")?;
        let s = self.bytes.get(self.at..end).context("truncated wasm")?;
        self.at = end;
        Ok(s)
    }

    fn name(&mut self) -> Result<&'a str> {
        let n = usize::try_from(self.leb()?)?;
        Ok(std::str::from_utf8(self.take(n)?)?)
    }

    /// Table or memory limits: a flag byte, a minimum and, when the flag says so, a maximum.
    fn limits(&mut self, out: &mut Vec<u8>) -> Result<()> {
        let start = self.at;
        let flags = self.byte()?;
        self.leb()?;
        if flags & 1 == 1 {
            self.leb()?;
        }
        out.extend_from_slice(&self.bytes[start..self.at]);
        Ok(())
    }
}

fn put_leb(out: &mut Vec<u8>, mut v: u64) {
    loop {
        let b = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(b);
            return;
        }
        out.push(b | 0x80);
    }
}

fn put_name(out: &mut Vec<u8>, name: &str) {
    put_leb(out, name.len() as u64);
    out.extend_from_slice(name.as_bytes());
}

/// Renames in `wasm` and `js`; returns both rewritten. `module` is the glue's import module name.
pub fn shorten(wasm: &[u8], js: &str, module: &str) -> Result<(Vec<u8>, String)> {
    if wasm.get(..8) != Some(b"\0asm\x01\0\0\0".as_slice()) {
        bail!("not a wasm module");
    }
    let mut renames: Vec<(String, String)> = Vec::new();
    let mut rename = |old: &str| -> String {
        if let Some((_, new)) = renames.iter().find(|(o, _)| o == old) {
            return new.clone();
        }
        let new = format!("${}", renames.len());
        renames.push((old.to_string(), new.clone()));
        new
    };
    let mut out = wasm[..8].to_vec();
    let mut r = Reader { bytes: wasm, at: 8 };
    while r.at < wasm.len() {
        let id = r.byte()?;
        let size = usize::try_from(r.leb()?)?;
        let body = r.take(size)?;
        let mut s = Reader { bytes: body, at: 0 };
        let mut new_body = Vec::with_capacity(body.len());
        match id {
            // Imports: module, field, description.
            2 => {
                let count = s.leb()?;
                put_leb(&mut new_body, count);
                for _ in 0..count {
                    let m = s.name()?;
                    put_name(&mut new_body, if m == module { "m" } else { m });
                    let field = s.name()?;
                    let field = if renamed(field) {
                        rename(field)
                    } else {
                        field.to_string()
                    };
                    put_name(&mut new_body, &field);
                    let kind = s.byte()?;
                    new_body.push(kind);
                    match kind {
                        0 => put_leb(&mut new_body, s.leb()?),
                        1 => {
                            new_body.push(s.byte()?);
                            s.limits(&mut new_body)?;
                        }
                        2 => s.limits(&mut new_body)?,
                        3 => {
                            new_body.push(s.byte()?);
                            new_body.push(s.byte()?);
                        }
                        k => bail!("unknown import kind {k}"),
                    }
                }
                new_body.extend_from_slice(&body[s.at..]);
            }
            // Exports: name, kind, index.
            7 => {
                let count = s.leb()?;
                put_leb(&mut new_body, count);
                for _ in 0..count {
                    let name = s.name()?;
                    let name = if renamed(name) {
                        rename(name)
                    } else {
                        name.to_string()
                    };
                    put_name(&mut new_body, &name);
                    new_body.push(s.byte()?);
                    put_leb(&mut new_body, s.leb()?);
                }
                new_body.extend_from_slice(&body[s.at..]);
            }
            _ => new_body.extend_from_slice(body),
        }
        out.push(id);
        put_leb(&mut out, new_body.len() as u64);
        out.extend_from_slice(&new_body);
    }
    let quoted = format!("\"{module}\"");
    if !js.contains(&quoted) {
        bail!("the glue does not import {module}");
    }
    let mut js = js.replace(&quoted, "\"m\"");
    for (old, new) in &renames {
        // A hashed name the glue does not use means the glue changed shape: stop rather than guess.
        if (hashed(old) || closure_shim(old)) && !js.contains(old.as_str()) {
            bail!("the glue does not mention {old}");
        }
        js = replace_ident(&js, old, new);
    }
    Ok((out, js))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A module importing a hashed function and a plain one, exporting a hashed closure shim.
    fn module() -> Vec<u8> {
        let mut imports = vec![2];
        for field in [
            "__wbg_append_843ae8651c06fa0b",
            "__wbindgen_init_externref_table",
        ] {
            put_name(&mut imports, "./x_bg.js");
            put_name(&mut imports, field);
            imports.extend([0, 0]);
        }
        let mut exports = vec![1];
        put_name(
            &mut exports,
            "wasm_bindgen__convert__closures_____invoke__h7fcedb699c08012a",
        );
        exports.extend([0, 0]);
        let mut wasm = b"\0asm\x01\0\0\0".to_vec();
        // type section: one `() -> ()`.
        wasm.extend([1, 4, 1, 0x60, 0, 0]);
        wasm.push(2);
        put_leb(&mut wasm, imports.len() as u64);
        wasm.extend(&imports);
        wasm.push(7);
        put_leb(&mut wasm, exports.len() as u64);
        wasm.extend(&exports);
        wasm
    }

    #[test]
    fn renames_hashed_names_in_both_files() {
        let js = "const i = { __wbg_append_843ae8651c06fa0b: function(a) {}, __wbindgen_init_externref_table: 1 };\n\
                  return { \"./x_bg.js\": i };\n\
                  function wasm_bindgen__convert__closures_____invoke__h7fcedb699c08012a(a) { wasm.wasm_bindgen__convert__closures_____invoke__h7fcedb699c08012a(a); }";
        let (wasm, js) = shorten(&module(), js, "./x_bg.js").expect("renamed");
        assert_eq!(
            js,
            "const i = { $0: function(a) {}, $1: 1 };\n\
             return { \"m\": i };\n\
             function $2(a) { wasm.$2(a); }"
        );
        let mut expected = b"\0asm\x01\0\0\0".to_vec();
        expected.extend([1, 4, 1, 0x60, 0, 0]);
        let mut imports = vec![2];
        for field in ["$0", "$1"] {
            put_name(&mut imports, "m");
            put_name(&mut imports, field);
            imports.extend([0, 0]);
        }
        expected.push(2);
        put_leb(&mut expected, imports.len() as u64);
        expected.extend(&imports);
        expected.extend([7, 6, 1, 2, b'$', b'2', 0, 0]);
        assert_eq!(wasm, expected);
    }

    #[test]
    fn knows_the_unhashed_closure_shims_of_wasm_bindgen_0_2_130() {
        assert!(renamed(
            "wasm_bindgen_a283fd348162c721___convert__closures_____invoke___web_sys_5e8787cc1d437d09___features__gen_Event__Event______true_"
        ));
        assert!(renamed(
            "wasm_bindgen_a283fd348162c721___convert__closures_____invoke_______true_"
        ));
        assert!(!renamed("boot"));
        assert!(!renamed("wasm_bindgen_other_export"));
    }

    #[test]
    fn replaces_whole_identifiers_only() {
        assert_eq!(
            replace_ident(
                "wasm.__wbindgen_free(a); wasm.__wbindgen_free_x(b); x__wbindgen_free",
                "__wbindgen_free",
                "$3"
            ),
            "wasm.$3(a); wasm.__wbindgen_free_x(b); x__wbindgen_free"
        );
    }

    #[test]
    fn refuses_what_it_cannot_read() {
        assert!(shorten(b"not wasm", "", "m").is_err());
        let mut truncated = module();
        truncated.truncate(truncated.len() - 3);
        assert!(shorten(&truncated, "\"./x_bg.js\"", "./x_bg.js").is_err());
    }
}
