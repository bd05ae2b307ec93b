//! Typed settings: defaults, then environment variables (`CAIRN_*`), then command-line flags.

use std::fmt;

/// A value that must not end up in logs.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

#[derive(Debug, Clone)]
pub struct Settings {
    /// Where to listen, `127.0.0.1:8080` by default; port 0 picks a free port (tests).
    pub addr: String,
    /// `sqlite://…` (default `./cairn-data/cairn.db`) or `postgres://…`.
    pub database_url: String,
    /// The URL browsers reach Cairn at; derived from `addr` when unset.
    pub public_url: Option<String>,
    /// First admin, created on an empty database.
    pub admin_email: String,
    /// `None`: a random password is generated and printed once.
    pub admin_password: Option<Secret>,
    /// Seed the demo organisation, application and content on an empty database.
    pub seed_demo: bool,
    /// Largest JSON body accepted by management routes, in bytes.
    pub max_body_bytes: usize,
    /// How often the outbox worker looks for due deliveries, in milliseconds.
    pub outbox_tick_ms: u64,
    /// Raw overlay events older than this many days are deleted (rollups stay) [CAIRN_EVENT_RETENTION_DAYS].
    pub event_retention_days: i64,
    /// Event ingestion queue bound, batch size and linger.
    pub ingest: crate::ingest::IngestConfig,
    /// Overlay requests per second per application and client IP [CAIRN_OVERLAY_RATE_LIMIT]; 0: no limit.
    pub overlay_rate_per_sec: f64,
}

pub const DEFAULT_DATABASE_URL: &str = "sqlite://cairn-data/cairn.db";

impl Default for Settings {
    fn default() -> Self {
        Settings {
            addr: "127.0.0.1:8080".into(),
            database_url: DEFAULT_DATABASE_URL.into(),
            public_url: None,
            admin_email: "admin@cairn.local".into(),
            admin_password: None,
            seed_demo: true,
            max_body_bytes: 1024 * 1024,
            outbox_tick_ms: 1000,
            event_retention_days: 400,
            ingest: crate::ingest::IngestConfig::default(),
            overlay_rate_per_sec: 20.0,
        }
    }
}

impl Settings {
    /// Defaults overridden by the environment.
    pub fn from_env() -> Self {
        let mut s = Settings::default();
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        if let Some(v) = var("CAIRN_ADDR") {
            s.addr = v;
        }
        if let Some(v) = var("CAIRN_DATABASE_URL") {
            s.database_url = v;
        }
        s.public_url = var("CAIRN_PUBLIC_URL").map(|u| u.trim_end_matches('/').to_string());
        if let Some(v) = var("CAIRN_ADMIN_EMAIL") {
            s.admin_email = v;
        }
        s.admin_password = var("CAIRN_ADMIN_PASSWORD").map(Secret::new);
        if let Some(v) = var("CAIRN_SEED_DEMO") {
            s.seed_demo = !matches!(v.as_str(), "0" | "false" | "no");
        }
        if let Some(v) = var("CAIRN_EVENT_RETENTION_DAYS").and_then(|v| v.parse().ok()) {
            s.event_retention_days = v;
        }
        if let Some(v) = var("CAIRN_OVERLAY_RATE_LIMIT").and_then(|v| v.parse().ok()) {
            s.overlay_rate_per_sec = v;
        }
        if let Some(v) = var("CAIRN_INGEST_QUEUE").and_then(|v| v.parse().ok()) {
            s.ingest.capacity = v;
        }
        if let Some(v) = var("CAIRN_INGEST_BATCH").and_then(|v| v.parse().ok()) {
            s.ingest.batch = v;
        }
        s
    }

    /// The public URL, or one derived from the bound port.
    pub fn public_url_for_port(&self, port: u16) -> String {
        match &self.public_url {
            Some(u) => u.clone(),
            None => {
                let host = self
                    .addr
                    .rsplit_once(':')
                    .map(|(h, _)| h)
                    .unwrap_or("127.0.0.1");
                let host = match host {
                    "0.0.0.0" | "[::]" | "" => "127.0.0.1",
                    h => h,
                };
                format!("http://{host}:{port}")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_does_not_print() {
        let s = Secret::new("hunter2");
        assert_eq!(format!("{s:?}"), "Secret(***)");
    }

    #[test]
    fn public_url_from_addr() {
        let s = Settings {
            addr: "0.0.0.0:0".into(),
            ..Settings::default()
        };
        assert_eq!(s.public_url_for_port(4321), "http://127.0.0.1:4321");
        let s = Settings {
            public_url: Some("https://cairn.corp".into()),
            ..Settings::default()
        };
        assert_eq!(s.public_url_for_port(1), "https://cairn.corp");
    }
}
