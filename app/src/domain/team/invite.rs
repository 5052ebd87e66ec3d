//! Invite links. The link carries a random token; the log keeps only the token's hash, so
//! that reading the log (or a backup of it) never lets anyone in.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Why a string is not an invite token or a token hash.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("This invite link is malformed; ask for a new one.")]
    MalformedToken,
    #[error("a token hash is 64 lower-case hex digits")]
    MalformedHash,
}

/// The secret part of an invite link: 32 random bytes, in unpadded URL-safe base64
/// (43 characters). The server makes them; here they are only parsed.
#[derive(Clone, PartialEq, Eq)]
pub struct InviteToken(String);

impl InviteToken {
    pub const LEN: usize = 43;

    pub fn parse(text: &str) -> Result<Self, TokenError> {
        let text = text.trim();
        let alphabet = |b: u8| b.is_ascii_alphanumeric() || b == b'-' || b == b'_';
        if text.len() == Self::LEN && text.bytes().all(alphabet) {
            Ok(Self(text.to_owned()))
        } else {
            Err(TokenError::MalformedToken)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for InviteToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("InviteToken(…)")
    }
}

/// The SHA-256 of an invite token, in lower-case hex: what the log and the read models keep.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TokenHash(String);

impl TokenHash {
    pub fn parse(text: &str) -> Result<Self, TokenError> {
        let hex = |b: u8| b.is_ascii_digit() || (b'a'..=b'f').contains(&b);
        if text.len() == 64 && text.bytes().all(hex) {
            Ok(Self(text.to_owned()))
        } else {
            Err(TokenError::MalformedHash)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for TokenHash {
    type Error = TokenError;
    fn try_from(text: String) -> Result<Self, TokenError> {
        Self::parse(&text)
    }
}

impl From<TokenHash> for String {
    fn from(hash: TokenHash) -> String {
        hash.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_is_43_url_safe_characters() {
        let token = "A".repeat(42) + "_";
        assert!(InviteToken::parse(&token).is_ok());
        assert_eq!(
            InviteToken::parse(&"A".repeat(42)),
            Err(TokenError::MalformedToken)
        );
        assert_eq!(
            InviteToken::parse(&"A".repeat(44)),
            Err(TokenError::MalformedToken)
        );
        assert_eq!(
            InviteToken::parse(&("A".repeat(42) + "=")),
            Err(TokenError::MalformedToken)
        );
    }

    #[test]
    fn a_token_hash_is_64_lower_case_hex_digits() {
        assert!(TokenHash::parse(&"ab".repeat(32)).is_ok());
        assert!(TokenHash::parse(&"AB".repeat(32)).is_err());
        assert!(TokenHash::parse(&"ab".repeat(31)).is_err());
    }
}
