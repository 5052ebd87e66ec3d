//! The commands of a run: `create_todo` at a fixed rate, each on its own task at its
//! scheduled time (a slow answer never delays the next command), by the team's users in
//! turn, each titled with its send time.

use super::team::Team;
use crate::{clock::unix_micros, frame, latency::Latencies};
use std::time::{Duration, Instant};

pub struct Sent {
    pub count: u64,
    pub failures: u64,
    /// The first failure's message, if any.
    pub first_failure: Option<String>,
    /// How long each successful command took to answer, in microseconds.
    pub http: Latencies,
    pub first_sent_micros: u64,
}

impl Sent {
    /// Says on stderr how many commands failed, with the first failure, if any did.
    pub fn say_failures(&self) {
        if let Some(failure) = &self.first_failure {
            eprintln!("{} commands failed; the first: {failure}", self.failures);
        }
    }
}

pub async fn drive(team: &Team, count: u64, per_second: f64) -> Sent {
    let start = Instant::now();
    let first_sent_micros = unix_micros();
    let mut tasks = Vec::with_capacity(count as usize);
    for number in 0..count {
        tokio::time::sleep_until(
            (start + Duration::from_secs_f64(number as f64 / per_second)).into(),
        )
        .await;
        let user = team.users[number as usize % team.users.len()].clone();
        let team_id = team.id.clone();
        tasks.push(tokio::spawn(async move {
            let began = Instant::now();
            let title = frame::title(unix_micros());
            user.create_todo(&team_id, &title)
                .await
                .map(|()| began.elapsed())
        }));
    }
    let mut sent = Sent {
        count,
        failures: 0,
        first_failure: None,
        http: Latencies::default(),
        first_sent_micros,
    };
    for task in tasks {
        match task.await.expect("a command task does not panic") {
            Ok(took) => sent.http.record(took.as_micros() as u64),
            Err(error) => {
                sent.failures += 1;
                sent.first_failure.get_or_insert(error.to_string());
            }
        }
    }
    sent
}
