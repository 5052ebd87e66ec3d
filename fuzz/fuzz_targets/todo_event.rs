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

use app::domain::todo::TodoEvent;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    tidings_fuzz::check_event_decoding!(TodoEvent, data);
});
