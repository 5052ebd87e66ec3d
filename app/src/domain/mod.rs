//! The domain: pure values, ids and aggregates. No I/O; compiles to WASM.

mod ids;
mod log;
pub mod todo;
mod values;

pub use ids::{CommandId, IdError, TeamId, TodoId, UserId};
pub use log::{Position, Version};
pub use values::{Description, InternalNotes, TodoTitle, ValueError};
