//! Short-lived signed tokens for links an author opens in the host application: draft previews and
//! the record-in-app mode. Stateless (nothing stored per token), so any instance verifies them; the
//! key is one per installation, created on first start and kept in `settings`.
//!
//! Format: `purpose.org.subject.expires_ms.mac`, where `mac` is hex HMAC-SHA256 over everything
//! before it. Ids are UUIDs, so the dots are unambiguous.

use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;

use crate::db::Db;
use crate::error::ApiError;
use crate::store::settings;

const KEY_SETTING: &str = "link_signing_key";

/// What a token lets its bearer do; a token for one purpose is refused for another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// See one tour's draft in the real application.
    Preview,
    /// Record steps of one tour in the real application.
    Author,
    /// Pick one tooltip's element in the real application.
    AuthorTooltip,
}

impl Purpose {
    fn as_str(self) -> &'static str {
        match self {
            Self::Preview => "preview",
            Self::Author => "author",
            // `cairn_shared::author::TOOLTIP_TOKEN_PREFIX`: the author mode reads it to know what
            // it edits (the purpose is signed, so a tour token cannot pass for a tooltip's).
            Self::AuthorTooltip => "author-tooltip",
        }
    }
}

/// What a valid token says: for which organisation and which subject (a content id), until when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claims {
    pub org_id: String,
    pub subject: String,
    pub expires_at: i64,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum TokenError {
    #[error("the link is malformed")]
    Malformed,
    #[error("the link's signature does not match")]
    BadSignature,
    #[error("the link has expired; open it again from the editor")]
    Expired,
    #[error("the link is not for this application")]
    Foreign,
}

/// The installation's signing key.
#[derive(Clone)]
pub struct SigningKey(Vec<u8>);

impl SigningKey {
    /// Loads the key, creating it on first start. Several instances racing here agree: the insert
    /// keeps the first value and everyone reads it back.
    pub async fn load_or_create(db: &Db) -> Result<SigningKey, ApiError> {
        if let Some(hex_key) = settings::get(db, KEY_SETTING).await?
            && let Ok(key) = hex::decode(hex_key)
        {
            return Ok(SigningKey(key));
        }
        let mut key = [0u8; 32];
        rand::thread_rng().fill_bytes(&mut key);
        settings::set_if_absent(db, KEY_SETTING, &hex::encode(key)).await?;
        let stored = settings::get(db, KEY_SETTING).await?.unwrap_or_default();
        let key = hex::decode(stored)
            .map_err(|e| ApiError::Internal(anyhow::anyhow!("corrupt {KEY_SETTING}: {e}")))?;
        Ok(SigningKey(key))
    }

    #[cfg(test)]
    fn fixed(key: &[u8]) -> SigningKey {
        SigningKey(key.to_vec())
    }

    fn mac(&self, message: &str) -> Hmac<Sha256> {
        // HMAC takes keys of any length; this cannot fail.
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.0).expect("HMAC accepts any key length");
        mac.update(message.as_bytes());
        mac
    }

    pub fn sign(&self, purpose: Purpose, claims: &Claims) -> String {
        let message = format!(
            "{}.{}.{}.{}",
            purpose.as_str(),
            claims.org_id,
            claims.subject,
            claims.expires_at
        );
        let tag = hex::encode(self.mac(&message).finalize().into_bytes());
        format!("{message}.{tag}")
    }

    /// Checks the signature (constant time), the purpose and the expiry.
    pub fn verify(&self, purpose: Purpose, token: &str, now_ms: i64) -> Result<Claims, TokenError> {
        let (message, tag) = token.rsplit_once('.').ok_or(TokenError::Malformed)?;
        let parts: Vec<&str> = message.split('.').collect();
        let [p, org_id, subject, expires] = parts[..] else {
            return Err(TokenError::Malformed);
        };
        let tag = hex::decode(tag).map_err(|_| TokenError::Malformed)?;
        self.mac(message)
            .verify_slice(&tag)
            .map_err(|_| TokenError::BadSignature)?;
        if p != purpose.as_str() {
            return Err(TokenError::BadSignature);
        }
        let expires_at: i64 = expires.parse().map_err(|_| TokenError::Malformed)?;
        if now_ms >= expires_at {
            return Err(TokenError::Expired);
        }
        Ok(Claims {
            org_id: org_id.to_string(),
            subject: subject.to_string(),
            expires_at,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims() -> Claims {
        Claims {
            org_id: "org-1".into(),
            subject: "tour-1".into(),
            expires_at: 1_000,
        }
    }

    #[test]
    fn round_trip_until_expiry() {
        let key = SigningKey::fixed(b"k");
        let t = key.sign(Purpose::Preview, &claims());
        assert_eq!(key.verify(Purpose::Preview, &t, 999), Ok(claims()));
        assert_eq!(
            key.verify(Purpose::Preview, &t, 1_000),
            Err(TokenError::Expired)
        );
    }

    #[test]
    fn refuses_tampering_other_purposes_and_other_keys() {
        let key = SigningKey::fixed(b"k");
        let t = key.sign(Purpose::Preview, &claims());
        assert_eq!(
            key.verify(Purpose::Author, &t, 0),
            Err(TokenError::BadSignature)
        );
        let forged = t.replace("tour-1", "tour-2");
        assert_eq!(
            key.verify(Purpose::Preview, &forged, 0),
            Err(TokenError::BadSignature)
        );
        let later = t.replace(".1000.", ".9999.");
        assert_eq!(
            key.verify(Purpose::Preview, &later, 0),
            Err(TokenError::BadSignature)
        );
        assert_eq!(
            SigningKey::fixed(b"other").verify(Purpose::Preview, &t, 0),
            Err(TokenError::BadSignature)
        );
        assert_eq!(
            key.verify(Purpose::Preview, "x", 0),
            Err(TokenError::Malformed)
        );
        assert_eq!(
            key.verify(Purpose::Preview, "a.b.c.d.zz", 0),
            Err(TokenError::Malformed)
        );
    }
}
