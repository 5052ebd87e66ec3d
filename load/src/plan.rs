//! How a run's subscribers are spread: over worker processes (each opens a share of them)
//! and over loopback source addresses (each address has its own range of ephemeral ports).

use serde::{Deserialize, Serialize};
use std::net::Ipv4Addr;

/// The most loopback source addresses a run uses: 127.0.0.1 to 127.0.0.254.
pub const MAX_ADDRESSES: usize = 254;

/// One worker process's subscribers: numbers `first..first + count` of the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Share {
    pub first: usize,
    pub count: usize,
}

impl Share {
    /// The run-wide numbers of this share's subscribers.
    pub fn indices(self) -> std::ops::Range<usize> {
        self.first..self.first + self.count
    }
}

/// How many groups of at most `per_group` make `total` (at least one).
pub fn groups_for(total: usize, per_group: usize) -> usize {
    total.div_ceil(per_group.max(1)).max(1)
}

/// `subscribers` split into `processes` consecutive shares whose sizes differ by at most one.
pub fn shares(subscribers: usize, processes: usize) -> Vec<Share> {
    let processes = processes.max(1);
    let (base, extra) = (subscribers / processes, subscribers % processes);
    let mut first = 0;
    (0..processes)
        .map(|process| {
            let count = base + usize::from(process < extra);
            let share = Share { first, count };
            first += count;
            share
        })
        .collect()
}

/// The loopback address that subscriber `index` connects from, when a run uses `addresses`
/// of them: 127.0.0.1, 127.0.0.2, ... in turn.
pub fn source_address(index: usize, addresses: usize) -> Ipv4Addr {
    let addresses = addresses.clamp(1, MAX_ADDRESSES);
    let last_octet = u8::try_from(1 + index % addresses).expect("at most 254 addresses");
    Ipv4Addr::new(127, 0, 0, last_octet)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subscribers_are_split_into_shares_that_differ_by_at_most_one() {
        let split = shares(10_001, 3);
        let counts: Vec<usize> = split.iter().map(|share| share.count).collect();
        assert_eq!(counts, [3_334, 3_334, 3_333]);
        assert_eq!(split[1].first, 3_334);
        assert_eq!(split[2].indices().end, 10_001);
    }

    #[test]
    fn shares_cover_every_subscriber_exactly_once() {
        let split = shares(2_000, 7);
        let all: Vec<usize> = split.iter().flat_map(|share| share.indices()).collect();
        assert_eq!(all, (0..2_000).collect::<Vec<_>>());
    }

    #[test]
    fn the_number_of_groups_rounds_up_and_is_never_zero() {
        assert_eq!(groups_for(10_000, 5_000), 2);
        assert_eq!(groups_for(10_001, 5_000), 3);
        assert_eq!(groups_for(100, 5_000), 1);
        assert_eq!(groups_for(0, 5_000), 1);
    }

    #[test]
    fn source_addresses_take_turns_from_127_0_0_1() {
        assert_eq!(source_address(0, 3), Ipv4Addr::new(127, 0, 0, 1));
        assert_eq!(source_address(2, 3), Ipv4Addr::new(127, 0, 0, 3));
        assert_eq!(source_address(3, 3), Ipv4Addr::new(127, 0, 0, 1));
        assert_eq!(source_address(7, 1), Ipv4Addr::LOCALHOST);
    }

    #[test]
    fn source_addresses_stay_below_127_0_0_255() {
        assert_eq!(source_address(253, 10_000), Ipv4Addr::new(127, 0, 0, 254));
        assert_eq!(source_address(254, 10_000), Ipv4Addr::new(127, 0, 0, 1));
    }
}
