//! One row of results per subscriber count and server: a Markdown table row ready for
//! BENCHMARKS.md, and the same numbers as JSON.

use super::target::Target;
use crate::latency::Summary;
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct Row {
    pub target: Target,
    pub subscribers: usize,
    pub processes: usize,
    pub source_addresses: usize,
    pub users: usize,
    pub commands: u64,
    pub failed_commands: u64,
    pub rate_per_s: f64,
    /// Open connections and subscriptions by the server's own count, once all subscribed.
    pub server_connections: Option<f64>,
    pub server_subscriptions: Option<f64>,
    pub expected_deliveries: u64,
    pub deliveries: u64,
    pub missing_deliveries: u64,
    /// Sockets that received fewer events than commands were sent, or more.
    pub short_sockets: u64,
    pub extra_sockets: u64,
    pub closed_sockets: u64,
    pub foreign_frames: u64,
    /// Seconds from the first command's send to the last receive.
    pub window_s: f64,
    /// Deliveries over that window.
    pub deliveries_per_s: f64,
    pub latency: Summary,
    pub command_http: Summary,
    pub server_cpu_s: f64,
    /// Of that, the kernel's share (on loopback it includes the receiving side's TCP work).
    pub server_system_cpu_s: f64,
    pub server_cpu_us_per_delivery: f64,
    /// CPU seconds of the subscriber processes over the same time (they share the machine).
    pub workers_cpu_s: f64,
    pub rss_before_bytes: u64,
    pub rss_after_bytes: u64,
    pub rss_per_connection_bytes: f64,
    pub queue_overflows: Option<f64>,
    pub broadcast_lag_events: Option<f64>,
}

pub const MARKDOWN_HEADER: &str = "\
| subscribers | processes | commands | rate | deliveries | deliveries/s | p50 | p99 | max | server CPU per delivery | server CPU total | subscribers' CPU total | RSS per idle connection | overflows | missing | command HTTP p50 / p99 |
| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |";

impl Row {
    pub fn markdown(&self) -> String {
        let ms = |value: f64| format!("{value:.1} ms");
        let overflows = self
            .queue_overflows
            .map_or("n/a".to_owned(), |n| format!("{n:.0}"));
        format!(
            "| {} | {} | {} | {}/s | {} | {:.0} | {} | {} | {} | {:.1} µs | {:.2} s | {:.2} s | {:.0} B | {} | {} | {} / {} |",
            self.subscribers,
            self.processes,
            self.commands,
            self.rate_per_s,
            self.deliveries,
            self.deliveries_per_s,
            ms(self.latency.p50_ms),
            ms(self.latency.p99_ms),
            ms(self.latency.max_ms),
            self.server_cpu_us_per_delivery,
            self.server_cpu_s,
            self.workers_cpu_s,
            self.rss_per_connection_bytes,
            overflows,
            self.missing_deliveries,
            ms(self.command_http.p50_ms),
            ms(self.command_http.p99_ms),
        )
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    fn summary(p50_ms: f64, p99_ms: f64, max_ms: f64) -> Summary {
        Summary {
            count: 1,
            p50_ms,
            p99_ms,
            max_ms,
        }
    }

    /// A row at 10,000 subscribers against Tidings, for tests to change.
    pub fn row() -> Row {
        Row {
            target: Target::Tidings,
            subscribers: 10_000,
            processes: 2,
            source_addresses: 2,
            users: 10,
            commands: 100,
            failed_commands: 0,
            rate_per_s: 10.0,
            server_connections: Some(10_000.0),
            server_subscriptions: Some(10_000.0),
            expected_deliveries: 1_000_000,
            deliveries: 999_990,
            missing_deliveries: 10,
            short_sockets: 1,
            extra_sockets: 0,
            closed_sockets: 0,
            foreign_frames: 0,
            window_s: 10.1,
            deliveries_per_s: 99_000.0,
            latency: summary(12.0, 48.25, 60.0),
            command_http: summary(2.0, 5.0, 6.0),
            server_cpu_s: 12.5,
            server_system_cpu_s: 8.0,
            server_cpu_us_per_delivery: 12.5,
            workers_cpu_s: 20.0,
            rss_before_bytes: 0,
            rss_after_bytes: 0,
            rss_per_connection_bytes: 3_900.4,
            queue_overflows: Some(0.0),
            broadcast_lag_events: Some(0.0),
        }
    }

    #[test]
    fn a_row_has_as_many_cells_as_the_header() {
        let row = row();
        let cells = |line: &str| line.matches('|').count();
        let header = MARKDOWN_HEADER.lines().next().unwrap();
        assert_eq!(cells(&row.markdown()), cells(header));
        assert!(row.markdown().contains("| 48.2 ms |") || row.markdown().contains("| 48.3 ms |"));
        assert!(row.markdown().contains("| 3900 B |"));
    }
}
