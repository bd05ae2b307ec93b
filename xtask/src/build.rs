//! Building the wasm bundles: `cargo build --target wasm32-unknown-unknown --profile wasm`, then
//! wasm-bindgen (as a library, web target) into `target/web/{overlay,editor}/`, where the server's
//! build script embeds them.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result};
use flate2::{Compression, write::GzEncoder};

use crate::{cargo, project_root, run_cmd};

const TARGET: &str = "wasm32-unknown-unknown";

/// `$CARGO_TARGET_DIR` or `target/`.
pub fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(d) => project_root().join(d),
        None => project_root().join("target"),
    }
}

pub fn web_dir() -> PathBuf {
    target_dir().join("web")
}

struct Bundle {
    package: &'static str,
    /// Output folder under `target/web/`.
    folder: &'static str,
    /// Static files copied as they are, from this folder of the repository.
    statics: &'static str,
}

const BUNDLES: [Bundle; 2] = [
    Bundle {
        package: "cairn-overlay",
        folder: "overlay",
        statics: "overlay/loader",
    },
    Bundle {
        package: "cairn-editor",
        folder: "editor",
        statics: "editor/static",
    },
];

/// Builds both bundles; returns the output folder.
pub fn bundles() -> Result<PathBuf> {
    eprintln!("▸ building the overlay and editor wasm bundles");
    let lean = lean_std();
    let bundles: Vec<&Bundle> = BUNDLES.iter().filter(|b| wanted(b)).collect();
    if lean {
        for b in &bundles {
            run_cmd(&mut lean_build(b.package))?;
        }
    } else {
        let mut cmd = cargo();
        cmd.args(["build", "--target", TARGET, "--profile", "wasm"]);
        for b in &bundles {
            cmd.args(["--package", b.package]);
        }
        run_cmd(&mut cmd)?;
        eprintln!(
            "    (the rust-src component is missing: the bundles link the prebuilt std; \
             `rustup component add rust-src` makes them smaller)"
        );
    }
    let web = web_dir();
    for b in bundles {
        let out = web.join(b.folder);
        if out.exists() {
            fs::remove_dir_all(&out).with_context(|| format!("cannot clean {}", out.display()))?;
        }
        fs::create_dir_all(&out)?;
        let crate_name = b.package.replace('-', "_");
        let built = if lean {
            lean_target_dir(b.package)
        } else {
            target_dir()
        };
        let wasm = built
            .join(TARGET)
            .join("wasm")
            .join(format!("{crate_name}.wasm"));
        let mut bindgen = wasm_bindgen_cli_support::Bindgen::new();
        bindgen
            .input_path(&wasm)
            .web(true)?
            .omit_default_module_path(false)
            .typescript(false)
            // Names stay until `dead_table::prune` has read them; it keeps them only with
            // `CAIRN_WASM_NAMES=1` (which also skips wasm-opt), for `twiggy`.
            .remove_name_section(false)
            .remove_producers_section(true)
            // Every browser the overlay supports has `TextEncoder.encodeInto`: no fallback in the glue.
            .encode_into(wasm_bindgen_cli_support::EncodeInto::Always)
            .out_name(&crate_name)
            .generate(&out)
            .with_context(|| format!("wasm-bindgen on {}", wasm.display()))?;
        let glue = out.join(format!("{crate_name}.js"));
        let wasm = out.join(format!("{crate_name}_bg.wasm"));
        let (pruned, emptied) = crate::dead_table::prune(&fs::read(&wasm)?, keep_names())
            .with_context(|| format!("pruning the function table of {}", wasm.display()))?;
        fs::write(&wasm, pruned)?;
        eprintln!("    {crate_name}: {emptied} dead function-table slots emptied");
        let (short_wasm, short_js) = crate::short_names::shorten(
            &fs::read(&wasm)?,
            &async_init_only(&fold_returns(&strip_js(&fs::read_to_string(&glue)?))),
            &format!("./{crate_name}_bg.js"),
        )
        .with_context(|| format!("shortening the names of {}", wasm.display()))?;
        fs::write(&wasm, short_wasm)?;
        fs::write(&glue, short_js)?;
        if !keep_names() {
            wasm_opt(&wasm, b.package == OVERLAY);
            minify_js(&glue, true);
        }
        copy_dir(&project_root().join(b.statics), &out)?;
    }
    print_sizes(&web)?;
    Ok(web)
}

const OVERLAY: &str = "cairn-overlay";

