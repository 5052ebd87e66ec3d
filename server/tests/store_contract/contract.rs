//! The contract: what every event store does, written once against [`Harness`], so that
//! each backend runs exactly these functions.

use app::domain::{CommandId, Position, UserId, Version};
use chrono::Utc;
use serde_json::json;
use server::store::{
    Append, AppendError, AppendOutcome, Committed, EventStore, NewEvent, RecordedEvent, StreamId,
};
use std::collections::{BTreeMap, HashSet};
use std::future::Future;
use std::sync::Arc;
use tokio::sync::Barrier;

/// A backend under test, on a database of its own that outlives the stores opened on it.
pub trait Harness: Sync {
    type Store: EventStore + Clone;

    /// A store on this harness's database; a second call reopens the same database.
    fn open(&self) -> impl Future<Output = Self::Store> + Send;

    /// Drops the store and closes everything it held open on the database.
    fn close(&self, store: Self::Store) -> impl Future<Output = ()> + Send;
}

// ---- helpers ----------------------------------------------------------------------------

fn stream(name: &str) -> StreamId {
    StreamId::parse(name).expect("a valid stream id")
}

fn event(n: usize) -> NewEvent {
    NewEvent {
        event_type: "Noted".into(),
        schema_version: 1,
        payload: json!({ "n": n }),
    }
}

/// A fresh command appending `count` events to `stream`.
fn command(stream: &StreamId, expected: u64, count: usize) -> Append {
    Append {
        stream: stream.clone(),
        expected_version: Version::new(expected),
        command_id: CommandId::new(),
        actor: UserId::new(),
        events: (1..=count).map(event).collect(),
    }
}

async fn append_ok(store: &impl EventStore, append: Append) -> AppendOutcome {
    store.append(append).await.expect("the append commits")
}

async fn everything(store: &impl EventStore) -> Vec<RecordedEvent> {
    store
        .read_all_after(Position::ZERO, u32::MAX)
        .await
        .expect("the log reads")
}

fn positions(events: &[RecordedEvent]) -> Vec<u64> {
    events.iter().map(|e| e.position.get()).collect()
}

fn versions(events: &[RecordedEvent]) -> Vec<u64> {
    events.iter().map(|e| e.version.get()).collect()
}

fn committed(positions: (u64, u64), versions: (u64, u64)) -> Committed {
    Committed {
        first_position: Position::new(positions.0),
        last_position: Position::new(positions.1),
        first_version: Version::new(versions.0),
        last_version: Version::new(versions.1),
    }
}

/// The stream's version as a command handler would learn it: by reading the stream.
async fn current_version(store: &impl EventStore, stream: &StreamId) -> Version {
    let mut version = Version::NONE;
    loop {
        let page = store
            .read_stream(stream, version, 100)
            .await
            .expect("the stream reads");
        match page.last() {
            Some(last) => version = last.version,
            None => return version,
        }
    }
}

// ---- appending --------------------------------------------------------------------------

pub async fn a_first_append_starts_its_stream_at_version_one(harness: &impl Harness) {
    let store = harness.open().await;
    let todo = stream("todo-a");
    let outcome = append_ok(&store, command(&todo, 0, 3)).await;
    assert_eq!(outcome.committed, committed((1, 3), (1, 3)));
    assert!(!outcome.duplicate);
    let next = append_ok(&store, command(&todo, 3, 1)).await;
    assert_eq!(next.committed, committed((4, 4), (4, 4)));
}

pub async fn a_stale_expected_version_is_a_conflict(harness: &impl Harness) {
    let store = harness.open().await;
    let todo = stream("todo-a");
    append_ok(&store, command(&todo, 0, 2)).await;
    for expected in [0, 1, 3] {
        let refused = store.append(command(&todo, expected, 1)).await;
        assert!(
            matches!(
                &refused,
                Err(AppendError::Conflict { stream, expected: e, actual })
                    if *stream == todo && *e == Version::new(expected) && *actual == Version::new(2)
            ),
            "expected {expected}: {refused:?}"
        );
    }
    assert_eq!(
        everything(&store).await.len(),
        2,
        "a conflict writes nothing"
    );
}

