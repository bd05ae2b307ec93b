//! Help-desk rules shared by the server and the editor: priority from impact × urgency (the usual
//! 1–4 matrix), SLA targets per priority, the ticket status workflow, and support tiers.

use serde::{Deserialize, Serialize};

use crate::tickets::TicketStatus;

/// Who is affected, in the employee's words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Impact {
    /// "Just me"
    #[default]
    Me,
    /// "My team"
    Team,
    /// "Everyone"
    Everyone,
}

/// How much it hurts now, in the employee's words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Urgency {
    /// "It can wait"
    #[default]
    CanWait,
    /// "It slows me down"
    Slowed,
    /// "It blocks me"
    Blocking,
}

impl Impact {
    pub const ALL: [Impact; 3] = [Impact::Me, Impact::Team, Impact::Everyone];

    /// The JSON name.
    pub fn as_str(self) -> &'static str {
        match self {
            Impact::Me => "me",
            Impact::Team => "team",
            Impact::Everyone => "everyone",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

impl Urgency {
    pub const ALL: [Urgency; 3] = [Urgency::CanWait, Urgency::Slowed, Urgency::Blocking];

    /// The JSON name.
    pub fn as_str(self) -> &'static str {
        match self {
            Urgency::CanWait => "can_wait",
            Urgency::Slowed => "slowed",
            Urgency::Blocking => "blocking",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// Priority 1 (critical) to 4 (low) from impact × urgency:
///
/// | impact \ urgency | can wait | slowed | blocking |
/// |---|---|---|---|
/// | everyone | 3 | 2 | 1 |
/// | team     | 4 | 3 | 2 |
/// | me       | 4 | 4 | 3 |
pub fn priority(impact: Impact, urgency: Urgency) -> u8 {
    let score = match impact {
        Impact::Me => 0,
        Impact::Team => 1,
        Impact::Everyone => 2,
    } + match urgency {
        Urgency::CanWait => 0,
        Urgency::Slowed => 1,
        Urgency::Blocking => 2,
    };
    match score {
        4 => 1,
        3 => 2,
        2 => 3,
        _ => 4,
    }
}

/// Service-level targets, in minutes from the ticket's creation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SlaTargets {
    pub first_response_minutes: u32,
    pub resolution_minutes: u32,
}

/// Default targets per priority (1 = critical).
pub fn default_sla(priority: u8) -> SlaTargets {
    let (first_response_minutes, resolution_minutes) = match priority {
        1 => (15, 4 * 60),
        2 => (60, 8 * 60),
        3 => (4 * 60, 24 * 60),
        _ => (8 * 60, 72 * 60),
    };
    SlaTargets {
        first_response_minutes,
        resolution_minutes,
    }
}

impl TicketStatus {
    /// The workflow: closed is final; a resolved ticket can be reopened.
    pub fn can_become(self, next: TicketStatus) -> bool {
        use TicketStatus::*;
        match (self, next) {
            (a, b) if a == b => false,
            (Closed, _) => false,
            (Resolved, Open | Closed) => true,
            (Resolved, _) => false,
            (_, New) => false,
            _ => true,
        }
    }

    /// Whether the ticket still waits on the help desk (counts against the resolution target).
    pub fn is_active(self) -> bool {
        matches!(
            self,
            TicketStatus::New | TicketStatus::Open | TicketStatus::Pending
        )
    }
}

/// Support tiers, L1 (service desk) to L4 (vendor / development).
pub const MIN_TIER: u8 = 1;
pub const MAX_TIER: u8 = 4;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn priority_matrix() {
        assert_eq!(priority(Impact::Everyone, Urgency::Blocking), 1);
        assert_eq!(priority(Impact::Team, Urgency::Blocking), 2);
        assert_eq!(priority(Impact::Everyone, Urgency::Slowed), 2);
        assert_eq!(priority(Impact::Me, Urgency::Blocking), 3);
        assert_eq!(priority(Impact::Team, Urgency::Slowed), 3);
        assert_eq!(priority(Impact::Me, Urgency::CanWait), 4);
        assert_eq!(priority(Impact::Team, Urgency::CanWait), 4);
    }

    #[test]
    fn impact_and_urgency_names_match_their_json() {
        for i in Impact::ALL {
            assert_eq!(Impact::parse(i.as_str()), Some(i));
            assert_eq!(
                serde_json::to_string(&i).expect("json"),
                format!("\"{}\"", i.as_str())
            );
        }
        for u in Urgency::ALL {
            assert_eq!(Urgency::parse(u.as_str()), Some(u));
            assert_eq!(
                serde_json::to_string(&u).expect("json"),
                format!("\"{}\"", u.as_str())
            );
        }
        assert_eq!(Impact::parse("galaxy"), None);
    }

    #[test]
    fn sla_tightens_with_priority() {
        for p in 1..4 {
            assert!(
                default_sla(p).first_response_minutes < default_sla(p + 1).first_response_minutes
            );
            assert!(default_sla(p).resolution_minutes < default_sla(p + 1).resolution_minutes);
        }
    }

    #[test]
    fn workflow() {
        use TicketStatus::*;
        assert!(New.can_become(Open));
        assert!(Open.can_become(Pending));
        assert!(Pending.can_become(Resolved));
        assert!(Resolved.can_become(Open));
        assert!(!Resolved.can_become(Pending));
        assert!(!Closed.can_become(Open));
        assert!(!Open.can_become(New));
        assert!(!Open.can_become(Open));
    }
}
