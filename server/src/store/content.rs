//! Content documents (tours, tooltips, checklists): an editable draft per document, and immutable
//! numbered versions made by publishing it.

use cairn_shared::content::ContentKind;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::db::{Backend, Db, new_id, now_ms};
use crate::error::ApiError;

#[derive(Debug, Clone)]
pub struct ContentRow {
    pub id: String,
    pub app_id: String,
    pub title: String,
    /// The draft document, as JSON text.
    pub draft: String,
    pub published_version: Option<i64>,
    pub draft_changed: bool,
    pub updated_at: i64,
}

macro_rules! content_columns {
    () => {
        "id, app_id, title, draft, published_version, draft_changed, updated_at"
    };
}

fn from_row(r: &AnyRow) -> Result<ContentRow, ApiError> {
    Ok(ContentRow {
        id: r.try_get(0)?,
        app_id: r.try_get(1)?,
        title: r.try_get(2)?,
        draft: r.try_get(3)?,
        published_version: r.try_get(4)?,
        draft_changed: r.try_get::<i64, _>(5)? != 0,
        updated_at: r.try_get(6)?,
    })
}

pub async fn create(
    db: &Db,
    org_id: &str,
    app_id: &str,
    kind: ContentKind,
    title: &str,
    draft: &str,
) -> Result<String, ApiError> {
    let id = new_id();
    create_with_id(db, &id, org_id, app_id, kind, title, draft).await?;
    Ok(id)
}

/// Creates a document with a given id (imports keep ids stable across instances).
pub async fn create_with_id(
    db: &Db,
    id: &str,
    org_id: &str,
    app_id: &str,
    kind: ContentKind,
    title: &str,
    draft: &str,
) -> Result<(), ApiError> {
    let now = now_ms();
    sqlx::query(
        "INSERT INTO content (id, org_id, app_id, kind, title, draft, published_version, draft_changed, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, NULL, 1, $7, $7)",
    )
    .bind(id)
    .bind(org_id)
    .bind(app_id)
    .bind(kind.as_str())
    .bind(title)
    .bind(draft)
    .bind(now)
    .execute(&db.pool)
    .await?;
    Ok(())
}

pub async fn list(db: &Db, org_id: &str, kind: ContentKind) -> Result<Vec<ContentRow>, ApiError> {
    let rows = sqlx::query(concat!(
        "SELECT ",
        content_columns!(),
        " FROM content WHERE org_id = $1 AND kind = $2 ORDER BY created_at, id"
    ))
    .bind(org_id)
    .bind(kind.as_str())
    .fetch_all(&db.pool)
    .await?;
    rows.iter().map(from_row).collect()
}

pub async fn get(
    db: &Db,
    org_id: &str,
    kind: ContentKind,
    id: &str,
) -> Result<Option<ContentRow>, ApiError> {
    let row = sqlx::query(concat!(
        "SELECT ",
        content_columns!(),
        " FROM content WHERE org_id = $1 AND kind = $2 AND id = $3"
    ))
    .bind(org_id)
    .bind(kind.as_str())
    .bind(id)
    .fetch_optional(&db.pool)
    .await?;
    row.as_ref().map(from_row).transpose()
}

/// Replaces the draft; `false` when no such document exists in the organisation.
pub async fn update_draft(
    db: &Db,
    org_id: &str,
    kind: ContentKind,
    id: &str,
    title: &str,
    draft: &str,
) -> Result<bool, ApiError> {
    let res = sqlx::query(
        "UPDATE content SET title = $1, draft = $2, draft_changed = 1, updated_at = $3
         WHERE org_id = $4 AND kind = $5 AND id = $6",
    )
    .bind(title)
    .bind(draft)
    .bind(now_ms())
    .bind(org_id)
    .bind(kind.as_str())
    .bind(id)
    .execute(&db.pool)
    .await?;
    Ok(res.rows_affected() == 1)
}

