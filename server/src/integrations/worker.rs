//! The outbox worker: every tick it leases due deliveries, sends them, and records the answer.
//! Failures retry with exponential backoff (5 s, 10 s, 20 s … capped at 1 h); after `MAX_ATTEMPTS` the
//! delivery is dead-lettered and shown as such in the editor, where it can be retried by hand.

use std::time::Duration;

use serde_json::Value;

use super::IncidentPayload;
use super::connectors::{self, External};
use crate::clock::Clock;
use crate::db::Db;
use crate::error::ApiError;
use crate::store::outbox::{self, Delivery};

pub const MAX_ATTEMPTS: i64 = 8;
const LEASE_MS: i64 = 60_000;
const BATCH: i64 = 20;

/// Delay before attempt `attempts + 1`.
pub fn backoff_ms(attempts: i64) -> i64 {
    let exp = attempts.clamp(0, 20) as u32;
    (5_000i64.saturating_mul(1 << exp)).min(3_600_000)
}

pub struct Worker {
    pub db: Db,
    pub clock: Clock,
    pub http: reqwest::Client,
}

impl Worker {
    pub fn new(db: Db, clock: Clock) -> Self {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(15))
            .user_agent(concat!("Cairn/", env!("CARGO_PKG_VERSION")))
            .build()
            .unwrap_or_default();
        Worker { db, clock, http }
    }

    /// Runs until the process ends, ticking every `every`.
    pub async fn run(self, every: Duration) {
        let mut tick = tokio::time::interval(every);
        loop {
            tick.tick().await;
            if let Err(e) = self.tick().await {
                tracing::warn!(error = %e, "outbox tick failed");
            }
        }
    }

    /// One pass: deliver what is due. Returns how many were attempted.
    pub async fn tick(&self) -> Result<usize, ApiError> {
        let due = outbox::claim_due(&self.db, self.clock.now_ms(), LEASE_MS, BATCH).await?;
        for d in &due {
            self.deliver(d).await?;
        }
        Ok(due.len())
    }

    async fn deliver(&self, d: &Delivery) -> Result<(), ApiError> {
        let Some(integration) =
            outbox::get_integration(&self.db, &d.org_id, &d.integration_id).await?
        else {
            return outbox::mark_failed(&self.db, &d.id, None, "integration deleted", 0, true)
                .await;
        };
        let now = self.clock.now_ms();
        let req = if d.event == crate::alerts::EVENT {
            // Broken-step alerts go to webhooks only (see `alerts`).
            crate::alerts::webhook_request(
                &integration.config,
                &integration.secret,
                &d.payload,
                &d.id,
                now / 1000,
            )
        } else {
            let payload: IncidentPayload = serde_json::from_str(&d.payload)?;
            connectors::build(
                integration.kind,
                &integration.config,
                &integration.secret,
                &payload,
                &d.id,
                now / 1000,
            )
        };
        let mut builder = self.http.post(&req.url).body(req.body.clone());
        for (k, v) in &req.headers {
            builder = builder.header(k, v);
        }
        let (status, error, answer) = match builder.send().await {
            Ok(res) => {
                let status = i64::from(res.status().as_u16());
                let ok = res.status().is_success();
                let text = res.text().await.unwrap_or_default();
                if ok {
                    (
                        Some(status),
                        None,
                        serde_json::from_str::<Value>(&text).unwrap_or(Value::Null),
                    )
                } else {
                    let snippet: String = text.chars().take(300).collect();
                    (
                        Some(status),
                        Some(format!("HTTP {status}: {snippet}")),
                        Value::Null,
                    )
                }
            }
            Err(e) => (None, Some(format!("{e}")), Value::Null),
        };
        match error {
            None => {
                let External { id, url } =
                    connectors::external(integration.kind, &integration.config, &answer);
                tracing::info!(delivery = %d.id, kind = integration.kind.as_str(), external = ?id, "delivered");
                outbox::mark_delivered(
                    &self.db,
                    &d.id,
                    status.unwrap_or(200),
                    id.as_deref(),
                    url.as_deref(),
                    self.clock.now_ms(),
                )
                .await
            }
            Some(err) => {
                let attempts = d.attempts + 1;
                let dead = attempts >= MAX_ATTEMPTS || status.is_some_and(permanent);
                tracing::warn!(delivery = %d.id, kind = integration.kind.as_str(), attempts, dead, error = %err, "delivery failed");
                outbox::mark_failed(
                    &self.db,
                    &d.id,
                    status,
                    &err,
                    now + backoff_ms(d.attempts),
                    dead,
                )
                .await
            }
        }
    }
}

/// Answers that retrying will not fix (bad credentials, bad request), except throttling.
fn permanent(status: i64) -> bool {
    (400..500).contains(&status) && status != 408 && status != 429
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_caps() {
        assert_eq!(backoff_ms(0), 5_000);
        assert_eq!(backoff_ms(1), 10_000);
        assert_eq!(backoff_ms(3), 40_000);
        assert_eq!(backoff_ms(30), 3_600_000);
    }

    #[test]
    fn permanent_failures() {
        assert!(permanent(401));
        assert!(permanent(400));
        assert!(!permanent(429));
        assert!(!permanent(500));
        assert!(!permanent(503));
    }
}
