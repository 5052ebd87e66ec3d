//! A frame of a fixed size whose first [`TIME_DIGITS`] bytes are its send time, in
//! microseconds since the Unix epoch, zero-padded; the rest is spaces.

use super::FloorError;

pub const TIME_DIGITS: usize = 20;

pub fn encode(sent_micros: u64, frame_bytes: usize) -> Vec<u8> {
    let mut frame = format!("{sent_micros:0TIME_DIGITS$}").into_bytes();
    frame.resize(frame_bytes, b' ');
    frame
}

/// The send time at the start of `frame`.
pub fn sent_micros(frame: &[u8]) -> Result<u64, FloorError> {
    let malformed = || FloorError::Frame(String::from_utf8_lossy(frame).chars().take(40).collect());
    let digits = frame.get(..TIME_DIGITS).ok_or_else(malformed)?;
    std::str::from_utf8(digits)
        .ok()
        .and_then(|text| text.parse().ok())
        .ok_or_else(malformed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_frame_carries_its_send_time_and_has_the_size_asked_for() {
        let frame = encode(1_764_300_000_123_456, 400);
        assert_eq!(frame.len(), 400);
        assert_eq!(sent_micros(&frame).unwrap(), 1_764_300_000_123_456);
        assert_eq!(encode(7, TIME_DIGITS), b"00000000000000000007");
    }

    #[test]
    fn a_frame_without_a_send_time_is_an_error() {
        assert!(matches!(
            sent_micros(b"0000000000"),
            Err(FloorError::Frame(_))
        ));
        assert!(matches!(
            sent_micros(&[b'x'; TIME_DIGITS]),
            Err(FloorError::Frame(_))
        ));
    }
}
