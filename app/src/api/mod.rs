//! The server functions, the views they return, and the error type they share.

#[cfg(feature = "ssr")]
pub mod backend;
#[cfg(feature = "ssr")]
mod context;
mod error;
mod todos;
mod views;

pub use error::AppError;
#[cfg(feature = "ssr")]
pub use error::parse_id;
pub use todos::{
    CreateTodo, FetchTeamBoard, FetchTodoDetail, MyTeams, TransitionTodo, UpdateTodo, create_todo,
    fetch_team_board, fetch_todo_detail, my_teams, transition_todo, update_todo,
};
pub use views::*;
