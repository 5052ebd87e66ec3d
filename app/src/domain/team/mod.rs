//! The Team aggregate: who belongs, and the invitations that let people in.

mod aggregate;
mod command;
mod event;
mod invite;
#[cfg(test)]
mod tests;

pub use aggregate::{Invitation, InvitationState, Team, TeamError, apply, decide, replay};
pub use command::TeamCommand;
pub use event::{InvitationCreated, MemberJoined, MemberRemoved, TeamCreated, TeamEvent};
pub use invite::{InviteToken, TokenError, TokenHash};
