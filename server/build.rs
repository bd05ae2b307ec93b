//! Embeds the wasm bundles built by `cargo xtask build` (under `target/web/`) into the binary, so one
//! `cairn` file serves the overlay and the editor. Without them the server still builds, and answers
//! those paths with a message saying how to build them.

use std::path::{Path, PathBuf};
use std::{env, fs};

fn main() {
    // `sqlx::migrate!` embeds the migration files: a new one must rebuild the crate.
    println!("cargo:rerun-if-changed=migrations");
    println!("cargo:rerun-if-env-changed=CAIRN_WEB_DIST");
    println!("cargo:rerun-if-env-changed=CARGO_TARGET_DIR");
    let manifest = PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let dist = match (
        env::var_os("CAIRN_WEB_DIST"),
        env::var_os("CARGO_TARGET_DIR"),
    ) {
        (Some(d), _) => PathBuf::from(d),
        (None, Some(t)) => manifest.join("..").join(t).join("web"),
        (None, None) => manifest.join("../target/web"),
    };
    println!("cargo:rerun-if-changed={}", dist.display());

    let mut files = Vec::new();
    for part in ["overlay", "editor"] {
        let dir = dist.join(part);
        println!("cargo:rerun-if-changed={}", dir.display());
        collect(&dir, &dir, part, &mut files);
    }
    files.sort();
    let mut out = String::from(
        "/// Files of the wasm bundles: (path under `/`, bytes).\npub static FILES: &[(&str, &[u8])] = &[\n",
    );
    for (url, path) in &files {
        println!("cargo:rerun-if-changed={}", path.display());
        out.push_str(&format!(
            "    ({url:?}, include_bytes!({:?})),\n",
            path.display().to_string()
        ));
    }
    out.push_str("];\n");
    // The loader asks for the overlay's glue and wasm by this hash (`?v=`), so they can be cached
    // as immutable; hashed here, not at run time (FNV-1a: cache-busting needs no cryptography).
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for (url, path) in &files {
        if url == "overlay/cairn_overlay.js" || url == "overlay/cairn_overlay_bg.wasm" {
            for byte in fs::read(path).unwrap_or_default() {
                hash = (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
            }
        }
    }
    out.push_str(&format!(
        "/// The content hash of the overlay's glue and wasm.\npub const BUNDLE_HASH: &str = \"{hash:016x}\";\n"
    ));
    let target = PathBuf::from(env::var("OUT_DIR").expect("set by cargo")).join("web_assets.rs");
    fs::write(target, out).expect("OUT_DIR is writable");
}

fn collect(root: &Path, dir: &Path, prefix: &str, files: &mut Vec<(String, PathBuf)>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(root, &path, prefix, files);
        } else if let Ok(rel) = path.strip_prefix(root) {
            let rel = rel.to_string_lossy().replace('\\', "/");
            let abs = fs::canonicalize(&path).unwrap_or(path);
            files.push((format!("{prefix}/{rel}"), abs));
        }
    }
}
