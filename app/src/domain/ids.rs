//! Identifiers: newtypes over UUIDv7, so that ids sort by creation time and one kind of id
//! can never be passed where another is expected.

use serde::{Deserialize, Serialize};
use std::{fmt, str::FromStr};
use uuid::Uuid;

/// Why a string is not an id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    #[error("“{0}” is not a valid id")]
    Malformed(String),
    #[error("“{0}” is not a time-ordered (v7) id")]
    NotV7(String),
}

macro_rules! uuid_v7_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(try_from = "Uuid", into = "Uuid")]
        pub struct $name(Uuid);

        impl $name {
            /// A fresh id, ordered after every id made before it on this clock.
            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }

            /// Parses the textual form, refusing anything that is not a UUIDv7.
            pub fn parse(text: &str) -> Result<Self, IdError> {
                let uuid = Uuid::parse_str(text.trim())
                    .map_err(|_| IdError::Malformed(shorten(text)))?;
                Self::try_from(uuid)
            }

            pub fn as_uuid(&self) -> Uuid {
                self.0
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl TryFrom<Uuid> for $name {
            type Error = IdError;
            fn try_from(uuid: Uuid) -> Result<Self, IdError> {
                if uuid.get_version_num() == 7 {
                    Ok(Self(uuid))
                } else {
                    Err(IdError::NotV7(uuid.to_string()))
                }
            }
        }

        impl From<$name> for Uuid {
            fn from(id: $name) -> Uuid {
                id.0
            }
        }

        impl FromStr for $name {
            type Err = IdError;
            fn from_str(text: &str) -> Result<Self, IdError> {
                Self::parse(text)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

/// Echoes at most 60 characters of a refused input, so an error message stays readable.
fn shorten(text: &str) -> String {
    const MAX: usize = 60;
    if text.chars().count() <= MAX {
        text.to_owned()
    } else {
        text.chars().take(MAX).chain(['…']).collect()
    }
}

uuid_v7_id!(
    /// A todo, and the id of its event stream.
    TodoId
);
uuid_v7_id!(
    /// A team, which owns todos.
    TeamId
);
uuid_v7_id!(
    /// A person who acts; every event records one as its actor.
    UserId
);
uuid_v7_id!(
    /// An invite link of a team.
    InvitationId
);
uuid_v7_id!(
    /// One attempt to change something. Retrying with the same id is answered with the first
    /// outcome and writes nothing twice.
    CommandId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fresh_id_parses_back_to_itself() {
        let id = TodoId::new();
        assert_eq!(TodoId::parse(&id.to_string()), Ok(id));
    }

    #[test]
    fn garbage_is_refused_as_malformed() {
        assert_eq!(
            TodoId::parse("not-an-id"),
            Err(IdError::Malformed("not-an-id".into()))
        );
    }

    #[test]
    fn a_v4_uuid_is_refused() {
        let v4 = "9b2f1c1e-3f5a-4d6b-9c1a-2b3c4d5e6f70";
        assert_eq!(TodoId::parse(v4), Err(IdError::NotV7(v4.into())));
    }

    #[test]
    fn an_overlong_input_is_echoed_shortened() {
        let long = "x".repeat(500);
        let Err(IdError::Malformed(echo)) = TodoId::parse(&long) else {
            panic!("expected a malformed id");
        };
        assert_eq!(echo.chars().count(), 61);
    }

    #[test]
    fn ids_deserialise_only_when_v7() {
        let v4 = "\"9b2f1c1e-3f5a-4d6b-9c1a-2b3c4d5e6f70\"";
        assert!(serde_json::from_str::<TeamId>(v4).is_err());
        let id = TeamId::new();
        let json = serde_json::to_string(&id).unwrap();
        assert_eq!(serde_json::from_str::<TeamId>(&json).unwrap(), id);
    }
}
