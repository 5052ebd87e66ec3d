//! The messages of Pusher Channels protocol 7, in both directions. Clients send `data` as an
//! object (some as a JSON string, which is accepted too); the server sends it as a JSON
//! string, except in errors, as Pusher does.

use super::{Channel, ChannelError, SocketId};
use crate::domain::Position;
use serde::Deserialize;
use serde_json::{Value, json};

/// What a client may send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientMessage {
    Ping,
    Pong,
    /// `resume_from` is our extension: replay every event after this position first.
    /// `channel_data`, when given, is signed with the channel and names the subscriber.
    Subscribe {
        channel: Channel,
        auth: String,
        channel_data: Option<String>,
        resume_from: Option<Position>,
    },
    Unsubscribe {
        channel: Channel,
    },
}

/// Why a client's frame was refused. Each maps to a `pusher:error` (or, for a channel, a
/// `pusher:subscription_error`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProtocolError {
    #[error("the message is not JSON with an \"event\" name")]
    Malformed,
    #[error("client events are not enabled")]
    ClientEvent,
    #[error("unknown event {0:?}")]
    UnknownEvent(String),
    #[error("{0}")]
    BadChannel(#[from] ChannelError),
    #[error("a private channel needs an auth signature")]
    MissingAuth,
    #[error("resume_from must be a position (a whole number)")]
    BadResumePosition,
}

#[derive(Deserialize)]
struct Frame {
    event: String,
    #[serde(default)]
    data: Value,
}

#[derive(Deserialize)]
struct SubscribeData {
    channel: String,
    #[serde(default)]
    auth: Option<String>,
    #[serde(default)]
    channel_data: Option<String>,
    #[serde(default)]
    resume_from: Option<Value>,
}

#[derive(Deserialize)]
struct UnsubscribeData {
    channel: String,
}

impl ClientMessage {
    pub fn parse(text: &str) -> Result<Self, ProtocolError> {
        let frame: Frame = serde_json::from_str(text).map_err(|_| ProtocolError::Malformed)?;
        // Some clients send `data` as a JSON string rather than an object.
        let data = match frame.data {
            Value::String(inner) => serde_json::from_str(&inner).unwrap_or(Value::Null),
            other => other,
        };
        match frame.event.as_str() {
            "pusher:ping" => Ok(Self::Ping),
            "pusher:pong" => Ok(Self::Pong),
            "pusher:subscribe" => {
                let data: SubscribeData =
                    serde_json::from_value(data).map_err(|_| ProtocolError::Malformed)?;
                let channel = Channel::parse(&data.channel)?;
                let auth = data.auth.ok_or(ProtocolError::MissingAuth)?;
                let resume_from = match data.resume_from {
                    None | Some(Value::Null) => None,
                    Some(value) => Some(position(&value)?),
                };
                Ok(Self::Subscribe {
                    channel,
                    auth,
                    channel_data: data.channel_data,
                    resume_from,
                })
            }
            "pusher:unsubscribe" => {
                let data: UnsubscribeData =
                    serde_json::from_value(data).map_err(|_| ProtocolError::Malformed)?;
                Ok(Self::Unsubscribe {
                    channel: Channel::parse(&data.channel)?,
                })
            }
            event if event.starts_with("client-") => Err(ProtocolError::ClientEvent),
            event => Err(ProtocolError::UnknownEvent(
                event.chars().take(40).collect(),
            )),
        }
    }
}

/// A position sent as a number or as a string of digits.
fn position(value: &Value) -> Result<Position, ProtocolError> {
    let number = match value {
        Value::Number(n) => n.as_u64(),
        Value::String(s) if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) => {
            s.parse().ok()
        }
        _ => None,
    };
    number
        .map(Position::new)
        .ok_or(ProtocolError::BadResumePosition)
}

/// Pusher's close and error codes that this server uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    /// 4001: no app has this key.
    AppNotFound = 4001,
    /// 4002: the client sent a binary frame, which the protocol has none of: a broken client,
    /// which should not reconnect as it is (4000–4099 tell Pusher clients not to).
    BinaryFrame = 4002,
    /// 4007: the client speaks another protocol version.
    UnsupportedProtocol = 4007,
    /// 4008: the client did not say which protocol version it speaks.
    NoProtocolVersion = 4008,
    /// 4009: the connection is not allowed: here, one opened without a session that got no
    /// subscription admitted in time.
    Unauthorized = 4009,
    /// 4100: over capacity (here: the user holds as many connections as allowed); reconnect
    /// after backing off.
    OverCapacity = 4100,
    /// 4200: reconnect now (and resume): the server could not keep up with this connection.
    Reconnect = 4200,
    /// 4201: the client did not answer a ping.
    PongNotReceived = 4201,
    /// 4300: a frame larger than the limit.
    FrameTooLarge = 4300,
    /// 4301: more frames than the limit allows.
    RateLimited = 4301,
}

