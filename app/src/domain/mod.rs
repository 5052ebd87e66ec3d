//! The domain: pure values, ids and aggregates. No I/O; compiles to WASM.

mod account;
mod ids;
mod log;
pub mod team;
pub mod todo;
mod values;

pub use account::{Email, Password};
pub use ids::{CommandId, IdError, InvitationId, TeamId, TodoId, UserId};
pub use log::{Position, Version};
pub use values::{Description, DisplayName, InternalNotes, TeamName, TodoTitle, ValueError};
