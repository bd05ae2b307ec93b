//! Roles and what each may do. Every management handler states the permission it needs
//! (`user.require(Permission::…)`), so the matrix below is the whole access policy.

use std::fmt;
use std::str::FromStr;

use crate::error::ApiError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// Everything, including applications, users and integrations.
    Admin,
    /// Writes and publishes content; reads analytics.
    Author,
    /// Works the ticket queue; reads content to see what employees saw.
    Agent,
    /// Reads analytics and tickets.
    Analyst,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Permission {
    ReadContent,
    EditContent,
    PublishContent,
    ReadApps,
    ManageApps,
    ReadTickets,
    WorkTickets,
    ReadAnalytics,
    ManageUsers,
}

impl Permission {
    pub const ALL: [Permission; 9] = [
        Permission::ReadContent,
        Permission::EditContent,
        Permission::PublishContent,
        Permission::ReadApps,
        Permission::ManageApps,
        Permission::ReadTickets,
        Permission::WorkTickets,
        Permission::ReadAnalytics,
        Permission::ManageUsers,
    ];

    /// The API-token scope that grants this permission.
    pub fn scope(self) -> &'static str {
        match self {
            Permission::ReadContent => "content:read",
            Permission::EditContent => "content:write",
            Permission::PublishContent => "content:publish",
            Permission::ReadApps => "apps:read",
            Permission::ManageApps => "apps:write",
            Permission::ReadTickets => "tickets:read",
            Permission::WorkTickets => "tickets:write",
            Permission::ReadAnalytics => "analytics:read",
            Permission::ManageUsers => "users:write",
        }
    }

    pub fn from_scope(scope: &str) -> Option<Permission> {
        Permission::ALL.into_iter().find(|p| p.scope() == scope)
    }
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Admin, Role::Author, Role::Agent, Role::Analyst];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Author => "author",
            Role::Agent => "agent",
            Role::Analyst => "analyst",
        }
    }

    pub fn allows(self, permission: Permission) -> bool {
        use Permission::*;
        match self {
            Role::Admin => true,
            Role::Author => matches!(
                permission,
                ReadContent | EditContent | PublishContent | ReadApps | ReadAnalytics
            ),
            Role::Agent => matches!(
                permission,
                ReadContent | ReadApps | ReadTickets | WorkTickets
            ),
            Role::Analyst => matches!(
                permission,
                ReadContent | ReadApps | ReadTickets | ReadAnalytics
            ),
        }
    }

    /// `Ok` when the role has the permission, 403 otherwise.
    pub fn require(self, permission: Permission) -> Result<(), ApiError> {
        if self.allows(permission) {
            Ok(())
        } else {
            Err(ApiError::Forbidden(format!(
                "the {} role cannot do this ({permission:?})",
                self.as_str()
            )))
        }
    }
}

impl FromStr for Role {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| format!("unknown role {s:?}: use admin, author, agent or analyst"))
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_round_trip() {
        for r in Role::ALL {
            assert_eq!(r.as_str().parse::<Role>(), Ok(r));
        }
        assert!("root".parse::<Role>().is_err());
    }

    #[test]
    fn matrix() {
        assert!(Role::Admin.allows(Permission::ManageUsers));
        assert!(Role::Author.allows(Permission::PublishContent));
        assert!(!Role::Author.allows(Permission::ReadTickets));
        assert!(Role::Agent.allows(Permission::WorkTickets));
        assert!(!Role::Agent.allows(Permission::EditContent));
        assert!(Role::Analyst.allows(Permission::ReadAnalytics));
        assert!(!Role::Analyst.allows(Permission::PublishContent));
    }
}
