//! What one worker's sockets received, shared by all of them: the deliveries of every
//! socket (to find one that missed an event), the command-to-receive latencies, and the
//! first and last receive times. One lock per delivery: cheap next to reading the frame.

use crate::{job::WorkerReport, latency::Latencies};
use std::sync::{
    Mutex,
    atomic::{AtomicU64, Ordering},
};
use tokio::sync::Notify;

pub struct Tally {
    per_socket: Vec<AtomicU64>,
    expected_per_socket: u64,
    received: Mutex<Received>,
    closed: AtomicU64,
    foreign: AtomicU64,
    complete: Notify,
}

#[derive(Default)]
struct Received {
    deliveries: u64,
    latencies: Latencies,
    last_micros: Option<u64>,
}

impl Tally {
    pub fn new(sockets: usize, expected_per_socket: u64) -> Self {
        Self {
            per_socket: (0..sockets).map(|_| AtomicU64::new(0)).collect(),
            expected_per_socket,
            received: Mutex::default(),
            closed: AtomicU64::new(0),
            foreign: AtomicU64::new(0),
            complete: Notify::new(),
        }
    }

    /// Socket `socket` (this worker's numbering) received an event sent at `sent_micros`.
    pub fn delivered(&self, socket: usize, sent_micros: u64, received_micros: u64) {
        self.per_socket[socket].fetch_add(1, Ordering::Relaxed);
        let mut received = self.received.lock().expect("no panic while counting");
        received.deliveries += 1;
        received
            .latencies
            .record(received_micros.saturating_sub(sent_micros));
        received.last_micros = Some(received_micros);
        if received.deliveries == self.expected() {
            self.complete.notify_one();
        }
    }

    pub fn foreign_frame(&self) {
        self.foreign.fetch_add(1, Ordering::Relaxed);
    }

    pub fn socket_closed(&self) {
        self.closed.fetch_add(1, Ordering::Relaxed);
    }

    /// Returns once as many events arrived as every socket should receive.
    pub async fn completed(&self) {
        let done = || self.received.lock().expect("no panic").deliveries >= self.expected();
        if !done() {
            self.complete.notified().await;
        }
    }

    pub fn report(&self) -> WorkerReport {
        let received = self.received.lock().expect("no panic while counting");
        let counts = self.per_socket.iter().map(|n| n.load(Ordering::Relaxed));
        let count_where = |keep: fn(u64, u64) -> bool| {
            counts
                .clone()
                .filter(|&n| keep(n, self.expected_per_socket))
                .count() as u64
        };
        WorkerReport {
            deliveries: received.deliveries,
            short_sockets: count_where(|got, expected| got < expected),
            extra_sockets: count_where(|got, expected| got > expected),
            closed_sockets: self.closed.load(Ordering::Relaxed),
            foreign_frames: self.foreign.load(Ordering::Relaxed),
            last_receive_micros: received.last_micros,
            latencies: received.latencies.encode(),
        }
    }

    fn expected(&self) -> u64 {
        self.per_socket.len() as u64 * self.expected_per_socket
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn a_socket_that_missed_an_event_or_got_one_twice_is_reported() {
        let tally = Tally::new(3, 2);
        for socket in [0, 0, 1, 2, 2, 2] {
            tally.delivered(socket, 1_000, 3_000);
        }
        let report = tally.report();
        assert_eq!(report.deliveries, 6);
        assert_eq!((report.short_sockets, report.extra_sockets), (1, 1));
        assert_eq!(report.last_receive_micros, Some(3_000));
    }

    #[test]
    fn latencies_are_receive_time_minus_send_time() {
        let tally = Tally::new(1, 1);
        tally.delivered(0, 10_000, 12_500);
        let latencies = Latencies::decode(&tally.report().latencies).unwrap();
        let summary = latencies.summary();
        assert_eq!(summary.count, 1);
        assert!((summary.max_ms - 2.5).abs() < 0.01, "{summary:?}");
    }

    #[tokio::test]
    async fn completion_is_announced_once_every_socket_has_every_event() {
        let tally = Tally::new(2, 1);
        tally.delivered(0, 1, 2);
        let early = tokio::time::timeout(Duration::from_millis(20), tally.completed()).await;
        assert!(early.is_err(), "one socket still waits");
        tally.delivered(1, 1, 2);
        tokio::time::timeout(Duration::from_secs(1), tally.completed())
            .await
            .expect("complete");
    }
}
