//! Fuzzes [`TodoEvent::decode`], which reads every todo event back from the log (for the
//! aggregates, the projections and the live replay), so a bad row must be an error, not a
//! panic.
//!
//! Input: `<event type>\n<schema version>\n<payload JSON>` (see `StoredEvent`). Checks:
//! - an unknown type, and a known type at another schema version, are refused as such;
//! - an event that decodes has the type it was decoded from, and its own encoding (its
//!   payload, through JSON text as the log stores it) decodes to the same event;
//! - re-encoding is stable: the decoded event's payload is the payload of its re-decoding.

#![no_main]

use app::domain::todo::{DecodeError, TodoEvent};
use libfuzzer_sys::fuzz_target;
use tidings_fuzz::StoredEvent;

fuzz_target!(|data: &[u8]| {
    let Some(stored) = StoredEvent::read(data) else {
        return;
    };
    let known = TodoEvent::TYPES.contains(&stored.event_type);
    let current = stored.schema_version == TodoEvent::SCHEMA_VERSION;
    match TodoEvent::decode(stored.event_type, stored.schema_version, stored.payload) {
        Ok(event) => {
            assert!(known && current);
            assert_eq!(event.event_type(), stored.event_type);
            let payload = event.payload();
            let text = payload.to_string();
            let reread = serde_json::from_str(&text).expect("a payload is JSON");
            let again = TodoEvent::decode(event.event_type(), TodoEvent::SCHEMA_VERSION, reread)
                .unwrap_or_else(|error| panic!("{text} does not decode again: {error}"));
            assert_eq!(again, event, "{text}");
            assert_eq!(again.payload(), payload);
        }
        Err(DecodeError::UnknownType(name)) => {
            assert!(!known);
            assert_eq!(name, stored.event_type);
        }
        Err(DecodeError::UnknownSchema { schema_version, .. }) => {
            assert!(known && !current);
            assert_eq!(schema_version, stored.schema_version);
        }
        Err(DecodeError::Payload { event_type, .. }) => {
            assert!(known && current);
            assert_eq!(event_type, stored.event_type);
        }
    }
});
