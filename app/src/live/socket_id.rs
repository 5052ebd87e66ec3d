//! A connection's socket id, `<digits>.<digits>` as Pusher makes them. Channel signatures
//! bind to it, so it is parsed strictly: a malformed one is refused, never normalised.

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SocketId {
    high: u32,
    low: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("“{0}” is not a socket id (two numbers joined by a dot)")]
pub struct SocketIdError(pub String);

impl SocketId {
    pub fn new(high: u32, low: u32) -> Self {
        Self { high, low }
    }

    pub fn parse(text: &str) -> Result<Self, SocketIdError> {
        let error = || SocketIdError(text.chars().take(40).collect());
        let (high, low) = text.split_once('.').ok_or_else(error)?;
        let number = |part: &str| {
            let plain = !part.is_empty()
                && part.len() <= 10
                && part.bytes().all(|b| b.is_ascii_digit())
                && (part == "0" || !part.starts_with('0'));
            plain.then(|| part.parse::<u32>().ok()).flatten()
        };
        match (number(high), number(low)) {
            (Some(high), Some(low)) => Ok(Self { high, low }),
            _ => Err(error()),
        }
    }
}

impl fmt::Display for SocketId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.high, self.low)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_socket_id_parses_back_to_itself() {
        let id = SocketId::new(123_456, 7);
        assert_eq!(SocketId::parse(&id.to_string()), Ok(id));
    }

    #[test]
    fn anything_but_two_plain_numbers_is_refused() {
        for bad in [
            "",
            "1",
            "1.",
            ".1",
            "1.2.3",
            "a.1",
            "1.-2",
            "+1.2",
            "01.2",
            " 1.2",
            "1.2 ",
            "99999999999.1",
            "1:2",
        ] {
            assert!(SocketId::parse(bad).is_err(), "{bad:?} should be refused");
        }
    }
}
