//! Two instances on one PostgreSQL: a publish on one reaches the other's overlay content within a
//! second (LISTEN/NOTIFY), and events sent to both are counted exactly once. PostgreSQL only.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::helpers::{event, spawn_app};

#[tokio::test]
async fn two_instances_share_publishes_and_count_events_once() {
    if std::env::var("CAIRN_TEST_DATABASE_URL").map_or(true, |u| u.is_empty()) {
        eprintln!("scale-out test skipped: set CAIRN_TEST_DATABASE_URL to a PostgreSQL server");
        return;
    }
    let a = spawn_app().await;
    let b = a.server.spawn_instance().await.expect("second instance");
    let tour = a.server.demo_tour_id.clone();
    let content_b = || async {
        let res = reqwest::Client::new()
            .get(format!("{}/api/v1/overlay/content", b.url))
            .header("x-cairn-app-key", &b.demo_app_key)
            .send()
            .await
            .expect("content");
        let body: Value = res.json().await.expect("json");
        body["tours"]
            .as_array()
            .and_then(|t| t.iter().find(|t| t["id"] == tour.as_str()).cloned())
            .expect("demo tour served")
    };
    let before = content_b().await["version"].as_i64().expect("version");

    // Publish a new version through instance A.
    let detail: Value = a
        .admin
        .get(a.url(&format!("/api/v1/tours/{tour}")))
        .send()
        .await
        .expect("tour")
        .json()
        .await
        .expect("json");
    let mut doc = detail["draft"].clone();
    doc["title"] = json!("Approve an invoice, revised");
    let put = a
        .admin
        .put(a.url(&format!("/api/v1/tours/{tour}")))
        .json(&doc)
        .send()
        .await
        .expect("put");
    assert_eq!(put.status(), 200);
    let published = a
        .admin
        .post(a.url(&format!("/api/v1/tours/{tour}/publish")))
        .json(&json!({}))
        .send()
        .await
        .expect("publish");
    assert_eq!(published.status(), 200);
    let at = Instant::now();
    loop {
        let served = content_b().await;
        if served["version"].as_i64() == Some(before + 1) {
            assert_eq!(served["doc"]["title"], "Approve an invoice, revised");
            break;
        }
        assert!(
            at.elapsed() < Duration::from_secs(1),
            "instance B still serves version {before} after 1 s"
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }

    // The same 1000 events sent to both instances at once, in different batch orders.
    let events: Vec<Value> = (0..1000)
        .map(|i| event(&format!("both-{i:06}"), "step_viewed", &tour, "s1", 0))
        .collect();
    let send = |url: String, key: String, batches: Vec<Vec<Value>>| async move {
        let client = reqwest::Client::new();
        let mut accepted = 0;
        for batch in batches {
            let r: Value = client
                .post(format!("{url}/api/v1/overlay/events"))
                .header("x-cairn-app-key", &key)
                .json(&json!({ "events": batch }))
                .send()
                .await
                .expect("events")
                .json()
                .await
                .expect("json");
            accepted += r["accepted"].as_i64().expect("accepted");
        }
        accepted
    };
    let forward: Vec<Vec<Value>> = events.chunks(100).map(<[Value]>::to_vec).collect();
    let backward: Vec<Vec<Value>> = events.rchunks(70).map(<[Value]>::to_vec).collect();
    let (x, y) = tokio::join!(
        send(a.server.url.clone(), a.server.demo_app_key.clone(), forward),
        send(b.url.clone(), b.demo_app_key.clone(), backward)
    );
    assert_eq!(x + y, 1000, "each event accepted by exactly one instance");
    let db = a.server.db().await.expect("db");
    let views: i64 = sqlx::query_scalar(
        "SELECT CAST(SUM(views) AS BIGINT) FROM step_totals WHERE content_id = $1 AND grain = 1",
    )
    .bind(&tour)
    .fetch_one(&db.pool)
    .await
    .expect("sum");
    assert_eq!(views, 1000);
}
