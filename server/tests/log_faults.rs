//! The PostgreSQL log when the writer's connection dies under load (a database restart, or
//! `pg_terminate_backend` as here): the appends in flight fail cleanly, with an error that
//! says a retry with the same command id is safe, or succeed; nothing acknowledged is
//! lost; and the writer opens a new connection by itself, so later appends succeed again.

use app::domain::{CommandId, Position, UserId, Version};
use server::store::postgres::{PgEventStore, WRITER_NAME};
use server::store::{Append, AppendError, Committed, EventStore, NewEvent, StoreError, StreamId};
use sqlx::PgPool;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use test_postgres::TestDatabase;

const APPENDERS: usize = 16;
const KILLS: usize = 3;
/// Acknowledgements awaited before the first kill and after each.
const ACKS_BETWEEN_KILLS: usize = 150;

#[tokio::test(flavor = "multi_thread")]
async fn a_writer_whose_connection_is_killed_fails_only_appends_in_flight_and_recovers_by_itself() {
    let database = TestDatabase::create().await;
    let store = PgEventStore::open(database.pool().await).await.unwrap();
    let admin = database.pool().await;
    let outcomes = Arc::new(Outcomes::default());
    let appenders: Vec<_> = (0..APPENDERS)
        .map(|_| tokio::spawn(append_until_stopped(store.clone(), Arc::clone(&outcomes))))
        .collect();

    outcomes.wait_for_acks(ACKS_BETWEEN_KILLS).await;
    for _ in 0..KILLS {
        let killed = kill_the_writer(&admin).await;
        let acked = outcomes.acked();
        outcomes.wait_for_acks(acked + ACKS_BETWEEN_KILLS).await;
        let writer = writer_pid(&admin).await;
        assert_ne!(writer, killed, "the writer is on a new connection");
    }
    outcomes.stopped.store(true, Ordering::Relaxed);
    for appender in appenders {
        appender.await.unwrap();
    }

    eprintln!(
        "{} acknowledged, {} failures retried",
        outcomes.acked(),
        outcomes.retried.load(Ordering::Relaxed)
    );
    let unexpected = outcomes.unexpected.lock().unwrap().clone();
    assert!(unexpected.is_empty(), "{unexpected:#?}");
    let acked = outcomes.acks.lock().unwrap().clone();
    let log = store
        .read_all_after(Position::ZERO, u32::MAX)
        .await
        .unwrap();
    let positions: Vec<u64> = log.iter().map(|e| e.position.get()).collect();
    assert_eq!(positions, (1..=log.len() as u64).collect::<Vec<_>>());
    let mut in_log: HashMap<CommandId, Vec<u64>> = HashMap::new();
    for event in &log {
        in_log
            .entry(event.command_id)
            .or_default()
            .push(event.position.get());
    }
    for (command, committed) in &acked {
        let expected: Vec<u64> =
            (committed.first_position.get()..=committed.last_position.get()).collect();
        assert_eq!(in_log.remove(command), Some(expected), "{command}");
    }
    assert!(in_log.is_empty(), "unacknowledged commands: {in_log:?}");
}

#[derive(Default)]
struct Outcomes {
    acks: Mutex<Vec<(CommandId, Committed)>>,
    acked_changed: tokio::sync::Notify,
    /// Failures that said a retry is safe, and were retried.
    retried: AtomicUsize,
    /// Answers other than an ack or a failure that a retry may follow.
    unexpected: Mutex<Vec<String>>,
    stopped: AtomicBool,
}

impl Outcomes {
    fn acked(&self) -> usize {
        self.acks.lock().unwrap().len()
    }

    fn ack(&self, command: CommandId, committed: Committed) {
        self.acks.lock().unwrap().push((command, committed));
        self.acked_changed.notify_waiters();
    }

    async fn wait_for_acks(&self, count: usize) {
        loop {
            let changed = self.acked_changed.notified();
            if self.acked() >= count {
                return;
            }
            changed.await;
        }
    }
}

/// New streams, one event each; after a failure, the same command again until it is
/// answered.
async fn append_until_stopped(store: PgEventStore, outcomes: Arc<Outcomes>) {
    while !outcomes.stopped.load(Ordering::Relaxed) {
        let append = noted();
        loop {
            match store.append(append.clone()).await {
                Ok(outcome) => {
                    outcomes.ack(append.command_id, outcome.committed);
                    break;
                }
                Err(AppendError::Store(
                    StoreError::CommitFailed(_) | StoreError::Unreachable(_),
                )) => {
                    outcomes.retried.fetch_add(1, Ordering::Relaxed);
                    tokio::time::sleep(Duration::from_millis(5)).await;
                }
                Err(other) => {
                    outcomes.unexpected.lock().unwrap().push(other.to_string());
                    break;
                }
            }
        }
    }
}

/// Terminates the writer's backend; returns its pid.
async fn kill_the_writer(admin: &PgPool) -> i32 {
    let pid = writer_pid(admin).await;
    let killed: bool = sqlx::query_scalar("SELECT pg_terminate_backend($1)")
        .bind(pid)
        .fetch_one(admin)
        .await
        .unwrap();
    assert!(killed, "the writer's backend {pid} was terminated");
    pid
}

/// The pid of this database's one writer connection, once there is one.
async fn writer_pid(admin: &PgPool) -> i32 {
    loop {
        let pids: Vec<i32> = sqlx::query_scalar(
            "SELECT pid FROM pg_stat_activity \
             WHERE datname = current_database() AND application_name = $1",
        )
        .bind(WRITER_NAME)
        .fetch_all(admin)
        .await
        .unwrap();
        match pids[..] {
            [pid] => return pid,
            [] => tokio::time::sleep(Duration::from_millis(10)).await,
            _ => panic!("more than one writer: {pids:?}"),
        }
    }
}

fn noted() -> Append {
    Append {
        stream: StreamId::for_todo(app::domain::TodoId::new()),
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
