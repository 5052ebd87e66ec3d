//! How fast the stores acknowledge appends, at several numbers of concurrent writers. On
//! SQLite, three modes: one transaction per append (`max_batch = 1`, the baseline), group
//! commit with the writer waiting for each fsync, and group commit with the fsync pipelined
//! (the store's default). On PostgreSQL, three: one transaction per append, group commit
//! (the default; `synchronous_commit = on`, so each commit waits for its WAL flush), and
//! group commit from two stores on the same database, each with half the writers, as two
//! instances append (its ratio is against one store's group commit in the same run). Each
//! writer appends one-event commands as fast as its acks come back, for a fixed time; every
//! run gets a fresh database. Two workloads:
//! - `update`: each writer appends to one long stream of its own (edits of busy todos);
//! - `create`: each append starts a new stream (new todos, UUIDv7 stream ids).
//!
//! `cargo bench -p server --bench append` prints a markdown table. Settings, from the
//! environment: `BENCH_SECS` (each run's length, default 4), `BENCH_WRITERS` (default
//! `1,16,256`), `BENCH_WORKLOADS` (default `create,update`), `BENCH_BACKENDS` (default
//! `sqlite,postgres`), `BENCH_DIR` (where the SQLite files go, default the system temp
//! folder; it must be a real disk for the fsyncs to mean anything),
//! `TIDINGS_BENCH_POSTGRES_URL` (a migrated database that each run empties first; by
//! default each run gets a fresh database from `test-postgres`, on the server it names).

use anyhow::Context;
use app::domain::{CommandId, TodoId, UserId, Version};
use serde_json::json;
use server::db::sqlite::open_sqlite;
use server::store::postgres::{self, PgEventStore};
use server::store::sqlite::{SqliteEventStore, StoreOptions};
use server::store::{Append, EventStore, NewEvent, StreamId};
use sqlx::PgPool;
use std::sync::Arc;
use std::time::{Duration, Instant};
use test_postgres::TestDatabase;

/// The allocator the server runs with (`server/src/main.rs`).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

struct Settings {
    run_for: Duration,
    writers: Vec<usize>,
    workloads: Vec<Workload>,
    backends: Vec<Backend>,
    dir: std::path::PathBuf,
    postgres_url: Option<String>,
}

#[derive(Clone, Copy)]
enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    fn parse(name: &str) -> anyhow::Result<Self> {
        match name.trim() {
            "sqlite" => Ok(Self::Sqlite),
            "postgres" => Ok(Self::Postgres),
            other => anyhow::bail!("BENCH_BACKENDS: unknown backend {other:?}"),
        }
    }

    /// The baseline first.
    fn modes(self) -> &'static [Mode] {
        match self {
            Self::Sqlite => &[
                Mode::OneTransactionPerAppend,
                Mode::GroupCommitSyncInCommit,
                Mode::GroupCommit,
            ],
            Self::Postgres => &[
                Mode::PgOneTransactionPerAppend,
                Mode::PgGroupCommit,
                Mode::PgTwoStores,
            ],
        }
    }
}

#[derive(Clone, Copy)]
enum Mode {
    /// The store as it runs: group commit, each group's fsync off the writer's path.
    GroupCommit,
    /// Group commit, the writer waiting for each group's fsync inside its commit.
    GroupCommitSyncInCommit,
    /// One transaction per append, synced inside its commit: the baseline.
    OneTransactionPerAppend,
    /// PostgreSQL as it runs: group commit under the head lock.
    PgGroupCommit,
    /// PostgreSQL, one transaction (one head lock, one WAL flush) per append: the baseline.
    PgOneTransactionPerAppend,
    /// PostgreSQL, group commit from two stores (two writers taking turns at the head lock),
    /// each with half the writers: two instances.
    PgTwoStores,
}

impl Mode {
    fn options(self) -> StoreOptions {
        let every_group_syncs_in_its_commit = StoreOptions {
            pipeline_from: usize::MAX,
            ..StoreOptions::default()
        };
        match self {
            Mode::GroupCommit => StoreOptions::default(),
            Mode::GroupCommitSyncInCommit => every_group_syncs_in_its_commit,
            Mode::OneTransactionPerAppend => StoreOptions {
                max_batch: 1,
                ..every_group_syncs_in_its_commit
            },
            Mode::PgGroupCommit | Mode::PgOneTransactionPerAppend | Mode::PgTwoStores => {
                unreachable!("a PostgreSQL mode has PostgreSQL's options")
            }
        }
    }

