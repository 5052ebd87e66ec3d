//! What the fuzz targets share: the bound on an input, and how bytes become text.
//!
//! Every target reads at most [`MAX_INPUT_BYTES`]: more than the live socket's frame limit
//! (10 KB) and the transport's (40 KB), so the limits themselves are exercised, but bounded, so
//! that libFuzzer's `-malloc_limit_mb` catches an allocation out of proportion to its input
//! rather than one that merely copies a huge input.

/// The largest input a target reads; larger ones are skipped. `scripts/fuzz` also passes it
/// to libFuzzer as `-max_len`.
pub const MAX_INPUT_BYTES: usize = 64 * 1024;

/// The input as text, when it is UTF-8 and within [`MAX_INPUT_BYTES`]. The parsers under test
/// take `&str` (axum hands the socket's text frames over as UTF-8), so other bytes are skipped.
#[doc(hidden)]
pub use serde_json;

/// The error both event types decode with.
pub use app::domain::todo::DecodeError;

pub fn text(data: &[u8]) -> Option<&str> {
    if data.len() > MAX_INPUT_BYTES {
        return None;
    }
    std::str::from_utf8(data).ok()
}

/// A UUID with the version nibble set to 7 from the first 16 bytes of `data` (zeros if it is
/// shorter), for targets that build ids as well as parse them.
pub fn uuid_v7(data: &[u8]) -> uuid::Uuid {
    let mut bytes = [0u8; 16];
    let n = data.len().min(16);
    bytes[..n].copy_from_slice(&data[..n]);
    bytes[6] = (bytes[6] & 0x0f) | 0x70;
    uuid::Uuid::from_bytes(bytes)
}

/// A stored event as a fuzz input: `<event type>\n<schema version>\n<payload JSON>`, the
/// three columns the log keeps. Readable, so seeds are real payloads that libFuzzer mutates.
pub struct StoredEvent<'a> {
    pub event_type: &'a str,
    pub schema_version: u16,
    pub payload: serde_json::Value,
}

impl<'a> StoredEvent<'a> {
    /// Splits an input into the three columns; `None` when it lacks one, when the version is
    /// not a `u16`, or when the payload is not JSON (the log's payload column always is).
    pub fn read(data: &'a [u8]) -> Option<Self> {
        let input = text(data)?;
        let mut columns = input.splitn(3, '\n');
        let event_type = columns.next()?;
        let schema_version = columns.next()?.parse().ok()?;
        let payload = serde_json::from_str(columns.next()?).ok()?;
        Some(Self {
            event_type,
            schema_version,
            payload,
        })
    }
}

/// The properties every event type's decoding must have, checked on one fuzz input: an
/// unknown type or schema version refused as such, and a decoded event re-encoded and
/// decoded again equal, with the same payload.
#[macro_export]
macro_rules! check_event_decoding {
    ($event:ident, $data:expr) => {{
        let data: &[u8] = $data;
        let Some(stored) = $crate::StoredEvent::read(data) else {
            return;
        };
        let known = $event::TYPES.contains(&stored.event_type);
        let current = stored.schema_version == $event::SCHEMA_VERSION;
        match $event::decode(stored.event_type, stored.schema_version, &stored.payload) {
            Ok(event) => {
                assert!(known && current);
                assert_eq!(event.event_type(), stored.event_type);
                let payload = event.payload();
                let text = payload.to_string();
                let reread = $crate::serde_json::from_str(&text).expect("a payload is JSON");
                let again = $event::decode(event.event_type(), $event::SCHEMA_VERSION, &reread)
                    .unwrap_or_else(|error| panic!("{text} does not decode again: {error}"));
                assert_eq!(again, event, "{text}");
                assert_eq!(again.payload(), payload);
            }
            Err($crate::DecodeError::UnknownType(name)) => {
                assert!(!known);
                assert_eq!(name, stored.event_type);
            }
            Err($crate::DecodeError::UnknownSchema { schema_version, .. }) => {
                assert!(known && !current);
                assert_eq!(schema_version, stored.schema_version);
            }
            Err($crate::DecodeError::Payload { event_type, .. }) => {
                assert!(known && current);
                assert_eq!(event_type, stored.event_type);
            }
        }
    }};
}