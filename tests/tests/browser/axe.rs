//! Accessibility checks with axe-core (an npm test tool installed by `cargo xtask test` into
//! `target/test-tools/`), injected into the page under test. Open shadow roots, such as the
//! overlay's, are checked too.

use serde_json::Value;

use crate::harness::Browser;

fn axe_source() -> String {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target"));
    let target = if target.is_relative() {
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("..")
            .join(target)
    } else {
        target
    };
    let path = target.join("test-tools/node_modules/axe-core/axe.min.js");
    std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "axe-core not found at {} ({e}): run `cargo xtask test`, which installs it",
            path.display()
        )
    })
}

/// One rule an element breaks, as axe reports it.
#[derive(Debug)]
pub struct Violation {
    pub id: String,
    pub impact: String,
    pub help: String,
    pub targets: Vec<String>,
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} ({}): {} at {}",
            self.id,
            self.impact,
            self.help,
            self.targets.join(", ")
        )
    }
}

impl Browser {
    /// Runs axe-core (WCAG 2.0/2.1 A and AA rules) on the whole page, or on the elements matching
    /// `context` (a CSS selector), and returns the violations.
    pub async fn axe(&self, context: Option<&str>) -> Vec<Violation> {
        let source = axe_source();
        // Injected through WebDriver, so a strict page CSP does not block it.
        self.js(&format!("{source}\n;return true;")).await;
        let ctx = context.map_or("document".to_string(), |c| serde_json::json!(c).to_string());
        let script = format!(
            "var done = arguments[arguments.length - 1];
             axe.run({ctx}, {{ runOnly: {{ type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] }} }})
               .then(function (r) {{ done(r.violations.map(function (v) {{
                 return {{ id: v.id, impact: v.impact || '', help: v.help,
                          targets: v.nodes.map(function (n) {{ return JSON.stringify(n.target); }}) }};
               }})); }}, function (e) {{ done({{ error: String(e) }}); }});"
        );
        let result = self
            .client
            .execute_async(&script, vec![])
            .await
            .unwrap_or_else(|e| panic!("axe-core did not run: {e}"));
        if let Some(err) = result.get("error") {
            panic!("axe-core failed: {err}");
        }
        let list = result.as_array().cloned().unwrap_or_default();
        list.iter()
            .map(|v| {
                let s = |k: &str| v.get(k).and_then(Value::as_str).unwrap_or("").to_string();
                Violation {
                    id: s("id"),
                    impact: s("impact"),
                    help: s("help"),
                    targets: v
                        .get("targets")
                        .and_then(Value::as_array)
                        .map(|a| {
                            a.iter()
                                .filter_map(|t| t.as_str().map(str::to_string))
                                .collect()
                        })
                        .unwrap_or_default(),
                }
            })
            .collect()
    }

    /// Fails the test, listing every violation, when axe finds any.
    pub async fn assert_accessible(&self, what: &str, context: Option<&str>) {
        let violations = self.axe(context).await;
        assert!(
            violations.is_empty(),
            "{what}: {} accessibility violation(s):\n{}",
            violations.len(),
            violations
                .iter()
                .map(|v| format!("  - {v}"))
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
}

/// The instrument itself: a page with a known fault must be reported, or every "no violations"
/// above would prove nothing.
#[tokio::test]
async fn axe_reports_a_known_violation() {
    let browser = Browser::start().await;
    browser
        .client
        .goto("data:text/html,<!doctype html><html lang=en><title>t</title><main><img src=x.png></main></html>")
        .await
        .expect("open a data: page");
    let violations = browser.axe(None).await;
    assert!(
        violations.iter().any(|v| v.id == "image-alt"),
        "axe should flag the image without alt text, got {violations:?}"
    );
    browser.close().await;
}
