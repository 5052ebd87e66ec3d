//! A [`BulkLoad`] that writes each update on a task of its own and answers at once, so the
//! caller folds the next page while this one is written: the fold runs on the caller's
//! thread, the write mostly on SQLite's connection thread or in PostgreSQL.
//!
//! At most one write is in flight. Every other call waits for it first, so reads see what was
//! written before them and writes land in order; a write that failed fails the call after it.

use crate::projection::{BulkLoad, ProjectionError, TodoRow, Update};
use app::domain::TodoId;
use async_trait::async_trait;
use std::collections::HashMap;
use tokio::task::JoinHandle;

type Written = (Box<dyn BulkLoad>, Result<(), ProjectionError>);

pub(super) struct WriteBehind {
    state: State,
}

enum State {
    Idle(Box<dyn BulkLoad>),
    Writing(JoinHandle<Written>),
    /// Only while a call moves from one state to the other (for ever if it is cancelled
    /// then, as the whole load is).
    Moving,
}

impl WriteBehind {
    pub(super) fn new(inner: Box<dyn BulkLoad>) -> Self {
        Self {
            state: State::Idle(inner),
        }
    }

    /// The inner load, once the write in flight (if any) has ended; its error, if it failed.
    async fn idle(&mut self) -> Result<Box<dyn BulkLoad>, ProjectionError> {
        match std::mem::replace(&mut self.state, State::Moving) {
            State::Idle(inner) => Ok(inner),
            State::Writing(task) => {
                let (inner, written) = task
                    .await
                    .unwrap_or_else(|error| std::panic::resume_unwind(error.into_panic()));
                match written {
                    Ok(()) => Ok(inner),
                    Err(error) => {
                        self.state = State::Idle(inner);
                        Err(error)
                    }
                }
            }
            State::Moving => unreachable!("a call was cancelled before it gave the load back"),
        }
    }
}

#[async_trait]
impl BulkLoad for WriteBehind {
    async fn todos(
        &mut self,
        todos: &[TodoId],
    ) -> Result<HashMap<TodoId, TodoRow>, ProjectionError> {
        let mut inner = self.idle().await?;
        let rows = inner.todos(todos).await;
        self.state = State::Idle(inner);
        rows
    }

    async fn write(&mut self, update: Update) -> Result<(), ProjectionError> {
        let mut inner = self.idle().await?;
        self.state = State::Writing(tokio::spawn(async move {
            let written = inner.write(update).await;
            (inner, written)
        }));
        Ok(())
    }

    async fn finish(mut self: Box<Self>) -> Result<(), ProjectionError> {
        self.idle().await?.finish().await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::domain::Position;
    use std::sync::{Arc, Mutex};

    /// Records the checkpoint of each write, in the order they ran; fails the write at
    /// `fail_at`.
    struct Recorder {
        written: Arc<Mutex<Vec<Position>>>,
        fail_at: Option<Position>,
    }

    #[async_trait]
    impl BulkLoad for Recorder {
        async fn todos(
            &mut self,
            _: &[TodoId],
        ) -> Result<HashMap<TodoId, TodoRow>, ProjectionError> {
            Ok(HashMap::new())
        }

        async fn write(&mut self, update: Update) -> Result<(), ProjectionError> {
            let reached = update.reached.expect("each test update has a position");
            tokio::task::yield_now().await;
            if Some(reached) == self.fail_at {
                return Err(ProjectionError::Corrupt(format!("failed at {reached}")));
            }
            self.written.lock().unwrap().push(reached);
            Ok(())
        }

        async fn finish(self: Box<Self>) -> Result<(), ProjectionError> {
            Ok(())
        }
    }

    fn update(at: u64) -> Update {
        Update {
            reached: Some(Position::new(at)),
            ..Update::default()
        }
    }

    fn recorder(fail_at: Option<u64>) -> (WriteBehind, Arc<Mutex<Vec<Position>>>) {
        let written = Arc::new(Mutex::new(Vec::new()));
        let inner = Recorder {
            written: written.clone(),
            fail_at: fail_at.map(Position::new),
        };
        (WriteBehind::new(Box::new(inner)), written)
    }

    #[tokio::test]
    async fn every_write_lands_in_order_once_the_load_finishes() {
        let (mut load, written) = recorder(None);
        for at in 1..=5 {
            load.write(update(at)).await.unwrap();
        }
        Box::new(load).finish().await.unwrap();
        let expected: Vec<Position> = (1..=5).map(Position::new).collect();
        assert_eq!(*written.lock().unwrap(), expected);
    }

    #[tokio::test]
    async fn a_failed_write_fails_the_next_call_and_nothing_after_it_is_written() {
        let (mut load, written) = recorder(Some(2));
        load.write(update(1)).await.unwrap();
        load.write(update(2)).await.unwrap();
        let error = load.write(update(3)).await.unwrap_err();
        assert!(error.to_string().contains("failed at 2"), "{error}");
        assert_eq!(*written.lock().unwrap(), vec![Position::new(1)]);
    }

    #[tokio::test]
    async fn reading_todos_waits_for_the_write_in_flight() {
        let (mut load, written) = recorder(None);
        load.write(update(1)).await.unwrap();
        load.todos(&[]).await.unwrap();
        assert_eq!(*written.lock().unwrap(), vec![Position::new(1)]);
    }
}
