//! What the coordinator and a worker process say to each other, one line at a time. On the
//! worker's stdin: a `Job` as JSON, later `stop`. On its stdout: `ready` once every socket
//! of its share is subscribed, `complete` once every socket has every event, and after
//! `stop` its `WorkerReport` as JSON.

use crate::{
    latency::{Latencies, LatencyError},
    plan::Share,
};
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;

pub const READY: &str = "ready";
pub const COMPLETE: &str = "complete";
pub const STOP: &str = "stop";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Job {
    pub server: SocketAddr,
    pub app_key: String,
    pub team_id: String,
    /// The users' session cookies; subscriber `i` signs its subscription as user
    /// `i % cookies.len()`.
    pub cookies: Vec<String>,
    pub share: Share,
    /// How many loopback source addresses the run spreads its subscribers over.
    pub addresses: usize,
    /// How many events each subscriber should receive.
    pub commands: u64,
    /// How many sockets of this worker may be connecting and subscribing at once.
    pub connect_concurrency: usize,
}

impl Job {
    /// The session cookie that subscriber `index` (run-wide) signs its subscription with.
    pub fn cookie_for(&self, index: usize) -> &str {
        &self.cookies[index % self.cookies.len()]
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkerReport {
    pub deliveries: u64,
    /// Sockets that received fewer events than commands were sent.
    pub short_sockets: u64,
    /// Sockets that received more (a duplicate).
    pub extra_sockets: u64,
    /// Sockets the server closed, or that failed, after subscribing.
    pub closed_sockets: u64,
    /// `TodoCreated` frames that the load tool did not send.
    pub foreign_frames: u64,
    pub last_receive_micros: Option<u64>,
    /// The command-to-receive latencies, as `Latencies::encode` writes them.
    pub latencies: String,
}

/// Several workers' reports added up.
#[derive(Debug)]
pub struct Totals {
    pub deliveries: u64,
    pub short_sockets: u64,
    pub extra_sockets: u64,
    pub closed_sockets: u64,
    pub foreign_frames: u64,
    pub last_receive_micros: Option<u64>,
    pub latencies: Latencies,
}

impl Totals {
    pub fn of(reports: &[WorkerReport]) -> Result<Self, LatencyError> {
        let mut latencies = Latencies::default();
        for report in reports {
            latencies.merge(&Latencies::decode(&report.latencies)?)?;
        }
        let total = |field: fn(&WorkerReport) -> u64| reports.iter().map(field).sum::<u64>();
        Ok(Self {
            deliveries: total(|r| r.deliveries),
            short_sockets: total(|r| r.short_sockets),
            extra_sockets: total(|r| r.extra_sockets),
            closed_sockets: total(|r| r.closed_sockets),
            foreign_frames: total(|r| r.foreign_frames),
            last_receive_micros: reports.iter().filter_map(|r| r.last_receive_micros).max(),
            latencies,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job(cookies: &[&str]) -> Job {
        Job {
            server: "127.0.0.1:3000".parse().unwrap(),
            app_key: "tidings".into(),
            team_id: "t".into(),
            cookies: cookies.iter().map(|c| (*c).to_owned()).collect(),
            share: Share {
                first: 100,
                count: 50,
            },
            addresses: 2,
            commands: 10,
            connect_concurrency: 8,
        }
    }

    #[test]
    fn subscribers_take_the_users_cookies_in_turn() {
        let job = job(&["a", "b", "c"]);
        let cookies: Vec<&str> = (100..104).map(|i| job.cookie_for(i)).collect();
        assert_eq!(cookies, ["b", "c", "a", "b"]);
    }

    fn report(deliveries: u64, latencies: &[u64], last: Option<u64>) -> WorkerReport {
        let mut histogram = Latencies::default();
        latencies
            .iter()
            .for_each(|&micros| histogram.record(micros));
        WorkerReport {
            deliveries,
            short_sockets: 1,
            extra_sockets: 0,
            closed_sockets: 0,
            foreign_frames: 2,
            last_receive_micros: last,
            latencies: histogram.encode(),
        }
    }

    #[test]
    fn reports_add_up_their_counts_and_merge_their_latencies() {
        let totals = Totals::of(&[
            report(3, &[1_000, 2_000, 3_000], Some(7)),
            report(2, &[4_000, 5_000], None),
        ])
        .unwrap();
        assert_eq!(totals.deliveries, 5);
        assert_eq!((totals.short_sockets, totals.foreign_frames), (2, 4));
        assert_eq!(totals.last_receive_micros, Some(7));
        assert_eq!(totals.latencies.summary().count, 5);
    }

    #[test]
    fn a_job_is_one_line_of_json_and_reads_back_the_same() {
        let job = job(&["a"]);
        let line = serde_json::to_string(&job).unwrap();
        assert!(!line.contains('\n'));
        assert_eq!(serde_json::from_str::<Job>(&line).unwrap(), job);
    }
}
