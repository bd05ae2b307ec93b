//! Applications: where the overlay is installed, with their public key and allowed origins.

use sqlx::Row;
use sqlx::any::AnyRow;

use crate::auth::random_token;
use crate::db::{Db, new_id, now_ms};
use crate::error::ApiError;

#[derive(Debug, Clone)]
pub struct App {
    pub id: String,
    pub org_id: String,
    pub name: String,
    pub public_key: String,
    pub allowed_origins: Vec<String>,
}

macro_rules! app_columns {
    () => {
        "id, org_id, name, public_key, allowed_origins"
    };
}

fn from_row(r: &AnyRow) -> Result<App, ApiError> {
    let origins: String = r.try_get(4)?;
    Ok(App {
        id: r.try_get(0)?,
        org_id: r.try_get(1)?,
        name: r.try_get(2)?,
        public_key: r.try_get(3)?,
        allowed_origins: serde_json::from_str(&origins)?,
    })
}

pub async fn create(
    db: &Db,
    org_id: &str,
    name: &str,
    allowed_origins: &[String],
) -> Result<App, ApiError> {
    let app = App {
        id: new_id(),
        org_id: org_id.to_string(),
        name: name.to_string(),
        public_key: format!("pk_{}", random_token(12)),
        allowed_origins: allowed_origins.to_vec(),
    };
    sqlx::query(
        "INSERT INTO apps (id, org_id, name, public_key, allowed_origins, identity_secret, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&app.id)
    .bind(&app.org_id)
    .bind(&app.name)
    .bind(&app.public_key)
    .bind(serde_json::to_string(&app.allowed_origins)?)
    .bind(random_token(32))
    .bind(now_ms())
    .execute(&db.pool)
    .await?;
    Ok(app)
}

pub async fn list(db: &Db, org_id: &str) -> Result<Vec<App>, ApiError> {
    let rows = sqlx::query(concat!(
        "SELECT ",
        app_columns!(),
        " FROM apps WHERE org_id = $1 ORDER BY created_at"
    ))
    .bind(org_id)
    .fetch_all(&db.pool)
    .await?;
    rows.iter().map(from_row).collect()
}

pub async fn get(db: &Db, org_id: &str, id: &str) -> Result<Option<App>, ApiError> {
    let row = sqlx::query(concat!(
        "SELECT ",
        app_columns!(),
        " FROM apps WHERE org_id = $1 AND id = $2"
    ))
    .bind(org_id)
    .bind(id)
    .fetch_optional(&db.pool)
    .await?;
    row.as_ref().map(from_row).transpose()
}

/// The application a public key belongs to (the overlay's only credential).
pub async fn by_public_key(db: &Db, key: &str) -> Result<Option<App>, ApiError> {
    let row = sqlx::query(concat!(
        "SELECT ",
        app_columns!(),
        " FROM apps WHERE public_key = $1"
    ))
    .bind(key)
    .fetch_optional(&db.pool)
    .await?;
    row.as_ref().map(from_row).transpose()
}

/// The organisation an application belongs to.
pub async fn org_of(db: &Db, app_id: &str) -> Result<Option<String>, ApiError> {
    let row = sqlx::query("SELECT org_id FROM apps WHERE id = $1")
        .bind(app_id)
        .fetch_optional(&db.pool)
        .await?;
    Ok(row.map(|r| r.try_get(0)).transpose()?)
}
