//! Users, organisations and editor sessions.

use sqlx::Row;

use crate::auth::CurrentUser;
use crate::db::{Db, new_id, now_ms};
use crate::error::ApiError;
use crate::roles::Role;

fn parse_role(s: &str) -> Result<Role, ApiError> {
    s.parse()
        .map_err(|e: String| ApiError::Internal(anyhow::anyhow!(e)))
}

pub async fn create_org(db: &Db, name: &str) -> Result<String, ApiError> {
    let id = new_id();
    sqlx::query("INSERT INTO organizations (id, name, created_at) VALUES ($1, $2, $3)")
        .bind(&id)
        .bind(name)
        .bind(now_ms())
        .execute(&db.pool)
        .await?;
    Ok(id)
}

pub async fn org_count(db: &Db) -> Result<i64, ApiError> {
    Ok(sqlx::query("SELECT COUNT(*) FROM organizations")
        .fetch_one(&db.pool)
        .await?
        .try_get(0)?)
}

pub async fn first_org(db: &Db) -> Result<Option<String>, ApiError> {
    let row = sqlx::query("SELECT id FROM organizations ORDER BY created_at LIMIT 1")
        .fetch_optional(&db.pool)
        .await?;
    Ok(row.map(|r| r.try_get(0)).transpose()?)
}

pub async fn org_name(db: &Db, org_id: &str) -> Result<String, ApiError> {
    Ok(sqlx::query("SELECT name FROM organizations WHERE id = $1")
        .bind(org_id)
        .fetch_one(&db.pool)
        .await?
        .try_get(0)?)
}

/// Creates a user; the email must be unused.
pub async fn create_user(
    db: &Db,
    org_id: &str,
    email: &str,
    password_hash: &str,
    role: Role,
) -> Result<String, ApiError> {
    let id = new_id();
    let res = sqlx::query(
        "INSERT INTO users (id, org_id, email, password_hash, role, created_at)
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (email) DO NOTHING",
    )
    .bind(&id)
    .bind(org_id)
    .bind(email.to_lowercase())
    .bind(password_hash)
    .bind(role.as_str())
    .bind(now_ms())
    .execute(&db.pool)
    .await?;
    if res.rows_affected() == 0 {
        return Err(ApiError::Conflict(format!(
            "a user with email {email} already exists"
        )));
    }
    Ok(id)
}

/// (user, password hash) for a login attempt.
pub async fn find_for_login(
    db: &Db,
    email: &str,
) -> Result<Option<(CurrentUser, String)>, ApiError> {
    let row =
        sqlx::query("SELECT id, org_id, email, role, password_hash FROM users WHERE email = $1")
            .bind(email.trim().to_lowercase())
            .fetch_optional(&db.pool)
            .await?;
    row.map(|r| {
        Ok((
            CurrentUser {
                id: r.try_get(0)?,
                org_id: r.try_get(1)?,
                email: r.try_get(2)?,
                role: parse_role(&r.try_get::<String, _>(3)?)?,
                scopes: None,
            },
            r.try_get(4)?,
        ))
    })
    .transpose()
}

pub async fn create_session(
    db: &Db,
    user_id: &str,
    token_hash: &str,
    ttl_ms: i64,
) -> Result<(), ApiError> {
    let now = now_ms();
    sqlx::query("INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)")
        .bind(token_hash)
        .bind(user_id)
        .bind(now)
        .bind(now + ttl_ms)
        .execute(&db.pool)
        .await?;
    Ok(())
}

pub async fn delete_session(db: &Db, token_hash: &str) -> Result<(), ApiError> {
    sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
        .bind(token_hash)
        .execute(&db.pool)
        .await?;
    Ok(())
}

pub async fn user_for_session(db: &Db, token_hash: &str) -> Result<Option<CurrentUser>, ApiError> {
    let row = sqlx::query(
        "SELECT u.id, u.org_id, u.email, u.role FROM sessions s JOIN users u ON u.id = s.user_id
         WHERE s.token_hash = $1 AND s.expires_at > $2",
    )
    .bind(token_hash)
    .bind(now_ms())
    .fetch_optional(&db.pool)
    .await?;
    row.map(|r| {
        Ok(CurrentUser {
            id: r.try_get(0)?,
            org_id: r.try_get(1)?,
            email: r.try_get(2)?,
            role: parse_role(&r.try_get::<String, _>(3)?)?,
            scopes: None,
        })
    })
    .transpose()
}

/// A user of the organisation by email: (id, role).
pub async fn by_email(
    db: &Db,
    org_id: &str,
    email: &str,
) -> Result<Option<(String, Role)>, ApiError> {
    let row = sqlx::query("SELECT id, role FROM users WHERE org_id = $1 AND email = $2")
        .bind(org_id)
        .bind(email.trim().to_lowercase())
        .fetch_optional(&db.pool)
        .await?;
    row.map(|r| Ok((r.try_get(0)?, parse_role(&r.try_get::<String, _>(1)?)?)))
        .transpose()
}

/// The organisation's users, by email: (id, email, role).
pub async fn list(db: &Db, org_id: &str) -> Result<Vec<(String, String, Role)>, ApiError> {
    let rows = sqlx::query("SELECT id, email, role FROM users WHERE org_id = $1 ORDER BY email")
        .bind(org_id)
        .fetch_all(&db.pool)
        .await?;
    rows.into_iter()
        .map(|r| {
            Ok((
                r.try_get(0)?,
                r.try_get(1)?,
                parse_role(&r.try_get::<String, _>(2)?)?,
            ))
        })
        .collect()
}
