//! What "Still stuck?" sends: the employee's words and the context of the step they were on, so the
//! help desk never has to ask "which screen were you on?".

use serde::{Deserialize, Serialize};

use crate::helpdesk::{Impact, Urgency};

/// The longest message an employee can type.
pub const MAX_MESSAGE_CHARS: usize = 4000;

/// Where the employee was when they asked for help.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StepContext {
    pub page_url: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tour_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tour_title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step_index: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step_title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<u32>,
    /// Whether the step's element was found on the page (`None` for floating steps or no tour).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub element_found: Option<bool>,
    /// Ids of the steps seen in this tour run, oldest first.
    #[serde(default)]
    pub steps_seen: Vec<String>,
    #[serde(default)]
    pub user_agent: String,
    #[serde(default)]
    pub viewport: Viewport,
    /// The id given to `cairn.identify`, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// Set by the server: whether `user_id` was verified with the identity hash.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_verified: Option<bool>,
    /// The employee's attributes from `cairn.identify` (role, department…).
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub user_attributes: std::collections::BTreeMap<String, String>,
    /// Set by the server from the report: the tours suggested before filing, which did not help.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub deflections_offered: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Viewport {
    pub width: u32,
    pub height: u32,
}

/// What `POST /api/v1/overlay/tickets` takes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StuckReport {
    /// The employee's words.
    pub message: String,
    pub context: StepContext,
    /// One of the application's ticket categories (`OverlayContent::categories`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    #[serde(default)]
    pub impact: Impact,
    #[serde(default)]
    pub urgency: Urgency,
    /// Who the host application says the employee is (`cairn.identify`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity: Option<Identity>,
    /// Ids of the tours the form suggested before filing (deflection offered, declined).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub deflections_offered: Vec<String>,
}

/// `cairn.identify({id, attributes, hash})`: `hash` is the hex HMAC-SHA256 of `id` with the
/// application's identity secret, computed by the host application's backend.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Identity {
    pub id: String,
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub attributes: std::collections::BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hash: Option<String>,
}

/// A ticket as its employee sees it in the overlay ("My tickets"): public replies only.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MyTicket {
    pub id: String,
    pub number: i64,
    pub status: TicketStatus,
    pub message: String,
    pub created_at: i64,
    /// When the help desk last answered; the overlay shows a badge when it is newer than the last
    /// time the employee looked.
    pub last_reply_at: Option<i64>,
    pub replies: Vec<PublicReply>,
    /// The same ticket in the company's help desk, when a connector created it there.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub external: Vec<ExternalTicket>,
}

/// A ticket's counterpart in another help desk, as its employee sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExternalTicket {
    /// The integration's name ("IT ServiceNow").
    pub system: String,
    pub id: Option<String>,
    pub url: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PublicReply {
    /// The agent's display name (the part of the email before `@`).
    pub author: String,
    pub body: String,
    pub created_at: i64,
}

/// What the overlay shows once the ticket is filed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TicketFiled {
    pub id: String,
    /// Human-facing number, unique per organisation ("#12").
    pub number: i64,
    pub status: TicketStatus,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum TicketStatus {
    New,
    Open,
    Pending,
    Resolved,
    Closed,
}

impl TicketStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            TicketStatus::New => "new",
            TicketStatus::Open => "open",
            TicketStatus::Pending => "pending",
            TicketStatus::Resolved => "resolved",
            TicketStatus::Closed => "closed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            Self::New,
            Self::Open,
            Self::Pending,
            Self::Resolved,
            Self::Closed,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
}
