//! Fuzzes the parsers of the values a person types, which every form and server function
//! runs on its input: [`TodoTitle`], [`Description`], [`InternalNotes`], [`TeamName`],
//! [`DisplayName`], [`Email`] and [`Password`].
//!
//! Input: one selector byte (`'0'` to `'6'`, in that order; others wrap around), then the
//! text. Checks, for each parser:
//! - an input over the limit (in characters, after trimming) is refused;
//! - a value that parses keeps to its rules (length, control characters, trimming, an email
//!   lower-cased with one `@`, a password kept exactly and hidden from `Debug`);
//! - parsing is idempotent: a value parses from its own text to itself;
//! - a value survives JSON, and deserialising the input as a JSON string agrees with parsing
//!   it (the log and the server functions read values through serde);
//! - a refusal names the right field and its message stays short.

#![no_main]

use app::domain::{
    Description, DisplayName, Email, InternalNotes, Password, TeamName, TodoTitle, ValueError,
};
use libfuzzer_sys::fuzz_target;
use serde::{Serialize, de::DeserializeOwned};
use std::fmt::Debug;
use tidings_fuzz::text;

/// The longest refusal message: an email echoed as at most 60 characters, with words.
const MAX_REFUSAL_BYTES: usize = 512;

/// What each text rule allows besides ordinary characters.
#[derive(Clone, Copy)]
enum Rule {
    /// One line: not empty, no control characters.
    Line,
    /// Free text: may be empty; line breaks and tabs are the only control characters.
    Text,
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let Some(raw) = text(rest) else { return };
    match selector.wrapping_sub(b'0') % 7 {
        0 => check_text(
            raw,
            TodoTitle::parse,
            TodoTitle::as_str,
            TodoTitle::MAX_CHARS,
            Rule::Line,
            "title",
        ),
        1 => check_text(
            raw,
            Description::parse,
            Description::as_str,
            Description::MAX_CHARS,
            Rule::Text,
            "description",
        ),
        2 => check_text(
            raw,
            InternalNotes::parse,
            InternalNotes::as_str,
            InternalNotes::MAX_CHARS,
            Rule::Text,
            "internal notes",
        ),
        3 => check_text(
            raw,
            TeamName::parse,
            TeamName::as_str,
            TeamName::MAX_CHARS,
            Rule::Line,
            "team name",
        ),
        4 => check_text(
            raw,
            DisplayName::parse,
            DisplayName::as_str,
            DisplayName::MAX_CHARS,
            Rule::Line,
            "display name",
        ),
        5 => check_email(raw),
        _ => check_password(raw),
    }
});

/// The checks every trimmed text value shares.
fn check_text<T>(
    raw: &str,
    parse: fn(&str) -> Result<T, ValueError>,
    as_str: fn(&T) -> &str,
    max_chars: usize,
    rule: Rule,
    field: &str,
) where
    T: Debug + PartialEq + Serialize + DeserializeOwned,
{
    let parsed = parse(raw);
    check_serde(raw, &parsed);
    let trimmed = raw.trim();
    if trimmed.chars().count() > max_chars {
        assert!(
            parsed.is_err(),
            "{} characters accepted",
            trimmed.chars().count()
        );
    }
    match parsed {
        Ok(value) => {
            let kept = as_str(&value);
            assert_eq!(kept, trimmed);
            assert!(kept.chars().count() <= max_chars);
            match rule {
                Rule::Line => {
                    assert!(!kept.is_empty());
                    assert!(!kept.chars().any(char::is_control));
                }
                Rule::Text => assert!(
                    !kept
                        .chars()
                        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
                ),
            }
            assert_eq!(parse(kept).as_ref(), Ok(&value), "not idempotent");
        }
        Err(error) => check_refusal(&error, field),
    }
}

fn check_email(raw: &str) {
    let parsed = Email::parse(raw);
    check_serde(raw, &parsed);
    let expected = raw.trim().to_lowercase();
    if expected.chars().count() > Email::MAX_CHARS {
        assert!(parsed.is_err());
    }
    match parsed {
        Ok(email) => {
            let kept = email.as_str();
            assert_eq!(kept, expected);
            assert_eq!(kept.to_lowercase(), kept, "lower-casing is not idempotent");
            assert!(kept.chars().count() <= Email::MAX_CHARS);
            assert!(!kept.chars().any(|c| c.is_whitespace() || c.is_control()));
            assert_eq!(kept.matches('@').count(), 1);
            assert_eq!(Email::parse(kept).as_ref(), Ok(&email), "not idempotent");
        }
        Err(error) => check_refusal(&error, "email"),
    }
}

fn check_password(raw: &str) {
    let chars = raw.chars().count();
    match Password::parse(raw) {
        Ok(password) => {
            assert_eq!(password.expose(), raw, "a password was changed");
            assert!((Password::MIN_CHARS..=Password::MAX_CHARS).contains(&chars));
            assert_eq!(format!("{password:?}"), "Password(…)");
            assert!(Password::parse(password.expose()) == Ok(password.clone()));
        }
        Err(error) => {
            assert!(!(Password::MIN_CHARS..=Password::MAX_CHARS).contains(&chars));
            check_refusal(&error, "password");
        }
    }
}

/// The value survives JSON, and reading the raw input through serde agrees with `parse`.
fn check_serde<T>(raw: &str, parsed: &Result<T, ValueError>)
where
    T: Debug + PartialEq + Serialize + DeserializeOwned,
{
    let json = serde_json::to_string(raw).expect("a string encodes");
    let deserialised = serde_json::from_str::<T>(&json);
    assert_eq!(parsed.as_ref().ok(), deserialised.as_ref().ok(), "{json}");
    if let Ok(value) = parsed {
        let encoded = serde_json::to_string(value).expect("a value encodes");
        let decoded = serde_json::from_str::<T>(&encoded).expect("a value decodes");
        assert_eq!(&decoded, value, "{encoded}");
    }
}

fn check_refusal(error: &ValueError, field: &str) {
    assert_eq!(error.field(), field, "{error:?}");
    let shown = error.to_string();
    assert!(
        shown.len() <= MAX_REFUSAL_BYTES,
        "{} bytes: {shown}",
        shown.len()
    );
}
