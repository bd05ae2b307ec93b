//! Record in app: the JSON shapes of the author link an editor asks for, and of the author-mode API
//! the host page calls with that link's token (`x-cairn-author`).

use serde::{Deserialize, Serialize};

use crate::content::Tour;

/// The header author-mode requests carry the signed author token in.
pub const AUTHOR_HEADER: &str = "x-cairn-author";

/// The query parameter of the app URL that switches the loader into author mode.
pub const AUTHOR_PARAM: &str = "cairn_author";

/// `POST /api/v1/tours/{id}/author-link`: a short-lived link that opens the app in author mode.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuthorLink {
    /// Signed, for this tour only; sent back as `x-cairn-author`.
    pub token: String,
    /// Milliseconds since the Unix epoch.
    pub expires_at: i64,
    /// The application's page with `?cairn_author=<token>`.
    pub url: String,
}

/// `GET` / `PUT /api/v1/author/tour`: the tour's draft as the author mode edits it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuthorDraft {
    pub tour_id: String,
    /// When the token stops working (milliseconds since the Unix epoch).
    pub expires_at: i64,
    pub draft: Tour,
}

/// The first field of a tooltip's author token (its purpose): the author mode picks that
/// tooltip's element instead of recording tour steps.
pub const TOOLTIP_TOKEN_PREFIX: &str = "author-tooltip.";

/// `GET` / `PUT /api/v1/author/tooltip`: the tooltip's draft as the author mode edits it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuthorTooltip {
    pub tooltip_id: String,
    /// When the token stops working (milliseconds since the Unix epoch).
    pub expires_at: i64,
    pub draft: crate::content::Tooltip,
}
