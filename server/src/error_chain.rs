//! An error with its causes, for logs: `outer: cause: root cause`, as zero2prod's
//! `error_chain_fmt` writes them, so that a failure logged once keeps what it came from. A
//! cause that an error's own message already quotes (as many of sqlx's do) is not repeated.

use std::fmt;

/// Displays `error` and each of its sources in turn.
pub fn error_chain<'a>(error: &'a (dyn std::error::Error + 'static)) -> ErrorChain<'a> {
    ErrorChain(error)
}

pub struct ErrorChain<'a>(&'a (dyn std::error::Error + 'static));

impl fmt::Display for ErrorChain<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut written = self.0.to_string();
        let mut cause = self.0.source();
        while let Some(error) = cause {
            let text = error.to_string();
            if !written.contains(&text) {
                written = format!("{written}: {text}");
            }
            cause = error.source();
        }
        f.write_str(&written)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("the read models' database failed")]
    struct Outer(#[source] std::io::Error);

    #[derive(Debug, thiserror::Error)]
    #[error("cannot connect: {0}")]
    struct Quoting(#[source] std::io::Error);

    #[test]
    fn a_cause_the_message_already_quotes_is_not_repeated() {
        let error = Outer(std::io::Error::other(Quoting(std::io::Error::other(
            "refused",
        ))));
        assert_eq!(
            error_chain(&error).to_string(),
            "the read models' database failed: cannot connect: refused"
        );
    }

    #[test]
    fn a_chain_names_the_error_and_every_cause() {
        let error = Outer(std::io::Error::other("connection refused"));
        assert_eq!(
            error_chain(&error).to_string(),
            "the read models' database failed: connection refused"
        );
    }
}
