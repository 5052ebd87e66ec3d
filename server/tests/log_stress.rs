//! The log under stress, with a negative control. Two store handles on one PostgreSQL
//! database (two processes, as far as the database can tell), 64 appenders each: new
//! streams, hot streams that conflict and retry, retried command ids, and a few appends that
//! the database refuses, so that their groups roll back. Three tailers read the log as it
//! grows: one from the start, one from a random position, one that restarts from its cursor
//! now and then. Afterwards every tailer must have seen exactly the positions of the final
//! log after its start, in order; the final log must be 1..head; every acknowledged
//! command must be in it exactly once, and nothing else.
//!
//! Some commits are delayed between insert and commit (a random 1 in 40, up to 8 ms), the
//! window in which a late commit happens. The same harness, run against a plain-sequence
//! log (a `bigserial` position, no head lock) with the same delays, must find a tailer that
//! skipped an event: that shows the harness can see the hazard it guards against.

#[path = "log_stress/designs.rs"]
mod designs;
#[path = "log_stress/harness.rs"]
mod harness;

use designs::{Delays, HeadLock, PlainSequence};
use harness::{Finding, Settings, run};
use std::sync::Arc;
use test_postgres::TestDatabase;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_thousand_appends_from_two_processes_reach_every_tailer_exactly_once_in_order() {
    let database = Arc::new(TestDatabase::create().await);
    let design = HeadLock::new(Arc::clone(&database), Delays::default());
    let settings = Settings::new(50_000);
    let findings = run(Arc::new(design), &settings).await;
    assert!(findings.is_empty(), "{findings:#?}");
}

/// Fewer appends than above: a plain sequence commits each append on its own, and a few
/// thousand are plenty to catch it out.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_same_harness_catches_a_plain_sequence_skipping_a_late_commit() {
    let database = Arc::new(TestDatabase::create().await);
    let design = PlainSequence::new(Arc::clone(&database), Delays::default()).await;
    let settings = Settings::new(3_000);
    let findings = run(Arc::new(design), &settings).await;
    assert!(
        findings
            .iter()
            .any(|finding| matches!(finding, Finding::Skipped { .. })),
        "no tailer skipped an event: {findings:#?}"
    );
}
