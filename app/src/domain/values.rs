//! Values a person types. Each exists only when valid: parse, don't validate.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Why a typed value was refused. The messages are shown to people as they are.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum ValueError {
    #[error("The title must not be empty.")]
    EmptyTitle,
    #[error("The title is {actual} characters long; at most {max} are allowed.")]
    TitleTooLong { actual: usize, max: usize },
    #[error("The title must not contain control characters such as tabs or line breaks.")]
    ControlCharacterInTitle,
    #[error("The {field} is {actual} characters long; at most {max} are allowed.")]
    TextTooLong {
        field: String,
        actual: usize,
        max: usize,
    },
    #[error("The {field} must not contain control characters other than line breaks and tabs.")]
    ControlCharacterInText { field: String },
    #[error("The {field} must not be empty.")]
    Required { field: String },
    #[error("The {field} must not contain control characters such as tabs or line breaks.")]
    ControlCharacterInLine { field: String },
    #[error("“{0}” is not an email address.")]
    MalformedEmail(String),
    #[error("The password must be at least {min} characters long.")]
    PasswordTooShort { min: usize },
}

impl ValueError {
    /// The form field the error is about.
    pub fn field(&self) -> &str {
        match self {
            Self::EmptyTitle | Self::TitleTooLong { .. } | Self::ControlCharacterInTitle => "title",
            Self::TextTooLong { field, .. }
            | Self::ControlCharacterInText { field }
            | Self::Required { field }
            | Self::ControlCharacterInLine { field } => field,
            Self::MalformedEmail(_) => "email",
            Self::PasswordTooShort { .. } => "password",
        }
    }
}

/// A todo's title: 1 to 200 characters after trimming, with no control characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TodoTitle(String);

