//! # app: everything both the server and the browser compile
//!
//! Layout:
//! - [`domain`]: ids, values, log coordinates, and the Todo and Team aggregates. Pure; no
//!   I/O.
//! - [`live`]: the live channels' wire protocol (Pusher protocol 7), shared by the server's
//!   hub and the browser.
//! - [`api`]: the server functions, the views they return and [`api::AppError`], the one
//!   error type that crosses the wire.
//! - `backend` (ssr only): the trait through which server functions reach the server crate,
//!   provided as Leptos context.
//! - [`pages`]: one route component per file; [`components`]: the pieces they share.
//! - [`shell`] and [`App`]: the HTML document and the router; `content_policy` (ssr only): the
//!   pages' Content-Security-Policy.

pub mod api;
pub mod components;
#[cfg(feature = "ssr")]
mod content_policy;
pub mod domain;
pub mod live;
pub mod pages;
mod shell;

pub use shell::App;
#[cfg(feature = "ssr")]
pub use shell::shell;