    fn postgres_options(self) -> postgres::StoreOptions {
        match self {
            Mode::PgOneTransactionPerAppend => postgres::StoreOptions {
                max_batch: 1,
                ..postgres::StoreOptions::default()
            },
            _ => postgres::StoreOptions::default(),
        }
    }

    fn name(self) -> &'static str {
        match self {
            Mode::GroupCommit => "group commit, fsync pipelined",
            Mode::GroupCommitSyncInCommit => "group commit, fsync in commit",
            Mode::OneTransactionPerAppend => "1 tx per append",
            Mode::PgGroupCommit => "PostgreSQL, group commit",
            Mode::PgOneTransactionPerAppend => "PostgreSQL, 1 tx per append",
            Mode::PgTwoStores => "PostgreSQL, group commit, 2 stores",
        }
    }

    /// The mode this one's ratio is against; `None` for the baselines.
    fn compared_with(self) -> Option<Mode> {
        match self {
            Mode::OneTransactionPerAppend | Mode::PgOneTransactionPerAppend => None,
            Mode::GroupCommit | Mode::GroupCommitSyncInCommit => {
                Some(Mode::OneTransactionPerAppend)
            }
            Mode::PgGroupCommit => Some(Mode::PgOneTransactionPerAppend),
            Mode::PgTwoStores => Some(Mode::PgGroupCommit),
        }
    }
}

#[derive(Clone, Copy)]
enum Workload {
    Create,
    Update,
}

impl Workload {
    fn parse(name: &str) -> anyhow::Result<Self> {
        match name.trim() {
            "create" => Ok(Self::Create),
            "update" => Ok(Self::Update),
            other => anyhow::bail!("BENCH_WORKLOADS: unknown workload {other:?}"),
        }
    }

    fn name(self) -> &'static str {
        match self {
            Self::Create => "create",
            Self::Update => "update",
        }
    }
}

/// One run's figures.
struct Measured {
    events_per_sec: f64,
    p50: Duration,
    p99: Duration,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let settings = settings()?;
    println!("| workload | mode | writers | events/s | ack p50 | ack p99 | x baseline |");
    println!("| --- | --- | ---: | ---: | ---: | ---: | ---: |");
    for &backend in &settings.backends {
        for &workload in &settings.workloads {
            for &writers in &settings.writers {
                let mut rates: Vec<(Mode, f64)> = Vec::new();
                for &mode in backend.modes() {
                    let measured = measure(&settings, mode, workload, writers).await?;
                    let base = mode.compared_with().and_then(|base| {
                        rates
                            .iter()
                            .find(|(done, _)| done.name() == base.name())
                            .map(|(_, rate)| *rate)
                    });
                    let ratio = base.map_or_else(String::new, |base| {
                        format!("{:.2}x", measured.events_per_sec / base)
                    });
                    rates.push((mode, measured.events_per_sec));
                    print_row(workload, mode, writers, &measured, &ratio);
                }
            }
        }
    }
    Ok(())
}

fn settings() -> anyhow::Result<Settings> {
    let secs: f64 = env_or("BENCH_SECS", "4").parse().context("BENCH_SECS")?;
    let writers = env_or("BENCH_WRITERS", "1,16,256")
        .split(',')
        .map(|n| n.trim().parse::<usize>().context("BENCH_WRITERS"))
        .collect::<Result<_, _>>()?;
    let workloads = env_or("BENCH_WORKLOADS", "create,update")
        .split(',')
        .map(Workload::parse)
        .collect::<Result<_, _>>()?;
    let backends = env_or("BENCH_BACKENDS", "sqlite,postgres")
        .split(',')
        .map(Backend::parse)
        .collect::<Result<_, _>>()?;
    let dir = std::env::var_os("BENCH_DIR").map_or_else(std::env::temp_dir, Into::into);
    Ok(Settings {
        run_for: Duration::from_secs_f64(secs),
        writers,
        workloads,
        backends,
        dir,
        postgres_url: std::env::var("TIDINGS_BENCH_POSTGRES_URL").ok(),
    })
}

fn env_or(name: &str, default: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| default.to_owned())
}

