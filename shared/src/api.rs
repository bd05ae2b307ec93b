//! JSON shapes of the HTTP API under `/api/v1/`, shared by the server (which writes them) and the
//! editor and overlay (which read them).

use serde::{Deserialize, Serialize};

use crate::content::{Checklist, Tooltip, Tour};
use crate::helpdesk::{Impact, Urgency};
use crate::tickets::{StepContext, TicketStatus};

/// Every error the API answers: `{"error": {"code", "message", "details"}}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorDetail {
    /// Stable machine-readable code, e.g. `not_found`, `invalid_json`, `payload_too_large`.
    pub code: String,
    /// A sentence for humans.
    pub message: String,
    /// Extra structure, e.g. the JSON pointer of each schema error.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub details: serde_json::Value,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LoginRequest {
    pub email: String,
    pub password: String,
}

/// The signed-in user.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Me {
    pub id: String,
    pub email: String,
    pub role: String,
    pub org_id: String,
    pub org_name: String,
}

/// An application the overlay is installed in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AppView {
    pub id: String,
    pub name: String,
    pub public_key: String,
    pub allowed_origins: Vec<String>,
    /// The `<script>` tag to paste into the application.
    pub snippet: String,
    #[serde(default)]
    pub require_verified_identity: bool,
    #[serde(default)]
    pub categories: Vec<String>,
}

/// `PATCH /api/v1/apps/{id}`: any of the fields.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AppUpdate {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub allowed_origins: Option<Vec<String>>,
    #[serde(default)]
    pub require_verified_identity: Option<bool>,
    #[serde(default)]
    pub categories: Option<Vec<String>>,
}

/// Draft or published, as shown in lists.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TourSummary {
    pub id: String,
    pub app_id: String,
    pub title: String,
    pub step_count: u32,
    /// Latest published version; `None` while only a draft exists.
    pub published_version: Option<u32>,
    /// The draft differs from the latest published version.
    pub has_unpublished_changes: bool,
    /// Milliseconds since the Unix epoch.
    pub updated_at: i64,
}

/// A tour with its draft document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TourDetail {
    #[serde(flatten)]
    pub summary: TourSummary,
    pub draft: Tour,
}

/// `POST /api/v1/tours`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewTour {
    pub app_id: String,
    pub document: Tour,
}

/// `POST /api/v1/tours/{id}/publish`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PublishRequest {
    #[serde(default)]
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Published {
    pub version: u32,
}

/// A ticket as agents see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TicketView {
    pub id: String,
    pub number: i64,
    pub status: TicketStatus,
    pub message: String,
    pub app_id: String,
    pub app_name: String,
    pub context: StepContext,
    pub created_at: i64,
    #[serde(default)]
    pub category: Option<String>,
    #[serde(default)]
    pub impact: Impact,
    #[serde(default)]
    pub urgency: Urgency,
    /// 1 (critical) to 4 (low).
    #[serde(default = "lowest_priority")]
    pub priority: u8,
    /// Email of the agent who owns it.
    #[serde(default)]
    pub owner: Option<String>,
    /// Support tier, 1 (L1) to 4 (L4).
    #[serde(default = "first_tier")]
    pub tier: u8,
    #[serde(default)]
    pub sla: SlaStatus,
    /// The incident in the company's help desk, once a connector created it.
    #[serde(default)]
    pub external: Vec<ExternalRef>,
}

/// A ticket's counterpart in another help desk.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExternalRef {
    /// `servicenow`, `jira`, `zendesk`, `zammad`, `freshservice` or `webhook`.
    pub kind: String,
    pub integration: String,
    pub id: Option<String>,
    pub url: Option<String>,
}

fn lowest_priority() -> u8 {
    4
}

fn first_tier() -> u8 {
    1
}

/// Where a ticket stands against its service-level targets.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SlaStatus {
    pub first_response_due: i64,
    pub resolution_due: i64,
    pub first_responded_at: Option<i64>,
    pub resolved_at: Option<i64>,
    /// The first public reply came (or is still missing) after its due time.
    pub response_breached: bool,
    /// The resolution came (or is still missing) after its due time.
    pub resolution_breached: bool,
}

/// A ticket with its conversation and audit trail.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TicketDetail {
    #[serde(flatten)]
    pub ticket: TicketView,
    pub entries: Vec<TicketEntry>,
}

