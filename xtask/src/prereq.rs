//! What the tests need on the machine: the wasm target, Chromium and ChromeDriver, cargo-nextest
//! (optional) and PostgreSQL (optional locally, required in CI). Installs what it can as root;
//! otherwise stops with a one-line instruction.

use std::net::{SocketAddr, TcpStream};
use std::process::{Command, Stdio};
use std::time::Duration;

use anyhow::{Result, bail};

use crate::run_cmd;

fn succeeds(cmd: &mut Command) -> bool {
    cmd.stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

pub fn wasm_target() -> Result<()> {
    let installed = Command::new("rustup")
        .args(["target", "list", "--installed"])
        .current_dir(crate::project_root())
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).contains("wasm32-unknown-unknown"))
        .unwrap_or(false);
    if !installed {
        eprintln!("▸ adding the wasm32-unknown-unknown target");
        run_cmd(
            Command::new("rustup")
                .args(["target", "add", "wasm32-unknown-unknown"])
                .current_dir(crate::project_root()),
        )?;
    }
    Ok(())
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// Chromium and ChromeDriver for the end-to-end tests.
pub fn browser() -> Result<()> {
    let have = |bin: &str| succeeds(Command::new(bin).arg("--version"));
    if have("chromium") && have("chromedriver") {
        return Ok(());
    }
    if !is_root() {
        bail!(
            "the end-to-end tests need Chromium and ChromeDriver: run `sudo apt-get install -y chromium chromium-driver`"
        );
    }
    eprintln!("▸ installing chromium and chromium-driver with apt-get");
    run_cmd(Command::new("apt-get").arg("update").arg("-q"))?;
    run_cmd(Command::new("apt-get").args([
        "install",
        "-y",
        "-q",
        "--no-install-recommends",
        "chromium",
        "chromium-driver",
    ]))
}

/// npm packages the tests use as instruments (never the product): axe-core for accessibility
/// checks, driver.js as the reference in `cargo xtask bench overlay`. Installed once into `target/test-tools/`, where the browser tests read them.
pub const TEST_TOOLS: &[&str] = &["axe-core@4.11.0", "driver.js@1.3.6"];

pub fn test_tools_dir() -> std::path::PathBuf {
    crate::build::target_dir().join("test-tools")
}

pub fn test_tools() -> Result<()> {
    let dir = test_tools_dir();
    let missing: Vec<&str> = TEST_TOOLS
        .iter()
        .copied()
        .filter(|spec| {
            let name = spec.rsplit_once('@').map_or(*spec, |(n, _)| n);
            !dir.join("node_modules")
                .join(name)
                .join("package.json")
                .exists()
        })
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    if !succeeds(Command::new("npm").arg("--version")) {
        bail!(
            "the accessibility tests need npm to fetch {}: install Node.js and npm (`apt-get install -y npm`)",
            missing.join(", ")
        );
    }
    eprintln!("▸ installing test tools with npm: {}", missing.join(", "));
    std::fs::create_dir_all(&dir)?;
    run_cmd(
        Command::new("npm")
            .args([
                "install",
                "--no-save",
                "--no-audit",
                "--no-fund",
                "--prefix",
            ])
            .arg(&dir)
            // All of them: npm removes what an install does not name from a prefix without a
            // package.json.
            .args(TEST_TOOLS),
    )
}

pub fn has_nextest() -> bool {
    succeeds(Command::new("cargo").args(["nextest", "--version"]))
}

/// A PostgreSQL server to run the integration suite against: `CAIRN_TEST_POSTGRES_URL`, else the
/// local one on 127.0.0.1:5432 if it answers.
pub fn postgres_url() -> Option<String> {
    if let Ok(url) = std::env::var("CAIRN_TEST_POSTGRES_URL") {
        return Some(url);
    }
    let addr: SocketAddr = "127.0.0.1:5432".parse().ok()?;
    TcpStream::connect_timeout(&addr, Duration::from_secs(1)).ok()?;
    Some("postgres://postgres@127.0.0.1:5432/postgres".into())
}
