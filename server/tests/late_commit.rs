//! A late commit, step by step, on PostgreSQL. One store's writer is held between the
//! insert of its group and the commit (the `before_commit` test hook), with the head lock
//! taken and position 1 written but not visible. A second store, on a pool of its own as
//! another server process would have, appends meanwhile: it waits for the lock, so it cannot
//! take position 2 and commit it before position 1, which is how a tailer on a plain
//! sequence skips an event for ever. A tailer reading after its cursor sees nothing move
//! until the first group commits, then both groups, in order.

use app::domain::{CommandId, Position, UserId, Version};
use server::store::postgres::{BeforeCommit, PgEventStore, StoreOptions, WRITER_NAME};
use server::store::{Append, EventStore, NewEvent, RecordedEvent, StreamId};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use test_postgres::TestDatabase;
use tokio::sync::oneshot;

/// How long the second append is watched for not completing: a liveness observation (it is
/// waiting for the lock, which the catalogue confirms), not a claim about timing.
const BLOCKED_FOR: Duration = Duration::from_millis(300);

#[tokio::test(flavor = "multi_thread")]
async fn a_group_held_before_its_commit_blocks_another_process_and_the_tailer_until_it_commits() {
    let database = TestDatabase::create().await;
    let (hold, held) = Hold::first_group();
    let options = StoreOptions {
        before_commit: Some(hold.hook()),
        ..StoreOptions::default()
    };
    let first = PgEventStore::with_options(database.pool().await, options)
        .await
        .unwrap();
    let second = PgEventStore::open(database.pool().await).await.unwrap();
    let tailer = Tailer::new(PgEventStore::open(database.pool().await).await.unwrap());

    // 1. The first store's group is written, and held before its commit.
    let first_append = tokio::spawn({
        let first = first.clone();
        async move { first.append(noted("todo-first")).await }
    });
    let release = held.await.expect("the first group reaches the hook");

    // 2. The second store's append waits for the head lock.
    let mut second_append = tokio::spawn({
        let second = second.clone();
        async move { second.append(noted("todo-second")).await }
    });
    wait_until_a_writer_waits_for_a_lock(&database).await;
    let waited = tokio::time::timeout(BLOCKED_FOR, &mut second_append).await;
    assert!(
        waited.is_err(),
        "the second append did not block: {waited:?}"
    );

    // 3. Meanwhile the tailer sees nothing, and the head does not move.
    for _ in 0..3 {
        assert_eq!(
            tailer.read().await,
            [],
            "nothing is visible before the commit"
        );
        assert_eq!(tailer.store.head().await.unwrap(), Position::ZERO);
    }
    assert!(!first_append.is_finished() && !second_append.is_finished());

    // 4. Released, the first group commits, then the second takes the lock and follows it.
    release.send(()).expect("the hook still waits");
    let first_outcome = first_append.await.unwrap().unwrap();
    let second_outcome = second_append.await.unwrap().unwrap();
    assert_eq!(first_outcome.committed.first_position, Position::new(1));
    assert_eq!(second_outcome.committed.first_position, Position::new(2));

    // 5. The tailer sees both, in order, with no gap.
    let seen = tailer.read_until(Position::new(2)).await;
    let seen: Vec<(u64, &str)> = seen
        .iter()
        .map(|e| (e.position.get(), e.stream.as_str()))
        .collect();
    assert_eq!(seen, [(1, "todo-first"), (2, "todo-second")]);
    assert_eq!(tailer.store.head().await.unwrap(), Position::new(2));
}

/// Holds the first group that reaches the hook until the test releases it; lets every
/// later group through.
struct Hold {
    first: Arc<Mutex<Option<oneshot::Sender<oneshot::Sender<()>>>>>,
}

impl Hold {
    /// The hold, and what resolves, once the first group has been written, to the sender
    /// that releases it.
    fn first_group() -> (Self, oneshot::Receiver<oneshot::Sender<()>>) {
        let (reached, held) = oneshot::channel();
        let hold = Self {
            first: Arc::new(Mutex::new(Some(reached))),
        };
        (hold, held)
    }

    fn hook(&self) -> BeforeCommit {
        let first = Arc::clone(&self.first);
        BeforeCommit::new(move || {
            let reached = first.lock().expect("not poisoned").take();
            async move {
                if let Some(reached) = reached {
                    let (release, released) = oneshot::channel();
                    if reached.send(release).is_ok() {
                        released.await.expect("the test releases the group");
                    }
                }
            }
        })
    }
}

/// A reader that keeps a cursor, as a tailing server process would.
struct Tailer {
    store: PgEventStore,
    cursor: Mutex<Position>,
}

impl Tailer {
    fn new(store: PgEventStore) -> Self {
        Self {
            store,
            cursor: Mutex::new(Position::ZERO),
        }
    }

    /// Everything after the cursor, and the cursor moved past it.
    async fn read(&self) -> Vec<RecordedEvent> {
        let after = *self.cursor.lock().expect("not poisoned");
        let events = self.store.read_all_after(after, 100).await.unwrap();
        if let Some(last) = events.last() {
            *self.cursor.lock().expect("not poisoned") = last.position;
        }
        events
    }

    async fn read_until(&self, head: Position) -> Vec<RecordedEvent> {
        let mut seen = Vec::new();
        while seen
            .last()
            .is_none_or(|e: &RecordedEvent| e.position < head)
        {
            seen.extend(self.read().await);
        }
        seen
    }
}

/// Waits until the catalogue shows a writer of this database waiting for a lock: the
/// second store's, behind the held group.
async fn wait_until_a_writer_waits_for_a_lock(database: &TestDatabase) {
    let pool = database.pool().await;
    loop {
        let waiting: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM pg_stat_activity \
             WHERE datname = current_database() AND application_name = $1 \
             AND wait_event_type = 'Lock'",
        )
        .bind(WRITER_NAME)
        .fetch_one(&pool)
        .await
        .unwrap();
        if waiting == 1 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

fn noted(stream: &str) -> Append {
    Append {
        stream: StreamId::parse(stream).unwrap(),
        expected_version: Version::NONE,
        command_id: CommandId::new(),
        actor: UserId::new(),
        events: vec![NewEvent {
            event_type: "Noted".into(),
            schema_version: 1,
            payload: serde_json::json!({}),
        }],
    }
}
