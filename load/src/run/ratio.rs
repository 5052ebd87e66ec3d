//! Tidings / baseline at one subscriber count, for what the comparison is about: latency,
//! server CPU per delivery and memory per idle connection. Above 1 is Tidings' own cost
//! over the floor of the machine and the stack.

use super::{report::Row, target::Target};
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Ratio {
    pub subscribers: usize,
    /// `None` where either value is not above zero (an RSS growth lost in noise can be).
    pub p50: Option<f64>,
    pub p99: Option<f64>,
    pub cpu_per_delivery: Option<f64>,
    pub rss_per_connection: Option<f64>,
}

pub const MARKDOWN_HEADER: &str = "\
| subscribers | p50 | p99 | server CPU per delivery | RSS per idle connection |
| ---: | ---: | ---: | ---: | ---: |";

impl Ratio {
    pub fn between(tidings: &Row, baseline: &Row) -> Self {
        let over = |ours: f64, floor: f64| (ours > 0.0 && floor > 0.0).then(|| ours / floor);
        Self {
            subscribers: tidings.subscribers,
            p50: over(tidings.latency.p50_ms, baseline.latency.p50_ms),
            p99: over(tidings.latency.p99_ms, baseline.latency.p99_ms),
            cpu_per_delivery: over(
                tidings.server_cpu_us_per_delivery,
                baseline.server_cpu_us_per_delivery,
            ),
            rss_per_connection: over(
                tidings.rss_per_connection_bytes,
                baseline.rss_per_connection_bytes,
            ),
        }
    }

    /// One ratio per subscriber count that was measured against both servers.
    pub fn all(rows: &[Row]) -> Vec<Self> {
        let of = |target: Target, subscribers: usize| {
            rows.iter()
                .find(|row| row.target == target && row.subscribers == subscribers)
        };
        rows.iter()
            .filter(|row| row.target == Target::Tidings)
            .filter_map(|tidings| {
                let baseline = of(Target::Baseline, tidings.subscribers)?;
                Some(Self::between(tidings, baseline))
            })
            .collect()
    }

    pub fn markdown(&self) -> String {
        let times = |ratio: Option<f64>| ratio.map_or("n/a".to_owned(), |r| format!("{r:.2}x"));
        format!(
            "| {} | {} | {} | {} | {} |",
            self.subscribers,
            times(self.p50),
            times(self.p99),
            times(self.cpu_per_delivery),
            times(self.rss_per_connection),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::run::report::tests::row;

    fn measured(target: Target, subscribers: usize, p99_ms: f64, rss: f64) -> Row {
        let mut row = row();
        row.target = target;
        row.subscribers = subscribers;
        row.latency.p99_ms = p99_ms;
        row.rss_per_connection_bytes = rss;
        row
    }

    #[test]
    fn each_ratio_is_tidings_over_the_baseline_at_the_same_count() {
        let rows = [
            measured(Target::Tidings, 100, 4.0, 40_000.0),
            measured(Target::Baseline, 100, 2.0, 10_000.0),
            measured(Target::Tidings, 2_000, 30.0, 13_000.0),
            measured(Target::Baseline, 2_000, 10.0, 6_500.0),
        ];
        let ratios = Ratio::all(&rows);
        assert_eq!(ratios.len(), 2);
        assert_eq!(
            (ratios[0].p99, ratios[0].rss_per_connection),
            (Some(2.0), Some(4.0))
        );
        assert_eq!(
            (ratios[1].p99, ratios[1].rss_per_connection),
            (Some(3.0), Some(2.0))
        );
        assert_eq!(ratios[1].cpu_per_delivery, Some(1.0));
    }

    #[test]
    fn a_count_measured_against_one_server_only_has_no_ratio() {
        let rows = [
            measured(Target::Tidings, 100, 4.0, 40_000.0),
            measured(Target::Baseline, 2_000, 10.0, 6_500.0),
        ];
        assert!(Ratio::all(&rows).is_empty());
    }

    #[test]
    fn a_value_of_zero_or_less_on_either_side_gives_no_ratio() {
        let ratio = Ratio::between(
            &measured(Target::Tidings, 100, 4.0, 40_000.0),
            &measured(Target::Baseline, 100, 2.0, -1_000.0),
        );
        assert_eq!(ratio.rss_per_connection, None);
        let negative_tidings = Ratio::between(
            &measured(Target::Tidings, 100, 4.0, -86_000.0),
            &measured(Target::Baseline, 100, 2.0, 20_000.0),
        );
        assert_eq!(negative_tidings.rss_per_connection, None);
        let cells = |line: &str| line.matches('|').count();
        assert_eq!(
            cells(&ratio.markdown()),
            cells(MARKDOWN_HEADER.lines().next().unwrap())
        );
        assert!(ratio.markdown().contains("| 2.00x |"));
        assert!(ratio.markdown().ends_with("| n/a |"));
    }
}
