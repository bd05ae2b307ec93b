//! A headless Chromium session for a test: chromedriver on a free port in its own process group
//! (killed with everything it started when the test ends), and helpers to look inside the overlay's
//! shadow root.

use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder};
use serde_json::{Value, json};

pub struct Browser {
    pub client: Client,
    driver: Child,
    profile: std::path::PathBuf,
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

impl Browser {
    pub async fn start() -> Browser {
        Self::start_with(&[]).await
    }

    /// A session with extra Chromium switches (e.g. `--force-prefers-reduced-motion`).
    pub async fn start_with(extra_args: &[&str]) -> Browser {
        let port = free_port();
        let driver = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .expect("chromedriver runs (cargo xtask test installs it)");
        let profile =
            std::env::temp_dir().join(format!("cairn-chromium-{}-{port}", std::process::id()));
        let binary = ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
            .into_iter()
            .find(|p| std::path::Path::new(p).exists());
        let mut options = json!({
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync",
                     "--window-size=1280,900", format!("--user-data-dir={}", profile.display())],
        });
        if let Some(b) = binary {
            options["binary"] = json!(b);
        }
        if let Some(args) = options["args"].as_array_mut() {
            args.extend(extra_args.iter().map(|a| json!(a)));
        }
        let mut caps = serde_json::Map::new();
        caps.insert("goog:chromeOptions".into(), options);
        let deadline = Instant::now() + Duration::from_secs(20);
        let client = loop {
            let attempt =
                ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
                    .capabilities(caps.clone())
                    .connect(&format!("http://127.0.0.1:{port}"))
                    .await;
            match attempt {
                Ok(c) => break c,
                Err(e) if Instant::now() > deadline => {
                    panic!("cannot start a Chromium session: {e}")
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
            }
        };
        Browser {
            client,
            driver,
            profile,
        }
    }

    pub async fn js(&self, script: &str) -> Value {
        self.client
            .execute(script, vec![])
            .await
            .unwrap_or_else(|e| panic!("script failed: {e}\n{script}"))
    }

    /// Polls `expression` (JavaScript) until it is truthy; returns its value.
    pub async fn wait_for(&self, what: &str, expression: &str) -> Value {
        let script = format!("try {{ return ({expression}); }} catch (e) {{ return null; }}");
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let v = self.js(&script).await;
            let truthy =
                !matches!(&v, Value::Null | Value::Bool(false)) && v != json!("") && v != json!(0);
            if truthy {
                return v;
            }
            if Instant::now() > deadline {
                let state = self.js("var r = document.getElementById('cairn-root'); return r ? r.getAttribute('data-cairn-state') : 'no #cairn-root';").await;
                panic!("timed out waiting for {what} (overlay state: {state})");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Clicks the overlay element matching `selector` inside the shadow root.
    pub async fn click_overlay(&self, selector: &str) {
        let script = format!(
            "var el = document.getElementById('cairn-root').shadowRoot.querySelector({sel}); if (!el) return false; el.click(); return true;",
            sel = json!(selector)
        );
        assert_eq!(
            self.js(&script).await,
            json!(true),
            "overlay element {selector} to click"
        );
    }
}

/// JavaScript that finds `selector` inside the overlay's shadow root.
pub fn in_overlay(selector: &str) -> String {
    format!(
        "document.getElementById('cairn-root').shadowRoot.querySelector({})",
        json!(selector)
    )
}

impl Browser {
    /// Ends the WebDriver session; bounded, as a stuck driver must not hang the test.
    pub async fn close(self) {
        let _ = tokio::time::timeout(Duration::from_secs(5), self.client.clone().close()).await;
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        // chromedriver leads its own process group; Chromium and its helpers are in it.
        // `--` so that kill reads "-PGID" as a process group, not as an option.
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", self.driver.id())])
            .status();
        // Should the group kill fail, never leave the driver (and so `wait`) hanging.
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}
