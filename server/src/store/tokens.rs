//! Bearer API tokens: an opaque secret shown once, stored as its SHA-256, scoped and revocable.

use sqlx::Row;
use sqlx::any::AnyRow;

use crate::auth::CurrentUser;
use crate::db::{Db, new_id, now_ms};
use crate::error::ApiError;
use crate::roles::{Permission, Role};

#[derive(Debug, Clone)]
pub struct TokenRow {
    pub id: String,
    pub name: String,
    pub user_email: String,
    pub scopes: Vec<String>,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    pub revoked: bool,
}

fn from_row(r: &AnyRow) -> Result<TokenRow, ApiError> {
    let scopes: String = r.try_get(3)?;
    Ok(TokenRow {
        id: r.try_get(0)?,
        name: r.try_get(1)?,
        user_email: r.try_get(2)?,
        scopes: serde_json::from_str(&scopes)?,
        created_at: r.try_get(4)?,
        last_used_at: r.try_get(5)?,
        revoked: r.try_get::<Option<i64>, _>(6)?.is_some(),
    })
}

pub async fn create(
    db: &Db,
    user: &CurrentUser,
    name: &str,
    token_hash: &str,
    scopes: &[String],
) -> Result<String, ApiError> {
    let id = new_id();
    sqlx::query(
        "INSERT INTO api_tokens (id, org_id, user_id, name, token_hash, scopes, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&id)
    .bind(&user.org_id)
    .bind(&user.id)
    .bind(name)
    .bind(token_hash)
    .bind(serde_json::to_string(scopes)?)
    .bind(now_ms())
    .execute(&db.pool)
    .await?;
    Ok(id)
}

pub async fn list(db: &Db, org_id: &str) -> Result<Vec<TokenRow>, ApiError> {
    let rows = sqlx::query(
        "SELECT t.id, t.name, u.email, t.scopes, t.created_at, t.last_used_at, t.revoked_at
         FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.org_id = $1 ORDER BY t.created_at",
    )
    .bind(org_id)
    .fetch_all(&db.pool)
    .await?;
    rows.iter().map(from_row).collect()
}

/// Revokes; `false` when the organisation has no such token.
pub async fn revoke(db: &Db, org_id: &str, id: &str) -> Result<bool, ApiError> {
    let res = sqlx::query(
        "UPDATE api_tokens SET revoked_at = $1 WHERE org_id = $2 AND id = $3 AND revoked_at IS NULL",
    )
    .bind(now_ms())
    .bind(org_id)
    .bind(id)
    .execute(&db.pool)
    .await?;
    Ok(res.rows_affected() == 1)
}

/// The user a live token acts as, with the token's scopes.
pub async fn user_for_token(db: &Db, token_hash: &str) -> Result<Option<CurrentUser>, ApiError> {
    let row = sqlx::query(
        "SELECT u.id, u.org_id, u.email, u.role, t.scopes, t.id FROM api_tokens t JOIN users u ON u.id = t.user_id
         WHERE t.token_hash = $1 AND t.revoked_at IS NULL",
    )
    .bind(token_hash)
    .fetch_optional(&db.pool)
    .await?;
    let Some(r) = row else { return Ok(None) };
    let role: String = r.try_get(3)?;
    let scopes: String = r.try_get(4)?;
    let token_id: String = r.try_get(5)?;
    let scopes: Vec<String> = serde_json::from_str(&scopes)?;
    sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2")
        .bind(now_ms())
        .bind(&token_id)
        .execute(&db.pool)
        .await?;
    Ok(Some(CurrentUser {
        id: r.try_get(0)?,
        org_id: r.try_get(1)?,
        email: r.try_get(2)?,
        role: role
            .parse::<Role>()
            .map_err(|e| ApiError::Internal(anyhow::anyhow!(e)))?,
        scopes: Some(
            scopes
                .iter()
                .filter_map(|s| Permission::from_scope(s))
                .collect(),
        ),
    }))
}
