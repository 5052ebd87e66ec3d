//! Which of two loads of a page's data an island shows. An island loads its data again after
//! each change (a broadcast, or an answer that no broadcast follows); those loads run side by
//! side and may answer out of order, so an answer from no later in the log than what is on
//! screen is dropped. A load that fails replaces what is shown: its error says why.

use crate::{
    api::{AppError, TeamMembers, TodoDetail},
    domain::Position,
};
use leptos::prelude::*;
use std::future::Future;

/// Data read as of a position in the log.
pub trait AtPosition {
    fn position(&self) -> Position;
}

impl AtPosition for TodoDetail {
    fn position(&self) -> Position {
        self.position
    }
}

impl AtPosition for TeamMembers {
    fn position(&self) -> Position {
        self.position
    }
}

/// What is shown once `fresh` answers while `shown` is on screen.
pub fn keep_latest<T: AtPosition>(shown: &mut Result<T, AppError>, fresh: Result<T, AppError>) {
    if let (Ok(fresh), Ok(old)) = (&fresh, &*shown)
        && fresh.position() <= old.position()
    {
        return;
    }
    *shown = fresh;
}

/// Runs `load` (in the browser) and shows its answer in `shown`, as [`keep_latest`] decides.
pub fn load_latest<T>(
    shown: RwSignal<Result<T, AppError>>,
    load: impl Future<Output = Result<T, AppError>> + 'static,
) where
    T: AtPosition + Send + Sync + 'static,
{
    leptos::task::spawn_local(async move {
        let fresh = load.await;
        shown.try_update(|shown| keep_latest(shown, fresh));
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    struct At(u64);

    impl AtPosition for At {
        fn position(&self) -> Position {
            Position::new(self.0)
        }
    }

    fn shown_after(
        shown: Result<At, AppError>,
        fresh: Result<At, AppError>,
    ) -> Result<u64, AppError> {
        let mut shown = shown;
        keep_latest(&mut shown, fresh);
        shown.map(|at| at.0)
    }

    #[test]
    fn a_later_answer_replaces_what_is_shown() {
        assert_eq!(shown_after(Ok(At(7)), Ok(At(9))), Ok(9));
    }

    #[test]
    fn an_answer_from_no_later_in_the_log_is_dropped() {
        assert_eq!(shown_after(Ok(At(9)), Ok(At(7))), Ok(9));
        assert_eq!(shown_after(Ok(At(9)), Ok(At(9))), Ok(9));
    }

    #[test]
    fn a_failed_load_shows_its_error_and_a_load_after_it_shows_the_data_again() {
        assert_eq!(
            shown_after(Ok(At(9)), Err(AppError::Unauthenticated)),
            Err(AppError::Unauthenticated)
        );
        assert_eq!(
            shown_after(Err(AppError::Unauthenticated), Ok(At(3))),
            Ok(3)
        );
    }
}
