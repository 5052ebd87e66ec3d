//! Who acts, until accounts exist: one development user in one seeded team. Every event
//! already records its actor; the accounts issue replaces this module with sessions.

use app::domain::{TeamId, UserId};

/// The stand-in user and team. Their ids are fixed, so links survive restarts.
#[derive(Debug, Clone)]
pub struct DevIdentity {
    pub user: UserId,
    pub user_name: String,
    pub team: TeamId,
    pub team_name: String,
}

impl Default for DevIdentity {
    fn default() -> Self {
        Self {
            user: UserId::parse("01930000-0000-7000-8000-00000000d001").expect("a v7 id"),
            user_name: "Dev User".into(),
            team: TeamId::parse("01930000-0000-7000-8000-00000000f001").expect("a v7 id"),
            team_name: "Tidings Team".into(),
        }
    }
}
