//! Fuzzes [`ClientMessage::parse`], which reads every text frame a client sends on the live
//! WebSocket (Pusher protocol 7): the first code that sees a stranger's bytes.
//!
//! Checks, for any UTF-8 input up to 64 KiB:
//! - parsing never panics, and allocates in proportion to its input (`-malloc_limit_mb`);
//! - a refusal's message, which the server sends back in a `pusher:error` or a
//!   `pusher:subscription_error`, stays short whatever the input (an unknown event's name
//!   is cut to 40 characters, a bad channel's to its 164-byte limit);
//! - the channel of a subscribe or an unsubscribe prints as a name that parses back to it;
//! - a parsed message, written back as a frame, parses to the same message, both with `data`
//!   as an object and as a JSON string (as some clients send it).

#![no_main]

use app::live::{Channel, ClientMessage, ProtocolError};
use libfuzzer_sys::fuzz_target;
use serde_json::{Value, json};
use tidings_fuzz::text;

/// The longest refusal message: a 164-byte channel name, or 40 characters of an event name
/// escaped as `Debug` does (at most 10 bytes each), with the words around them.
const MAX_REFUSAL_BYTES: usize = 512;

fuzz_target!(|data: &[u8]| {
    let Some(frame) = text(data) else { return };
    match ClientMessage::parse(frame) {
        Ok(message) => check_parsed(&message),
        Err(error) => check_refused(&error),
    }
});

fn check_parsed(message: &ClientMessage) {
    if let ClientMessage::Subscribe { channel, .. } | ClientMessage::Unsubscribe { channel } =
        message
    {
        let name = channel.to_string();
        assert!(name.len() <= Channel::MAX_LEN);
        assert_eq!(Channel::parse(&name).as_ref(), Ok(channel), "{name}");
    }
    let (event, data) = written_back(message);
    let as_object = json!({ "event": event, "data": data }).to_string();
    assert_eq!(
        ClientMessage::parse(&as_object).as_ref(),
        Ok(message),
        "{as_object}"
    );
    let as_string = json!({ "event": event, "data": data.to_string() }).to_string();
    assert_eq!(
        ClientMessage::parse(&as_string).as_ref(),
        Ok(message),
        "{as_string}"
    );
}

fn check_refused(error: &ProtocolError) {
    let shown = error.to_string();
    assert!(
        shown.len() <= MAX_REFUSAL_BYTES,
        "a refusal of {} bytes: {shown}",
        shown.len()
    );
    if let ProtocolError::UnknownEvent(name) = error {
        assert!(name.chars().count() <= 40, "an unknown event echoed whole");
        assert!(
            !name.starts_with("client-"),
            "a client event taken as unknown"
        );
    }
}

/// The event name and `data` of the frame a client would send for `message`.
fn written_back(message: &ClientMessage) -> (&'static str, Value) {
    match message {
        ClientMessage::Ping => ("pusher:ping", json!({})),
        ClientMessage::Pong => ("pusher:pong", json!({})),
        ClientMessage::Subscribe {
            channel,
            auth,
            channel_data,
            resume_from,
        } => (
            "pusher:subscribe",
            json!({
                "channel": channel.to_string(),
                "auth": auth,
                "channel_data": channel_data,
                "resume_from": resume_from.map(|position| position.get()),
            }),
        ),
        ClientMessage::Unsubscribe { channel } => (
            "pusher:unsubscribe",
            json!({ "channel": channel.to_string() }),
        ),
    }
}
