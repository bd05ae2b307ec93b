//! Who is calling: argon2 password hashes, editor sessions (an opaque random token in an HttpOnly,
//! SameSite=Strict cookie, stored only as its SHA-256), and the [`CurrentUser`] extractor every
//! management route takes.

use std::future::Future;
use std::pin::Pin;

use actix_web::cookie::{Cookie, SameSite, time::Duration as CookieDuration};
use actix_web::http::Method;
use actix_web::{FromRequest, HttpRequest, dev::Payload, web};
use argon2::Argon2;
use argon2::password_hash::{
    PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng,
};
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::error::ApiError;
use crate::roles::{Permission, Role};
use crate::startup::AppState;
use crate::store;

pub const SESSION_COOKIE: &str = "cairn_session";
/// How long an editor session lasts.
pub const SESSION_TTL_MS: i64 = 12 * 60 * 60 * 1000;

pub fn hash_password(password: &str) -> Result<String, ApiError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("argon2: {e}")))
}

pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

/// A random token, hex-encoded.
pub fn random_token(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::thread_rng().fill_bytes(&mut buf);
    hex::encode(buf)
}

pub fn sha256_hex(value: &str) -> String {
    hex::encode(Sha256::digest(value.as_bytes()))
}

pub fn session_cookie(token: &str, secure: bool) -> Cookie<'static> {
    Cookie::build(SESSION_COOKIE, token.to_string())
        .path("/")
        .http_only(true)
        .secure(secure)
        .same_site(SameSite::Strict)
        .max_age(CookieDuration::milliseconds(SESSION_TTL_MS))
        .finish()
}

pub fn clear_session_cookie() -> Cookie<'static> {
    let mut c = Cookie::build(SESSION_COOKIE, "")
        .path("/")
        .http_only(true)
        .finish();
    c.make_removal();
    c
}

/// The signed-in user of a management request.
#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub id: String,
    pub org_id: String,
    pub email: String,
    pub role: Role,
    /// For an API token: what it was limited to (on top of its user's role). `None` for a session.
    pub scopes: Option<Vec<Permission>>,
}

impl CurrentUser {
    /// 403 unless the user's role (and, for a token, its scopes) grant `permission`.
    pub fn require(&self, permission: Permission) -> Result<(), ApiError> {
        self.role.require(permission)?;
        match &self.scopes {
            Some(scopes) if !scopes.contains(&permission) => Err(ApiError::Forbidden(format!(
                "this API token lacks the {} scope",
                permission.scope()
            ))),
            _ => Ok(()),
        }
    }
}

/// Prefix of API tokens, so leaked ones are easy to recognise and scan for.
pub const TOKEN_PREFIX: &str = "cairn_";

impl FromRequest for CurrentUser {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let token = req.cookie(SESSION_COOKIE).map(|c| c.value().to_string());
        let bearer = req
            .headers()
            .get(actix_web::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(|t| t.trim().to_string());
        let cross_site = is_cross_site_write(req);
        Box::pin(async move {
            let state = state.ok_or_else(|| ApiError::Internal(anyhow::anyhow!("no app state")))?;
            // A bearer token is not sent by browsers on their own, so it needs no CSRF defence.
            if let Some(bearer) = bearer {
                return store::tokens::user_for_token(&state.db, &sha256_hex(&bearer))
                    .await?
                    .ok_or(ApiError::Unauthorized);
            }
            // SameSite=Strict already keeps the cookie off cross-site requests; this refuses a
            // state-changing request from a foreign origin even if a browser ignores that.
            if cross_site {
                return Err(ApiError::Forbidden("cross-origin request refused".into()));
            }
            let token = token.ok_or(ApiError::Unauthorized)?;
            store::users::user_for_session(&state.db, &sha256_hex(&token))
                .await?
                .ok_or(ApiError::Unauthorized)
        })
    }
}

/// A non-GET request whose `Origin` is not this server's.
fn is_cross_site_write(req: &HttpRequest) -> bool {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return false;
    }
    let Some(origin) = req.headers().get("origin").and_then(|o| o.to_str().ok()) else {
        return false;
    };
    let info = req.connection_info();
    let own = format!("{}://{}", info.scheme(), info.host());
    origin != own
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_round_trip() {
        let h = hash_password("correct horse").expect("hashes");
        assert!(h.starts_with("$argon2"));
        assert!(verify_password("correct horse", &h));
        assert!(!verify_password("wrong", &h));
        assert!(!verify_password("x", "not a hash"));
    }

    #[test]
    fn tokens_are_random_hex() {
        let a = random_token(32);
        assert_eq!(a.len(), 64);
        assert_ne!(a, random_token(32));
        assert_eq!(sha256_hex("abc").len(), 64);
    }
}
