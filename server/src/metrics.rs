//! `/metrics` in the Prometheus text format: live connections and subscriptions, frames sent,
//! queue overflows, broadcast lag (the log's head minus the last position fanned out) and a
//! histogram of command latency. Plain atomics, rendered on request.

use crate::store::postgres::TailStatus;
use app::domain::Position;
use std::{
    collections::HashMap,
    fmt::Write,
    sync::{
        Arc,
        atomic::{AtomicI64, AtomicU64, Ordering},
    },
    time::Duration,
};

/// Upper bounds of the command latency buckets, in seconds.
const LATENCY_BUCKETS: [f64; 10] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0];

#[derive(Default)]
pub struct Metrics {
    connections: AtomicI64,
    frames_sent: AtomicU64,
    overflows: AtomicU64,
    replay_reads: AtomicU64,
    broadcast_position: AtomicU64,
    latency_buckets: [AtomicU64; LATENCY_BUCKETS.len()],
    latency_count: AtomicU64,
    latency_sum_micros: AtomicU64,
}

/// What `/metrics` reads from elsewhere when it renders.
pub struct Snapshot {
    pub head: Position,
    pub subscriptions: HashMap<&'static str, usize>,
    /// How this instance follows other instances' commits, on PostgreSQL.
    pub tail: Option<Arc<TailStatus>>,
}

impl Metrics {
    pub fn connected(&self) {
        self.connections.fetch_add(1, Ordering::Relaxed);
    }

    pub fn disconnected(&self) {
        self.connections.fetch_sub(1, Ordering::Relaxed);
    }

    pub fn frames_sent(&self, count: u64) {
        self.frames_sent.fetch_add(count, Ordering::Relaxed);
    }

    pub fn overflowed(&self) {
        self.overflows.fetch_add(1, Ordering::Relaxed);
    }

    /// A replay read `count` events from the log.
    pub fn replay_read(&self, count: u64) {
        self.replay_reads.fetch_add(count, Ordering::Relaxed);
    }

    pub fn broadcast(&self, position: Position) {
        self.broadcast_position
            .fetch_max(position.get(), Ordering::Relaxed);
    }

    /// The last position fanned out to the live channels.
    pub fn broadcast_position(&self) -> Position {
        Position::new(self.broadcast_position.load(Ordering::Relaxed))
    }

    pub fn command_took(&self, elapsed: Duration) {
        let seconds = elapsed.as_secs_f64();
        for (bound, count) in LATENCY_BUCKETS.iter().zip(&self.latency_buckets) {
            if seconds <= *bound {
                count.fetch_add(1, Ordering::Relaxed);
            }
        }
        self.latency_count.fetch_add(1, Ordering::Relaxed);
        self.latency_sum_micros
            .fetch_add(elapsed.as_micros() as u64, Ordering::Relaxed);
    }

