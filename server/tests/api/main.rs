//! The real application over HTTP: server functions, pages, and every refused input.

mod accounts;
mod bad_input;
mod helpers;
mod live;
mod resume;
mod teams;
mod todos;
