//! Latencies in microseconds, in an HDR histogram (1 µs to 60 s, three significant digits),
//! which a worker sends to the coordinator as one line: the V2 serialisation, in base64.

use base64::{Engine, engine::general_purpose::STANDARD};
use hdrhistogram::{
    Histogram,
    serialization::{Deserializer, Serializer, V2Serializer},
};
use serde::Serialize;

/// The longest latency recorded as itself; longer ones count as this.
const HIGHEST_MICROS: u64 = 60_000_000;

#[derive(Debug, thiserror::Error)]
pub enum LatencyError {
    #[error("the histogram is not base64: {0}")]
    Base64(#[from] base64::DecodeError),
    #[error("the histogram does not deserialise: {0:?}")]
    Deserialize(hdrhistogram::serialization::DeserializeError),
    #[error("the histograms do not merge: {0:?}")]
    Merge(hdrhistogram::AdditionError),
}

#[derive(Debug, Clone)]
pub struct Latencies(Histogram<u64>);

/// What a table row shows of a histogram, in milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Summary {
    pub count: u64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
}

impl Default for Latencies {
    fn default() -> Self {
        Self(Histogram::new_with_bounds(1, HIGHEST_MICROS, 3).expect("valid bounds"))
    }
}

impl Latencies {
    pub fn record(&mut self, micros: u64) {
        self.0.saturating_record(micros.min(HIGHEST_MICROS));
    }

    pub fn encode(&self) -> String {
        let mut bytes = Vec::new();
        V2Serializer::new()
            .serialize(&self.0, &mut bytes)
            .expect("serialising into memory succeeds");
        STANDARD.encode(bytes)
    }

    pub fn decode(text: &str) -> Result<Self, LatencyError> {
        let bytes = STANDARD.decode(text.trim())?;
        Deserializer::new()
            .deserialize(&mut bytes.as_slice())
            .map(Self)
            .map_err(LatencyError::Deserialize)
    }

    pub fn merge(&mut self, other: &Self) -> Result<(), LatencyError> {
        self.0.add(&other.0).map_err(LatencyError::Merge)
    }

    pub fn summary(&self) -> Summary {
        let ms = |micros: u64| micros as f64 / 1_000.0;
        Summary {
            count: self.0.len(),
            p50_ms: ms(self.0.value_at_quantile(0.50)),
            p99_ms: ms(self.0.value_at_quantile(0.99)),
            max_ms: ms(self.0.max()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn of(values: impl IntoIterator<Item = u64>) -> Latencies {
        let mut latencies = Latencies::default();
        values
            .into_iter()
            .for_each(|micros| latencies.record(micros));
        latencies
    }

    #[test]
    fn a_histogram_survives_its_line_encoding() {
        let latencies = of([1_000, 2_000, 50_000]);
        let decoded = Latencies::decode(&latencies.encode()).unwrap();
        assert_eq!(decoded.summary(), latencies.summary());
        assert!(!latencies.encode().contains('\n'));
    }

    #[test]
    fn merged_histograms_count_every_value_of_both() {
        let mut merged = of((1..=99).map(|_| 1_000));
        merged.merge(&of([80_000])).unwrap();
        let summary = merged.summary();
        assert_eq!(summary.count, 100);
        assert!((summary.p50_ms - 1.0).abs() < 0.01, "{summary:?}");
        assert!((summary.max_ms - 80.0).abs() < 0.1, "{summary:?}");
    }

    #[test]
    fn latencies_beyond_a_minute_count_as_a_minute() {
        let summary = of([u64::MAX]).summary();
        assert_eq!(summary.count, 1);
        assert!((summary.max_ms - 60_000.0).abs() < 60.0, "{summary:?}");
    }

    #[test]
    fn text_that_is_not_a_histogram_is_refused() {
        assert!(matches!(
            Latencies::decode("not base64!"),
            Err(LatencyError::Base64(_))
        ));
        assert!(matches!(
            Latencies::decode("AAAA"),
            Err(LatencyError::Deserialize(_))
        ));
    }
}