    pub fn render(&self, snapshot: &Snapshot) -> String {
        let mut out = String::new();
        let get = |value: &AtomicU64| value.load(Ordering::Relaxed);
        let broadcast = get(&self.broadcast_position);
        let mut line = |text: String| {
            out.push_str(&text);
            out.push('\n');
        };
        line("# HELP tidings_connections Open WebSocket connections.".into());
        line("# TYPE tidings_connections gauge".into());
        line(format!(
            "tidings_connections {}",
            self.connections.load(Ordering::Relaxed)
        ));
        line("# HELP tidings_subscriptions Channel subscriptions, by channel kind.".into());
        line("# TYPE tidings_subscriptions gauge".into());
        for kind in ["team", "todo", "user"] {
            let count = snapshot.subscriptions.get(kind).copied().unwrap_or(0);
            line(format!("tidings_subscriptions{{kind=\"{kind}\"}} {count}"));
        }
        line("# HELP tidings_frames_sent_total Frames sent to WebSocket clients.".into());
        line("# TYPE tidings_frames_sent_total counter".into());
        line(format!(
            "tidings_frames_sent_total {}",
            get(&self.frames_sent)
        ));
        line("# HELP tidings_queue_overflows_total Connections closed because they fell behind: their queue overflowed or a write to them stalled.".into());
        line("# TYPE tidings_queue_overflows_total counter".into());
        line(format!(
            "tidings_queue_overflows_total {}",
            get(&self.overflows)
        ));
        line("# HELP tidings_replay_events_read_total Events read from the log by replays.".into());
        line("# TYPE tidings_replay_events_read_total counter".into());
        line(format!(
            "tidings_replay_events_read_total {}",
            get(&self.replay_reads)
        ));
        line("# HELP tidings_broadcast_lag_events The log's head minus the last position fanned out.".into());
        line("# TYPE tidings_broadcast_lag_events gauge".into());
        line(format!(
            "tidings_broadcast_lag_events {}",
            snapshot.head.get().saturating_sub(broadcast)
        ));
        if let Some(tail) = &snapshot.tail {
            line("# HELP tidings_listener_connected Whether the connection that listens for other instances' commits is open.".into());
            line("# TYPE tidings_listener_connected gauge".into());
            line(format!(
                "tidings_listener_connected {}",
                u8::from(tail.listening())
            ));
            line("# HELP tidings_listener_reconnects_total Times the listening connection was lost and opened again (the log is then read again; a poll every second covers the gap).".into());
            line("# TYPE tidings_listener_reconnects_total counter".into());
            line(format!(
                "tidings_listener_reconnects_total {}",
                tail.reconnects()
            ));
        }
        line(
            "# HELP tidings_command_seconds Time to run a command, from request to answer.".into(),
        );
        line("# TYPE tidings_command_seconds histogram".into());
        for (bound, count) in LATENCY_BUCKETS.iter().zip(&self.latency_buckets) {
            line(format!(
                "tidings_command_seconds_bucket{{le=\"{bound}\"}} {}",
                get(count)
            ));
        }
        let total = get(&self.latency_count);
        line(format!(
            "tidings_command_seconds_bucket{{le=\"+Inf\"}} {total}"
        ));
        let mut sum = String::new();
        let _ = write!(sum, "{:.6}", get(&self.latency_sum_micros) as f64 / 1e6);
        line(format!("tidings_command_seconds_sum {sum}"));
        line(format!("tidings_command_seconds_count {total}"));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latency_lands_in_every_bucket_at_or_above_it() {
        let metrics = Metrics::default();
        metrics.command_took(Duration::from_millis(3));
        metrics.command_took(Duration::from_millis(300));
        let text = metrics.render(&Snapshot {
            head: Position::new(10),
            subscriptions: HashMap::new(),
            tail: None,
        });
        assert!(
            text.contains("tidings_command_seconds_bucket{le=\"0.0025\"} 0"),
            "{text}"
        );
        assert!(
            text.contains("tidings_command_seconds_bucket{le=\"0.005\"} 1"),
            "{text}"
        );
        assert!(
            text.contains("tidings_command_seconds_bucket{le=\"0.5\"} 2"),
            "{text}"
        );
        assert!(
            text.contains("tidings_command_seconds_bucket{le=\"+Inf\"} 2"),
            "{text}"
        );
        assert!(text.contains("tidings_command_seconds_count 2"), "{text}");
    }

    #[test]
    fn the_lag_is_the_head_minus_the_last_broadcast() {
        let metrics = Metrics::default();
        metrics.broadcast(Position::new(7));
        let text = metrics.render(&Snapshot {
            head: Position::new(10),
            subscriptions: HashMap::from([("team", 2)]),
            tail: None,
        });
        assert!(text.contains("tidings_broadcast_lag_events 3"), "{text}");
        assert!(
            text.contains("tidings_subscriptions{kind=\"team\"} 2"),
            "{text}"
        );
        assert!(
            text.contains("tidings_subscriptions{kind=\"user\"} 0"),
            "{text}"
        );
        assert!(!text.contains("tidings_listener"), "{text}");
    }

    #[test]
    fn the_listener_is_shown_where_there_is_one() {
        let text = Metrics::default().render(&Snapshot {
            head: Position::ZERO,
            subscriptions: HashMap::new(),
            tail: Some(Arc::new(TailStatus::default())),
        });
        assert!(text.contains("tidings_listener_connected 0"), "{text}");
        assert!(
            text.contains("tidings_listener_reconnects_total 0"),
            "{text}"
        );
    }
}
