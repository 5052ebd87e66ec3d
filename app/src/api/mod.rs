//! The server functions, the views they return, and the error type they share.

mod accounts;
#[cfg(feature = "ssr")]
pub mod backend;
#[cfg(feature = "ssr")]
mod context;
mod error;
mod form_field;
mod teams;
mod todos;
mod views;

pub use accounts::{
    CurrentAccount, LogIn, LogOut, SignUp, current_account, log_in, log_out, sign_up,
};
pub use error::AppError;
#[cfg(feature = "ssr")]
pub use error::parse_id;
pub use form_field::SentText;
pub use teams::{
    CreateInvitation, CreateTeam, FetchTeamMembers, JoinTeam, LeaveTeam, PreviewInvitation,
    RemoveMember, RevokeInvitation, create_invitation, create_team, fetch_team_members, join_team,
    leave_team, preview_invitation, remove_member, revoke_invitation,
};
pub use todos::{
    CreateTodo, FetchTeamBoard, FetchTodoDetail, MyTeams, TransitionTodo, UpdateTodo, create_todo,
    fetch_team_board, fetch_todo_detail, my_teams, transition_todo, update_todo,
};
pub use views::*;