/// `CAIRN_BUNDLE=overlay` (or `editor`) builds that bundle only, leaving the other's output as it
/// was: a quicker loop when measuring one of them.
fn wanted(b: &Bundle) -> bool {
    std::env::var("CAIRN_BUNDLE").map_or(true, |only| only.is_empty() || only == b.folder)
}

/// Whether the bundles are built with their own, size-optimised std: `-Z build-std` with panics that
/// abort at once, so no formatting or panic-message code is linked (about a fifth of the wasm).
/// Needs the pinned toolchain's `rust-src` component; `CAIRN_LEAN_STD=0` turns it off. The flags
/// are unstable on the stable toolchain, hence `RUSTC_BOOTSTRAP=1`, scoped to this one build.
fn lean_std() -> bool {
    if std::env::var("CAIRN_LEAN_STD").is_ok_and(|v| v == "0") {
        return false;
    }
    let sysroot = Command::new("rustc")
        .current_dir(project_root())
        .args(["--print", "sysroot"])
        .output();
    sysroot.is_ok_and(|o| {
        o.status.success()
            && PathBuf::from(String::from_utf8_lossy(&o.stdout).trim())
                .join("lib/rustlib/src/rust/library/std/Cargo.toml")
                .is_file()
    })
}

/// Its own target folder per bundle: the std and flags differ from the native build's, and one
/// build of both would unify their web-sys features (the overlay would change with the editor).
fn lean_target_dir(package: &str) -> PathBuf {
    match package {
        OVERLAY => target_dir().join("lean-std"),
        _ => target_dir().join(format!("lean-std-{package}")),
    }
}

/// `package` against the lean std: the overlay −8 KB gz, the editor −26 KB gz.
fn lean_build(package: &str) -> Command {
    let mut cmd = cargo();
    cmd.env("RUSTC_BOOTSTRAP", "1")
        .env(
            "CARGO_ENCODED_RUSTFLAGS",
            "-Zunstable-options\x1f-Cpanic=immediate-abort\x1f-Zlocation-detail=none\x1f-Zfmt-debug=none",
        )
        .args(["build", "--target", TARGET, "--profile", "wasm", "--package", package])
        .args(["-Z", "build-std=std,panic_abort", "-Z", "build-std-features=optimize_for_size", "--target-dir"])
        .arg(lean_target_dir(package));
    cmd
}

/// Whether to keep the name section, for reading the wasm with `twiggy top|dominators|monos`.
fn keep_names() -> bool {
    std::env::var("CAIRN_WASM_NAMES").is_ok_and(|v| v == "1")
}

/// Drops comments, blank lines and indentation from wasm-bindgen's glue. Line-based on purpose: the
/// glue has no multi-line strings, and keeping line breaks keeps JavaScript's semicolon insertion.
pub fn strip_js(source: &str) -> String {
    let mut out = String::with_capacity(source.len());
    let mut in_block = false;
    for line in source.lines() {
        let t = line.trim();
        if in_block {
            in_block = !t.ends_with("*/");
            continue;
        }
        if t.starts_with("/*") {
            in_block = !t.ends_with("*/");
            continue;
        }
        if t.is_empty() || t.starts_with("//") {
            continue;
        }
        out.push_str(t);
        out.push('\n');
    }
    out
}

/// Folds wasm-bindgen's `const ret = EXPR;` directly followed by `return ret;` into `return EXPR;`
/// (54 times in the overlay's glue). Works on [`strip_js`]'s output: when the next line is exactly
/// `return ret;`, the declaration was a complete one-line statement and `ret` is used nowhere else.
pub fn fold_returns(glue: &str) -> String {
    let mut out = String::with_capacity(glue.len());
    let mut lines = glue.lines().peekable();
    while let Some(line) = lines.next() {
        if let Some(expr) = line.strip_prefix("const ret = ")
            && lines.peek() == Some(&"return ret;")
        {
            lines.next();
            out.push_str("return ");
            out.push_str(expr);
        } else {
            out.push_str(line);
        }
        out.push('\n');
    }
    out
}

