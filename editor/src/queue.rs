//! The ticket queue's filters and sort orders, pure and unit-tested natively: the filter becomes
//! the query string `GET /api/v1/tickets` takes, the sort is applied in the browser.

use cairn_shared::api::TicketView;
use cairn_shared::tickets::TicketStatus;

/// What the agent filters the queue by; `None` is "any".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QueueFilter {
    pub status: Option<TicketStatus>,
    pub priority: Option<u8>,
    pub tier: Option<u8>,
    /// An email, or `me`.
    pub owner: Option<String>,
    /// `Some(true)`: only tickets past a target; `Some(false)`: only those within.
    pub breached: Option<bool>,
}

impl QueueFilter {
    /// `status=open&priority=1&…`, values percent-encoded; empty for no filter.
    pub fn query(&self) -> String {
        let mut parts = Vec::new();
        if let Some(s) = self.status {
            parts.push(format!("status={}", s.as_str()));
        }
        if let Some(p) = self.priority {
            parts.push(format!("priority={p}"));
        }
        if let Some(t) = self.tier {
            parts.push(format!("tier={t}"));
        }
        if let Some(o) = self.owner.as_deref().filter(|o| !o.is_empty()) {
            parts.push(format!("owner={}", encode(o)));
        }
        if let Some(b) = self.breached {
            parts.push(format!("breached={b}"));
        }
        parts.join("&")
    }

    pub fn is_empty(&self) -> bool {
        *self == QueueFilter::default()
    }
}

fn encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~@".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// How the queue is ordered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Sort {
    /// Newest first.
    #[default]
    Newest,
    /// P1 first, then the earliest due.
    Priority,
    /// The next target to fall due first (breached ones on top).
    Due,
}

impl Sort {
    pub const ALL: [Sort; 3] = [Sort::Newest, Sort::Priority, Sort::Due];

    pub fn as_str(self) -> &'static str {
        match self {
            Sort::Newest => "newest",
            Sort::Priority => "priority",
            Sort::Due => "due",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Sort::Newest => "Newest first",
            Sort::Priority => "Priority (P1 first)",
            Sort::Due => "SLA due soonest",
        }
    }

    pub fn parse(s: &str) -> Sort {
        Sort::ALL
            .into_iter()
            .find(|x| x.as_str() == s)
            .unwrap_or_default()
    }

    pub fn apply(self, tickets: &mut [TicketView]) {
        let newest = |a: &TicketView, b: &TicketView| {
            b.created_at
                .cmp(&a.created_at)
                .then(b.number.cmp(&a.number))
        };
        match self {
            Sort::Newest => tickets.sort_by(newest),
            Sort::Priority => tickets.sort_by(|a, b| {
                a.priority
                    .cmp(&b.priority)
                    .then(next_due(a).cmp(&next_due(b)))
                    .then(newest(a, b))
            }),
            Sort::Due => tickets.sort_by(|a, b| {
                next_due(a)
                    .cmp(&next_due(b))
                    .then(a.priority.cmp(&b.priority))
                    .then(newest(a, b))
            }),
        }
    }
}

/// The next SLA deadline the help desk must meet: the first response until there is one, then the
/// resolution; `i64::MAX` once resolved or closed (nothing is due).
pub fn next_due(t: &TicketView) -> i64 {
    if !t.status.is_active() {
        return i64::MAX;
    }
    if t.sla.first_responded_at.is_none() {
        t.sla.first_response_due.min(t.sla.resolution_due)
    } else {
        t.sla.resolution_due
    }
}

/// Whether a target has been missed.
pub fn breached(t: &TicketView) -> bool {
    t.sla.response_breached || t.sla.resolution_breached
}

/// "due in 2 h 5 min", "overdue by 3 min", or "—" when nothing is due.
pub fn due_phrase(now_ms: i64, due_ms: i64) -> String {
    if due_ms == i64::MAX {
        return "—".to_string();
    }
    let minutes = (due_ms - now_ms).abs() / 60_000;
    let span = if minutes >= 48 * 60 {
        format!("{} d", minutes / (24 * 60))
    } else if minutes >= 60 {
        format!("{} h {} min", minutes / 60, minutes % 60)
    } else {
        format!("{minutes} min")
    };
    if due_ms >= now_ms {
        format!("due in {span}")
    } else {
        format!("overdue by {span}")
    }
}

