//! What "Still stuck?" sends: the employee's words and the context of the step they were on, so the
//! help desk never has to ask "which screen were you on?".

use serde::{Deserialize, Serialize};

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
