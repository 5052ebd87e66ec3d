//! A round's results: one row per path (one instance, across instances) and their ratio,
//! as Markdown table rows ready for BENCHMARKS.md and as JSON.

use crate::latency::Summary;
use serde::Serialize;
use std::fmt;

/// The way an event travels from the command to a subscriber.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Path {
    /// Command and socket on instance A: A's writer wakes A's reactor.
    OneInstance,
    /// Command on A, socket on B: B's tail learns of A's commit from PostgreSQL.
    AcrossInstances,
}

impl fmt::Display for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::OneInstance => "A → A (one instance)",
            Self::AcrossInstances => "A → B (across instances)",
        })
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Row {
    pub subscribers_per_instance: usize,
    pub path: Path,
    pub commands: u64,
    pub failed_commands: u64,
    pub rate_per_s: f64,
    pub expected_deliveries: u64,
    pub deliveries: u64,
    pub missing_deliveries: u64,
    /// Sockets that received fewer events than commands were sent, or more.
    pub short_sockets: u64,
    pub extra_sockets: u64,
    pub closed_sockets: u64,
    pub foreign_frames: u64,
    /// From a command's send to a subscriber's receive.
    pub latency: Summary,
    /// User plus system CPU seconds of the instance the subscribers are on, while the
    /// commands ran.
    pub server_cpu_s: f64,
}

pub const MARKDOWN_HEADER: &str = "\
| subscribers per instance | path | commands | deliveries | missing | duplicated | p50 | p99 | max | that instance's CPU |
| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |";

impl Row {
    pub fn markdown(&self) -> String {
        format!(
            "| {} | {} | {} | {} | {} | {} | {:.1} ms | {:.1} ms | {:.1} ms | {:.2} s |",
            self.subscribers_per_instance,
            self.path,
            self.commands,
            self.deliveries,
            self.missing_deliveries,
            self.extra_sockets,
            self.latency.p50_ms,
            self.latency.p99_ms,
            self.latency.max_ms,
            self.server_cpu_s,
        )
    }

    /// Whether every subscriber received every command once, and nothing else.
    pub fn is_complete(&self) -> bool {
        self.failed_commands == 0
            && self.missing_deliveries == 0
            && self.short_sockets == 0
            && self.extra_sockets == 0
            && self.closed_sockets == 0
            && self.foreign_frames == 0
    }
}

/// Across instances over one instance, in the same round.
#[derive(Debug, Clone, Serialize)]
pub struct Ratio {
    pub subscribers_per_instance: usize,
    pub p50: f64,
    pub p99: f64,
    /// The command's HTTP answer on A (the projection waited for), in the same round.
    pub command_http: Summary,
    /// Times B's `LISTEN` connection was lost and opened again during the round: a
    /// reconnect means B fell back to reading the log on its own.
    pub b_listener_reconnects: Option<f64>,
}

pub const RATIO_HEADER: &str = "\
| subscribers per instance | p50 across / one | p99 across / one | command HTTP p50 / p99 | B's listener reconnects |
| ---: | ---: | ---: | ---: | ---: |";

impl Ratio {
    pub fn of(one: &Row, across: &Row, command_http: Summary, reconnects: Option<f64>) -> Self {
        let ratio = |a: f64, b: f64| if b > 0.0 { a / b } else { f64::NAN };
        Self {
            subscribers_per_instance: one.subscribers_per_instance,
            p50: ratio(across.latency.p50_ms, one.latency.p50_ms),
            p99: ratio(across.latency.p99_ms, one.latency.p99_ms),
            command_http,
            b_listener_reconnects: reconnects,
        }
    }

    pub fn markdown(&self) -> String {
        let reconnects = self
            .b_listener_reconnects
            .map_or("n/a".to_owned(), |n| format!("{n:.0}"));
        format!(
            "| {} | {:.2}x | {:.2}x | {:.1} ms / {:.1} ms | {} |",
            self.subscribers_per_instance,
            self.p50,
            self.p99,
            self.command_http.p50_ms,
            self.command_http.p99_ms,
            reconnects,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary(p50_ms: f64, p99_ms: f64) -> Summary {
        Summary {
            count: 100,
            p50_ms,
            p99_ms,
            max_ms: p99_ms + 1.0,
        }
    }

    fn row(path: Path, p50_ms: f64, p99_ms: f64) -> Row {
        Row {
            subscribers_per_instance: 5_000,
            path,
            commands: 100,
            failed_commands: 0,
            rate_per_s: 5.0,
            expected_deliveries: 500_000,
            deliveries: 500_000,
            missing_deliveries: 0,
            short_sockets: 0,
            extra_sockets: 0,
            closed_sockets: 0,
            foreign_frames: 0,
            latency: summary(p50_ms, p99_ms),
            server_cpu_s: 4.25,
        }
    }

    #[test]
    fn the_ratio_is_across_instances_over_one_instance() {
        let one = row(Path::OneInstance, 10.0, 40.0);
        let across = row(Path::AcrossInstances, 12.0, 44.0);
        let ratio = Ratio::of(&one, &across, summary(3.0, 9.0), Some(0.0));
        assert!((ratio.p50 - 1.2).abs() < 1e-9);
        assert!((ratio.p99 - 1.1).abs() < 1e-9);
        assert!(
            ratio.markdown().contains("| 1.10x |"),
            "{}",
            ratio.markdown()
        );
    }

    #[test]
    fn rows_and_ratios_have_as_many_cells_as_their_headers() {
        let cells = |line: &str| line.matches('|').count();
        let one = row(Path::OneInstance, 10.0, 40.0);
        let ratio = Ratio::of(&one, &one, summary(3.0, 9.0), None);
        assert_eq!(
            cells(&one.markdown()),
            cells(MARKDOWN_HEADER.lines().next().unwrap())
        );
        assert_eq!(
            cells(&ratio.markdown()),
            cells(RATIO_HEADER.lines().next().unwrap())
        );
        assert!(ratio.markdown().ends_with("| n/a |"));
    }

    #[test]
    fn a_row_with_a_missing_or_duplicated_delivery_is_not_complete() {
        let mut row = row(Path::AcrossInstances, 10.0, 40.0);
        assert!(row.is_complete());
        row.extra_sockets = 1;
        assert!(!row.is_complete());
        row.extra_sockets = 0;
        row.missing_deliveries = 3;
        assert!(!row.is_complete());
    }
}
