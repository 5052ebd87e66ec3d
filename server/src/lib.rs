//! # server: the axum binary and its library
//!
//! Layout:
//! - [`config`]: flags and environment, parsed into typed settings.
//! - [`startup`]: opens storage, starts background tasks, builds the router, binds.
//! - [`storage`]: the storage seam: `DATABASE_URL` chooses SQLite or PostgreSQL, and every
//!   store below is opened on it.
//! - [`db`]: opening a database (connection options, pragmas, migrations), per backend.
//! - [`store`]: the event store trait and its backends, each with group commit.
//! - [`projection`]: the read models, their projector, queries and rebuild; a backend each.
//! - [`membership`]: the membership check, in one place, and the proof it makes.
//! - [`commands`]: the command path: load, decide, append, wait for the projection.
//! - [`cross_site`]: refuses state-changing requests from other sites.
//! - [`error_status`]: the one mapping from `AppError` to HTTP status.
//! - [`failure`]: a failure as the asker sees it: unavailable (the database cannot be
//!   reached) or internal; the cause stays in the log.
//! - [`error_links`]: signs the errors that no-JavaScript form posts carry back in a link,
//!   and turns away a page link with an error that is not signed.
//! - [`backend`]: the `app::api::backend::Backend` implementation server functions call; it
//!   checks membership on every path.
//! - [`accounts`]: sign-up and password checks (argon2id, off the runtime); a table per
//!   backend.
//! - [`sessions`]: the session cookie and store, sign-in and sign-out.
//! - [`rate_limits`]: log-in, sign-up and command rate limits.
//! - [`seats`]: the connections-per-user limit, across instances (a table with a lease per
//!   instance, on PostgreSQL).
//! - [`login_failures`]: failed log-ins per account and per account from one address.
//! - [`security_headers`]: the headers every response carries.
//! - [`assets`]: the site's files, precompressed, and how long browsers keep each answer;
//!   the compression of pages and server-function answers.
//! - [`invite_tokens`]: invite link tokens and their hashes.
//! - [`live`]: the Pusher-protocol WebSocket hub, channel authorisation and the broadcast
//!   reactor.
//! - [`metrics`]: the counters behind `/metrics`.
//! - [`health`]: `/healthz`: failing background tasks and the broadcast's lag.
//! - [`supervise`]: the background tasks that must not end, watched.
//! - [`telemetry`]: structured logs.
//! - [`error_chain`]: an error with its causes, on one line.

pub mod accounts;
pub mod assets;
pub mod backend;
pub mod commands;
pub mod config;
pub mod cross_site;
pub mod db;
pub mod error_chain;
pub mod error_links;
pub mod error_status;
pub mod failure;
pub mod health;
pub mod invite_tokens;
pub mod live;
pub mod login_failures;
pub mod membership;
pub mod metrics;
pub mod projection;
pub mod rate_limits;
pub mod seats;
pub mod security_headers;
pub mod sessions;
pub mod startup;
pub mod storage;
pub mod store;
pub mod supervise;
pub mod telemetry;

pub use error_chain::error_chain;