/// Exports only the asynchronous initialiser, the one the loader and the editor's page call:
/// without the `initSync` export, the minifier drops that function and its warnings (~100 B gz).
/// The initialiser's two console warnings are said in fewer words (~100 B gz more).
pub fn async_init_only(glue: &str) -> String {
    glue.replace(
        "export { initSync, __wbg_init as default };",
        "export { __wbg_init as default };",
    )
    .replace(
        "`WebAssembly.instantiateStreaming` failed because your server does not serve Wasm with \
         `application/wasm` MIME type. Falling back to `WebAssembly.instantiate` which is slower. \
         Original error:\\n",
        "wasm not served as application/wasm, compiling from bytes:",
    )
    .replace(
        "using deprecated parameters for the initialization function; pass a single object instead",
        "deprecated init parameters: pass {module_or_path}",
    )
}

/// The optional size win: binaryen's wasm-opt from npm, when `npx` is on the machine and
/// `CAIRN_WASM_OPT` is not `0`. Any failure keeps the unoptimised file; nothing needs node.
fn wasm_opt(wasm: &Path, overlay: bool) {
    if std::env::var("CAIRN_WASM_OPT").is_ok_and(|v| v == "0") {
        return;
    }
    let tmp = wasm.with_extension("opt.wasm");
    let status = std::process::Command::new("npx")
        .args([
            "--yes",
            "--package",
            "binaryen@132.0.0",
            "--",
            "wasm-opt",
            "-Oz",
        ])
        // The overlay's passes rebuild the control flow from scratch and optimise again, twice,
        // then an -O1 round unblocks a last -Oz: ~400 B gz (measured pass orders). Minutes on the
        // editor's 900 KB for nothing it keeps, so only for the size-budgeted overlay.
        .args(if overlay {
            &[
                "--flatten",
                "--rereloop",
                "-Oz",
                "--flatten",
                "--rereloop",
                "-Oz",
                "-O1",
                "-Oz",
            ][..]
        } else {
            &[]
        })
        .args([
            // Repeats the passes while they still shrink the module: ~1 KB gz more on the overlay.
            "--converge",
            // The `target_features` section only informs tools; browsers ignore it (~100 B gz).
            "--strip-target-features",
            // Rust's wasm puts the stack first and its data above 1 MiB, so the low 1 KiB is never
            // addressed: lets the optimiser fold constant offsets into loads/stores (~240 B gz).
            "--low-memory-unused",
            "--enable-bulk-memory",
            "--enable-sign-ext",
            "--enable-mutable-globals",
            "--enable-nontrapping-float-to-int",
            "--enable-reference-types",
            "--enable-multivalue",
        ])
        .arg(wasm)
        .arg("-o")
        .arg(&tmp)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status();
    match status {
        Ok(s) if s.success() && tmp.exists() => {
            // -Oz shrinks raw bytes but can grow gzipped ones: keep whichever travels smaller.
            let gz = |p: &Path| {
                fs::read(p)
                    .ok()
                    .and_then(|b| gzip_len(&b).ok())
                    .unwrap_or(usize::MAX)
            };
            let (before, after) = (gz(wasm), gz(&tmp));
            let name = wasm
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            if after < before && fs::rename(&tmp, wasm).is_ok() {
                eprintln!("    wasm-opt -Oz: {name} {before} → {after} B gz");
            } else {
                let _ = fs::remove_file(&tmp);
                eprintln!("    wasm-opt -Oz: {name} kept as built ({after} ≥ {before} B gz)");
            }
        }
        _ => {
            let _ = fs::remove_file(&tmp);
            eprintln!(
                "    (wasm-opt not available: bundle left as built; set CAIRN_WASM_OPT=0 to skip trying)"
            );
        }
    }
}

/// The optional JS win, like [`wasm_opt`]: terser from npm (when `npx` is there and `CAIRN_WASM_OPT`
/// is not `0`) compresses a script and shortens its local names (~800 B gz on the overlay's
/// 4 KB of glue, ~100 B on its loader). It keeps every export (`module`: an ES module) and adds
/// no `eval`; any failure keeps the file as it was.
fn minify_js(glue: &Path, module: bool) {
    if std::env::var("CAIRN_WASM_OPT").is_ok_and(|v| v == "0") {
        return;
    }
    let tmp = glue.with_extension("min.js");
    let status = Command::new("npx")
        .args(["--yes", "--package", "terser@5.36.0", "--", "terser"])
        .arg(glue)
        .args(module.then_some("--module"))
        // Functions as arrows and object methods where nothing uses `this`, `arguments` or `new`
        // on them (terser checks the first two; nothing constructs the glue's functions).
        .args([
            "--ecma",
            "2020",
            "--compress",
            "unsafe_arrows=true,unsafe_methods=true",
        ])
        .args(["--mangle", "--comments", "false", "--output"])
        .arg(&tmp)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status();
    let name = glue
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let gz = |p: &Path| {
        fs::read(p)
            .ok()
            .and_then(|b| gzip_len(&b).ok())
            .unwrap_or(usize::MAX)
    };
    match status {
        Ok(s) if s.success() && tmp.exists() => {
            let (before, after) = (gz(glue), gz(&tmp));
            if after < before && fs::rename(&tmp, glue).is_ok() {
                eprintln!("    terser: {name} {before} → {after} B gz");
            } else {
                let _ = fs::remove_file(&tmp);
                eprintln!("    terser: {name} kept as built ({after} ≥ {before} B gz)");
            }
        }
        _ => {
            let _ = fs::remove_file(&tmp);
            eprintln!("    (terser not available: {name} left as built)");
        }
    }
}

