//! The Team's events, and how each is named and encoded in the log.

use super::TokenHash;
use crate::domain::{InvitationId, TeamId, TeamName, UserId, todo::DecodeError};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The first event of every team.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamCreated {
    pub team_id: TeamId,
    pub name: TeamName,
    pub creator: UserId,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvitationCreated {
    pub invitation_id: InvitationId,
    pub token_hash: TokenHash,
    pub single_use: bool,
    pub expires_at: DateTime<Utc>,
    /// The member who made the link. Links made before the log recorded it have none in
    /// their payload: [`TeamEvent::recorded_by`] fills it in from the event's actor.
    #[serde(default)]
    pub created_by: Option<UserId>,
}

/// Someone became a member: the creator (no invitation), or through an invite link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberJoined {
    pub user_id: UserId,
    pub invitation_id: Option<InvitationId>,
}

/// The team's owner took someone out of the team.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberRemoved {
    pub user_id: UserId,
    pub removed_by: UserId,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TeamEvent {
    Created(TeamCreated),
    InvitationCreated(InvitationCreated),
    InvitationRevoked { invitation_id: InvitationId },
    MemberJoined(MemberJoined),
    MemberLeft { user_id: UserId },
    MemberRemoved(MemberRemoved),
}

#[derive(Serialize, Deserialize)]
struct InvitationRef {
    invitation_id: InvitationId,
}

#[derive(Serialize, Deserialize)]
struct UserRef {
    user_id: UserId,
}

impl TeamEvent {
    /// Every team event is at schema version 1.
    pub const SCHEMA_VERSION: u16 = 1;

    pub const TYPES: [&'static str; 6] = [
        "TeamCreated",
        "InvitationCreated",
        "InvitationRevoked",
        "MemberJoined",
        "MemberLeft",
        "MemberRemoved",
    ];

    /// Fills in what an event written before a field existed leaves out, from the event's
    /// `actor`: the maker of an invite link is the member who made it.
    pub fn recorded_by(self, actor: UserId) -> Self {
        match self {
            Self::InvitationCreated(created) if created.created_by.is_none() => {
                Self::InvitationCreated(InvitationCreated {
                    created_by: Some(actor),
                    ..created
                })
            }
            event => event,
        }
    }

    /// The name in the log.
    pub fn event_type(&self) -> &'static str {
        match self {
            Self::Created(_) => "TeamCreated",
            Self::InvitationCreated(_) => "InvitationCreated",
            Self::InvitationRevoked { .. } => "InvitationRevoked",
            Self::MemberJoined(_) => "MemberJoined",
            Self::MemberLeft { .. } => "MemberLeft",
            Self::MemberRemoved(_) => "MemberRemoved",
        }
    }

    pub fn payload(&self) -> serde_json::Value {
        let encoded = match self {
            Self::Created(created) => serde_json::to_value(created),
            Self::InvitationCreated(created) => serde_json::to_value(created),
            Self::InvitationRevoked { invitation_id } => serde_json::to_value(InvitationRef {
                invitation_id: *invitation_id,
            }),
            Self::MemberJoined(joined) => serde_json::to_value(joined),
            Self::MemberLeft { user_id } => serde_json::to_value(UserRef { user_id: *user_id }),
            Self::MemberRemoved(removed) => serde_json::to_value(removed),
        };
        encoded.expect("team events are plain data and always encode")
    }

    pub fn decode(
        event_type: &str,
        schema_version: u16,
        payload: &serde_json::Value,
    ) -> Result<Self, DecodeError> {
        if !Self::TYPES.contains(&event_type) {
            return Err(DecodeError::UnknownType(event_type.to_owned()));
        }
        if schema_version != Self::SCHEMA_VERSION {
            return Err(DecodeError::UnknownSchema {
                event_type: event_type.to_owned(),
                schema_version,
            });
        }
        let payload_error = |source| DecodeError::Payload {
            event_type: event_type.to_owned(),
            source,
        };
        Ok(match event_type {
            "TeamCreated" => {
                Self::Created(Deserialize::deserialize(payload).map_err(payload_error)?)
            }
            "InvitationCreated" => {
                Self::InvitationCreated(Deserialize::deserialize(payload).map_err(payload_error)?)
            }
            "InvitationRevoked" => {
                let InvitationRef { invitation_id } =
                    Deserialize::deserialize(payload).map_err(payload_error)?;
                Self::InvitationRevoked { invitation_id }
            }
            "MemberJoined" => {
                Self::MemberJoined(Deserialize::deserialize(payload).map_err(payload_error)?)
            }
            "MemberLeft" => {
                let UserRef { user_id } =
                    Deserialize::deserialize(payload).map_err(payload_error)?;
                Self::MemberLeft { user_id }
            }
            "MemberRemoved" => {
                Self::MemberRemoved(Deserialize::deserialize(payload).map_err(payload_error)?)
            }
            other => return Err(DecodeError::UnknownType(other.to_owned())),
        })
    }
}
