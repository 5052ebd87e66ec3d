//! The values the read models' statements bind, as the tables store them: ids and times as
//! text, numbers as integers. Times are RFC 3339 text in UTC with milliseconds, like the
//! log's, so they sort. Both ways of writing rows bind these: the projector's sqlx
//! statements and the bulk load's statements on the raw handle ([`raw`](super::raw)).

use chrono::{DateTime, SecondsFormat, Utc};
use uuid::Uuid;

/// One statement parameter's value.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Value<'a> {
    Int(i64),
    Text(&'a str),
    /// Stored as its hyphenated lower-case text.
    Id(Uuid),
    /// Stored as [`time_text`].
    Time(DateTime<Utc>),
    Null,
}

impl Value<'_> {
    /// A position, version or count. SQLite integers are signed; none comes near 2^63.
    pub(crate) fn int(value: u64) -> Self {
        Self::Int(i64::try_from(value).unwrap_or(i64::MAX))
    }

    pub(crate) fn id(id: impl Into<Uuid>) -> Self {
        Self::Id(id.into())
    }

    pub(crate) fn id_or_null(id: Option<impl Into<Uuid>>) -> Self {
        id.map_or(Self::Null, Self::id)
    }
}

pub(crate) fn time_text(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}
