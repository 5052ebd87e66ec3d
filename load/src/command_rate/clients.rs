//! The clients of a round: each sends `create_todo` again as soon as its previous answer
//! came back (a closed loop, as a person who waits for the page), so the rate is what the
//! server sustains with that many people waiting on it. A server function answers once the
//! read models include the command, so each latency covers the projection too.
//!
//! Answers that arrive during the measured window count; the warm-up's do not, nor do those
//! still in flight when the window ends (no client sends after it). Every failed answer
//! counts as an error, warm-up included.

use crate::{api::User, latency::Latencies};
use std::time::Duration;
use tokio::time::Instant;

/// How long after the window a command still in flight may take to answer before it
/// counts as an error: longer than the server's own wait for its projector (5 s).
const LAST_ANSWER_GRACE: Duration = Duration::from_secs(15);

/// When a round's answers start and stop counting.
#[derive(Debug, Clone, Copy)]
pub struct Window {
    pub opens: Instant,
    pub closes: Instant,
}

impl Window {
    /// A window of `length` after a warm-up of `warm_up`, from now.
    pub fn after(warm_up: Duration, length: Duration) -> Self {
        let opens = Instant::now() + warm_up;
        Self {
            opens,
            closes: opens + length,
        }
    }

    fn counts(&self, answered: Instant) -> bool {
        (self.opens..self.closes).contains(&answered)
    }
}

/// What the clients saw.
#[derive(Debug, Default)]
pub struct Tally {
    /// Commands answered with success within the window; their latencies, in microseconds.
    pub answered: Latencies,
    pub errors: u64,
    pub first_error: Option<String>,
}

impl Tally {
    fn error(&mut self, message: String) {
        self.errors += 1;
        self.first_error.get_or_insert(message);
    }

    fn merge(&mut self, other: Self) {
        self.answered
            .merge(&other.answered)
            .expect("histograms with the same bounds merge");
        self.errors += other.errors;
        if self.first_error.is_none() {
            self.first_error = other.first_error;
        }
    }
}

/// Runs `clients` clients on the team `team`, taking `users` in turn, until the window closes
/// and every client's last command has answered.
pub async fn drive(users: &[User], team: &str, clients: usize, window: Window) -> Tally {
    let tasks: Vec<_> = (0..clients)
        .map(|number| {
            let user = users[number % users.len()].clone();
            let team = team.to_owned();
            tokio::spawn(async move { client(number, user, team, window).await })
        })
        .collect();
    let mut tally = Tally::default();
    for task in tasks {
        tally.merge(task.await.expect("a client does not panic"));
    }
    tally
}

async fn client(number: usize, user: User, team: String, window: Window) -> Tally {
    let mut tally = Tally::default();
    let deadline = window.closes + LAST_ANSWER_GRACE;
    for sent in 0_u64.. {
        let began = Instant::now();
        if began >= window.closes {
            break;
        }
        let title = format!("Rate {number}.{sent}");
        match tokio::time::timeout_at(deadline, user.create_todo(&team, &title)).await {
            Ok(Ok(())) => {
                let answered = Instant::now();
                if window.counts(answered) {
                    let took = answered - began;
                    tally.answered.record(took.as_micros() as u64);
                }
            }
            Ok(Err(error)) => tally.error(error.to_string()),
            Err(_) => tally.error(format!(
                "create_todo: no answer within {LAST_ANSWER_GRACE:?} of the window's end"
            )),
        }
    }
    tally
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::{Router, extract::State, http::StatusCode, routing::post};
    use std::{
        net::SocketAddr,
        sync::{
            Arc,
            atomic::{AtomicU64, Ordering},
        },
    };

    /// A server whose `create_todo` takes `delay` and refuses every `refuse_every`th call.
    struct Fake {
        received: AtomicU64,
        delay: Duration,
        refuse_every: Option<u64>,
    }

    async fn create_todo(State(fake): State<Arc<Fake>>) -> (StatusCode, &'static str) {
        let number = fake.received.fetch_add(1, Ordering::SeqCst) + 1;
        tokio::time::sleep(fake.delay).await;
        match fake.refuse_every {
            Some(every) if number % every == 0 => (StatusCode::SERVICE_UNAVAILABLE, "busy"),
            _ => (StatusCode::OK, "{}"),
        }
    }

    async fn serve(delay: Duration, refuse_every: Option<u64>) -> (SocketAddr, Arc<Fake>) {
        let fake = Arc::new(Fake {
            received: AtomicU64::new(0),
            delay,
            refuse_every,
        });
        let router = Router::new()
            .route("/api/create_todo", post(create_todo))
            .with_state(fake.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, router).await });
        (addr, fake)
    }

    fn users(server: SocketAddr, count: usize) -> Vec<User> {
        (0..count).map(|_| User::new(server).unwrap()).collect()
    }

    fn window(warm_up_ms: u64, length_ms: u64) -> Window {
        Window::after(
            Duration::from_millis(warm_up_ms),
            Duration::from_millis(length_ms),
        )
    }

    #[tokio::test]
    async fn answers_in_the_window_are_counted_with_their_latency() {
        let (server, fake) = serve(Duration::from_millis(5), None).await;
        let tally = drive(&users(server, 2), "team", 4, window(50, 300)).await;
        let answered = tally.answered.summary();
        assert_eq!(tally.errors, 0, "{:?}", tally.first_error);
        assert!(answered.count >= 1, "{answered:?}");
        assert!(answered.count < fake.received.load(Ordering::SeqCst));
        assert!(answered.p50_ms >= 5.0, "{answered:?}");
    }

    #[tokio::test]
    async fn refusals_count_as_errors_with_their_status() {
        let (server, _) = serve(Duration::from_millis(1), Some(2)).await;
        let tally = drive(&users(server, 1), "team", 1, window(0, 200)).await;
        assert!(tally.errors >= 1);
        let first = tally.first_error.unwrap();
        assert!(first.contains("503") && first.contains("busy"), "{first}");
    }

    #[tokio::test]
    async fn an_answer_after_the_window_is_not_counted_and_nothing_is_sent_after_it() {
        let (server, fake) = serve(Duration::from_millis(300), None).await;
        let tally = drive(&users(server, 1), "team", 1, window(0, 100)).await;
        assert_eq!(fake.received.load(Ordering::SeqCst), 1);
        assert_eq!((tally.answered.summary().count, tally.errors), (0, 0));
    }
}
