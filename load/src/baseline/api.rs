//! The HTTP side of the baseline: the smallest answers that let the unchanged coordinator
//! and workers run (see `crate::api` and `crate::run::team` for what they read). Sign-up
//! sets a session cookie that nothing checks; teams, invitations and todos are fresh ids
//! that nothing stores. `create_todo` publishes its event before it answers.

use super::{
    Baseline,
    protocol::{self, NewTodo},
};
use crate::api::SESSION_COOKIE;
use axum::{
    Form, Json,
    extract::State,
    http::header,
    response::{AppendHeaders, IntoResponse},
};
use serde::Deserialize;
use serde_json::{Value, json};
use std::sync::Arc;

fn fresh_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

pub async fn sign_up() -> impl IntoResponse {
    let cookie = format!("{SESSION_COOKIE}={}; Path=/; HttpOnly", fresh_id());
    (
        AppendHeaders([(header::SET_COOKIE, cookie)]),
        Json(json!({})),
    )
}

pub async fn create_team() -> Json<Value> {
    Json(json!({ "team_id": fresh_id() }))
}

pub async fn create_invitation() -> Json<Value> {
    Json(json!({ "path": format!("/join/{}", fresh_id()) }))
}

pub async fn join_team() -> Json<Value> {
    Json(json!({}))
}

/// Any channel, any socket: the signature is never checked.
pub async fn authorize() -> Json<Value> {
    Json(json!({ "auth": "tidings:baseline" }))
}

#[derive(Deserialize)]
pub struct CreateTodo {
    team_id: String,
    title: String,
    #[serde(default)]
    description: String,
    command_id: String,
}

/// Serialises the event once and queues it for every subscriber of the team's channel.
pub async fn create_todo(
    State(baseline): State<Baseline>,
    Form(form): Form<CreateTodo>,
) -> Json<Value> {
    let id = fresh_id();
    let todo = NewTodo {
        id: &id,
        team_id: &form.team_id,
        title: &form.title,
        description: &form.description,
        command_id: &form.command_id,
    };
    let recorded_at = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true);
    let frame: Arc<str> =
        protocol::todo_created(&todo, baseline.next_position(), &recorded_at).into();
    baseline
        .hub
        .publish(&protocol::team_channel(&form.team_id), &frame);
    Json(json!({ "todo_id": id }))
}

/// The Prometheus text, with the names Tidings uses for what the coordinator reads.
pub async fn metrics(State(baseline): State<Baseline>) -> String {
    prometheus_text(
        baseline.connections(),
        baseline.hub.subscriptions(),
        baseline.hub.overflows(),
    )
}

fn prometheus_text(connections: usize, subscriptions: usize, overflows: u64) -> String {
    format!(
        "# TYPE tidings_connections gauge\ntidings_connections {connections}\n\
         # TYPE tidings_subscriptions gauge\ntidings_subscriptions {subscriptions}\n\
         # TYPE tidings_queue_overflows_total counter\ntidings_queue_overflows_total {overflows}\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::sum;

    #[test]
    fn the_coordinator_reads_the_baseline_counts_from_its_metrics() {
        let text = prometheus_text(10_000, 9_999, 1);
        assert_eq!(sum(&text, "tidings_connections"), Some(10_000.0));
        assert_eq!(sum(&text, "tidings_subscriptions"), Some(9_999.0));
        assert_eq!(sum(&text, "tidings_queue_overflows_total"), Some(1.0));
        assert_eq!(sum(&text, "tidings_broadcast_lag_events"), None);
    }
}
