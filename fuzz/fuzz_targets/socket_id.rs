//! Fuzzes [`SocketId::parse`], which reads the socket id of every `/broadcasting/auth`
//! request; channel signatures bind to it.
//!
//! Checks, for any UTF-8 input:
//! - a socket id that parses is its own printed form, byte for byte (no leading zeros, signs
//!   or spaces: a second spelling of one id would be a second signature for it);
//! - a refused input is echoed in the error as at most its first 40 characters;
//! - a socket id built from the input's first eight bytes prints as text that parses back
//!   to it.

#![no_main]

use app::live::SocketId;
use libfuzzer_sys::fuzz_target;
use tidings_fuzz::text;

fuzz_target!(|data: &[u8]| {
    check_built_socket_id(data);
    let Some(input) = text(data) else { return };
    match SocketId::parse(input) {
        Ok(id) => {
            assert_eq!(id.to_string(), input, "a second spelling was accepted");
            assert_eq!(SocketId::parse(&id.to_string()), Ok(id));
        }
        Err(error) => {
            assert!(error.0.chars().count() <= 40, "the echo is unbounded");
            assert!(
                input.starts_with(&error.0),
                "the echo is not the input's start"
            );
        }
    }
});

fn check_built_socket_id(data: &[u8]) {
    let mut bytes = [0u8; 8];
    let n = data.len().min(8);
    bytes[..n].copy_from_slice(&data[..n]);
    let high = u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]);
    let low = u32::from_le_bytes([bytes[4], bytes[5], bytes[6], bytes[7]]);
    let id = SocketId::new(high, low);
    assert_eq!(id.to_string(), format!("{high}.{low}"));
    assert_eq!(SocketId::parse(&id.to_string()), Ok(id));
}
