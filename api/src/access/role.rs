//! Who is making a request: the signed-in user's id, organisation and role. The role is parsed
//! once, where a user is read (`services::auth`); everything after compares [`Role`]s.

use std::fmt;

/// A user's role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// Everything, in every organisation.
    Admin,
    /// Their organisation's records; reviews them; its audit trail.
    Coordinator,
    /// Records cases, hearings, parties, observations and rulings of their organisation.
    Monitor,
    /// Reads released records, searches, exports, statistics.
    Researcher,
}

impl Role {
    /// Every role, by code.
    pub const ALL: [Role; 4] = [
        Role::Admin,
        Role::Coordinator,
        Role::Monitor,
        Role::Researcher,
    ];

    /// The code stored in `users.role` and shown in messages.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Coordinator => "coordinator",
            Role::Monitor => "monitor",
            Role::Researcher => "researcher",
        }
    }

    /// The role with this code.
    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == code)
    }

    /// Whether the role sees its own organisation's unreleased records and may change them.
    pub fn records_for_organisation(self) -> bool {
        matches!(self, Role::Coordinator | Role::Monitor)
    }

    /// Whether the role reviews records (publish, return, withdraw, grade).
    pub fn reviews(self) -> bool {
        matches!(self, Role::Admin | Role::Coordinator)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Who is making a request, as established from their token.
#[derive(Debug, Clone)]
pub struct Actor {
    /// The user's id; recorded as created_by/updated_by.
    pub user_id: String,
    /// The user's organisation.
    pub organisation_id: String,
    /// The user's role.
    pub role: Role,
}

impl Actor {
    /// Whether the actor is an admin.
    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }
}
