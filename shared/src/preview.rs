//! Draft previews: a short-lived signed link that shows one tour's draft, in the real application,
//! to whoever opens it (the author), and to nobody else.
//!
//! The editor asks for a link (`POST /api/v1/tours/{id}/preview`), opens `url`; the overlay finds the
//! token in the page URL ([`PREVIEW_PARAM`]), keeps it for the tab and sends it with its content
//! request ([`PREVIEW_HEADER`]); the server then answers with the draft in place of the published tour.

use serde::{Deserialize, Serialize};

/// The query parameter of the application URL that carries a preview token.
pub const PREVIEW_PARAM: &str = "cairn_preview";

/// The header the overlay sends the token in when it fetches content.
pub const PREVIEW_HEADER: &str = "x-cairn-preview";

/// How long a preview link works.
pub const PREVIEW_TTL_MS: i64 = 15 * 60 * 1000;

/// `POST /api/v1/tours/{id}/preview`: a preview link for the tour's current draft.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PreviewLink {
    /// Signed token; send it as `x-cairn-preview` with `GET /api/v1/overlay/content`.
    pub token: String,
    /// Unix milliseconds after which the token is refused.
    pub expires_at: i64,
    /// The application page that opens the preview: the demo page for the demo application,
    /// otherwise the application's first allowed origin, with `?cairn_preview=<token>`.
    pub url: String,
}

/// `base` (an origin or page URL) with the preview parameter added.
pub fn preview_url(base: &str, token: &str) -> String {
    let sep = if base.contains('?') { '&' } else { '?' };
    // Tokens are `[a-z0-9.-]` only (see the server's `signed` module): nothing to escape.
    format!("{base}{sep}{PREVIEW_PARAM}={token}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adds_the_parameter() {
        assert_eq!(
            preview_url("https://app.test/", "t.1"),
            "https://app.test/?cairn_preview=t.1"
        );
        assert_eq!(
            preview_url("https://app.test/?a=b", "t"),
            "https://app.test/?a=b&cairn_preview=t"
        );
    }
}
