//! What a person types to have an account: an email address and a password.

use super::ValueError;
use serde::{Deserialize, Serialize};
use std::fmt;

/// An email address, trimmed and lower-cased, so that one address is one account.
///
/// The check is deliberately plain: one `@`, a non-empty local part, a domain with a dot
/// that neither starts nor ends with it, no spaces or control characters, at most 254
/// characters. Whether mail arrives is another matter, which no parser can tell.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

impl Email {
    pub const MAX_CHARS: usize = 254;

    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        let email = raw.trim().to_lowercase();
        if email.is_empty() {
            return Err(ValueError::Required {
                field: "email".into(),
            });
        }
        let actual = email.chars().count();
        if actual > Self::MAX_CHARS {
            return Err(ValueError::TextTooLong {
                field: "email".into(),
                actual,
                max: Self::MAX_CHARS,
            });
        }
        let malformed = || ValueError::MalformedEmail(email.chars().take(60).collect());
        if email.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(malformed());
        }
        let Some((local, domain)) = email.split_once('@') else {
            return Err(malformed());
        };
        let domain_ok = domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..")
            && !domain.contains('@');
        if local.is_empty() || !domain_ok {
            return Err(malformed());
        }
        Ok(Self(email))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Email {
    type Error = ValueError;
    fn try_from(raw: String) -> Result<Self, ValueError> {
        Self::parse(&raw)
    }
}

impl From<Email> for String {
    fn from(email: Email) -> String {
        email.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A password as typed: 8 to 128 characters, kept exactly (no trimming). It is never
/// serialised, and its `Debug` output hides it, so it cannot leak into a log by accident.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl Password {
    pub const MIN_CHARS: usize = 8;
    pub const MAX_CHARS: usize = 128;

    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        let actual = raw.chars().count();
        if actual < Self::MIN_CHARS {
            Err(ValueError::PasswordTooShort {
                min: Self::MIN_CHARS,
            })
        } else if actual > Self::MAX_CHARS {
            Err(ValueError::TextTooLong {
                field: "password".into(),
                actual,
                max: Self::MAX_CHARS,
            })
        } else {
            Ok(Self(raw.to_owned()))
        }
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(…)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_email_is_trimmed_and_lower_cased() {
        assert_eq!(
            Email::parse("  Ada@Example.COM ").unwrap().as_str(),
            "ada@example.com"
        );
    }

    #[test]
    fn addresses_without_a_proper_domain_or_local_part_are_refused() {
        for bad in [
            "ada",
            "@example.com",
            "ada@",
            "ada@localhost",
            "ada@.com",
            "ada@example.",
            "ada@exa..mple.com",
            "a@b@c.com",
            "ada lovelace@example.com",
        ] {
            assert!(
                matches!(Email::parse(bad), Err(ValueError::MalformedEmail(_))),
                "{bad} should be refused"
            );
        }
    }

    #[test]
    fn an_email_of_254_characters_is_accepted_and_255_refused() {
        let at_limit = format!("{}@example.com", "a".repeat(254 - 12));
        assert_eq!(at_limit.len(), 254);
        assert!(Email::parse(&at_limit).is_ok());
        let over = format!("a{at_limit}");
        assert!(matches!(
            Email::parse(&over),
            Err(ValueError::TextTooLong { actual: 255, .. })
        ));
    }

    #[test]
    fn a_password_of_8_characters_is_accepted_and_7_refused() {
        assert!(Password::parse("12345678").is_ok());
        assert_eq!(
            Password::parse("1234567"),
            Err(ValueError::PasswordTooShort { min: 8 })
        );
    }

    #[test]
    fn a_password_of_128_characters_is_accepted_and_129_refused() {
        assert!(Password::parse(&"p".repeat(128)).is_ok());
        assert!(matches!(
            Password::parse(&"p".repeat(129)),
            Err(ValueError::TextTooLong { actual: 129, .. })
        ));
    }

    #[test]
    fn a_password_is_kept_exactly_and_hidden_from_debug_output() {
        let password = Password::parse("  spaced out  ").unwrap();
        assert_eq!(password.expose(), "  spaced out  ");
        assert_eq!(format!("{password:?}"), "Password(…)");
    }
}
