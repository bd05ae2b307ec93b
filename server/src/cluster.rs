//! Several instances on one PostgreSQL: cache invalidation reaches every instance. A local
//! invalidation (publish, rollback, app settings) is announced with `pg_notify('cairn_cache', …)`;
//! every instance LISTENs (sqlx `PgListener`) and drops the same entries. As a fallback for a lost
//! connection or a missed notification, each instance also polls a cheap signature of what was
//! published (a hash of every document's published version and of the applications' settings) and clears its content cache when
//! it moved. SQLite runs one instance, so nothing starts there.

use std::sync::Arc;
use std::time::Duration;

use sqlx::postgres::PgListener;
use tokio::sync::mpsc;

use crate::db::{Backend, Db};
use crate::startup::AppState;

pub const CHANNEL: &str = "cairn_cache";
const POLL: Duration = Duration::from_secs(5);

/// Starts the announcer, the listener and the fallback poll (PostgreSQL only).
pub fn start(state: Arc<AppState>) {
    if state.db.backend != Backend::Postgres {
        return;
    }
    let (tx, rx) = mpsc::unbounded_channel();
    state.caches.set_announcer(tx);
    tokio::spawn(announce(state.db.clone(), rx));
    tokio::spawn(listen(state.clone()));
    tokio::spawn(poll(state));
}

async fn announce(db: Db, mut rx: mpsc::UnboundedReceiver<String>) {
    while let Some(message) = rx.recv().await {
        if let Err(e) = sqlx::query("SELECT pg_notify($1, $2)")
            .bind(CHANNEL)
            .bind(&message)
            .execute(&db.pool)
            .await
        {
            tracing::warn!(error = %e, "cache invalidation not announced; other instances will poll");
        }
    }
}

async fn listen(state: Arc<AppState>) {
    let caches = &state.caches;
    loop {
        match PgListener::connect(&state.db.url).await {
            Ok(mut listener) => {
                if let Err(e) = listener.listen(CHANNEL).await {
                    tracing::warn!(error = %e, "cannot LISTEN for cache invalidations");
                } else {
                    // `recv` reconnects by itself; an error means the listener is unusable.
                    while let Ok(n) = listener.recv().await {
                        caches.apply_announcement(n.payload());
                    }
                }
            }
            Err(e) => tracing::warn!(error = %e, "cache listener cannot connect; retrying"),
        }
        // Whatever was missed while disconnected: start from an empty cache.
        caches.clear_content();
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

async fn poll(state: Arc<AppState>) {
    let (db, caches) = (&state.db, &state.caches);
    let mut last: Option<String> = None;
    loop {
        tokio::time::sleep(POLL).await;
        let signature = sqlx::query_scalar::<_, String>(
            "SELECT md5(COALESCE((SELECT string_agg(id || ':' || COALESCE(published_version, 0), ',' ORDER BY id) FROM content), '')
                || '|' || COALESCE((SELECT string_agg(id || name || public_key || allowed_origins || categories
                || require_verified_identity || identity_secret, ',' ORDER BY id) FROM apps), ''))",
        )
        .fetch_one(&db.pool)
        .await;
        match signature {
            Ok(s) => {
                if last.as_ref().is_some_and(|l| *l != s) {
                    caches.clear_all();
                }
                last = Some(s);
            }
            Err(e) => tracing::warn!(error = %e, "cache poll failed"),
        }
    }
}
