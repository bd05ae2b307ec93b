//! The organisation's people, as the editor's owner picker lists them.

use serde::{Deserialize, Serialize};

/// One user of the organisation (`GET /api/v1/users`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UserView {
    pub id: String,
    pub email: String,
    /// `admin`, `author`, `agent` or `analyst`.
    pub role: String,
    /// Whether this user may own tickets (the role can work them).
    pub can_work_tickets: bool,
}
