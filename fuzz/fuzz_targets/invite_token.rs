//! Fuzzes the invite link's parsers: [`InviteToken::parse`], which reads the token of every
//! invite link followed, and [`TokenHash::parse`] (and its `Deserialize`), which reads the
//! hash kept in the log.
//!
//! Checks, for any UTF-8 input:
//! - a token that parses is the trimmed input, 43 characters of URL-safe base64; it parses
//!   back equal, and its `Debug` output does not show it;
//! - a hash that parses is the input itself, 64 lower-case hex digits; it survives JSON, and
//!   deserialising the input as a JSON string agrees with parsing it.

#![no_main]

use app::domain::team::{InviteToken, TokenError, TokenHash};
use libfuzzer_sys::fuzz_target;
use tidings_fuzz::text;

fuzz_target!(|data: &[u8]| {
    let Some(input) = text(data) else { return };
    check_token(input);
    check_hash(input);
});

fn check_token(input: &str) {
    let url_safe = |b: u8| b.is_ascii_alphanumeric() || b == b'-' || b == b'_';
    match InviteToken::parse(input) {
        Ok(token) => {
            assert_eq!(token.as_str(), input.trim());
            assert_eq!(token.as_str().len(), InviteToken::LEN);
            assert!(token.as_str().bytes().all(url_safe));
            assert!(InviteToken::parse(token.as_str()) == Ok(token.clone()));
            assert!(
                !format!("{token:?}").contains(token.as_str()),
                "Debug shows it"
            );
        }
        Err(error) => {
            assert_eq!(error, TokenError::MalformedToken);
            let trimmed = input.trim();
            assert!(trimmed.len() != InviteToken::LEN || !trimmed.bytes().all(url_safe));
        }
    }
}

fn check_hash(input: &str) {
    let parsed = TokenHash::parse(input);
    let json = serde_json::to_string(input).expect("a string encodes");
    let deserialised = serde_json::from_str::<TokenHash>(&json);
    assert_eq!(parsed.is_ok(), deserialised.is_ok(), "{json}");
    match parsed {
        Ok(hash) => {
            assert_eq!(hash.as_str(), input);
            assert_eq!(deserialised.ok().as_ref(), Some(&hash));
            let encoded = serde_json::to_string(&hash).expect("a hash encodes");
            assert_eq!(serde_json::from_str::<TokenHash>(&encoded).ok(), Some(hash));
        }
        Err(error) => assert_eq!(error, TokenError::MalformedHash),
    }
}