pub async fn concurrent_appends_at_one_version_let_exactly_one_win(harness: &impl Harness) {
    const RACERS: usize = 32;
    let store = harness.open().await;
    let todo = stream("todo-contested");
    append_ok(&store, command(&todo, 0, 1)).await;
    let start = Arc::new(Barrier::new(RACERS));
    let racers: Vec<_> = (0..RACERS)
        .map(|_| {
            let (store, start, append) = (store.clone(), start.clone(), command(&todo, 1, 1));
            tokio::spawn(async move {
                start.wait().await;
                store.append(append).await
            })
        })
        .collect();
    let mut winners = 0;
    for racer in racers {
        match racer.await.expect("the racer runs") {
            Ok(outcome) => {
                winners += 1;
                assert_eq!(outcome.committed, committed((2, 2), (2, 2)));
            }
            Err(AppendError::Conflict { actual, .. }) => assert_eq!(actual, Version::new(2)),
            Err(other) => panic!("unexpected error: {other}"),
        }
    }
    assert_eq!(winners, 1);
    assert_eq!(versions(&everything(&store).await), [1, 2]);
}

pub async fn a_conflict_among_concurrent_appends_fails_that_append_alone(harness: &impl Harness) {
    const EACH: usize = 10;
    let store = harness.open().await;
    let contested = stream("todo-contested");
    let start = Arc::new(Barrier::new(2 * EACH));
    let appends = (0..EACH)
        .map(|_| command(&contested, 0, 1))
        .chain((0..EACH).map(|i| command(&stream(&format!("todo-{i}")), 0, 1)));
    let tasks: Vec<_> = appends
        .map(|append| {
            let (store, start) = (store.clone(), start.clone());
            tokio::spawn(async move {
                start.wait().await;
                store.append(append).await
            })
        })
        .collect();
    let mut results = Vec::new();
    for task in tasks {
        results.push(task.await.expect("the task runs"));
    }
    let (on_contested, elsewhere) = results.split_at(EACH);
    let won = on_contested.iter().filter(|r| r.is_ok()).count();
    assert_eq!(won, 1, "{on_contested:?}");
    for lost in on_contested.iter().filter(|r| r.is_err()) {
        assert!(
            matches!(lost, Err(AppendError::Conflict { actual, .. }) if *actual == Version::new(1))
        );
    }
    assert!(elsewhere.iter().all(Result::is_ok), "{elsewhere:?}");
    let expected: Vec<u64> = (1..=EACH as u64 + 1).collect();
    assert_eq!(positions(&everything(&store).await), expected);
}

pub async fn an_append_without_events_is_refused_and_writes_nothing(harness: &impl Harness) {
    let store = harness.open().await;
    let empty = command(&stream("todo-a"), 0, 0);
    let id = empty.command_id;
    assert!(matches!(
        store.append(empty).await,
        Err(AppendError::NoEvents)
    ));
    assert_eq!(store.head().await.unwrap(), Position::ZERO);
    assert_eq!(store.find_command(id).await.unwrap(), None);
}

// ---- idempotency ------------------------------------------------------------------------

pub async fn a_retried_command_returns_its_first_outcome_and_writes_nothing(
    harness: &impl Harness,
) {
    let store = harness.open().await;
    let append = command(&stream("todo-a"), 0, 2);
    let first = append_ok(&store, append.clone()).await;
    let retried = append_ok(&store, append.clone()).await;
    assert_eq!(
        retried,
        AppendOutcome {
            committed: first.committed,
            duplicate: true
        }
    );
    assert_eq!(positions(&everything(&store).await), [1, 2]);
    assert_eq!(
        store.find_command(append.command_id).await.unwrap(),
        Some(first.committed)
    );
}

pub async fn a_command_retried_after_its_stream_moved_on_is_still_a_duplicate(
    harness: &impl Harness,
) {
    let store = harness.open().await;
    let todo = stream("todo-a");
    let append = command(&todo, 0, 1);
    let first = append_ok(&store, append.clone()).await;
    append_ok(&store, command(&todo, 1, 1)).await;
    let retried = append_ok(&store, append).await;
    assert!(retried.duplicate);
    assert_eq!(retried.committed, first.committed);
    assert_eq!(versions(&everything(&store).await), [1, 2]);
}

pub async fn a_command_that_lost_a_race_may_retry_with_the_same_id(harness: &impl Harness) {
    let store = harness.open().await;
    let todo = stream("todo-a");
    append_ok(&store, command(&todo, 0, 1)).await;
    let mut append = command(&todo, 0, 1);
    assert!(matches!(
        store.append(append.clone()).await,
        Err(AppendError::Conflict { .. })
    ));
    append.expected_version = Version::new(1);
    let outcome = append_ok(&store, append).await;
    assert!(!outcome.duplicate);
    assert_eq!(outcome.committed, committed((2, 2), (2, 2)));
}