/// Copies the static files; JavaScript ones lose their comments and indentation on the way
/// ([`strip_js`], then [`minify_js`]: the loader is part of the overlay's gzipped budget).
fn copy_dir(from: &Path, to: &Path) -> Result<()> {
    for entry in fs::read_dir(from).with_context(|| format!("cannot read {}", from.display()))? {
        let entry = entry?;
        if !entry.file_type()?.is_file() {
            continue;
        }
        let (path, dest) = (entry.path(), to.join(entry.file_name()));
        if path.extension().is_some_and(|e| e == "js") {
            fs::write(&dest, strip_js(&fs::read_to_string(&path)?))?;
            if !keep_names() {
                minify_js(&dest, false);
            }
        } else {
            fs::copy(&path, &dest)?;
        }
    }
    Ok(())
}

fn gzip_len(bytes: &[u8]) -> Result<usize> {
    let mut enc = GzEncoder::new(Vec::new(), Compression::best());
    enc.write_all(bytes)?;
    Ok(enc.finish()?.len())
}

/// Raw and gzipped size of every bundle file, and each bundle's total.
pub fn print_sizes(web: &Path) -> Result<()> {
    for b in &BUNDLES {
        let dir = web.join(b.folder);
        let Ok(entries) = fs::read_dir(&dir) else {
            continue;
        };
        let mut files: Vec<_> = entries.flatten().map(|e| e.path()).collect();
        files.sort();
        let (mut raw, mut gz) = (0, 0);
        for f in &files {
            let bytes = fs::read(f)?;
            let g = gzip_len(&bytes)?;
            raw += bytes.len();
            gz += g;
            let name = f
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            eprintln!("    {:<28} {:>9} B  {:>8} B gz", name, bytes.len(), g);
        }
        eprintln!(
            "  {:<30} {:>9} B  {:>8} B gz  ({:.1} KiB gz)",
            b.folder,
            raw,
            gz,
            gz as f64 / 1024.0
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{async_init_only, fold_returns, strip_js};

    #[test]
    fn exports_the_async_initialiser_only() {
        let glue = "function initSync(m) {}\nexport { initSync, __wbg_init as default };\n";
        assert_eq!(
            async_init_only(glue),
            "function initSync(m) {}\nexport { __wbg_init as default };\n"
        );
        let warn = "console.warn(\"`WebAssembly.instantiateStreaming` failed because your server does not serve Wasm with `application/wasm` MIME type. Falling back to `WebAssembly.instantiate` which is slower. Original error:\\n\", e);";
        assert_eq!(
            async_init_only(warn),
            "console.warn(\"wasm not served as application/wasm, compiling from bytes:\", e);"
        );
    }

    #[test]
    fn folds_only_a_declaration_returned_on_the_next_line() {
        let src = "f: function(a) {\nconst ret = a.b(1);\nreturn ret;\n},\ng: function(a) {\nconst ret = a.c;\nuse(ret);\nreturn ret;\n},\n";
        assert_eq!(
            fold_returns(src),
            "f: function(a) {\nreturn a.b(1);\n},\ng: function(a) {\nconst ret = a.c;\nuse(ret);\nreturn ret;\n},\n"
        );
    }

    #[test]
    fn strips_comments_and_indentation_only() {
        let src = "/**\n * doc\n */\nexport function f(a) {\n    // note\n    const s = `x // y`;\n\n    return a; /* tail */\n}\n";
        assert_eq!(
            strip_js(src),
            "export function f(a) {\nconst s = `x // y`;\nreturn a; /* tail */\n}\n"
        );
    }
}
