//! `GET /healthz`: whether this instance serves as it should. It answers 503, with one line
//! per problem (which task, never its error: `/healthz` answers anyone, and an error can
//! name hosts and queries; each task logs its own), while a background task's last attempt failed (the projector, the reactor,
//! the log's tail), or while the reactor has been behind the log's head for longer than
//! [`LAG_BOUND`]; otherwise 200 `ok`. A task that ends brings the whole process down instead
//! (`startup::Application::run_until_stopped`), so a supervisor restarts it.
//!
//! The lag is sampled every second by a task of its own ([`Health::watch_lag`]): the first
//! head seen ahead of the reactor's cursor is remembered with the time it was seen, and the
//! instance lags while the reactor has not reached it after [`LAG_BOUND`].

use crate::{metrics::Metrics, store::postgres::TailStatus};
use app::domain::Position;
use axum::{Extension, http::StatusCode, response::IntoResponse};
use std::{
    collections::BTreeSet,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};
use tokio::sync::watch;

/// How long the reactor may stay behind a head it has seen before the instance is unhealthy.
pub const LAG_BOUND: Duration = Duration::from_secs(10);

#[derive(Debug, Default)]
pub struct Health {
    /// The background tasks whose last attempt failed.
    failing: Mutex<BTreeSet<&'static str>>,
    /// The oldest head seen that the reactor had not reached, and when it was seen.
    behind: Mutex<Option<(Position, Instant)>>,
}

impl Health {
    /// `task`'s last attempt failed (it logged why); it will try again.
    pub fn failing(&self, task: &'static str) {
        lock(&self.failing).insert(task);
    }

    /// `task`'s last attempt succeeded.
    pub fn up(&self, task: &'static str) {
        lock(&self.failing).remove(task);
    }

    /// Records the head seen and the reactor's cursor at `now`.
    pub fn sample(&self, head: Position, cursor: Position, now: Instant) {
        let mut behind = lock(&self.behind);
        match *behind {
            Some((seen, _)) if cursor >= seen => *behind = None,
            _ => {}
        }
        if behind.is_none() && head > cursor {
            *behind = Some((head, now));
        }
    }

    /// What is wrong at `now`, one line each; empty when healthy.
    pub fn problems(&self, now: Instant) -> Vec<String> {
        let mut problems: Vec<String> = lock(&self.failing)
            .iter()
            .map(|task| format!("the {task} is failing; the server's log says why"))
            .collect();
        if let Some((head, since)) = *lock(&self.behind) {
            let lag = now.saturating_duration_since(since);
            if lag > LAG_BOUND {
                problems.push(format!(
                    "the broadcast has not reached position {head}, seen {}s ago",
                    lag.as_secs()
                ));
            }
        }
        problems
    }

    /// Samples the lag every second, and the tail's state where there is one; never ends.
    pub async fn watch_lag(
        self: Arc<Self>,
        head: watch::Receiver<Position>,
        metrics: Arc<Metrics>,
        tail: Option<Arc<TailStatus>>,
    ) {
        let mut tick = tokio::time::interval(Duration::from_secs(1));
        loop {
            tick.tick().await;
            self.sample(*head.borrow(), metrics.broadcast_position(), Instant::now());
            if let Some(tail) = &tail {
                if tail.failing() {
                    self.failing("log's tail");
                } else {
                    self.up("log's tail");
                }
            }
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

pub async fn healthz(Extension(health): Extension<Arc<Health>>) -> impl IntoResponse {
    let problems = health.problems(Instant::now());
    if problems.is_empty() {
        (StatusCode::OK, "ok".to_owned())
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, problems.join("\n"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(start: Instant, secs: u64) -> Instant {
        start + Duration::from_secs(secs)
    }

    #[test]
    fn a_reactor_that_keeps_up_is_healthy_however_busy_the_log() {
        let (health, start) = (Health::default(), Instant::now());
        for second in 0..60 {
            let head = Position::new(100 * (second + 1));
            let cursor = Position::new(100 * second);
            health.sample(head, cursor, at(start, second));
        }
        assert!(health.problems(at(start, 60)).is_empty());
    }

    #[test]
    fn a_head_not_broadcast_after_the_bound_is_a_problem_until_it_is() {
        let (health, start) = (Health::default(), Instant::now());
        health.sample(Position::new(10), Position::new(5), start);
        health.sample(Position::new(12), Position::new(9), at(start, 10));
        assert!(health.problems(at(start, 10)).is_empty(), "at the bound");
        let problems = health.problems(at(start, 11));
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].contains("position 10"), "{problems:?}");
        health.sample(Position::new(12), Position::new(12), at(start, 12));
        assert!(health.problems(at(start, 12)).is_empty());
    }

    #[test]
    fn a_failing_task_is_a_problem_until_it_is_up_again() {
        let health = Health::default();
        health.failing("projector");
        assert_eq!(
            health.problems(Instant::now()),
            ["the projector is failing; the server's log says why"]
        );
        health.up("projector");
        assert!(health.problems(Instant::now()).is_empty());
    }
}
