//! Outbound integrations: a signed webhook, and connectors that open the incident in the company's
//! help desk (ServiceNow, Jira Service Management, Zendesk, Zammad, Freshservice). A new ticket puts
//! one outbox row per enabled integration in the same transaction; the `worker` delivers them with
//! exponential backoff until they succeed or go to the dead-letter state.

pub mod connectors;
pub mod worker;

use cairn_shared::tickets::StepContext;
use serde::{Deserialize, Serialize};

/// The kinds of integration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Webhook,
    Servicenow,
    Jira,
    Zendesk,
    Zammad,
    Freshservice,
}

impl Kind {
    pub const ALL: [Kind; 6] = [
        Kind::Webhook,
        Kind::Servicenow,
        Kind::Jira,
        Kind::Zendesk,
        Kind::Zammad,
        Kind::Freshservice,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Webhook => "webhook",
            Kind::Servicenow => "servicenow",
            Kind::Jira => "jira",
            Kind::Zendesk => "zendesk",
            Kind::Zammad => "zammad",
            Kind::Freshservice => "freshservice",
        }
    }

    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The configuration keys each kind needs.
    pub fn required_config(self) -> &'static [&'static str] {
        match self {
            Kind::Webhook => &["url"],
            Kind::Servicenow => &["instance_url", "username", "password"],
            Kind::Jira => &[
                "base_url",
                "email",
                "api_token",
                "service_desk_id",
                "request_type_id",
            ],
            Kind::Zendesk => &["base_url", "email", "api_token"],
            Kind::Zammad => &["base_url", "token", "group", "customer"],
            Kind::Freshservice => &["base_url", "api_key", "requester_email"],
        }
    }
}

/// What an outbox row delivers: the ticket as it was filed.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct IncidentPayload {
    pub ticket_id: String,
    pub number: i64,
    pub message: String,
    pub priority: u8,
    pub category: Option<String>,
    pub app_name: String,
    pub context: StepContext,
    /// Where an agent opens the ticket in Cairn.
    pub link: String,
}

impl IncidentPayload {
    pub fn summary(&self) -> String {
        let first: String = self.message.chars().take(80).collect();
        let ellipsis = if self.message.chars().count() > 80 {
            "…"
        } else {
            ""
        };
        format!("Cairn #{}: {first}{ellipsis}", self.number)
    }

    /// The employee's words and the step's whole context, as plain text for any help desk.
    pub fn description(&self) -> String {
        let c = &self.context;
        let mut out = format!(
            "{}\n\n--- Context from Cairn ---\nApplication: {}\nPage: {}\n",
            self.message, self.app_name, c.page_url
        );
        if let Some(tour) = &c.tour_id {
            out.push_str(&format!(
                "Tour: {} ({tour})\n",
                c.tour_title.as_deref().unwrap_or("untitled")
            ));
        }
        if let Some(step) = &c.step_id {
            let index = c
                .step_index
                .map(|i| (i + 1).to_string())
                .unwrap_or_else(|| "?".into());
            out.push_str(&format!(
                "Step {index}: {} ({step})",
                c.step_title.as_deref().unwrap_or("")
            ));
            if let Some(v) = c.version {
                out.push_str(&format!(", version {v}"));
            }
            out.push('\n');
        }
        if let Some(found) = c.element_found {
            out.push_str(&format!(
                "Element found: {}\n",
                if found { "yes" } else { "NO" }
            ));
        }
        if !c.steps_seen.is_empty() {
            out.push_str(&format!("Steps seen: {}\n", c.steps_seen.join(" → ")));
        }
        out.push_str(&format!(
            "Browser: {} ({}×{})\n",
            c.user_agent, c.viewport.width, c.viewport.height
        ));
        if let Some(user) = &c.user_id {
            out.push_str(&format!("User: {user}\n"));
        }
        out.push_str(&format!("Open in Cairn: {}\n", self.link));
        out
    }
}
