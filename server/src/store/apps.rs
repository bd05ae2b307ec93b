//! Applications: where the overlay is installed, with their public key and allowed origins.

use sqlx::Row;
use sqlx::any::AnyRow;

use crate::auth::random_token;
use crate::db::{Db, new_id, now_ms};
use crate::error::ApiError;

#[derive(Clone)]
pub struct App {
    pub id: String,
    pub org_id: String,
    pub name: String,
    pub public_key: String,
    pub allowed_origins: Vec<String>,
    /// Verifies `cairn.identify` hashes; never leaves the server except to an admin who asks.
    pub identity_secret: String,
    pub require_verified_identity: bool,
    pub categories: Vec<String>,
}

impl std::fmt::Debug for App {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("App")
            .field("id", &self.id)
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

macro_rules! app_columns {
    () => {
        "id, org_id, name, public_key, allowed_origins, identity_secret, require_verified_identity, categories"
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
        identity_secret: r.try_get(5)?,
        require_verified_identity: r.try_get::<i64, _>(6)? != 0,
        categories: serde_json::from_str(&r.try_get::<String, _>(7)?)?,
    })
}

/// What a new application offers employees to classify their problem.
pub fn default_categories() -> Vec<String> {
    [
        "How do I…?",
        "Something is broken",
        "Access or permissions",
        "Other",
    ]
    .map(String::from)
    .to_vec()
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
        identity_secret: random_token(32),
        require_verified_identity: false,
        categories: default_categories(),
    };
    sqlx::query(
        "INSERT INTO apps (id, org_id, name, public_key, allowed_origins, identity_secret, created_at, categories)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(&app.id)
    .bind(&app.org_id)
    .bind(&app.name)
    .bind(&app.public_key)
    .bind(serde_json::to_string(&app.allowed_origins)?)
    .bind(&app.identity_secret)
    .bind(now_ms())
    .bind(serde_json::to_string(&app.categories)?)
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

/// Applies the given changes; `false` when the organisation has no such application.
pub async fn update(
    db: &Db,
    org_id: &str,
    id: &str,
    u: &cairn_shared::api::AppUpdate,
) -> Result<bool, ApiError> {
    let origins = u
        .allowed_origins
        .as_ref()
        .map(serde_json::to_string)
        .transpose()?;
    let categories = u
        .categories
        .as_ref()
        .map(serde_json::to_string)
        .transpose()?;
    let res = sqlx::query(
        "UPDATE apps SET name = COALESCE($1, name), allowed_origins = COALESCE($2, allowed_origins),
                require_verified_identity = COALESCE($3, require_verified_identity), categories = COALESCE($4, categories)
         WHERE org_id = $5 AND id = $6",
    )
    .bind(u.name.as_deref())
    .bind(origins)
    .bind(u.require_verified_identity.map(i64::from))
    .bind(categories)
    .bind(org_id)
    .bind(id)
    .execute(&db.pool)
    .await?;
    Ok(res.rows_affected() == 1)
}
