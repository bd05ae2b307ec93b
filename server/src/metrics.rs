//! Prometheus metrics at `/metrics`: requests by route pattern and status, latency, events ingested,
//! tickets filed, cache hits. Route labels are the registered patterns (`/api/v1/tours/{id}`), so
//! their number stays bounded whatever clients send.

use std::sync::LazyLock;

use actix_web::{HttpResponse, get};
use prometheus::{
    Encoder, Histogram, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge, Opts,
    Registry, TextEncoder,
};

pub struct Metrics {
    registry: Registry,
    pub http_requests: IntCounterVec,
    pub http_duration: HistogramVec,
    pub events_ingested: IntCounter,
    pub events_duplicate: IntCounter,
    pub tickets_filed: IntCounter,
    pub cache: IntCounterVec,
    pub rate_limited: IntCounterVec,
    pub ingest_queue_depth: IntGauge,
    pub ingest_flush_seconds: Histogram,
    pub step_alerts: IntCounter,
}

fn build() -> Result<Metrics, prometheus::Error> {
    let registry = Registry::new_custom(Some("cairn".into()), None)?;
    let http_requests = IntCounterVec::new(
        Opts::new(
            "http_requests_total",
            "HTTP requests by route pattern, method and status",
        ),
        &["route", "method", "status"],
    )?;
    let http_duration = HistogramVec::new(
        HistogramOpts::new(
            "http_request_duration_seconds",
            "HTTP request latency by route pattern",
        )
        .buckets(vec![
            0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
        ]),
        &["route"],
    )?;
    let events_ingested = IntCounter::new("events_ingested_total", "Overlay events stored")?;
    let events_duplicate = IntCounter::new(
        "events_duplicate_total",
        "Overlay events ignored as already stored",
    )?;
    let tickets_filed = IntCounter::new("tickets_filed_total", "Tickets filed from the overlay")?;
    let cache = IntCounterVec::new(
        Opts::new("cache_requests_total", "Cache lookups by cache and outcome"),
        &["cache", "outcome"],
    )?;
    let rate_limited = IntCounterVec::new(
        Opts::new("rate_limited_total", "Requests refused by a rate limit"),
        &["limit"],
    )?;
    registry.register(Box::new(http_requests.clone()))?;
    registry.register(Box::new(http_duration.clone()))?;
    registry.register(Box::new(events_ingested.clone()))?;
    registry.register(Box::new(events_duplicate.clone()))?;
    registry.register(Box::new(tickets_filed.clone()))?;
    registry.register(Box::new(cache.clone()))?;
    registry.register(Box::new(rate_limited.clone()))?;
    let ingest_queue_depth = IntGauge::new(
        "ingest_queue_depth",
        "Overlay events waiting for the batched writer",
    )?;
    let ingest_flush_seconds = Histogram::with_opts(
        HistogramOpts::new(
            "ingest_flush_seconds",
            "Time to write one batch of events and its rollups",
        )
        .buckets(vec![
            0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
        ]),
    )?;
    let step_alerts = IntCounter::new("step_alerts_total", "Broken-step alerts opened")?;
    registry.register(Box::new(ingest_queue_depth.clone()))?;
    registry.register(Box::new(ingest_flush_seconds.clone()))?;
    registry.register(Box::new(step_alerts.clone()))?;
    Ok(Metrics {
        registry,
        http_requests,
        http_duration,
        events_ingested,
        events_duplicate,
        tickets_filed,
        cache,
        rate_limited,
        ingest_queue_depth,
        ingest_flush_seconds,
        step_alerts,
    })
}

/// The process's metrics (one registry per process, like the process itself).
pub static METRICS: LazyLock<Metrics> = LazyLock::new(|| match build() {
    Ok(m) => m,
    // Only a programming error (a duplicate or malformed name) gets here; tests catch it.
    Err(e) => panic!("metric definitions are invalid: {e}"),
});

impl Metrics {
    pub fn cache_hit(&self, cache: &str, hit: bool) {
        self.cache
            .with_label_values(&[cache, if hit { "hit" } else { "miss" }])
            .inc();
    }

    pub fn render(&self) -> String {
        let mut buf = Vec::new();
        if let Err(e) = TextEncoder::new().encode(&self.registry.gather(), &mut buf) {
            tracing::error!(error = %e, "cannot encode metrics");
        }
        String::from_utf8(buf).unwrap_or_default()
    }
}

/// Prometheus text exposition format.
#[utoipa::path(tag = "operations", responses((status = 200, description = "Prometheus metrics", content_type = "text/plain")))]
#[get("/metrics")]
pub async fn metrics() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4")
        .body(METRICS.render())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn definitions_are_valid_and_render() {
        METRICS
            .http_requests
            .with_label_values(&["/x", "GET", "200"])
            .inc();
        assert!(METRICS.render().contains("cairn_http_requests_total"));
    }
}