pub async fn an_unknown_command_is_not_found(harness: &impl Harness) {
    let store = harness.open().await;
    append_ok(&store, command(&stream("todo-a"), 0, 1)).await;
    assert_eq!(store.find_command(CommandId::new()).await.unwrap(), None);
}

// ---- reading ----------------------------------------------------------------------------

pub async fn a_recorded_event_keeps_all_that_was_appended(harness: &impl Harness) {
    let store = harness.open().await;
    let payload =
        json!({ "title": "Buy milk \"now\"\n", "n": 1.5, "big": u64::MAX, "list": [1, {}] });
    let append = Append {
        events: vec![NewEvent {
            event_type: "TodoCreated".into(),
            schema_version: 7,
            payload: payload.clone(),
        }],
        ..command(&stream("todo-a"), 0, 0)
    };
    let before = Utc::now().timestamp_millis();
    append_ok(&store, append.clone()).await;
    let after = Utc::now().timestamp_millis();
    let [recorded] = everything(&store).await.try_into().expect("one event");
    assert_eq!(recorded.position, Position::new(1));
    assert_eq!(recorded.stream, append.stream);
    assert_eq!(recorded.version, Version::new(1));
    assert_eq!(recorded.event_type, "TodoCreated");
    assert_eq!(recorded.schema_version, 7);
    assert_eq!(recorded.payload, payload);
    assert_eq!(recorded.actor, append.actor);
    assert_eq!(recorded.command_id, append.command_id);
    let at = recorded.recorded_at.timestamp_millis();
    assert!(before <= at && at <= after, "{before} <= {at} <= {after}");
}

pub async fn read_stream_pages_by_version(harness: &impl Harness) {
    let store = harness.open().await;
    let (todo, other) = (stream("todo-a"), stream("todo-b"));
    append_ok(&store, command(&todo, 0, 1)).await;
    append_ok(&store, command(&other, 0, 1)).await;
    append_ok(&store, command(&todo, 1, 2)).await;
    append_ok(&store, command(&todo, 3, 2)).await;
    let mut pages = Vec::new();
    let mut after = Version::NONE;
    loop {
        let page = store.read_stream(&todo, after, 2).await.unwrap();
        let Some(last) = page.last() else { break };
        after = last.version;
        assert!(page.iter().all(|e| e.stream == todo));
        pages.push(versions(&page));
    }
    assert_eq!(pages, [vec![1, 2], vec![3, 4], vec![5]]);
    let unknown = store
        .read_stream(&stream("todo-none"), Version::NONE, 10)
        .await;
    assert!(unknown.unwrap().is_empty());
}

pub async fn read_all_after_pages_by_position_across_streams(harness: &impl Harness) {
    let store = harness.open().await;
    for (i, name) in ["todo-a", "todo-b", "todo-a", "todo-c"].iter().enumerate() {
        let todo = stream(name);
        let version = current_version(&store, &todo).await.get();
        append_ok(&store, command(&todo, version, 1 + i % 2)).await;
    }
    let mut pages = Vec::new();
    let mut after = Position::ZERO;
    loop {
        let page = store.read_all_after(after, 4).await.unwrap();
        let Some(last) = page.last() else { break };
        after = last.position;
        pages.push(positions(&page));
    }
    assert_eq!(pages, [vec![1, 2, 3, 4], vec![5, 6]]);
    let streams: Vec<String> = everything(&store)
        .await
        .iter()
        .map(|e| format!("{}@{}", e.stream, e.version))
        .collect();
    assert_eq!(
        streams,
        [
            "todo-a@1", "todo-b@1", "todo-b@2", "todo-a@2", "todo-c@1", "todo-c@2"
        ]
    );
}

/// Every page the log reads ahead, in order, until the pages end.
async fn all_pages(store: &(impl EventStore + Clone), page: u32) -> Vec<Vec<RecordedEvent>> {
    let mut pages = Arc::new(store.clone()).read_all_ahead(page);
    let mut read = Vec::new();
    while let Some(events) = pages.recv().await {
        read.push(events.expect("the log reads"));
    }
    read
}

