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
