//! The real application over HTTP: server functions, pages, and every refused input.

mod accounts;
mod bad_input;
mod error_links;
mod helpers;
mod live;
mod live_abuse;
mod markup;
mod metrics;
mod removal_race;
mod resume;
mod teams;
mod todos;
