use reqwest::Method;
use serde_json::json;

use crate::helpers::{assert_error, spawn_app};

#[tokio::test]
async fn ticket_floods_get_429_with_retry_after() {
    let app = spawn_app().await;
    let report = json!({ "message": "help", "context": { "page_url": "http://host.test/" } });
    let mut statuses = Vec::new();
    for _ in 0..25 {
        let res = app
            .overlay(Method::POST, "/tickets")
            .json(&report)
            .send()
            .await
            .expect("post");
        statuses.push(res.status().as_u16());
        if res.status() == 429 {
            let retry = res
                .headers()
                .get("retry-after")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.parse::<u64>().ok());
            assert!(retry.is_some_and(|s| s >= 1), "Retry-After in seconds");
            assert_error(res, 429, "rate_limited").await;
            break;
        }
    }
    assert_eq!(
        statuses.iter().filter(|s| **s == 201).count(),
        20,
        "{statuses:?}"
    );
    assert_eq!(statuses.last(), Some(&429));
}

#[tokio::test]
async fn login_guessing_is_throttled() {
    let app = spawn_app().await;
    let mut last = 0;
    for _ in 0..12 {
        last = app
            .anon
            .post(app.url("/api/v1/auth/login"))
            .json(&json!({ "email": cairn_server::testing::TEST_ADMIN_EMAIL, "password": "guess" }))
            .send()
            .await
            .expect("post")
            .status()
            .as_u16();
    }
    assert_eq!(last, 429);
}

#[tokio::test]
async fn metrics_are_exposed_in_prometheus_format() {
    let app = spawn_app().await;
    app.overlay(Method::GET, "/content")
        .send()
        .await
        .expect("content");
    let res = app
        .anon
        .get(app.url("/metrics"))
        .send()
        .await
        .expect("metrics");
    assert_eq!(res.status(), 200);
    let text = res.text().await.expect("text");
    for name in [
        "cairn_http_requests_total{method=\"GET\",route=\"/api/v1/overlay/content\",status=\"200\"}",
        "cairn_http_request_duration_seconds_bucket",
        "cairn_cache_requests_total",
    ] {
        assert!(text.contains(name), "{name} missing from /metrics");
    }
}
