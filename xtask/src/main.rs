//! `cargo xtask`: Cairn's build and check tasks, in Rust rather than shell.
//!
//! - `cargo xtask build`  builds the overlay and editor wasm bundles into `target/web/`
//! - `cargo xtask run`    builds the bundles, then runs `cairn serve` with them embedded
//! - `cargo xtask test`   installs what the tests need (when it can), builds the bundles and runs every
//!   test: unit, integration (SQLite, then PostgreSQL when one answers), end-to-end in Chromium
//! - `cargo xtask sizes`  prints the bundles' raw and gzipped sizes
//! - `cargo xtask bench delivery`  measures cached overlay content requests/s on a release server
//! - `cargo xtask bench overlay`  overlay size, time to first step and longest task vs driver.js
//! - `cargo xtask bench analytics [--events N]`  ingestion and report benchmark

mod bench_analytics;
mod bench_delivery;
mod bench_overlay;
mod build;
mod dead_table;
mod prereq;
mod short_names;

use std::env;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use anyhow::{Context, Result, bail};

fn main() -> ExitCode {
    match try_main() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn try_main() -> Result<()> {
    let mut args = env::args().skip(1);
    let task = args.next();
    let rest: Vec<String> = args.collect();
    match task.as_deref() {
        Some("build") => build::bundles().map(|_| ()),
        Some("run") => run(&rest),
        Some("test") => test(&rest),
        Some("sizes") => build::print_sizes(&build::web_dir()),
        Some("bench") => match rest.first().map(String::as_str) {
            Some("analytics") => bench_analytics::run(&rest[1..]),
            Some("delivery") => bench_delivery::delivery(&rest[1..]),
            Some("overlay") => bench_overlay::run(),
            other => bail!("unknown benchmark {other:?} (analytics, delivery, overlay)"),
        },
        _ => {
            eprintln!(
                "usage: cargo xtask <task>\n\n  build   build the overlay and editor wasm bundles\n  run     build and run Cairn (extra args go to `cairn`)\n  test    run the whole test suite\n  sizes   print bundle sizes\n  bench delivery   measure cached overlay content delivery (req/s, latency)"
            );
            bail!("unknown task {:?}", task.unwrap_or_default())
        }
    }
}

/// The workspace root.
pub fn project_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

pub fn cargo() -> Command {
    let mut cmd = Command::new(env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    cmd.current_dir(project_root());
    cmd
}

/// Runs a command, failing with its description when it fails.
pub fn run_cmd(cmd: &mut Command) -> Result<()> {
    let shown = format!("{cmd:?}");
    let status = cmd
        .status()
        .with_context(|| format!("cannot start {shown}"))?;
    if !status.success() {
        bail!("{shown} failed ({status})");
    }
    Ok(())
}

fn run(args: &[String]) -> Result<()> {
    prereq::wasm_target()?;
    build::bundles()?;
    eprintln!("▸ building and starting cairn…");
    run_cmd(
        cargo()
            .args([
                "run",
                "--quiet",
                "--package",
                "cairn-server",
                "--bin",
                "cairn",
                "--",
            ])
            .args(args),
    )
}

fn test(args: &[String]) -> Result<()> {
    prereq::wasm_target()?;
    prereq::browser()?;
    prereq::test_tools()?;
    build::bundles()?;
    let nextest = prereq::has_nextest();
    let runner = |cmd: &mut Command| {
        if nextest {
            cmd.args(["nextest", "run", "--workspace", "--no-fail-fast"]);
        } else {
            cmd.args(["test", "--workspace", "--no-fail-fast"]);
        }
        cmd.args(args);
    };

    eprintln!("▸ tests on SQLite (unit, integration, end-to-end)");
    let mut cmd = cargo();
    runner(&mut cmd);
    cmd.env_remove("CAIRN_TEST_DATABASE_URL");
    run_cmd(&mut cmd)?;
    if nextest {
        // nextest does not run doctests.
        run_cmd(cargo().args(["test", "--workspace", "--doc"]))?;
    }

    match prereq::postgres_url() {
        Some(url) => {
            eprintln!("▸ integration tests on PostgreSQL ({url})");
            let mut cmd = cargo();
            runner(&mut cmd);
            cmd.args(["--package", "cairn-server", "--test", "api"])
                .env("CAIRN_TEST_DATABASE_URL", url);
            run_cmd(&mut cmd)?;
        }
        None if env::var_os("CI").is_some() => {
            bail!("PostgreSQL does not answer on 127.0.0.1:5432 (CI needs it)")
        }
        None => eprintln!("▸ PostgreSQL not found on 127.0.0.1:5432: skipped the PostgreSQL leg"),
    }
    Ok(())
}
