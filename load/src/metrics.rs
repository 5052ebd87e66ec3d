//! Values from the server's Prometheus text at `GET /metrics`.

/// The sum of every series of the metric `name` (all label sets), or `None` when the text
/// has no such series.
pub fn sum(text: &str, name: &str) -> Option<f64> {
    text.lines()
        .filter(|line| !line.starts_with('#'))
        .filter_map(|line| {
            let rest = line.strip_prefix(name)?;
            let rest = match rest.chars().next()? {
                ' ' => rest,
                '{' => &rest[rest.find('}')? + 1..],
                _ => return None,
            };
            rest.split_whitespace().next()?.parse::<f64>().ok()
        })
        .fold(None, |total, value| Some(total.unwrap_or(0.0) + value))
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "\
# HELP tidings_connections Open WebSocket connections.
# TYPE tidings_connections gauge
tidings_connections 10000
tidings_subscriptions{kind=\"team\"} 9000
tidings_subscriptions{kind=\"todo\"} 1000
tidings_queue_overflows_total 0
tidings_frames_sent_total 1000000 1700000000000
";

    #[test]
    fn a_metric_without_labels_is_read() {
        assert_eq!(sum(TEXT, "tidings_connections"), Some(10_000.0));
        assert_eq!(sum(TEXT, "tidings_queue_overflows_total"), Some(0.0));
    }

    #[test]
    fn series_with_labels_are_added_up() {
        assert_eq!(sum(TEXT, "tidings_subscriptions"), Some(10_000.0));
    }

    #[test]
    fn a_timestamp_after_the_value_is_ignored() {
        assert_eq!(sum(TEXT, "tidings_frames_sent_total"), Some(1_000_000.0));
    }

    #[test]
    fn a_metric_that_only_shares_a_prefix_is_not_counted() {
        assert_eq!(sum(TEXT, "tidings_frames"), None);
        assert_eq!(sum(TEXT, "tidings_missing"), None);
    }
}
