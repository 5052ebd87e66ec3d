//! The results of a run: one row per backend and client count, and PostgreSQL / SQLite at
//! each client count measured on both, as Markdown tables ready for BENCHMARKS.md and as
//! JSON.

use super::backend::Backend;
use crate::latency::Summary;
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct Row {
    pub backend: Backend,
    pub clients: usize,
    pub users: usize,
    /// The measured window, in seconds.
    pub window_s: f64,
    /// Commands answered with success within the window, and their latencies.
    pub commands: u64,
    pub commands_per_s: f64,
    pub latency: Summary,
    /// Failed answers during the whole round, warm-up included, and the first one's message.
    pub errors: u64,
    pub first_error: Option<String>,
    /// CPU used over the window, as a share of one core: the server's own process (not
    /// PostgreSQL's), and this tool's (near 100% would make the tool the bottleneck).
    pub server_cpu: f64,
    pub load_tool_cpu: f64,
}

pub const MARKDOWN_HEADER: &str = "\
| backend | clients | commands | commands/s | p50 | p99 | max | errors | server CPU | load tool CPU |
| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |";

impl Row {
    pub fn markdown(&self) -> String {
        let ms = |value: f64| format!("{value:.1} ms");
        let percent = |share: f64| format!("{:.0}%", share * 100.0);
        format!(
            "| {} | {} | {} | {:.0} | {} | {} | {} | {} | {} | {} |",
            self.backend,
            self.clients,
            self.commands,
            self.commands_per_s,
            ms(self.latency.p50_ms),
            ms(self.latency.p99_ms),
            ms(self.latency.max_ms),
            self.errors,
            percent(self.server_cpu),
            percent(self.load_tool_cpu),
        )
    }
}

/// PostgreSQL over SQLite at one client count.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Ratio {
    pub clients: usize,
    /// `None` where either side is not above zero.
    pub commands_per_s: Option<f64>,
    pub p50: Option<f64>,
    pub p99: Option<f64>,
}

pub const RATIO_HEADER: &str = "\
| clients | commands/s | p50 | p99 |
| ---: | ---: | ---: | ---: |";

impl Ratio {
    pub fn between(postgres: &Row, sqlite: &Row) -> Self {
        let over = |ours: f64, theirs: f64| (ours > 0.0 && theirs > 0.0).then(|| ours / theirs);
        Self {
            clients: postgres.clients,
            commands_per_s: over(postgres.commands_per_s, sqlite.commands_per_s),
            p50: over(postgres.latency.p50_ms, sqlite.latency.p50_ms),
            p99: over(postgres.latency.p99_ms, sqlite.latency.p99_ms),
        }
    }

    /// One ratio per client count that was measured on both backends.
    pub fn all(rows: &[Row]) -> Vec<Self> {
        rows.iter()
            .filter(|row| row.backend == Backend::Postgres)
            .filter_map(|postgres| {
                let sqlite = rows.iter().find(|row| {
                    row.backend == Backend::Sqlite && row.clients == postgres.clients
                })?;
                Some(Self::between(postgres, sqlite))
            })
            .collect()
    }

    pub fn markdown(&self) -> String {
        let times = |ratio: Option<f64>| ratio.map_or("n/a".to_owned(), |r| format!("{r:.2}x"));
        format!(
            "| {} | {} | {} | {} |",
            self.clients,
            times(self.commands_per_s),
            times(self.p50),
            times(self.p99),
        )
    }
}

/// The lines that say which rounds had errors, and each one's first; none when none had.
pub fn errors(rows: &[Row]) -> Vec<String> {
    rows.iter()
        .filter(|row| row.errors > 0)
        .map(|row| {
            format!(
                "{} at {} clients: {} errors; the first: {}",
                row.backend,
                row.clients,
                row.errors,
                row.first_error.as_deref().unwrap_or("(no message)"),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(backend: Backend, clients: usize, per_s: f64, p50_ms: f64, p99_ms: f64) -> Row {
        Row {
            backend,
            clients,
            users: clients,
            window_s: 10.0,
            commands: (per_s * 10.0) as u64,
            commands_per_s: per_s,
            latency: Summary {
                count: (per_s * 10.0) as u64,
                p50_ms,
                p99_ms,
                max_ms: p99_ms * 2.0,
            },
            errors: 0,
            first_error: None,
            server_cpu: 1.5,
            load_tool_cpu: 0.42,
        }
    }

    fn cells(line: &str) -> usize {
        line.matches('|').count()
    }

    #[test]
    fn a_row_has_as_many_cells_as_the_header() {
        let markdown = row(Backend::Postgres, 256, 2_345.6, 100.0, 250.25).markdown();
        assert_eq!(
            cells(&markdown),
            cells(MARKDOWN_HEADER.lines().next().unwrap())
        );
        assert!(
            markdown.starts_with("| PostgreSQL | 256 | 23456 | 2346 | 100.0 ms | 250."),
            "{markdown}"
        );
        assert!(markdown.ends_with("| 0 | 150% | 42% |"), "{markdown}");
    }

    #[test]
    fn each_ratio_is_postgres_over_sqlite_at_the_same_client_count() {
        let rows = [
            row(Backend::Sqlite, 16, 2_000.0, 8.0, 20.0),
            row(Backend::Postgres, 16, 1_000.0, 16.0, 30.0),
            row(Backend::Sqlite, 256, 4_000.0, 60.0, 100.0),
            row(Backend::Postgres, 256, 5_000.0, 45.0, 100.0),
        ];
        let ratios = Ratio::all(&rows);
        assert_eq!(ratios.len(), 2);
        assert_eq!(
            (ratios[0].clients, ratios[0].commands_per_s, ratios[0].p50),
            (16, Some(0.5), Some(2.0))
        );
        assert_eq!(ratios[1].commands_per_s, Some(1.25));
        assert_eq!(ratios[1].p99, Some(1.0));
        assert_eq!(ratios[1].markdown(), "| 256 | 1.25x | 0.75x | 1.00x |");
    }

    #[test]
    fn a_count_measured_on_one_backend_only_has_no_ratio() {
        let rows = [
            row(Backend::Sqlite, 16, 2_000.0, 8.0, 20.0),
            row(Backend::Postgres, 256, 5_000.0, 45.0, 100.0),
        ];
        assert!(Ratio::all(&rows).is_empty());
    }

    #[test]
    fn a_round_without_answers_has_no_ratio_rather_than_an_infinite_one() {
        let ratio = Ratio::between(
            &row(Backend::Postgres, 16, 1_000.0, 16.0, 30.0),
            &row(Backend::Sqlite, 16, 0.0, 0.0, 0.0),
        );
        assert_eq!(ratio.markdown(), "| 16 | n/a | n/a | n/a |");
    }

    #[test]
    fn rounds_with_errors_are_named_with_their_first_error() {
        let mut failed = row(Backend::Postgres, 256, 5_000.0, 45.0, 100.0);
        failed.errors = 3;
        failed.first_error = Some("create_todo: the server answered 503: busy".into());
        let rows = [row(Backend::Sqlite, 256, 4_000.0, 60.0, 100.0), failed];
        assert_eq!(
            errors(&rows),
            [
                "PostgreSQL at 256 clients: 3 errors; the first: create_todo: the server answered 503: busy"
            ]
        );
        assert!(errors(&rows[..1]).is_empty());
    }
}
