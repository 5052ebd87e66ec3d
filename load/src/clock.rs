//! The wall clock in microseconds since the Unix epoch: the coordinator writes it into each
//! command's title and the workers compare it with their own reading of the same clock.

use std::time::{SystemTime, UNIX_EPOCH};

pub fn unix_micros() -> u64 {
    let since_epoch = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("the clock is after 1970");
    u64::try_from(since_epoch.as_micros()).expect("microseconds fit in 64 bits until year 586,000")
}