/// The statuses a ticket may move to from `from`, in workflow order, with the button label.
pub fn transitions(from: TicketStatus) -> Vec<(TicketStatus, &'static str)> {
    [
        (TicketStatus::Open, "Reopen"),
        (TicketStatus::Pending, "Set pending"),
        (TicketStatus::Resolved, "Resolve"),
        (TicketStatus::Closed, "Close"),
    ]
    .into_iter()
    .filter(|(to, _)| from.can_become(*to))
    .map(|(to, label)| {
        // "Reopen" reads wrong for a new ticket: opening it is what happens.
        let label = if to == TicketStatus::Open && from != TicketStatus::Resolved {
            "Mark open"
        } else {
            label
        };
        (to, label)
    })
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use cairn_shared::api::SlaStatus;

    fn ticket(number: i64, priority: u8, created_at: i64, due: i64) -> TicketView {
        TicketView {
            id: format!("t{number}"),
            number,
            status: TicketStatus::New,
            message: String::new(),
            app_id: String::new(),
            app_name: String::new(),
            context: Default::default(),
            created_at,
            category: None,
            impact: Default::default(),
            urgency: Default::default(),
            priority,
            owner: None,
            tier: 1,
            sla: SlaStatus {
                first_response_due: due,
                resolution_due: due + 1000,
                first_responded_at: None,
                resolved_at: None,
                response_breached: false,
                resolution_breached: false,
            },
            external: Vec::new(),
        }
    }

    #[test]
    fn filters_become_the_servers_query_string() {
        assert_eq!(QueueFilter::default().query(), "");
        assert!(QueueFilter::default().is_empty());
        let f = QueueFilter {
            status: Some(TicketStatus::Open),
            priority: Some(1),
            tier: Some(2),
            owner: Some("a+b@x.test".into()),
            breached: Some(true),
        };
        assert_eq!(
            f.query(),
            "status=open&priority=1&tier=2&owner=a%2Bb@x.test&breached=true"
        );
    }

    #[test]
    fn sorts_by_priority_and_due() {
        let mut list = vec![
            ticket(1, 3, 100, 5000),
            ticket(2, 1, 200, 9000),
            ticket(3, 3, 300, 1000),
        ];
        Sort::Newest.apply(&mut list);
        assert_eq!(list.iter().map(|t| t.number).collect::<Vec<_>>(), [3, 2, 1]);
        Sort::Priority.apply(&mut list);
        assert_eq!(list.iter().map(|t| t.number).collect::<Vec<_>>(), [2, 3, 1]);
        list[0].status = TicketStatus::Resolved;
        Sort::Due.apply(&mut list);
        assert_eq!(list.iter().map(|t| t.number).collect::<Vec<_>>(), [3, 1, 2]);
        assert_eq!(Sort::parse("due"), Sort::Due);
        assert_eq!(Sort::parse("?"), Sort::Newest);
    }

    #[test]
    fn due_phrases() {
        assert_eq!(due_phrase(0, 5 * 60_000), "due in 5 min");
        assert_eq!(due_phrase(0, 125 * 60_000), "due in 2 h 5 min");
        assert_eq!(due_phrase(10 * 60_000, 7 * 60_000), "overdue by 3 min");
        assert_eq!(due_phrase(0, 72 * 3_600_000), "due in 3 d");
        assert_eq!(due_phrase(0, i64::MAX), "—");
    }

    #[test]
    fn workflow_buttons() {
        let labels = |s| {
            transitions(s)
                .into_iter()
                .map(|(_, l)| l)
                .collect::<Vec<_>>()
        };
        assert_eq!(
            labels(TicketStatus::New),
            ["Mark open", "Set pending", "Resolve", "Close"]
        );
        assert_eq!(labels(TicketStatus::Resolved), ["Reopen", "Close"]);
        assert!(labels(TicketStatus::Closed).is_empty());
    }
}
