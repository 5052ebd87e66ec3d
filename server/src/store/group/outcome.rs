//! A group's plan turned into what the writer writes (the accepted appends) and what its
//! callers hear (each append's answer, and the head the group reached).

use super::encode::EncodedAppend;
use super::plan::Fate;
use crate::store::{AppendError, AppendOutcome, Committed, StoreError};
use app::domain::Position;

/// An append that the plan accepted, where it goes, and the event its first one follows.
pub(in crate::store) type Accepted<'a> = (&'a EncodedAppend, Committed, Option<Position>);

/// The appends the plan accepted, with where each goes.
pub(in crate::store) fn accepted<'a>(
    group: &[&'a EncodedAppend],
    fates: &[Fate],
) -> Vec<Accepted<'a>> {
    group
        .iter()
        .zip(fates)
        .filter_map(|(append, fate)| match fate {
            Fate::Accepted { committed, follows } => Some((*append, *committed, *follows)),
            _ => None,
        })
        .collect()
}

/// The head after a group: its last accepted position, if it accepted any.
pub(in crate::store) fn new_head(results: &[Result<Fate, StoreError>]) -> Option<Position> {
    results
        .iter()
        .filter_map(|result| match result {
            Ok(Fate::Accepted { committed, .. }) => Some(committed.last_position),
            _ => None,
        })
        .max()
}

/// What the caller of `append` hears.
pub(in crate::store) fn answer(
    append: &EncodedAppend,
    result: Result<Fate, StoreError>,
) -> Result<AppendOutcome, AppendError> {
    match result? {
        Fate::Accepted { committed, .. } => Ok(AppendOutcome {
            committed,
            duplicate: false,
        }),
        Fate::Duplicate(committed) => Ok(AppendOutcome {
            committed,
            duplicate: true,
        }),
        Fate::Conflict { actual } => Err(AppendError::Conflict {
            stream: append.stream.clone(),
            expected: append.expected_version,
            actual,
        }),
    }
}
