//! Structured logs with `tracing`: human-readable by default, JSON for machines.

use crate::config::LogFormat;
use tracing_subscriber::{EnvFilter, fmt};

/// Installs the global subscriber. `RUST_LOG` filters; the default is `info`.
pub fn init(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx::postgres::notice=warn"));
    let builder = fmt().with_env_filter(filter);
    let installed = match format {
        LogFormat::Pretty => builder.try_init(),
        LogFormat::Json => builder.json().try_init(),
    };
    if let Err(error) = installed {
        eprintln!("logging was already set up: {error}");
    }
}
