//! What the management routes of every kind of content document share: tours, tooltips and
//! checklists are all a draft plus numbered versions in `store::content`, validated by their JSON
//! Schema and their own rules. [`Document`] says what differs per kind; the functions here are the
//! routes' bodies, and [`document_routes!`] declares the routes of a kind whose handlers are
//! nothing more (tooltips, checklists; tours keep their own handlers for their extra routes).

use actix_web::HttpResponse;
use cairn_shared::api::{
    ChecklistDetail, ChecklistVersion, DocumentSummary, Published, TooltipDetail, TooltipVersion,
    TourDetail, TourVersion, VersionView,
};
use cairn_shared::content::{Checklist, ContentKind, DocumentError, Tooltip, Tour};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::auth::CurrentUser;
use crate::error::ApiError;
use crate::roles::Permission;
use crate::schema;
use crate::startup::AppState;
use crate::store::{self, content::ContentRow};

/// A kind of content document, as the management API handles it.
pub trait Document: Serialize + DeserializeOwned {
    const KIND: ContentKind;
    /// For "tour not found" and log lines.
    const NOUN: &'static str;
    /// The document with its row, as `GET /{kind}s/{id}` answers.
    type Detail: Serialize;
    /// One published version with its document.
    type Version: Serialize;

    fn title(&self) -> &str;
    /// Rules the schema cannot express, with pointers relative to the document.
    fn validate(&self) -> Vec<DocumentError>;
    fn detail(row: &ContentRow, draft: Self) -> Self::Detail;
    fn version(meta: VersionView, document: Self) -> Self::Version;
    /// What must also hold to publish (a tooltip's element is picked); `validate` by default.
    fn publish_problems(&self) -> Vec<DocumentError> {
        self.validate()
    }
    /// Tours the document points at, with the pointer of each reference.
    fn tour_references(&self) -> Vec<(String, &str)> {
        Vec::new()
    }
}

/// The list shape every kind shares.
pub fn summary(row: &ContentRow) -> DocumentSummary {
    DocumentSummary {
        id: row.id.clone(),
        app_id: row.app_id.clone(),
        title: row.title.clone(),
        published_version: row.published_version.and_then(|v| u32::try_from(v).ok()),
        has_unpublished_changes: row.draft_changed,
        updated_at: row.updated_at,
    }
}

impl Document for Tour {
    const KIND: ContentKind = ContentKind::Tour;
    const NOUN: &'static str = "tour";
    type Detail = TourDetail;
    type Version = TourVersion;

    fn title(&self) -> &str {
        &self.title
    }
    fn validate(&self) -> Vec<DocumentError> {
        Tour::validate(self)
    }
    fn detail(row: &ContentRow, draft: Self) -> TourDetail {
        TourDetail {
            summary: super::tours::summary(row, &draft),
            draft,
        }
    }
    fn version(meta: VersionView, document: Self) -> TourVersion {
        TourVersion { meta, document }
    }
}

impl Document for Tooltip {
    const KIND: ContentKind = ContentKind::Tooltip;
    const NOUN: &'static str = "tooltip";
    type Detail = TooltipDetail;
    type Version = TooltipVersion;

    fn title(&self) -> &str {
        &self.title
    }
    fn validate(&self) -> Vec<DocumentError> {
        Tooltip::validate(self)
    }
    fn publish_problems(&self) -> Vec<DocumentError> {
        Tooltip::publish_problems(self)
    }
    fn detail(row: &ContentRow, draft: Self) -> TooltipDetail {
        TooltipDetail {
            summary: summary(row),
            draft,
        }
    }
    fn version(meta: VersionView, document: Self) -> TooltipVersion {
        TooltipVersion { meta, document }
    }
}

impl Document for Checklist {
    const KIND: ContentKind = ContentKind::Checklist;
    const NOUN: &'static str = "checklist";
    type Detail = ChecklistDetail;
    type Version = ChecklistVersion;

