//! The real application over HTTP: server functions, pages, and every refused input.

mod bad_input;
mod helpers;
mod todos;
