//! Pusher protocol 7 frames, as far as a load subscriber needs them. Frames that arrive per
//! event are classified from their raw text (no double JSON parse): the title of every todo
//! the coordinator creates is `load-<unix micros at send>`, and a UUID or a position never
//! holds `load-`, so the first `load-` and its digits are the send time.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// The title prefix of every todo the load tool creates.
pub const TITLE_PREFIX: &str = "load-";

/// The answer to a `pusher:ping`.
pub const PONG: &str = r#"{"event":"pusher:pong","data":{}}"#;

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum FrameError {
    #[error("the first frame was not pusher:connection_established with a socket id: {0}")]
    NoHandshake(String),
    #[error("the subscription was refused: {0}")]
    SubscriptionRefused(String),
}

/// What `/broadcasting/auth` answers: the signature, and the channel data it signed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChannelAuth {
    pub auth: String,
    pub channel_data: Option<String>,
}

/// A frame that arrived after the subscription succeeded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Incoming {
    /// A todo of the load tool was created; it was sent at this time.
    Delivery {
        sent_micros: u64,
    },
    /// A `TodoCreated` that the load tool did not send.
    Foreign,
    Ping,
    Other,
}

/// The title of a todo sent at `micros`.
pub fn title(micros: u64) -> String {
    format!("{TITLE_PREFIX}{micros}")
}

/// A team's todo channel.
pub fn team_channel(team_id: &str) -> String {
    format!("private-team.{team_id}.todos")
}

/// The socket id from the first frame, `pusher:connection_established`, whose data is a
/// JSON string.
pub fn socket_id(hello: &str) -> Result<String, FrameError> {
    let refused = || FrameError::NoHandshake(hello.chars().take(200).collect());
    let frame: Value = serde_json::from_str(hello).map_err(|_| refused())?;
    if frame["event"] != "pusher:connection_established" {
        return Err(refused());
    }
    let data: Value =
        serde_json::from_str(frame["data"].as_str().ok_or_else(refused)?).map_err(|_| refused())?;
    data["socket_id"]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(refused)
}

/// A `pusher:subscribe` with the signature and channel data from `/broadcasting/auth`.
pub fn subscribe(channel: &str, auth: &ChannelAuth) -> String {
    json!({
        "event": "pusher:subscribe",
        "data": {"channel": channel, "auth": auth.auth, "channel_data": auth.channel_data},
    })
    .to_string()
}

/// Whether the answer to a subscribe is success; an error frame is the refusal.
pub fn subscription_result(answer: &str) -> Result<bool, FrameError> {
    if answer.contains(r#""event":"pusher_internal:subscription_succeeded""#) {
        Ok(true)
    } else if answer.contains(r#""event":"pusher:subscription_error""#)
        || answer.contains(r#""event":"pusher:error""#)
    {
        Err(FrameError::SubscriptionRefused(answer.to_owned()))
    } else {
        Ok(false)
    }
}

pub fn classify(text: &str) -> Incoming {
    if text.contains(r#""event":"TodoCreated""#) {
        sent_micros(text).map_or(Incoming::Foreign, |sent_micros| Incoming::Delivery {
            sent_micros,
        })
    } else if text.contains(r#""event":"pusher:ping""#) {
        Incoming::Ping
    } else {
        Incoming::Other
    }
}

/// The digits after the first `load-` in `text`.
fn sent_micros(text: &str) -> Option<u64> {
    let start = text.find(TITLE_PREFIX)? + TITLE_PREFIX.len();
    let digits = &text[start..];
    let end = digits
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(digits.len());
    digits[..end].parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A `TodoCreated` as the server sends it: its data is a JSON string.
    fn created(title: &str) -> String {
        let data = json!({
            "position": 42,
            "commandId": "0193a1d2-7c3e-7000-8000-000000000001",
            "todo": {"id": "0193a1d2-7c3e-7000-8000-000000000002", "title": title, "description": ""},
        });
        json!({"event": "TodoCreated", "channel": "private-team.x.todos", "data": data.to_string()})
            .to_string()
    }

    #[test]
    fn the_send_time_is_read_from_the_title_inside_the_escaped_data() {
        let frame = created(&title(1_764_201_600_123_456));
        assert_eq!(
            classify(&frame),
            Incoming::Delivery {
                sent_micros: 1_764_201_600_123_456
            }
        );
    }

    #[test]
    fn a_todo_created_by_someone_else_is_foreign() {
        assert_eq!(classify(&created("Buy milk")), Incoming::Foreign);
        assert_eq!(classify(&created("load-")), Incoming::Foreign);
    }

    #[test]
    fn a_server_ping_is_recognised_and_other_frames_are_not_deliveries() {
        assert_eq!(
            classify(r#"{"event":"pusher:ping","data":"{}"}"#),
            Incoming::Ping
        );
        let updated = created(&title(7)).replace("TodoCreated", "TodoUpdated");
        assert_eq!(classify(&updated), Incoming::Other);
    }

    #[test]
    fn the_socket_id_is_read_from_the_handshake_whose_data_is_a_string() {
        let hello = r#"{"event":"pusher:connection_established","data":"{\"socket_id\":\"123.456\",\"activity_timeout\":120}"}"#;
        assert_eq!(socket_id(hello).unwrap(), "123.456");
    }

    #[test]
    fn an_error_instead_of_the_handshake_is_refused() {
        let error = r#"{"event":"pusher:error","data":{"code":4100,"message":"full"}}"#;
        assert!(matches!(socket_id(error), Err(FrameError::NoHandshake(_))));
    }

    #[test]
    fn a_subscribe_carries_the_signature_and_the_channel_data() {
        let auth = ChannelAuth {
            auth: "tidings:abc".into(),
            channel_data: Some(r#"{"user_id":"u"}"#.into()),
        };
        let frame: Value = serde_json::from_str(&subscribe("private-team.t.todos", &auth)).unwrap();
        assert_eq!(frame["event"], "pusher:subscribe");
        assert_eq!(frame["data"]["channel"], "private-team.t.todos");
        assert_eq!(frame["data"]["auth"], "tidings:abc");
        assert_eq!(frame["data"]["channel_data"], r#"{"user_id":"u"}"#);
    }

    #[test]
    fn a_subscription_answer_is_success_refusal_or_something_else() {
        let ok = r#"{"event":"pusher_internal:subscription_succeeded","channel":"c","data":"{}"}"#;
        assert_eq!(subscription_result(ok), Ok(true));
        let refused =
            r#"{"event":"pusher:subscription_error","channel":"c","data":{"status":403}}"#;
        assert!(subscription_result(refused).is_err());
        assert_eq!(
            subscription_result(r#"{"event":"pusher:pong","data":{}}"#),
            Ok(false)
        );
    }
}