pub async fn read_all_ahead_pages_the_whole_log_in_order_as_read_all_after_does(
    harness: &impl Harness,
) {
    let store = harness.open().await;
    assert_eq!(all_pages(&store, 4).await, Vec::<Vec<RecordedEvent>>::new());
    for (i, name) in ["todo-a", "todo-b", "todo-a", "todo-c", "todo-b"]
        .iter()
        .enumerate()
    {
        let todo = stream(name);
        let version = current_version(&store, &todo).await.get();
        append_ok(&store, command(&todo, version, 1 + i % 2)).await;
    }
    let pages = all_pages(&store, 4).await;
    let positions: Vec<Vec<u64>> = pages.iter().map(|page| positions(page)).collect();
    assert_eq!(positions, [vec![1, 2, 3, 4], vec![5, 6, 7]]);
    assert_eq!(pages.concat(), everything(&store).await);
    assert_eq!(
        all_pages(&store, u32::MAX).await,
        [everything(&store).await]
    );
}

pub async fn head_and_watch_head_advance_with_each_commit(harness: &impl Harness) {
    let store = harness.open().await;
    let todo = stream("todo-a");
    let mut head = store.watch_head();
    assert_eq!(*head.borrow_and_update(), Position::ZERO);
    assert_eq!(store.head().await.unwrap(), Position::ZERO);
    append_ok(&store, command(&todo, 0, 2)).await;
    assert!(head.has_changed().unwrap(), "published before the ack");
    assert_eq!(*head.borrow_and_update(), Position::new(2));
    assert_eq!(store.head().await.unwrap(), Position::new(2));
    let _ = store.append(command(&todo, 0, 1)).await;
    assert!(!head.has_changed().unwrap(), "a conflict commits nothing");
    let waiter = tokio::spawn(async move {
        head.changed().await.expect("the store is alive");
        *head.borrow_and_update()
    });
    append_ok(&store, command(&todo, 2, 1)).await;
    assert_eq!(waiter.await.unwrap(), Position::new(3));
}

// ---- durability and concurrency ---------------------------------------------------------

pub async fn committed_events_survive_closing_and_reopening_the_database(harness: &impl Harness) {
    let store = harness.open().await;
    let todo = stream("todo-a");
    let first = command(&todo, 0, 2);
    append_ok(&store, first.clone()).await;
    append_ok(&store, command(&todo, 2, 1)).await;
    let before = everything(&store).await;
    harness.close(store).await;

    let store = harness.open().await;
    assert_eq!(everything(&store).await, before);
    assert_eq!(store.head().await.unwrap(), Position::new(3));
    assert_eq!(*store.watch_head().borrow(), Position::new(3));
    assert!(append_ok(&store, first).await.duplicate);
    let next = append_ok(&store, command(&todo, 3, 1)).await;
    assert_eq!(next.committed, committed((4, 4), (4, 4)));
}

/// Every task appends one event to one of the streams, re-reading the stream's version
/// after each conflict, until it wins.
pub async fn a_thousand_concurrent_appends_leave_positions_and_versions_gap_free(
    harness: &impl Harness,
) {
    const TASKS: usize = 1000;
    const STREAMS: usize = 50;
    let store = harness.open().await;
    let tasks: Vec<_> = (0..TASKS)
        .map(|i| {
            let store = store.clone();
            let todo = stream(&format!("todo-{}", i % STREAMS));
            tokio::spawn(async move { append_until_it_wins(&store, &todo).await })
        })
        .collect();
    let mut command_positions = HashSet::new();
    for task in tasks {
        let outcome = task.await.expect("the task runs");
        assert!(!outcome.duplicate);
        assert!(command_positions.insert(outcome.committed.first_position));
    }
    let log = everything(&store).await;
    assert_eq!(positions(&log), (1..=TASKS as u64).collect::<Vec<_>>());
    let mut by_stream: BTreeMap<&StreamId, Vec<u64>> = BTreeMap::new();
    for event in &log {
        by_stream
            .entry(&event.stream)
            .or_default()
            .push(event.version.get());
    }
    assert_eq!(by_stream.len(), STREAMS);
    let expected: Vec<u64> = (1..=(TASKS / STREAMS) as u64).collect();
    assert!(by_stream.values().all(|v| *v == expected), "{by_stream:?}");
    assert_eq!(store.head().await.unwrap(), Position::new(TASKS as u64));
}

async fn append_until_it_wins(store: &impl EventStore, todo: &StreamId) -> AppendOutcome {
    let mut append = command(todo, 0, 1);
    loop {
        append.expected_version = current_version(store, todo).await;
        match store.append(append.clone()).await {
            Ok(outcome) => return outcome,
            Err(AppendError::Conflict { .. }) => continue,
            Err(other) => panic!("unexpected error: {other}"),
        }
    }
}