impl TodoTitle {
    pub const MAX_CHARS: usize = 200;

    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        let trimmed = raw.trim();
        let actual = trimmed.chars().count();
        if actual == 0 {
            Err(ValueError::EmptyTitle)
        } else if actual > Self::MAX_CHARS {
            Err(ValueError::TitleTooLong {
                actual,
                max: Self::MAX_CHARS,
            })
        } else if trimmed.chars().any(char::is_control) {
            Err(ValueError::ControlCharacterInTitle)
        } else {
            Ok(Self(trimmed.to_owned()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// One line of text, such as a name: 1 to `max` characters after trimming, no control
/// characters.
pub(crate) fn parse_line(raw: &str, field: &str, max: usize) -> Result<String, ValueError> {
    let trimmed = raw.trim();
    let actual = trimmed.chars().count();
    if actual == 0 {
        Err(ValueError::Required {
            field: field.to_owned(),
        })
    } else if actual > max {
        Err(ValueError::TextTooLong {
            field: field.to_owned(),
            actual,
            max,
        })
    } else if trimmed.chars().any(char::is_control) {
        Err(ValueError::ControlCharacterInLine {
            field: field.to_owned(),
        })
    } else {
        Ok(trimmed.to_owned())
    }
}

/// Free text of bounded length: line breaks and tabs are allowed, other control characters
/// are not. Trailing and leading white space is trimmed; an empty text is allowed.
fn parse_text(raw: &str, field: &str, max: usize) -> Result<String, ValueError> {
    let trimmed = raw.trim();
    let actual = trimmed.chars().count();
    if actual > max {
        return Err(ValueError::TextTooLong {
            field: field.to_owned(),
            actual,
            max,
        });
    }
    if trimmed
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err(ValueError::ControlCharacterInText {
            field: field.to_owned(),
        });
    }
    Ok(trimmed.to_owned())
}

/// What a todo is about, for everyone in its team: at most 5,000 characters.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Description(String);

impl Description {
    pub const MAX_CHARS: usize = 5_000;

    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        parse_text(raw, "description", Self::MAX_CHARS).map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A todo's internal notes: a separate field that is never broadcast, at most 5,000 characters.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct InternalNotes(String);

impl InternalNotes {
    pub const MAX_CHARS: usize = 5_000;

    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        parse_text(raw, "internal notes", Self::MAX_CHARS).map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A team's name: 1 to 80 characters after trimming, with no control characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TeamName(String);

impl TeamName {
    pub const MAX_CHARS: usize = 80;

    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        parse_line(raw, "team name", Self::MAX_CHARS).map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// How a person is shown to their teams: 1 to 80 characters, with no control characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct DisplayName(String);

impl DisplayName {
    pub const MAX_CHARS: usize = 80;

    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        parse_line(raw, "display name", Self::MAX_CHARS).map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

macro_rules! string_value_conversions {
    ($($name:ident),*) => {$(
        impl TryFrom<String> for $name {
            type Error = ValueError;
            fn try_from(raw: String) -> Result<Self, ValueError> {
                Self::parse(&raw)
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> String {
                value.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    )*};
}

string_value_conversions!(TodoTitle, Description, InternalNotes, TeamName, DisplayName);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_team_name_of_exactly_80_characters_is_accepted_and_81_refused() {
        assert!(TeamName::parse(&"t".repeat(80)).is_ok());
        assert!(matches!(
            TeamName::parse(&"t".repeat(81)),
            Err(ValueError::TextTooLong {
                actual: 81,
                max: 80,
                ..
            })
        ));
    }

    #[test]
    fn a_blank_or_multi_line_display_name_is_refused() {
        assert_eq!(
            DisplayName::parse("  "),
            Err(ValueError::Required {
                field: "display name".into()
            })
        );
        assert_eq!(
            DisplayName::parse("Ada\nLovelace"),
            Err(ValueError::ControlCharacterInLine {
                field: "display name".into()
            })
        );
        assert_eq!(DisplayName::parse(" Ada ").unwrap().as_str(), "Ada");
    }

    #[test]
    fn a_title_is_trimmed() {
        assert_eq!(
            TodoTitle::parse("  Buy milk \n").unwrap().as_str(),
            "Buy milk"
        );
    }

    #[test]
    fn an_empty_or_blank_title_is_refused() {
        assert_eq!(TodoTitle::parse(""), Err(ValueError::EmptyTitle));
        assert_eq!(TodoTitle::parse(" \t "), Err(ValueError::EmptyTitle));
    }

    #[test]
    fn a_title_of_exactly_200_characters_is_accepted_and_201_refused() {
        assert!(TodoTitle::parse(&"é".repeat(200)).is_ok());
        assert_eq!(
            TodoTitle::parse(&"é".repeat(201)),
            Err(ValueError::TitleTooLong {
                actual: 201,
                max: 200
            })
        );
    }

    #[test]
    fn a_title_with_an_inner_control_character_is_refused() {
        assert_eq!(
            TodoTitle::parse("Buy\u{7}milk"),
            Err(ValueError::ControlCharacterInTitle)
        );
        assert_eq!(
            TodoTitle::parse("two\nlines"),
            Err(ValueError::ControlCharacterInTitle)
        );
    }

    #[test]
    fn a_description_of_exactly_5000_characters_is_accepted_and_5001_refused() {
        assert!(Description::parse(&"a".repeat(5_000)).is_ok());
        assert!(matches!(
            Description::parse(&"a".repeat(5_001)),
            Err(ValueError::TextTooLong { actual: 5_001, .. })
        ));
    }

    #[test]
    fn a_description_keeps_line_breaks_but_refuses_other_control_characters() {
        assert_eq!(
            Description::parse("one\ntwo\tthree").unwrap().as_str(),
            "one\ntwo\tthree"
        );
        assert!(matches!(
            Description::parse("bell\u{7}"),
            Err(ValueError::ControlCharacterInText { .. })
        ));
    }

    #[test]
    fn internal_notes_are_bounded_like_a_description() {
        assert!(InternalNotes::parse(&"n".repeat(5_000)).is_ok());
        assert!(InternalNotes::parse(&"n".repeat(5_001)).is_err());
    }

    #[test]
    fn values_refuse_invalid_json_too() {
        assert!(serde_json::from_str::<TodoTitle>("\"   \"").is_err());
    }
}
