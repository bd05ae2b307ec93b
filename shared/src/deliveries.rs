//! Outbound deliveries (webhooks, help-desk connectors) as the API lists them, for the editor's
//! deliveries view.

use serde::{Deserialize, Serialize};

/// One outbox row: a ticket event on its way to one integration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeliveryView {
    pub id: String,
    pub integration_id: String,
    pub ticket_id: String,
    pub event: String,
    /// `pending`, `delivered` or `dead`.
    pub status: String,
    pub attempts: i64,
    pub next_attempt_at: i64,
    pub last_status: Option<i64>,
    pub last_error: Option<String>,
    pub external_id: Option<String>,
    pub external_url: Option<String>,
    pub created_at: i64,
    pub delivered_at: Option<i64>,
}
