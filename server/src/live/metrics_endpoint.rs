//! `GET /metrics`: the Prometheus text format.

use super::Live;
use crate::metrics::Snapshot;
use axum::{Extension, http::header, response::IntoResponse};

pub async fn metrics(Extension(live): Extension<std::sync::Arc<Live>>) -> impl IntoResponse {
    let snapshot = Snapshot {
        head: *live.store.watch_head().borrow(),
        subscriptions: live.hub.subscriptions(),
    };
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        live.metrics.render(&snapshot),
    )
}