async fn measure(
    settings: &Settings,
    mode: Mode,
    workload: Workload,
    writers: usize,
) -> anyhow::Result<Measured> {
    let (stores, _database) = open(settings, mode).await?;
    let started = Instant::now();
    let deadline = started + settings.run_for;
    let tasks: Vec<_> = (0..writers)
        .map(|writer| {
            let store = stores[writer % stores.len()].clone();
            tokio::spawn(append_until(store, workload, writer, deadline))
        })
        .collect();
    let mut latencies = Vec::new();
    for task in tasks {
        latencies.extend(task.await??);
    }
    let elapsed = started.elapsed();
    latencies.sort_unstable();
    Ok(Measured {
        events_per_sec: latencies.len() as f64 / elapsed.as_secs_f64(),
        p50: percentile(&latencies, 0.50),
        p99: percentile(&latencies, 0.99),
    })
}

/// What a run's database lives in (a folder, a test database), kept until the run ends:
/// dropping it deletes the database.
type Keep = Box<dyn std::any::Any + Send>;

/// The stores (one, or two on one database) on a fresh database for `mode`.
async fn open(settings: &Settings, mode: Mode) -> anyhow::Result<(Vec<Arc<dyn EventStore>>, Keep)> {
    match mode {
        Mode::GroupCommit | Mode::GroupCommitSyncInCommit | Mode::OneTransactionPerAppend => {
            let dir = tempfile::tempdir_in(&settings.dir)?;
            let pool = open_sqlite(&dir.path().join("bench.db")).await?;
            let store = SqliteEventStore::with_options(pool, mode.options()).await?;
            Ok((vec![Arc::new(store)], Box::new(dir)))
        }
        Mode::PgGroupCommit | Mode::PgOneTransactionPerAppend | Mode::PgTwoStores => {
            let (url, database) = match &settings.postgres_url {
                Some(url) => {
                    emptied(url).await?;
                    (url.clone(), None)
                }
                None => {
                    let database = TestDatabase::create().await;
                    (database.url(), Some(database))
                }
            };
            let count = if matches!(mode, Mode::PgTwoStores) {
                2
            } else {
                1
            };
            let mut stores: Vec<Arc<dyn EventStore>> = Vec::new();
            for _ in 0..count {
                let pool = PgPool::connect(&url).await?;
                stores.push(Arc::new(
                    PgEventStore::with_options(pool, mode.postgres_options()).await?,
                ));
            }
            Ok((stores, Box::new(database)))
        }
    }
}

/// Empties the log of the database at `url`.
async fn emptied(url: &str) -> anyhow::Result<()> {
    let pool = PgPool::connect(url)
        .await
        .context("TIDINGS_BENCH_POSTGRES_URL")?;
    sqlx::raw_sql("TRUNCATE events, commands; UPDATE log_head SET position = 0")
        .execute(&pool)
        .await
        .context("emptying the log")?;
    Ok(())
}

/// Appends one event at a time until `deadline`, and returns how long each ack took.
async fn append_until(
    store: Arc<dyn EventStore>,
    workload: Workload,
    writer: usize,
    deadline: Instant,
) -> anyhow::Result<Vec<Duration>> {
    let own = StreamId::parse(&format!("bench-{writer}"))?;
    let actor = UserId::new();
    let mut version = Version::NONE;
    let mut latencies = Vec::new();
    while Instant::now() < deadline {
        let stream = match workload {
            Workload::Update => own.clone(),
            Workload::Create => {
                version = Version::NONE;
                StreamId::for_todo(TodoId::new())
            }
        };
        let append = Append {
            stream,
            expected_version: version,
            command_id: CommandId::new(),
            actor,
            events: vec![event(version)],
        };
        let sent = Instant::now();
        version = store.append(append).await?.committed.last_version;
        latencies.push(sent.elapsed());
    }
    Ok(latencies)
}

fn event(version: Version) -> NewEvent {
    NewEvent {
        event_type: "TodoUpdated".into(),
        schema_version: 1,
        payload: json!({
            "title": format!("Todo at version {version}"),
            "description": "A line of text, about as long as a real description would be.",
            "notes": "",
        }),
    }
}

fn percentile(sorted: &[Duration], fraction: f64) -> Duration {
    let last = sorted.len().saturating_sub(1);
    let index = ((last as f64) * fraction).round() as usize;
    sorted.get(index).copied().unwrap_or_default()
}

fn print_row(workload: Workload, mode: Mode, writers: usize, measured: &Measured, ratio: &str) {
    println!(
        "| {} | {} | {writers} | {:.0} | {:.2} ms | {:.2} ms | {ratio} |",
        workload.name(),
        mode.name(),
        measured.events_per_sec,
        measured.p50.as_secs_f64() * 1e3,
        measured.p99.as_secs_f64() * 1e3,
    );
}