/// One thing that happened to a ticket: a message or a change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TicketEntry {
    pub id: String,
    /// `created`, `reply`, `note`, `status`, `assigned`, `escalated`, `priority`, `category`.
    pub kind: String,
    /// Agent email, or `None` for the employee / the system.
    pub author: Option<String>,
    pub body: String,
    /// Internal notes and changes are for agents only; replies are shown to the employee.
    pub internal: bool,
    pub created_at: i64,
}

/// `PATCH /api/v1/tickets/{id}`: any of the fields; absent ones stay.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TicketUpdate {
    #[serde(default)]
    pub status: Option<TicketStatus>,
    /// Agent email; empty string to unassign.
    #[serde(default)]
    pub owner: Option<String>,
    #[serde(default)]
    pub priority: Option<u8>,
    #[serde(default)]
    pub category: Option<String>,
}

/// `POST /api/v1/tickets/{id}/entries`: a public reply or an internal note.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewEntry {
    pub body: String,
    #[serde(default)]
    pub internal: bool,
}

/// `POST /api/v1/tickets/{id}/escalate`: to a higher tier, saying why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Escalation {
    pub tier: u8,
    pub note: String,
}

/// Per-step figures for one tour, all versions together.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StepStats {
    pub step_id: String,
    pub step_index: u32,
    pub title: String,
    pub views: i64,
    pub advances: i64,
    pub completions: i64,
    pub dismissals: i64,
    pub not_found: i64,
    pub stuck_opened: i64,
    pub tickets: i64,
    /// Tickets filed from this step per 1,000 views of it; `None` without views.
    pub tickets_per_1000_views: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TourStepAnalytics {
    pub tour_id: String,
    pub title: String,
    pub steps: Vec<StepStats>,
}

/// A published tour as the overlay receives it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PublishedTour {
    pub id: String,
    pub version: u32,
    pub doc: Tour,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PublishedTooltip {
    pub id: String,
    pub version: u32,
    pub doc: Tooltip,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PublishedChecklist {
    pub id: String,
    pub version: u32,
    pub doc: Checklist,
}

/// `GET /api/v1/overlay/content`: everything published for the application, for the overlay to
/// filter by page.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OverlayContent {
    pub app_name: String,
    /// Ticket categories the stuck form offers.
    #[serde(default)]
    pub categories: Vec<String>,
    /// The application files tickets and shows "My tickets" only for verified identities.
    #[serde(default)]
    pub require_verified_identity: bool,
    pub tours: Vec<PublishedTour>,
    pub tooltips: Vec<PublishedTooltip>,
    pub checklists: Vec<PublishedChecklist>,
}

/// One published version of a document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VersionView {
    pub version: u32,
    pub message: String,
    /// Email of the author who published it, if known.
    pub published_by: Option<String>,
    pub published_at: i64,
}

/// A version with its frozen document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TourVersion {
    #[serde(flatten)]
    pub meta: VersionView,
    pub document: Tour,
}

/// A tooltip or a checklist as listed: draft or published.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DocumentSummary {
    pub id: String,
    pub app_id: String,
    pub title: String,
    /// Latest published version; `None` while only a draft exists.
    pub published_version: Option<u32>,
    /// The draft differs from the latest published version.
    pub has_unpublished_changes: bool,
    /// Milliseconds since the Unix epoch.
    pub updated_at: i64,
}

/// A tooltip with its draft document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TooltipDetail {
    #[serde(flatten)]
    pub summary: DocumentSummary,
    pub draft: Tooltip,
}

/// A checklist with its draft document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChecklistDetail {
    #[serde(flatten)]
    pub summary: DocumentSummary,
    pub draft: Checklist,
}

/// `POST /api/v1/tooltips`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewTooltip {
    pub app_id: String,
    pub document: Tooltip,
}

/// `POST /api/v1/checklists`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewChecklist {
    pub app_id: String,
    pub document: Checklist,
}

/// A tooltip's version with its frozen document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TooltipVersion {
    #[serde(flatten)]
    pub meta: VersionView,
    pub document: Tooltip,
}

/// A checklist's version with its frozen document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChecklistVersion {
    #[serde(flatten)]
    pub meta: VersionView,
    pub document: Checklist,
}

/// `POST /api/v1/tours/{id}/rollback`: publish an older version's document again, as a new version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RollbackRequest {
    pub version: u32,
}

/// One difference between two documents.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Change {
    /// JSON pointer of what changed.
    pub pointer: String,
    /// `added`, `removed` or `changed`.
    pub op: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub before: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub after: Option<serde_json::Value>,
}
