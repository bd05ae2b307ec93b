//! Verifying `cairn.identify({id, hash})`: the host's backend signs the user id with the application's
//! identity secret (HMAC-SHA256, hex), so a page script cannot claim to be someone else.

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The hash a host backend computes for `user_id`.
pub fn identity_hash(secret: &str, user_id: &str) -> String {
    match Hmac::<Sha256>::new_from_slice(secret.as_bytes()) {
        Ok(mut mac) => {
            mac.update(user_id.as_bytes());
            hex::encode(mac.finalize().into_bytes())
        }
        Err(_) => String::new(),
    }
}

/// Constant-time check of a claimed hash.
pub fn verify(secret: &str, user_id: &str, hash: &str) -> bool {
    let Ok(claimed) = hex::decode(hash.trim()) else {
        return false;
    };
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else {
        return false;
    };
    mac.update(user_id.as_bytes());
    mac.verify_slice(&claimed).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc4231_vector() {
        // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
        assert_eq!(
            identity_hash("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn verifies_only_the_right_hash() {
        let h = identity_hash("secret", "sam");
        assert!(verify("secret", "sam", &h));
        assert!(!verify("secret", "eve", &h));
        assert!(!verify("other", "sam", &h));
        assert!(!verify("secret", "sam", "not hex"));
        assert!(!verify("secret", "sam", ""));
    }
}
