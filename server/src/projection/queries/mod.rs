//! What pages and authorisation checks read from the read models.
//!
//! - [`todos`]: a team's todos, a todo with its timeline.
//! - [`teams`]: memberships, a team's members and invite links, an invite link by its hash.

mod teams;
mod todos;

pub use teams::*;
pub use todos::*;