    fn title(&self) -> &str {
        &self.title
    }
    fn validate(&self) -> Vec<DocumentError> {
        Checklist::validate(self)
    }
    fn detail(row: &ContentRow, draft: Self) -> ChecklistDetail {
        ChecklistDetail {
            summary: summary(row),
            draft,
        }
    }
    fn version(meta: VersionView, document: Self) -> ChecklistVersion {
        ChecklistVersion { meta, document }
    }
    fn tour_references(&self) -> Vec<(String, &str)> {
        Checklist::tour_references(self)
    }
}

fn not_found<D: Document>(e: ApiError) -> ApiError {
    match e {
        ApiError::NotFound(_) => ApiError::NotFound(D::NOUN),
        other => other,
    }
}

fn to_u32(v: i64) -> u32 {
    u32::try_from(v).unwrap_or(u32::MAX)
}

/// Parses a document: the schema, then the rules the schema cannot express. 422 with the pointer
/// of every problem found by either; returns the document and its canonical JSON.
pub fn parse<D: Document>(document: Value, prefix: &str) -> Result<(D, String), ApiError> {
    let mut errors = schema::schema_errors(D::KIND, &document, prefix);
    let parsed = serde_json::from_value::<D>(document);
    if let Ok(doc) = &parsed {
        for e in doc.validate() {
            let pointer = format!("{prefix}{}", e.pointer);
            if !errors.iter().any(|known| known.pointer == pointer) {
                errors.push(DocumentError { pointer, ..e });
            }
        }
    }
    match parsed {
        Ok(doc) if errors.is_empty() => {
            let json = serde_json::to_string(&doc)?;
            Ok((doc, json))
        }
        Ok(_) => Err(schema::invalid(errors)),
        Err(e) if errors.is_empty() => Err(schema::invalid(vec![DocumentError {
            pointer: prefix.to_string(),
            message: e.to_string(),
        }])),
        Err(_) => Err(schema::invalid(errors)),
    }
}

