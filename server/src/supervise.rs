//! The background tasks that must run as long as the server does, watched: the first to end,
//! by returning or by panicking, ends the server with its name and cause, so that whatever
//! runs the process starts it again rather than leave it serving stale pages and silent
//! channels. (Failures a task recovers from are retried inside it, and shown by `/healthz`.)

use futures_util::future::select_all;
use tokio::task::JoinHandle;

/// A task that must not end while the server runs.
pub struct Task {
    pub name: &'static str,
    pub handle: JoinHandle<()>,
}

impl Task {
    pub fn new(name: &'static str, handle: JoinHandle<()>) -> Self {
        Self { name, handle }
    }
}

/// Why the server stopped on its own.
#[derive(Debug, thiserror::Error)]
pub enum TaskEnded {
    #[error("the {0} stopped")]
    Returned(&'static str),
    #[error("the {0} panicked")]
    Panicked(&'static str, #[source] tokio::task::JoinError),
}

/// Waits until one of `tasks` ends; never returns if there are none.
pub async fn first_to_end(tasks: Vec<Task>) -> TaskEnded {
    if tasks.is_empty() {
        return std::future::pending().await;
    }
    let (names, handles): (Vec<_>, Vec<_>) = tasks
        .into_iter()
        .map(|task| (task.name, task.handle))
        .unzip();
    let (ended, index, _) = select_all(handles).await;
    match ended {
        Ok(()) => TaskEnded::Returned(names[index]),
        Err(error) => TaskEnded::Panicked(names[index], error),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn forever() -> JoinHandle<()> {
        tokio::spawn(std::future::pending())
    }

    #[tokio::test]
    async fn the_first_task_to_return_is_named() {
        let tasks = vec![
            Task::new("projector", forever()),
            Task::new("reactor", tokio::spawn(async {})),
        ];
        let ended = first_to_end(tasks).await;
        assert!(matches!(ended, TaskEnded::Returned("reactor")), "{ended:?}");
    }

    #[tokio::test]
    async fn a_panicking_task_is_named_with_its_panic() {
        let tasks = vec![
            Task::new("projector", tokio::spawn(async { panic!("a bug") })),
            Task::new("reactor", forever()),
        ];
        let ended = first_to_end(tasks).await;
        assert!(
            matches!(ended, TaskEnded::Panicked("projector", _)),
            "{ended:?}"
        );
        assert_eq!(ended.to_string(), "the projector panicked");
    }

    #[tokio::test]
    async fn with_no_tasks_it_waits_for_ever() {
        let waited = tokio::time::timeout(Duration::from_millis(50), first_to_end(Vec::new()));
        assert!(waited.await.is_err());
    }
}
