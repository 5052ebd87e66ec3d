//! Which server a round measures: Tidings' release binary, or the baseline built into this
//! tool; and which of them a run measures, chosen with `--target`.

use clap::ValueEnum;
use serde::Serialize;
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Target {
    Tidings,
    Baseline,
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Tidings => "tidings",
            Self::Baseline => "baseline",
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Targets {
    /// Tidings' server only.
    Tidings,
    /// The baseline server only.
    Baseline,
    /// Each subscriber count against Tidings, then against the baseline.
    Both,
}

impl Targets {
    /// The servers to measure at each subscriber count, in order.
    pub fn servers(self) -> &'static [Target] {
        match self {
            Self::Tidings => &[Target::Tidings],
            Self::Baseline => &[Target::Baseline],
            Self::Both => &[Target::Tidings, Target::Baseline],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_measures_tidings_first_then_the_baseline() {
        assert_eq!(Targets::Both.servers(), [Target::Tidings, Target::Baseline]);
        assert_eq!(Targets::Baseline.servers(), [Target::Baseline]);
    }
}