/// 422 unless every tour the document points at is a tour of the same application (a checklist
/// item starting a tour of another organisation would otherwise be a way to probe ids).
async fn check_references<D: Document>(
    state: &AppState,
    org_id: &str,
    app_id: &str,
    doc: &D,
    prefix: &str,
) -> Result<(), ApiError> {
    let mut errors = Vec::new();
    for (pointer, tour_id) in doc.tour_references() {
        let found = store::content::get(&state.db, org_id, ContentKind::Tour, tour_id).await?;
        if found.is_none_or(|row| row.app_id != app_id) {
            errors.push(DocumentError {
                pointer: format!("{prefix}{pointer}"),
                message: "no tour with this id in the application".into(),
            });
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(schema::invalid(errors))
    }
}

pub async fn load<D: Document>(
    state: &AppState,
    org_id: &str,
    id: &str,
) -> Result<ContentRow, ApiError> {
    store::content::get(&state.db, org_id, D::KIND, id)
        .await?
        .ok_or(ApiError::NotFound(D::NOUN))
}

pub fn detail<D: Document>(row: &ContentRow) -> Result<D::Detail, ApiError> {
    let draft: D = serde_json::from_str(&row.draft)?;
    Ok(D::detail(row, draft))
}

pub async fn list<D: Document>(
    state: &AppState,
    user: &CurrentUser,
) -> Result<Vec<ContentRow>, ApiError> {
    user.require(Permission::ReadContent)?;
    store::content::list(&state.db, &user.org_id, D::KIND).await
}

pub async fn get<D: Document>(
    state: &AppState,
    user: &CurrentUser,
    id: &str,
) -> Result<D::Detail, ApiError> {
    user.require(Permission::ReadContent)?;
    detail::<D>(&load::<D>(state, &user.org_id, id).await?)
}

/// `POST /{kind}s` with `{app_id, document}`: a new draft, 201.
pub async fn create<D: Document>(
    state: &AppState,
    user: &CurrentUser,
    mut body: Value,
) -> Result<HttpResponse, ApiError> {
    user.require(Permission::EditContent)?;
    let app_id = body
        .get("app_id")
        .and_then(Value::as_str)
        .map(str::to_string)
        .ok_or_else(|| {
            schema::invalid(vec![DocumentError::new("/app_id", "app_id is required")])
        })?;
    let document = body.get_mut("document").map(Value::take).ok_or_else(|| {
        schema::invalid(vec![DocumentError::new(
            "/document",
            "document is required",
        )])
    })?;
    store::apps::get(&state.db, &user.org_id, &app_id)
        .await?
        .ok_or(ApiError::NotFound("application"))?;
    let (doc, json) = parse::<D>(document, "/document")?;
    check_references(state, &user.org_id, &app_id, &doc, "/document").await?;
    let id = store::content::create(
        &state.db,
        &user.org_id,
        &app_id,
        D::KIND,
        doc.title(),
        &json,
    )
    .await?;
    let row = load::<D>(state, &user.org_id, &id).await?;
    Ok(HttpResponse::Created().json(detail::<D>(&row)?))
}

/// Writes a parsed draft of a document of the organisation; the caller has checked who may.
pub async fn save_draft<D: Document>(
    state: &AppState,
    org_id: &str,
    id: &str,
    body: Value,
) -> Result<(D, ContentRow), ApiError> {
    let row = load::<D>(state, org_id, id).await?;
    let (doc, json) = parse::<D>(body, "")?;
    check_references(state, org_id, &row.app_id, &doc, "").await?;
    if !store::content::update_draft(&state.db, org_id, D::KIND, id, doc.title(), &json).await? {
        return Err(ApiError::NotFound(D::NOUN));
    }
    let row = load::<D>(state, org_id, id).await?;
    Ok((doc, row))
}

/// `PUT /{kind}s/{id}`: replaces the draft; employees keep the published version until publish.
pub async fn update<D: Document>(
    state: &AppState,
    user: &CurrentUser,
    id: &str,
    body: Value,
) -> Result<D::Detail, ApiError> {
    user.require(Permission::EditContent)?;
    let (doc, row) = save_draft::<D>(state, &user.org_id, id, body).await?;
    Ok(D::detail(&row, doc))
}

/// `POST /{kind}s/{id}/publish`: the draft becomes the next numbered version, served by the overlay
/// from the next request on.
pub async fn publish<D: Document>(
    state: &AppState,
    user: &CurrentUser,
    id: &str,
    message: &str,
) -> Result<Published, ApiError> {
    user.require(Permission::PublishContent)?;
    let draft: D = serde_json::from_str(&load::<D>(state, &user.org_id, id).await?.draft)?;
    let problems = draft.publish_problems();
    if !problems.is_empty() {
        return Err(schema::invalid(problems));
    }
    let (version, app_id) = store::content::publish(
        &state.db,
        &user.org_id,
        D::KIND,
        id,
        Some(&user.id),
        message,
    )
    .await
    .map_err(not_found::<D>)?;
    state.caches.invalidate_content(&app_id);
    // Rebuilt now rather than by the next employee's first page load, where it sits on the
    // overlay's critical path. Best effort: the publish has committed either way.
    if let Ok(Some(app)) = store::apps::get(&state.db, &user.org_id, &app_id).await
        && let Err(e) = state.caches.content(&state.db, &app).await
    {
        tracing::warn!(error = %e, "the published content could not be prebuilt");
    }
    tracing::info!(kind = D::NOUN, id = %id, version, user = %user.email, "published");
    Ok(Published {
        version: to_u32(version),
    })
}

/// Published versions, newest first.
pub async fn versions<D: Document>(
    state: &AppState,
    user: &CurrentUser,
    id: &str,
) -> Result<Vec<VersionView>, ApiError> {
    user.require(Permission::ReadContent)?;
    let rows = store::content::versions(&state.db, &user.org_id, D::KIND, id)
        .await?
        .ok_or(ApiError::NotFound(D::NOUN))?;
    Ok(rows
        .into_iter()
        .map(|v| VersionView {
            version: to_u32(v.version),
            message: v.message,
            published_by: v.published_by,
            published_at: v.published_at,
        })
        .collect())
}

async fn version_of<D: Document>(
    state: &AppState,
    user: &CurrentUser,
    id: &str,
    version: u32,
) -> Result<(VersionView, D), ApiError> {
    let meta = versions::<D>(state, user, id)
        .await?
        .into_iter()
        .find(|v| v.version == version)
        .ok_or(ApiError::NotFound("version"))?;
    let doc = store::content::version_document(&state.db, &user.org_id, id, i64::from(version))
        .await?
        .ok_or(ApiError::NotFound("version"))?;
    Ok((meta, serde_json::from_str(&doc)?))
}

/// One published version with its document.
pub async fn version<D: Document>(
    state: &AppState,
    user: &CurrentUser,
    id: &str,
    version: u32,
) -> Result<D::Version, ApiError> {
    let (meta, doc) = version_of::<D>(state, user, id, version).await?;
    Ok(D::version(meta, doc))
}

/// What changed between two versions, or a version and the draft (`to` = `None`).
pub async fn diff<D: Document>(
    state: &AppState,
    user: &CurrentUser,
    id: &str,
    from: u32,
    to: Option<u32>,
) -> Result<Vec<cairn_shared::api::Change>, ApiError> {
    let from = serde_json::to_value(version_of::<D>(state, user, id, from).await?.1)?;
    let to = match to {
        Some(v) => serde_json::to_value(version_of::<D>(state, user, id, v).await?.1)?,
        None => serde_json::from_str(&load::<D>(state, &user.org_id, id).await?.draft)?,
    };
    Ok(cairn_shared::diff::diff(&from, &to))
}

/// Publishes an older version's document again as a new version (history is never rewritten);
/// the draft becomes that document too.
pub async fn rollback<D: Document>(
    state: &AppState,
    user: &CurrentUser,
    id: &str,
    to: u32,
) -> Result<Published, ApiError> {
    user.require(Permission::PublishContent)?;
    let (_, doc) = version_of::<D>(state, user, id, to).await?;
    let json = serde_json::to_string(&doc)?;
    store::content::update_draft(&state.db, &user.org_id, D::KIND, id, doc.title(), &json).await?;
    publish::<D>(state, user, id, &format!("Rollback to version {to}")).await
}

/// Declares the list, create, get, update, publish, versions, version, diff and rollback routes
/// of a document kind as thin handlers over this module's functions, each with its OpenAPI path.
/// Paths are given whole (`tt`s), as the route attributes take string literals only.
#[macro_export]
macro_rules! document_routes {
    (
        doc: $doc:ident, new: $new:ident, detail: $detail:ident, version: $version:ident,
        tag: $tag:tt, list: $list:tt, one: $one:tt, publish: $publish:tt,
        versions: $versions:tt, version_path: $vpath:tt, diff: $diff:tt, rollback: $rollback:tt
    ) => {
        use actix_web::{HttpResponse, get, post, put, web};
        use cairn_shared::api::{
            Change, DocumentSummary, Published, PublishRequest, RollbackRequest, VersionView,
            $detail, $new, $version,
        };
        use cairn_shared::content::$doc;
        use serde_json::Value;

        use $crate::auth::CurrentUser;
        use $crate::error::ApiError;
        use $crate::routes::documents as docs;
        use $crate::routes::versions::DiffQuery;
        use $crate::startup::AppState;

        /// Every document of this kind in the organisation.
        #[utoipa::path(tag = $tag, responses((status = 200, body = [DocumentSummary]), (status = 401, body = cairn_shared::api::ErrorBody)))]
        #[get($list)]
        pub async fn list(
            state: web::Data<AppState>,
            user: CurrentUser,
        ) -> Result<web::Json<Vec<DocumentSummary>>, ApiError> {
            let rows = docs::list::<$doc>(&state, &user).await?;
            Ok(web::Json(rows.iter().map(docs::summary).collect()))
        }

        /// Creates a draft.
        #[utoipa::path(tag = $tag, request_body = $new, responses(
            (status = 201, body = $detail), (status = 404, body = cairn_shared::api::ErrorBody),
            (status = 422, body = cairn_shared::api::ErrorBody)))]
        #[post($list)]
        pub async fn create(
            state: web::Data<AppState>,
            user: CurrentUser,
            body: web::Json<Value>,
        ) -> Result<HttpResponse, ApiError> {
            docs::create::<$doc>(&state, &user, body.into_inner()).await
        }

        /// The document with its draft.
        #[utoipa::path(tag = $tag, responses((status = 200, body = $detail), (status = 404, body = cairn_shared::api::ErrorBody)))]
        #[get($one)]
        pub async fn get_one(
            state: web::Data<AppState>,
            user: CurrentUser,
            id: web::Path<String>,
        ) -> Result<web::Json<$detail>, ApiError> {
            Ok(web::Json(docs::get::<$doc>(&state, &user, &id).await?))
        }

        /// Replaces the draft. Employees keep seeing the published version until the next publish.
        #[utoipa::path(tag = $tag, request_body = $doc, responses(
            (status = 200, body = $detail), (status = 404, body = cairn_shared::api::ErrorBody),
            (status = 422, body = cairn_shared::api::ErrorBody)))]
        #[put($one)]
        pub async fn update(
            state: web::Data<AppState>,
            user: CurrentUser,
            id: web::Path<String>,
            body: web::Json<Value>,
        ) -> Result<web::Json<$detail>, ApiError> {
            Ok(web::Json(
                docs::update::<$doc>(&state, &user, &id, body.into_inner()).await?,
            ))
        }

        /// Publishes the draft as the next numbered version.
        #[utoipa::path(tag = $tag, request_body = PublishRequest, responses(
            (status = 200, body = Published), (status = 404, body = cairn_shared::api::ErrorBody)))]
        #[post($publish)]
        pub async fn publish(
            state: web::Data<AppState>,
            user: CurrentUser,
            id: web::Path<String>,
            body: web::Json<PublishRequest>,
        ) -> Result<web::Json<Published>, ApiError> {
            Ok(web::Json(
                docs::publish::<$doc>(&state, &user, &id, &body.message).await?,
            ))
        }

        /// Published versions, newest first.
        #[utoipa::path(tag = $tag, responses((status = 200, body = [VersionView]), (status = 404, body = cairn_shared::api::ErrorBody)))]
        #[get($versions)]
        pub async fn versions(
            state: web::Data<AppState>,
            user: CurrentUser,
            id: web::Path<String>,
        ) -> Result<web::Json<Vec<VersionView>>, ApiError> {
            Ok(web::Json(docs::versions::<$doc>(&state, &user, &id).await?))
        }

        /// One published version with its document.
        #[utoipa::path(tag = $tag, responses((status = 200, body = $version), (status = 404, body = cairn_shared::api::ErrorBody)))]
        #[get($vpath)]
        pub async fn version(
            state: web::Data<AppState>,
            user: CurrentUser,
            path: web::Path<(String, u32)>,
        ) -> Result<web::Json<$version>, ApiError> {
            let (id, v) = path.into_inner();
            Ok(web::Json(docs::version::<$doc>(&state, &user, &id, v).await?))
        }

        /// What changed between two versions (or a version and the draft), by JSON pointer.
        #[utoipa::path(tag = $tag, params(DiffQuery), responses((status = 200, body = [Change]), (status = 404, body = cairn_shared::api::ErrorBody)))]
        #[get($diff)]
        pub async fn diff(
            state: web::Data<AppState>,
            user: CurrentUser,
            id: web::Path<String>,
            query: web::Query<DiffQuery>,
        ) -> Result<web::Json<Vec<Change>>, ApiError> {
            Ok(web::Json(
                docs::diff::<$doc>(&state, &user, &id, query.from, query.to).await?,
            ))
        }

        /// Publishes an older version's document again, as a new version.
        #[utoipa::path(tag = $tag, request_body = RollbackRequest, responses((status = 200, body = Published), (status = 404, body = cairn_shared::api::ErrorBody)))]
        #[post($rollback)]
        pub async fn rollback(
            state: web::Data<AppState>,
            user: CurrentUser,
            id: web::Path<String>,
            body: web::Json<RollbackRequest>,
        ) -> Result<web::Json<Published>, ApiError> {
            Ok(web::Json(
                docs::rollback::<$doc>(&state, &user, &id, body.version).await?,
            ))
        }

        /// Registers every route of this kind.
        pub fn configure(
            cfg: &mut utoipa_actix_web::service_config::ServiceConfig,
        ) {
            cfg.service(list)
                .service(create)
                .service(get_one)
                .service(update)
                .service(publish)
                .service(versions)
                .service(version)
                .service(diff)
                .service(rollback);
        }
    };
}