/// Publishes the draft as the next version. Returns the version and the document's application.
pub async fn publish(
    db: &Db,
    org_id: &str,
    kind: ContentKind,
    id: &str,
    user_id: Option<&str>,
    message: &str,
) -> Result<(i64, String), ApiError> {
    // Concurrent publishes of one document queue up (SQLite's write lock from BEGIN, PostgreSQL's
    // row lock) and each gets the next number.
    let mut tx = db.begin_write().await?;
    let row = sqlx::query(match db.backend {
        Backend::Postgres => {
            "SELECT draft, published_version, app_id FROM content WHERE org_id = $1 AND kind = $2 AND id = $3 FOR UPDATE"
        }
        Backend::Sqlite => {
            "SELECT draft, published_version, app_id FROM content WHERE org_id = $1 AND kind = $2 AND id = $3"
        }
    })
    .bind(org_id)
    .bind(kind.as_str())
    .bind(id)
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(ApiError::NotFound("document"))?;
    let draft: String = row.try_get(0)?;
    let current: Option<i64> = row.try_get(1)?;
    let app_id: String = row.try_get(2)?;
    let version = current.unwrap_or(0) + 1;
    let now = now_ms();
    // The primary key (content_id, version) makes a concurrent publish of the same version fail
    // instead of silently overwriting.
    sqlx::query(
        "INSERT INTO content_versions (content_id, version, document, message, published_by, published_at)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(id)
    .bind(version)
    .bind(&draft)
    .bind(message)
    .bind(user_id)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    sqlx::query("UPDATE content SET published_version = $1, draft_changed = 0, updated_at = $2 WHERE id = $3")
        .bind(version)
        .bind(now)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok((version, app_id))
}

/// A published document: (id, kind, version, JSON document).
pub struct PublishedRow {
    pub id: String,
    pub kind: ContentKind,
    pub version: i64,
    pub document: String,
}

/// The latest published version of every document of an application.
pub async fn published_for_app(db: &Db, app_id: &str) -> Result<Vec<PublishedRow>, ApiError> {
    let rows = sqlx::query(
        "SELECT c.id, c.kind, v.version, v.document FROM content c
         JOIN content_versions v ON v.content_id = c.id AND v.version = c.published_version
         WHERE c.app_id = $1 ORDER BY c.created_at, c.id",
    )
    .bind(app_id)
    .fetch_all(&db.pool)
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let kind: String = r.try_get(1)?;
        let Some(kind) = ContentKind::parse(&kind) else {
            continue;
        };
        out.push(PublishedRow {
            id: r.try_get(0)?,
            kind,
            version: r.try_get(2)?,
            document: r.try_get(3)?,
        });
    }
    Ok(out)
}

/// The document of one published version.
pub async fn version_document(
    db: &Db,
    org_id: &str,
    id: &str,
    version: i64,
) -> Result<Option<String>, ApiError> {
    let row = sqlx::query(
        "SELECT v.document FROM content_versions v JOIN content c ON c.id = v.content_id
         WHERE c.org_id = $1 AND v.content_id = $2 AND v.version = $3",
    )
    .bind(org_id)
    .bind(id)
    .bind(version)
    .fetch_optional(&db.pool)
    .await?;
    Ok(row.map(|r| r.try_get(0)).transpose()?)
}

/// A published version's metadata.
pub struct VersionRow {
    pub version: i64,
    pub message: String,
    pub published_by: Option<String>,
    pub published_at: i64,
}

/// Every published version of a document of the organisation, newest first; `None` when the
/// organisation has no such document.
pub async fn versions(
    db: &Db,
    org_id: &str,
    kind: ContentKind,
    id: &str,
) -> Result<Option<Vec<VersionRow>>, ApiError> {
    if get(db, org_id, kind, id).await?.is_none() {
        return Ok(None);
    }
    let rows = sqlx::query(
        "SELECT v.version, v.message, u.email, v.published_at FROM content_versions v
         LEFT JOIN users u ON u.id = v.published_by
         WHERE v.content_id = $1 ORDER BY v.version DESC",
    )
    .bind(id)
    .fetch_all(&db.pool)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(VersionRow {
                version: r.try_get(0)?,
                message: r.try_get(1)?,
                published_by: r.try_get(2)?,
                published_at: r.try_get(3)?,
            })
        })
        .collect::<Result<Vec<_>, ApiError>>()
        .map(Some)
}

/// A document as exported: identity, owner and draft.
pub struct ExportRow {
    pub id: String,
    pub org_id: String,
    pub app_id: String,
    pub kind: ContentKind,
    pub draft: String,
}

/// Every document of every organisation, in a stable order.
pub async fn all_for_export(db: &Db) -> Result<Vec<ExportRow>, ApiError> {
    let rows = sqlx::query(
        "SELECT id, org_id, app_id, kind, draft FROM content ORDER BY org_id, kind, id",
    )
    .fetch_all(&db.pool)
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let kind: String = r.try_get(3)?;
        let Some(kind) = ContentKind::parse(&kind) else {
            continue;
        };
        out.push(ExportRow {
            id: r.try_get(0)?,
            org_id: r.try_get(1)?,
            app_id: r.try_get(2)?,
            kind,
            draft: r.try_get(4)?,
        });
    }
    Ok(out)
}

/// Who owns a document id, whatever the organisation: (org id, kind).
pub async fn owner_of(
    db: &Db,
    id: &str,
) -> Result<Option<(String, Option<ContentKind>)>, ApiError> {
    let row = sqlx::query("SELECT org_id, kind FROM content WHERE id = $1")
        .bind(id)
        .fetch_optional(&db.pool)
        .await?;
    row.map(|r| {
        Ok((
            r.try_get(0)?,
            ContentKind::parse(&r.try_get::<String, _>(1)?),
        ))
    })
    .transpose()
}
