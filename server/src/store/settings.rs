//! Instance-wide key/value facts (not tenant data), such as the demo application's key.

use sqlx::Row;

use crate::db::Db;
use crate::error::ApiError;

pub const DEMO_APP_KEY: &str = "demo_app_key";

pub async fn get(db: &Db, key: &str) -> Result<Option<String>, ApiError> {
    let row = sqlx::query("SELECT value FROM settings WHERE key = $1")
        .bind(key)
        .fetch_optional(&db.pool)
        .await?;
    Ok(row.map(|r| r.try_get(0)).transpose()?)
}

/// Stores `value` unless the key already has one (first writer wins across instances).
pub async fn set_if_absent(db: &Db, key: &str, value: &str) -> Result<(), ApiError> {
    sqlx::query("INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING")
        .bind(key)
        .bind(value)
        .execute(&db.pool)
        .await?;
    Ok(())
}

pub async fn set(db: &Db, key: &str, value: &str) -> Result<(), ApiError> {
    sqlx::query(
        "INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    )
    .bind(key)
    .bind(value)
    .execute(&db.pool)
    .await?;
    Ok(())
}
