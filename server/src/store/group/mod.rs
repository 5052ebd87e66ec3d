//! What every backend's writer shares, none of it I/O: an append encoded in its caller's
//! task (`encode`), the decision of what becomes of each append of a group (`plan`), and the
//! answers made of those decisions (`outcome`). Each backend reads what a group needs,
//! writes what the plan accepted, and commits, in its own SQL.

mod encode;
mod outcome;
mod plan;

pub(in crate::store) use encode::{EncodedAppend, EncodedEvent};
pub(in crate::store) use outcome::{Accepted, accepted, answer, new_head};
pub(in crate::store) use plan::{Fate, Known, StreamHead, plan};
