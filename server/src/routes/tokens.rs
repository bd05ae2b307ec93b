//! Bearer API tokens for scripts and integrations: created by an admin with scopes, shown once,
//! revocable.

use actix_web::{HttpResponse, delete, get, post, web};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use crate::auth::{self, CurrentUser, TOKEN_PREFIX};
use crate::error::ApiError;
use crate::roles::Permission;
use crate::startup::AppState;
use crate::store;

#[derive(Debug, Deserialize, ToSchema)]
pub struct NewToken {
    pub name: String,
    /// Scopes such as `content:read`, `content:write`, `content:publish`, `tickets:read`,
    /// `tickets:write`, `analytics:read`, `apps:read`, `apps:write`, `users:write`.
    pub scopes: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedToken {
    pub id: String,
    /// The secret: shown this once, never again.
    pub token: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TokenView {
    pub id: String,
    pub name: String,
    pub user_email: String,
    pub scopes: Vec<String>,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    pub revoked: bool,
}

/// Creates a token acting as the caller, limited to `scopes`.
#[utoipa::path(tag = "tokens", request_body = NewToken, responses((status = 201, body = CreatedToken),
    (status = 403, body = cairn_shared::api::ErrorBody), (status = 422, body = cairn_shared::api::ErrorBody)))]
#[post("/tokens")]
pub async fn create_token(
    state: web::Data<AppState>,
    user: CurrentUser,
    body: web::Json<NewToken>,
) -> Result<HttpResponse, ApiError> {
    user.require(Permission::ManageUsers)?;
    let NewToken { name, scopes } = body.into_inner();
    let unknown: Vec<_> = scopes
        .iter()
        .filter(|s| Permission::from_scope(s).is_none())
        .collect();
    if name.trim().is_empty() || scopes.is_empty() || !unknown.is_empty() {
        return Err(ApiError::unprocessable(
            "give the token a name and at least one known scope",
            json!({ "unknown_scopes": unknown, "known_scopes": Permission::ALL.map(Permission::scope) }),
        ));
    }
    let token = format!("{TOKEN_PREFIX}{}", auth::random_token(24));
    let id = store::tokens::create(
        &state.db,
        &user,
        name.trim(),
        &auth::sha256_hex(&token),
        &scopes,
    )
    .await?;
    Ok(HttpResponse::Created().json(CreatedToken { id, token }))
}

/// The organisation's tokens (never their secrets).
#[utoipa::path(tag = "tokens", responses((status = 200, body = [TokenView]), (status = 403, body = cairn_shared::api::ErrorBody)))]
#[get("/tokens")]
pub async fn list_tokens(
    state: web::Data<AppState>,
    user: CurrentUser,
) -> Result<web::Json<Vec<TokenView>>, ApiError> {
    user.require(Permission::ManageUsers)?;
    let rows = store::tokens::list(&state.db, &user.org_id).await?;
    Ok(web::Json(
        rows.into_iter()
            .map(|t| TokenView {
                id: t.id,
                name: t.name,
                user_email: t.user_email,
                scopes: t.scopes,
                created_at: t.created_at,
                last_used_at: t.last_used_at,
                revoked: t.revoked,
            })
            .collect(),
    ))
}

/// Revokes a token at once.
#[utoipa::path(tag = "tokens", responses((status = 204), (status = 404, body = cairn_shared::api::ErrorBody)))]
#[delete("/tokens/{id}")]
pub async fn revoke_token(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    user.require(Permission::ManageUsers)?;
    if !store::tokens::revoke(&state.db, &user.org_id, &id).await? {
        return Err(ApiError::NotFound("token"));
    }
    Ok(HttpResponse::NoContent().finish())
}
