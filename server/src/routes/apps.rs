//! Applications the overlay is installed in: the snippet to paste, allowed origins, identity
//! verification and ticket categories.

use actix_web::{get, patch, web};
use cairn_shared::api::{AppUpdate, AppView};
use serde::Serialize;
use serde_json::json;
use utoipa::ToSchema;

use crate::auth::CurrentUser;
use crate::error::ApiError;
use crate::roles::Permission;
use crate::startup::AppState;
use crate::store::{self, apps::App};

pub fn snippet(public_url: &str, key: &str) -> String {
    format!(r#"<script src="{public_url}/overlay/cairn.js" data-app-key="{key}" async></script>"#)
}

fn view(public_url: &str, a: App) -> AppView {
    AppView {
        snippet: snippet(public_url, &a.public_key),
        id: a.id,
        name: a.name,
        public_key: a.public_key,
        allowed_origins: a.allowed_origins,
        require_verified_identity: a.require_verified_identity,
        categories: a.categories,
    }
}

/// `scheme://host[:port]` with an http(s) scheme and no path.
fn is_origin(o: &str) -> bool {
    let rest = o
        .strip_prefix("https://")
        .or_else(|| o.strip_prefix("http://"));
    rest.is_some_and(|r| !r.is_empty() && !r.trim_end_matches('/').contains(['/', '?', '#', ' ']))
}

/// The organisation's applications.
#[utoipa::path(tag = "apps", responses((status = 200, body = [AppView]), (status = 401, body = cairn_shared::api::ErrorBody)))]
#[get("/apps")]
pub async fn list_apps(
    state: web::Data<AppState>,
    user: CurrentUser,
) -> Result<web::Json<Vec<AppView>>, ApiError> {
    user.require(Permission::ReadApps)?;
    let apps = store::apps::list(&state.db, &user.org_id).await?;
    Ok(web::Json(
        apps.into_iter()
            .map(|a| view(&state.public_url, a))
            .collect(),
    ))
}

/// Changes an application's name, allowed origins, identity requirement or ticket categories.
#[utoipa::path(tag = "apps", request_body = AppUpdate, responses((status = 200, body = AppView),
    (status = 404, body = cairn_shared::api::ErrorBody), (status = 422, body = cairn_shared::api::ErrorBody)))]
#[patch("/apps/{id}")]
pub async fn update_app(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<String>,
    body: web::Json<AppUpdate>,
) -> Result<web::Json<AppView>, ApiError> {
    user.require(Permission::ManageApps)?;
    let u = body.into_inner();
    let mut errors = Vec::new();
    for (i, o) in u.allowed_origins.iter().flatten().enumerate() {
        if !is_origin(o) {
            errors.push(json!({ "pointer": format!("/allowed_origins/{i}"), "message": "an origin is scheme://host[:port], nothing more" }));
        }
    }
    if u.name.as_deref().is_some_and(|n| n.trim().is_empty()) {
        errors.push(json!({ "pointer": "/name", "message": "required" }));
    }
    if !errors.is_empty() {
        return Err(ApiError::unprocessable(
            "the application settings are invalid",
            json!({ "errors": errors }),
        ));
    }
    let before = store::apps::get(&state.db, &user.org_id, &id)
        .await?
        .ok_or(ApiError::NotFound("application"))?;
    store::apps::update(&state.db, &user.org_id, &id, &u).await?;
    state.caches.invalidate_app(&before.public_key, &before.id);
    let app = store::apps::get(&state.db, &user.org_id, &id)
        .await?
        .ok_or(ApiError::NotFound("application"))?;
    Ok(web::Json(view(&state.public_url, app)))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct IdentitySecret {
    /// The key the host backend uses: `hash = hex(HMAC-SHA256(secret, user_id))`.
    pub secret: String,
}

/// The application's identity secret, for the host application's backend to sign user ids.
#[utoipa::path(tag = "apps", responses((status = 200, body = IdentitySecret), (status = 403, body = cairn_shared::api::ErrorBody),
    (status = 404, body = cairn_shared::api::ErrorBody)))]
#[get("/apps/{id}/identity-secret")]
pub async fn identity_secret(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<String>,
) -> Result<web::Json<IdentitySecret>, ApiError> {
    user.require(Permission::ManageApps)?;
    let app = store::apps::get(&state.db, &user.org_id, &id)
        .await?
        .ok_or(ApiError::NotFound("application"))?;
    Ok(web::Json(IdentitySecret {
        secret: app.identity_secret,
    }))
}

#[cfg(test)]
mod tests {
    use super::is_origin;

    #[test]
    fn origins() {
        assert!(is_origin("https://erp.acme.test"));
        assert!(is_origin("http://localhost:8080/"));
        assert!(!is_origin("https://erp.acme.test/app"));
        assert!(!is_origin("ftp://x"));
        assert!(!is_origin("https://"));
    }
}
