//! # server: the axum binary and its library
//!
//! Layout:
//! - [`config`]: flags and environment, parsed into typed settings.
//! - [`startup`]: opens storage, starts background tasks, builds the router, binds.
//! - [`db`]: opening SQLite (pragmas, migrations).
//! - [`store`]: the event store trait and its SQLite backend with group commit.
//! - [`projection`]: the read models, their projector, queries and rebuild.
//! - [`commands`]: the command path: load, decide, append, wait for the projection.
//! - [`cross_site`]: refuses state-changing requests from other sites.
//! - [`error_status`]: the one mapping from `AppError` to HTTP status.
//! - [`backend`]: the `app::api::backend::Backend` implementation server functions call.
//! - [`identity`]: the development user and team that stand in until accounts exist.
//! - [`telemetry`]: structured logs.

pub mod backend;
pub mod commands;
pub mod config;
pub mod cross_site;
pub mod db;
pub mod error_status;
pub mod identity;
pub mod projection;
pub mod startup;
pub mod store;
pub mod telemetry;