/// What the server sends. [`ServerMessage::to_json`] is its one encoding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServerMessage {
    ConnectionEstablished {
        socket_id: SocketId,
        activity_timeout_secs: u32,
    },
    Ping,
    Pong,
    SubscriptionSucceeded {
        channel: Channel,
    },
    SubscriptionError {
        channel: String,
        status: u16,
        message: String,
    },
    Error {
        code: Option<ErrorCode>,
        message: String,
    },
    /// A domain event on a channel; `data` is already JSON.
    Event {
        channel: Channel,
        event: String,
        data: String,
    },
}

impl ServerMessage {
    pub fn to_json(&self) -> String {
        let value = match self {
            Self::ConnectionEstablished {
                socket_id,
                activity_timeout_secs,
            } => json!({
                "event": "pusher:connection_established",
                "data": json!({
                    "socket_id": socket_id.to_string(),
                    "activity_timeout": activity_timeout_secs,
                })
                .to_string(),
            }),
            Self::Ping => json!({ "event": "pusher:ping", "data": "{}" }),
            Self::Pong => json!({ "event": "pusher:pong", "data": "{}" }),
            Self::SubscriptionSucceeded { channel } => json!({
                "event": "pusher_internal:subscription_succeeded",
                "channel": channel.to_string(),
                "data": "{}",
            }),
            Self::SubscriptionError {
                channel,
                status,
                message,
            } => json!({
                "event": "pusher:subscription_error",
                "channel": channel,
                "data": { "type": "AuthError", "error": message, "status": status },
            }),
            Self::Error { code, message } => json!({
                "event": "pusher:error",
                "data": { "code": code.map(|c| c as u16), "message": message },
            }),
            Self::Event {
                channel,
                event,
                data,
            } => json!({ "event": event, "channel": channel.to_string(), "data": data }),
        };
        value.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::TeamId;

    #[test]
    fn a_subscribe_carries_its_channel_auth_and_resume_position() {
        let channel = Channel::Team(TeamId::new());
        let text = json!({
            "event": "pusher:subscribe",
            "data": { "channel": channel.to_string(), "auth": "key:sig", "resume_from": 42 },
        })
        .to_string();
        assert_eq!(
            ClientMessage::parse(&text),
            Ok(ClientMessage::Subscribe {
                channel,
                auth: "key:sig".into(),
                channel_data: None,
                resume_from: Some(Position::new(42)),
            })
        );
    }

    #[test]
    fn data_sent_as_a_json_string_is_read_too() {
        let channel = Channel::Team(TeamId::new());
        let inner = json!({ "channel": channel.to_string() }).to_string();
        let text = json!({ "event": "pusher:unsubscribe", "data": inner }).to_string();
        assert_eq!(
            ClientMessage::parse(&text),
            Ok(ClientMessage::Unsubscribe { channel })
        );
    }

    #[test]
    fn bad_frames_are_refused_with_a_reason() {
        let team = TeamId::new();
        let cases = [
            ("not json", ProtocolError::Malformed),
            (r#"{"data":{}}"#, ProtocolError::Malformed),
            (r#"{"event":"client-typing","data":{}}"#, ProtocolError::ClientEvent),
            (
                r#"{"event":"pusher:signin","data":{}}"#,
                ProtocolError::UnknownEvent("pusher:signin".into()),
            ),
            (
                &json!({"event":"pusher:subscribe","data":{"channel":format!("private-team.{team}.todos")}})
                    .to_string(),
                ProtocolError::MissingAuth,
            ),
            (
                &json!({"event":"pusher:subscribe","data":{"channel":format!("private-team.{team}.todos"),"auth":"k:s","resume_from":-1}})
                    .to_string(),
                ProtocolError::BadResumePosition,
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(ClientMessage::parse(text), Err(expected), "{text}");
        }
        let bad_channel =
            r#"{"event":"pusher:subscribe","data":{"channel":"private-x","auth":"k:s"}}"#;
        assert!(matches!(
            ClientMessage::parse(bad_channel),
            Err(ProtocolError::BadChannel(_))
        ));
    }

    #[test]
    fn the_handshake_carries_the_socket_id_as_a_json_string() {
        let message = ServerMessage::ConnectionEstablished {
            socket_id: SocketId::new(12, 34),
            activity_timeout_secs: 120,
        };
        let value: Value = serde_json::from_str(&message.to_json()).unwrap();
        assert_eq!(value["event"], "pusher:connection_established");
        let data: Value = serde_json::from_str(value["data"].as_str().unwrap()).unwrap();
        assert_eq!(data["socket_id"], "12.34");
        assert_eq!(data["activity_timeout"], 120);
    }

    #[test]
    fn errors_carry_their_protocol_code() {
        let message = ServerMessage::Error {
            code: Some(ErrorCode::FrameTooLarge),
            message: "too large".into(),
        };
        let value: Value = serde_json::from_str(&message.to_json()).unwrap();
        assert_eq!(value["data"]["code"], 4300);
    }
}
