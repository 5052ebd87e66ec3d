//! `AppError`: the one error type that crosses the wire, from server function to UI.

use crate::domain::{ValueError, team::TeamError, todo::TodoError};
use serde::{Deserialize, Serialize};
use server_fn::{
    codec::JsonEncoding,
    error::{FromServerFnError, ServerFnErrorErr},
};

/// Everything a server function can answer instead of a result. Each variant maps to one HTTP
/// status in [`AppError::status`], and its message is written for the person who asked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    /// A field could not be parsed into its typed value.
    #[error("{message}")]
    Invalid { field: String, message: String },
    /// The thing does not exist, or the asker may not know that it does.
    #[error("{what} was not found.")]
    NotFound { what: String },
    /// The command is illegal from the todo's current state.
    #[error("{message}")]
    Refused { message: String },
    /// Someone else changed the todo since the asker loaded it.
    #[error(
        "This todo changed since you loaded it (you saw version {seen}, it is now at version {current}). Reload to see the latest and try again."
    )]
    Stale { seen: u64, current: u64 },
    /// Nobody is signed in, or the session has ended.
    #[error("Please sign in to continue.")]
    Unauthenticated,
    /// The email and password do not match an account. Which of the two is wrong is not said.
    #[error("That email and password do not match an account.")]
    BadCredentials,
    /// A value that must be unique is taken, such as an email address.
    #[error("{message}")]
    Taken { field: String, message: String },
    /// Too many attempts in too little time.
    #[error("Too many attempts. Please wait {retry_after_secs} s and try again.")]
    RateLimited { retry_after_secs: u64 },
    /// The server failed; the details are in its log, not in this message.
    #[error("Something went wrong on our side. Please try again.")]
    Internal,
    /// The server cannot reach its database for now. Trying again is safe: a repeated
    /// command is recognised by its id and never applied twice.
    #[error("We cannot reach our database just now. Please try again in a moment.")]
    Unavailable,
    /// The request never got a proper answer: the network, or an undecodable response.
    /// `message` is the technical cause, for the browser's console; the person reads what
    /// happened and what to do.
    #[error("We could not reach Tidings. Check your connection, then try again.")]
    Transport { message: String },
}

impl AppError {
    pub fn invalid(field: &str, error: impl std::fmt::Display) -> Self {
        Self::Invalid {
            field: field.to_owned(),
            message: error.to_string(),
        }
    }

    pub fn not_found(what: &str) -> Self {
        Self::NotFound {
            what: what.to_owned(),
        }
    }

    /// The HTTP status a server function answers with this error.
    pub fn status(&self) -> u16 {
        match self {
            Self::Invalid { .. } => 400,
            Self::Unauthenticated | Self::BadCredentials => 401,
            Self::NotFound { .. } => 404,
            Self::Stale { .. } | Self::Taken { .. } => 409,
            Self::Refused { .. } => 422,
            Self::RateLimited { .. } => 429,
            Self::Internal => 500,
            Self::Transport { .. } => 502,
            Self::Unavailable => 503,
        }
    }
}

impl From<ValueError> for AppError {
    fn from(error: ValueError) -> Self {
        Self::invalid(error.field(), &error)
    }
}

impl From<TodoError> for AppError {
    fn from(error: TodoError) -> Self {
        match error {
            TodoError::NotFound => Self::not_found("The todo"),
            TodoError::AlreadyExists
            | TodoError::NotesArePrivate
            | TodoError::IllegalTransition { .. } => Self::Refused {
                message: error.to_string(),
            },
        }
    }
}

impl From<TeamError> for AppError {
    fn from(error: TeamError) -> Self {
        match error {
            TeamError::NotFound | TeamError::NotAMember => Self::not_found("The team"),
            TeamError::InvitationNotFound => Self::not_found("The invite link"),
            TeamError::MemberNotFound => Self::not_found("The member"),
            TeamError::AlreadyExists
            | TeamError::InvitationExpired
            | TeamError::InvitationUsed
            | TeamError::InvitationRevoked
            | TeamError::LastMember
            | TeamError::NotTheOwner
            | TeamError::RemovingYourself
            | TeamError::RemovedFromTeam => Self::Refused {
                message: error.to_string(),
            },
        }
    }
}

#[cfg(feature = "ssr")]
/// Parses an id field, naming the field in the error.
pub fn parse_id<T>(
    field: &str,
    text: &str,
    parse: fn(&str) -> Result<T, crate::domain::IdError>,
) -> Result<T, AppError> {
    parse(text).map_err(|error| AppError::invalid(field, error))
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Args(message) | ServerFnErrorErr::MissingArg(message) => {
                Self::Invalid {
                    field: "request".into(),
                    message: format!("The request was malformed: {message}"),
                }
            }
            ServerFnErrorErr::ServerError(_) | ServerFnErrorErr::Registration(_) => Self::Internal,
            other => {
                let message = other.to_string();
                leptos::logging::warn!("a server function got no answer: {message}");
                Self::Transport { message }
            }
        }
    }
}
