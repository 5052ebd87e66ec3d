//! The Pusher protocol 7 frames the baseline server reads and writes, with the fields
//! Tidings writes, and the `TodoCreated` event frame, shaped like Tidings' (the same fields,
//! so about the same size on the wire).

use serde::Deserialize;
use serde_json::json;

/// The answer to a client's `pusher:ping`.
pub const PONG: &str = r#"{"event":"pusher:pong","data":"{}"}"#;

/// Seconds of silence after which a client should ping, as Tidings announces it.
const ACTIVITY_TIMEOUT_SECS: u32 = 120;

/// What a client sent, as far as the baseline acts on it.
#[derive(Debug, PartialEq, Eq)]
pub enum Request {
    Ping,
    /// A subscription, granted without a signature check.
    Subscribe {
        channel: String,
    },
    /// Anything else (a pong, an unsubscribe, a malformed frame) is ignored.
    Other,
}

#[derive(Deserialize)]
struct ClientFrame {
    event: String,
    #[serde(default)]
    data: serde_json::Value,
}

impl Request {
    pub fn parse(text: &str) -> Self {
        let Ok(frame) = serde_json::from_str::<ClientFrame>(text) else {
            return Self::Other;
        };
        match frame.event.as_str() {
            "pusher:ping" => Self::Ping,
            "pusher:subscribe" => match frame.data["channel"].as_str() {
                Some(channel) => Self::Subscribe {
                    channel: channel.to_owned(),
                },
                None => Self::Other,
            },
            _ => Self::Other,
        }
    }
}

/// The first frame of every connection; its data is a JSON string.
pub fn connection_established(socket_id: &str) -> String {
    let data = json!({"socket_id": socket_id, "activity_timeout": ACTIVITY_TIMEOUT_SECS});
    json!({"event": "pusher:connection_established", "data": data.to_string()}).to_string()
}

pub fn subscription_succeeded(channel: &str) -> String {
    json!({"event": "pusher_internal:subscription_succeeded", "channel": channel, "data": "{}"})
        .to_string()
}

/// A team's todo channel, as Tidings names it.
pub fn team_channel(team_id: &str) -> String {
    format!("private-team.{team_id}.todos")
}

/// A todo that was just created, as the command's form gave it.
pub struct NewTodo<'a> {
    pub id: &'a str,
    pub team_id: &'a str,
    pub title: &'a str,
    pub description: &'a str,
    pub command_id: &'a str,
}

/// The `TodoCreated` frame on the team's channel: its data is a JSON string with the
/// event's position and command id, and the todo as it stands after the event.
pub fn todo_created(todo: &NewTodo, position: u64, recorded_at: &str) -> String {
    let data = json!({
        "position": position,
        "commandId": todo.command_id,
        "recordedAt": recorded_at,
        "todo": {
            "id": todo.id,
            "teamId": todo.team_id,
            "title": todo.title,
            "description": todo.description,
            "status": "active",
            "version": 1,
        },
    });
    json!({
        "event": "TodoCreated",
        "channel": team_channel(todo.team_id),
        "data": data.to_string(),
    })
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frame::{self, Incoming};

    #[test]
    fn a_ping_and_a_subscribe_are_understood_and_anything_else_is_ignored() {
        assert_eq!(
            Request::parse(r#"{"event":"pusher:ping","data":{}}"#),
            Request::Ping
        );
        let subscribe = r#"{"event":"pusher:subscribe","data":{"channel":"private-team.t.todos","auth":"k:s"}}"#;
        assert_eq!(
            Request::parse(subscribe),
            Request::Subscribe {
                channel: "private-team.t.todos".into()
            }
        );
        assert_eq!(Request::parse(frame::PONG), Request::Other);
        assert_eq!(Request::parse("not json"), Request::Other);
        assert_eq!(
            Request::parse(r#"{"event":"pusher:subscribe","data":{}}"#),
            Request::Other
        );
    }

    #[test]
    fn the_load_subscriber_reads_the_handshake_and_the_subscription_answer() {
        let hello = connection_established("1234.5");
        assert_eq!(frame::socket_id(&hello).unwrap(), "1234.5");
        let answer = subscription_succeeded("private-team.t.todos");
        assert_eq!(frame::subscription_result(&answer), Ok(true));
        assert_eq!(frame::classify(PONG), Incoming::Other);
    }

    #[test]
    fn a_created_todo_is_a_delivery_with_its_send_time() {
        let todo = NewTodo {
            id: "0193a1d2-7c3e-7000-8000-000000000002",
            team_id: "0193a1d2-7c3e-7000-8000-000000000003",
            title: &frame::title(1_764_201_600_123_456),
            description: "",
            command_id: "0193a1d2-7c3e-7000-8000-000000000001",
        };
        let text = todo_created(&todo, 42, "2026-11-27T22:42:30.123456789Z");
        assert_eq!(
            frame::classify(&text),
            Incoming::Delivery {
                sent_micros: 1_764_201_600_123_456
            }
        );
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(
            value["channel"],
            "private-team.0193a1d2-7c3e-7000-8000-000000000003.todos"
        );
        let data: serde_json::Value =
            serde_json::from_str(value["data"].as_str().unwrap()).unwrap();
        assert_eq!(data["position"], 42);
        assert_eq!(data["todo"]["id"], todo.id);
    }
}
