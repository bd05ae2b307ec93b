//! Background jobs and SQLite's single writer: with nothing to write, the outbox worker and the
//! analytics jobs only read, so they never queue ingestion, publishes or tickets behind them.

use std::time::Duration;

use cairn_server::db::Backend;
use cairn_server::integrations::worker::Worker;

use crate::helpers::spawn_app;

/// Longer than a read, shorter than SQLite's 5 s busy timeout that a write would wait out.
const QUICK: Duration = Duration::from_secs(2);

#[tokio::test]
async fn idle_background_jobs_finish_while_another_connection_holds_the_write_lock() {
    let app = spawn_app().await;
    let db = app.server.db().await.expect("db");
    let clock = app.server.clock.clone();
    let now = clock.now_ms();
    let old = now - 500 * 86_400_000;
    let demo_app: (String, String) = sqlx::query_as("SELECT id, org_id FROM apps LIMIT 1")
        .fetch_one(&db.pool)
        .await
        .expect("demo app");
    let insert = |id: &'static str, at: i64| {
        let (pool, (app_id, org_id)) = (db.pool.clone(), demo_app.clone());
        async move {
            sqlx::query(
                "INSERT INTO events (app_id, id, org_id, kind, content_id, step_id, step_index, version, page_url, occurred_at, received_at)
                 VALUES ($1, $2, $3, 'step_viewed', 'tour-x', 'step-1', 0, 1, '/', $4, $4)",
            )
            .bind(app_id)
            .bind(id)
            .bind(org_id)
            .bind(at)
            .execute(&pool)
            .await
            .expect("event");
        }
    };
    insert("recent", now).await;

    let holder = db.begin_write().await.expect("write transaction");
    if db.backend == Backend::Sqlite {
        // BEGIN IMMEDIATE took the lock already; a write makes it plain in any case.
        let mut holder = holder;
        sqlx::query("UPDATE settings SET value = value WHERE key = 'none'")
            .execute(&mut *holder)
            .await
            .expect("write under the lock");
        let worker = Worker::new(db.clone(), clock.clone());
        let sent = tokio::time::timeout(QUICK, worker.tick())
            .await
            .expect("the idle outbox tick waited for the write lock")
            .expect("outbox tick");
        assert_eq!(sent, 0);
        tokio::time::timeout(QUICK, cairn_server::analytics_jobs::tick(&db, &clock, 400))
            .await
            .expect("the idle analytics tick waited for the write lock")
            .expect("analytics tick");
        holder.rollback().await.expect("release");
    } else {
        holder.rollback().await.expect("release");
    }

    // With work to do, the job still writes: the old event goes, the recent one stays.
    insert("old", old).await;
    cairn_server::analytics_jobs::tick(&db, &clock, 400)
        .await
        .expect("analytics tick");
    let left: Vec<String> =
        sqlx::query_scalar("SELECT id FROM events WHERE id IN ('old', 'recent') ORDER BY id")
            .fetch_all(&db.pool)
            .await
            .expect("events");
    assert_eq!(left, vec!["recent".to_string()]);
}
