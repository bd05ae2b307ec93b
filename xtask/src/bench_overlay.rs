//! `cargo xtask bench overlay`: the overlay's size (JS + wasm, raw and gzipped, built as shipped)
//! and, in one headless Chromium run, its time to the first step and longest task on generated
//! pages of 10,000 and 100,000 elements, next to driver.js on the same pages. Prints figures.

use std::path::Path;

use anyhow::{Context, Result};

use crate::{build, cargo, prereq, run_cmd};

/// The bars the spec sets, printed beside the figures (not asserted).
const BARS: &str =
    "bars: overlay <= 60 KB gz; first step <= 50 ms on 10k; no task over 50 ms on 100k";

pub fn run() -> Result<()> {
    prereq::wasm_target()?;
    prereq::browser()?;
    prereq::test_tools()?;
    let web = build::bundles()?;
    let overlay = web.join("overlay");
    let (mut raw, mut gz) = (0, 0);
    println!("overlay bundle (what a host page downloads):");
    for name in ["cairn.js", "cairn_overlay.js", "cairn_overlay_bg.wasm"] {
        let (r, g) = sizes(&overlay.join(name))?;
        println!("  {name:<24} {r:>8} B raw {g:>8} B gz");
        raw += r;
        gz += g;
    }
    println!(
        "  {:<24} {raw:>8} B raw {gz:>8} B gz ({:.1} KiB gz)",
        "total",
        gz as f64 / 1024.0
    );
    println!("{BARS}");
    // The browser half lives with the end-to-end tests, to share their harness.
    run_cmd(cargo().args([
        "test",
        "--package",
        "cairn-e2e",
        "--test",
        "browser",
        "bench_overlay",
        "--",
        "--ignored",
        "--nocapture",
        "--test-threads=1",
    ]))
}

fn sizes(path: &Path) -> Result<(u64, u64)> {
    use std::io::Write;
    let bytes = std::fs::read(path).with_context(|| format!("read {}", path.display()))?;
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    enc.write_all(&bytes)?;
    Ok((bytes.len() as u64, enc.finish()?.len() as u64))
}
