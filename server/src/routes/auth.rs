//! Signing in and out of the editor.

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use cairn_shared::api::{LoginRequest, Me};

use crate::auth::{self, CurrentUser};
use crate::error::ApiError;
use crate::startup::AppState;
use crate::store;

async fn me_of(state: &AppState, user: &CurrentUser) -> Result<Me, ApiError> {
    Ok(Me {
        id: user.id.clone(),
        email: user.email.clone(),
        role: user.role.to_string(),
        org_id: user.org_id.clone(),
        org_name: store::users::org_name(&state.db, &user.org_id).await?,
    })
}

/// Signs in with email and password; sets the session cookie.
#[utoipa::path(tag = "auth", request_body = LoginRequest, responses(
    (status = 200, body = Me), (status = 401, body = cairn_shared::api::ErrorBody)))]
#[post("/auth/login")]
pub async fn login(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Json<LoginRequest>,
) -> Result<HttpResponse, ApiError> {
    // Throttle guesses per account and per address.
    let ip = req
        .peer_addr()
        .map(|a| a.ip().to_string())
        .unwrap_or_default();
    state
        .limits
        .login_email
        .check(&body.email.trim().to_lowercase())?;
    state.limits.login_ip.check(&ip)?;
    let found = store::users::find_for_login(&state.db, &body.email).await?;
    // Verify against a dummy hash when the user is unknown, so timing does not reveal which emails exist.
    let (user, hash) = match found {
        Some(f) => f,
        None => {
            let _ = auth::verify_password(&body.password, &DUMMY_HASH);
            return Err(ApiError::BadCredentials);
        }
    };
    if !auth::verify_password(&body.password, &hash) {
        return Err(ApiError::BadCredentials);
    }
    let token = auth::random_token(32);
    store::users::create_session(
        &state.db,
        &user.id,
        &auth::sha256_hex(&token),
        auth::SESSION_TTL_MS,
    )
    .await?;
    let secure = req.connection_info().scheme() == "https";
    Ok(HttpResponse::Ok()
        .cookie(auth::session_cookie(&token, secure))
        .json(me_of(&state, &user).await?))
}

static DUMMY_HASH: std::sync::LazyLock<String> =
    std::sync::LazyLock::new(|| auth::hash_password("not a real password").unwrap_or_default());

/// Ends the session.
#[utoipa::path(tag = "auth", responses((status = 204)))]
#[post("/auth/logout")]
pub async fn logout(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    if let Some(c) = req.cookie(auth::SESSION_COOKIE) {
        store::users::delete_session(&state.db, &auth::sha256_hex(c.value())).await?;
    }
    Ok(HttpResponse::NoContent()
        .cookie(auth::clear_session_cookie())
        .finish())
}

/// The signed-in user.
#[utoipa::path(tag = "auth", responses((status = 200, body = Me), (status = 401, body = cairn_shared::api::ErrorBody)))]
#[get("/auth/me")]
pub async fn me(state: web::Data<AppState>, user: CurrentUser) -> Result<web::Json<Me>, ApiError> {
    Ok(web::Json(me_of(&state, &user).await?))
}
