//! The real application over HTTP: server functions, pages, and every refused input. These
//! tests run twice, once per backend: `api_sqlite.rs` and `api_postgres.rs` each compile this
//! module, and `helpers::spawn_app` gives every test a database of its own on its binary's
//! backend (an SQLite file, or a PostgreSQL database copied from the migrated template).

mod accounts;
mod bad_input;
mod error_links;
mod first_load;
pub(crate) mod helpers;
pub(crate) mod live;
mod live_abuse;
mod markup;
mod metrics;
mod removal_race;
mod resume;
mod teams;
mod todos;
