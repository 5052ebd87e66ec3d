//! The Todo aggregate: its lifecycle, commands, events and the pure `decide`/`apply`.

mod aggregate;
mod command;
mod event;
mod status;
#[cfg(test)]
mod tests;

pub use aggregate::{Todo, TodoError, apply, decide, replay};
pub use command::TodoCommand;
pub use event::{DecodeError, TodoCreated, TodoEvent, TodoNotesChanged, TodoUpdated};
pub use status::{TodoAction, TodoStatus, refusal};
