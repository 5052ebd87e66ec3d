//! How fast `server rebuild-projections` rebuilds the read models, on each backend, against
//! the rate at which the same log can merely be read (`read_all_after` over the whole log,
//! in the same run): the ratio shows what the writes cost on top of the read.
//!
//! The log is written through the store as commands write it, one command per append, by
//! many writers at once, so that the events of todos and teams interleave as in real use:
//! a few dozen teams (created, invite links made, used and revoked, members joining and
//! leaving), then many todos of five events each (created, activated, edited, notes
//! changed, completed). The rebuild is `projection::rebuild`, what the command runs, on
//! storage opened as the command opens it.
//!
//! The floor beside them: the finished read models copied table to table inside the
//! database (`INSERT INTO next SELECT * FROM live`, one statement per table, one
//! transaction, commits unsynced as the rebuild's are): no reading of the log, no folding,
//! no rows crossing into Rust and back, no secondary indexes. No rebuild that writes the
//! same rows can be faster; `rebuild / floor` is how close this one comes.
//!
//! `cargo bench -p server --bench rebuild` prints a markdown table. Settings, from the
//! environment: `BENCH_EVENTS` (the log's length at least, default 120000),
//! `BENCH_BACKENDS` (default `sqlite,postgres`), `BENCH_ROUNDS` (rebuilds and scans per
//! backend, default 3; the median is reported), `BENCH_SCAN_PAGE` (events per read of the
//! scan, default 1000), `BENCH_DIR` (where the SQLite file goes, default the system temp
//! folder). PostgreSQL: a database of its own on the test server (`test-postgres`).

use anyhow::Context;
use app::domain::{
    CommandId, Description, InternalNotes, InvitationId, Position, TeamId, TeamName, TodoId,
    TodoTitle, UserId, Version,
    team::{InvitationCreated, MemberJoined, TeamCreated, TeamEvent, TokenHash},
    todo::{TodoCreated, TodoEvent, TodoNotesChanged, TodoUpdated},
};
use server::{
    config::Settings,
    projection::{self, Tables},
    storage::Storage,
    store::{Append, EventStore, NewEvent, StreamId},
};
use sqlx::{
    Connection, Executor, PgConnection, SqliteConnection,
    sqlite::{SqliteConnectOptions, SqliteSynchronous},
};
use std::{
    sync::Arc,
    time::{Duration, Instant},
};
use test_postgres::TestDatabase;

/// The allocator the server runs with (`server/src/main.rs`).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Teams in the log; each has [`TEAM_EVENTS`] events.
const TEAMS: usize = 40;
const TEAM_EVENTS: usize = 9;
/// Events of each todo.
const TODO_EVENTS: usize = 5;
/// Writers appending at once while the log is filled.
const WRITERS: usize = 64;

struct BenchSettings {
    events: usize,
    backends: Vec<Backend>,
    rounds: usize,
    scan_page: u32,
    dir: std::path::PathBuf,
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

    fn name(self) -> &'static str {
        match self {
            Self::Sqlite => "SQLite",
            Self::Postgres => "PostgreSQL",
        }
    }
}

/// Where one backend's log lives for the run; dropped (and deleted) after it.
enum Place {
    Sqlite(tempfile::TempDir),
    Postgres(TestDatabase),
}

impl Place {
    async fn new(backend: Backend, settings: &BenchSettings) -> anyhow::Result<Self> {
        Ok(match backend {
            Backend::Sqlite => Self::Sqlite(tempfile::tempdir_in(&settings.dir)?),
            Backend::Postgres => Self::Postgres(TestDatabase::create().await),
        })
    }

    fn settings(&self) -> anyhow::Result<Settings> {
        Ok(match self {
            Self::Sqlite(dir) => Settings::for_tests(dir.path().to_owned()),
            Self::Postgres(database) => {
                let mut settings = Settings::for_tests(std::env::temp_dir());
                settings.database_url = Some(database.url().parse()?);
                settings
            }
        })
    }
}

/// One backend's figures: medians over the rounds.
struct Measured {
    events: u64,
    scan: Duration,
    floor: Duration,
    rebuild: Duration,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let settings = settings()?;
    println!(
        "| backend | events | log scan, events/s | floor, events/s | rebuild, events/s | rebuild time | rebuild / scan | rebuild / floor |"
    );
    println!("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    for &backend in &settings.backends {
        let measured = measure(backend, &settings).await?;
        print_row(backend, &measured);
    }
    Ok(())
}

fn settings() -> anyhow::Result<BenchSettings> {
    let number = |name: &str, default: &str| -> anyhow::Result<usize> {
        env_or(name, default).parse().context(name.to_owned())
    };
    let backends = env_or("BENCH_BACKENDS", "sqlite,postgres")
        .split(',')
        .map(Backend::parse)
        .collect::<Result<_, _>>()?;
    Ok(BenchSettings {
        events: number("BENCH_EVENTS", "120000")?,
        backends,
        rounds: number("BENCH_ROUNDS", "3")?.max(1),
        scan_page: u32::try_from(number("BENCH_SCAN_PAGE", "1000")?)?,
        dir: std::env::var_os("BENCH_DIR").map_or_else(std::env::temp_dir, Into::into),
    })
}

fn env_or(name: &str, default: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| default.to_owned())
}

async fn measure(backend: Backend, settings: &BenchSettings) -> anyhow::Result<Measured> {
    let place = Place::new(backend, settings).await?;
    let storage = Storage::open(&place.settings()?).await?;
    let started = Instant::now();
    fill(&storage.log, settings.events).await?;
    let events = storage.log.head().await?.get();
    eprintln!(
        "{}: wrote a log of {events} events in {:.1?}; rebuilding",
        backend.name(),
        started.elapsed()
    );
    let (mut scans, mut floors, mut rebuilds) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..settings.rounds {
        scans.push(scan(storage.log.as_ref(), settings.scan_page, events).await?);
        let started = Instant::now();
        let reached = projection::rebuild(storage.projections.clone(), storage.log.clone()).await?;
        rebuilds.push(started.elapsed());
        anyhow::ensure!(reached.get() == events, "the rebuild stopped at {reached}");
        floors.push(floor(&place, &storage).await?);
    }
    Ok(Measured {
        events,
        scan: median(scans),
        floor: median(floors),
        rebuild: median(rebuilds),
    })
}

/// Copies the live read models into empty tables of the next generation, table to table,
/// in one transaction, as the rebuild's bulk load commits (unsynced); how long it took.
async fn floor(place: &Place, storage: &Storage) -> anyhow::Result<Duration> {
    let loader = storage.projections.start_next().await?;
    drop(loader);
    let copies: Vec<String> = Tables::NEXT
        .names()
        .iter()
        .zip(Tables::LIVE.names())
        .map(|(next, live)| format!("INSERT INTO {next} SELECT * FROM {live}"))
        .collect();
    Ok(match place {
        Place::Sqlite(_) => {
            let path = std::path::Path::new(&storage.location);
            let mut conn = SqliteConnection::connect_with(
                &SqliteConnectOptions::new()
                    .filename(path)
                    .synchronous(SqliteSynchronous::Normal),
            )
            .await?;
            let started = Instant::now();
            let mut tx = conn.begin_with("BEGIN IMMEDIATE").await?;
            for copy in &copies {
                tx.execute(copy.as_str()).await?;
            }
            tx.commit().await?;
            started.elapsed()
        }
        Place::Postgres(database) => {
            let mut conn = PgConnection::connect(&database.url()).await?;
            let started = Instant::now();
            let mut tx = conn.begin().await?;
            tx.execute("SET LOCAL synchronous_commit = off").await?;
            for copy in &copies {
                tx.execute(copy.as_str()).await?;
            }
            tx.commit().await?;
            started.elapsed()
        }
    })
}

/// Reads the whole log, page by page, as a rebuild's reads do; how long it took.
async fn scan(log: &dyn EventStore, page: u32, events: u64) -> anyhow::Result<Duration> {
    let started = Instant::now();
    let (mut after, mut read) = (Position::ZERO, 0);
    loop {
        let batch = log.read_all_after(after, page).await?;
        let Some(last) = batch.last() else { break };
        after = last.position;
        read += batch.len() as u64;
    }
    anyhow::ensure!(read == events, "the scan read {read} of {events} events");
    Ok(started.elapsed())
}

/// Writes a log of at least `events` events: the teams first, then their todos.
async fn fill(log: &Arc<dyn EventStore>, events: usize) -> anyhow::Result<()> {
    let mut teams = Vec::with_capacity(TEAMS);
    for _ in 0..TEAMS {
        teams.push(write_team(log.as_ref()).await?);
    }
    let todos = events
        .saturating_sub(TEAMS * TEAM_EVENTS)
        .div_ceil(TODO_EVENTS);
    let teams = Arc::new(teams);
    let writers: Vec<_> = (0..WRITERS)
        .map(|writer| {
            let mine = (writer..todos).step_by(WRITERS).count();
            tokio::spawn(write_todos(log.clone(), teams.clone(), writer, mine))
        })
        .collect();
    for writer in writers {
        writer.await??;
    }
    Ok(())
}

/// A team as its members make it: created, three links made, three joining, one leaving,
/// one link revoked. Answers the team and its members.
async fn write_team(log: &dyn EventStore) -> anyhow::Result<(TeamId, Vec<UserId>)> {
    let (team, creator) = (TeamId::new(), UserId::new());
    let people = [UserId::new(), UserId::new(), UserId::new()];
    let (open, single) = (InvitationId::new(), InvitationId::new());
    let created = TeamEvent::Created(TeamCreated {
        team_id: team,
        name: TeamName::parse("Garden crew")?,
        creator,
    });
    let commands = vec![
        vec![created, joined(creator, None)],
        vec![invitation(open, false, creator)?],
        vec![invitation(single, true, creator)?],
        vec![joined(people[0], Some(open))],
        vec![joined(people[1], Some(single))],
        vec![joined(people[2], Some(open))],
        vec![TeamEvent::MemberLeft { user_id: people[2] }],
        vec![TeamEvent::InvitationRevoked {
            invitation_id: open,
        }],
    ];
    let stream = StreamId::for_team(team);
    let mut version = Version::NONE;
    for events in commands {
        let events = events.iter().map(team_event).collect();
        version = append(log, &stream, version, creator, events).await?;
    }
    Ok((team, vec![creator, people[0], people[1]]))
}

fn joined(user_id: UserId, invitation_id: Option<InvitationId>) -> TeamEvent {
    TeamEvent::MemberJoined(MemberJoined {
        user_id,
        invitation_id,
    })
}

fn invitation(id: InvitationId, single_use: bool, by: UserId) -> anyhow::Result<TeamEvent> {
    Ok(TeamEvent::InvitationCreated(InvitationCreated {
        invitation_id: id,
        token_hash: TokenHash::parse(&format!("{:064x}", id.as_uuid().as_u128()))?,
        single_use,
        expires_at: chrono::Utc::now() + chrono::Duration::days(7),
        created_by: Some(by),
    }))
}

/// `count` todos, each one's five events appended in turn with the others' (event `k` of
/// every todo, then event `k + 1`), so each todo's events are spread over the log.
async fn write_todos(
    log: Arc<dyn EventStore>,
    teams: Arc<Vec<(TeamId, Vec<UserId>)>>,
    writer: usize,
    count: usize,
) -> anyhow::Result<()> {
    let mut todos: Vec<(TodoId, TeamId, UserId, Version)> = (0..count)
        .map(|i| {
            let (team, members) = &teams[(writer + i * WRITERS) % teams.len()];
            (
                TodoId::new(),
                *team,
                members[i % members.len()],
                Version::NONE,
            )
        })
        .collect();
    for step in 0..TODO_EVENTS {
        for (i, (todo, team, author, version)) in todos.iter_mut().enumerate() {
            let event = todo_event(step, *todo, *team, *author, i)?;
            let stream = StreamId::for_todo(*todo);
            *version = append(log.as_ref(), &stream, *version, *author, vec![event]).await?;
        }
    }
    Ok(())
}

/// The `step`th event of a todo's life.
fn todo_event(
    step: usize,
    todo: TodoId,
    team: TeamId,
    author: UserId,
    n: usize,
) -> anyhow::Result<NewEvent> {
    let description = "A line of text, about as long as a real description would be.";
    let event = match step {
        0 => TodoEvent::Created(TodoCreated {
            todo_id: todo,
            team_id: team,
            author,
            title: TodoTitle::parse(&format!("Water the plants, round {n}"))?,
            description: Description::parse(description)?,
            notes: InternalNotes::default(),
        }),
        1 => TodoEvent::Activated,
        2 => TodoEvent::Updated(TodoUpdated {
            title: TodoTitle::parse(&format!("Water the plants and the lawn, round {n}"))?,
            description: Description::parse(description)?,
            notes: InternalNotes::default(),
        }),
        3 => TodoEvent::NotesChanged(TodoNotesChanged {
            notes: InternalNotes::parse("Ask about the hose first.")?,
        }),
        _ => TodoEvent::Completed,
    };
    Ok(NewEvent {
        event_type: event.event_type().to_owned(),
        schema_version: TodoEvent::SCHEMA_VERSION,
        payload: event.payload(),
    })
}

fn team_event(event: &TeamEvent) -> NewEvent {
    NewEvent {
        event_type: event.event_type().to_owned(),
        schema_version: TeamEvent::SCHEMA_VERSION,
        payload: event.payload(),
    }
}

/// Appends one command's events; answers the stream's version after them.
async fn append(
    log: &dyn EventStore,
    stream: &StreamId,
    expected_version: Version,
    actor: UserId,
    events: Vec<NewEvent>,
) -> anyhow::Result<Version> {
    let append = Append {
        stream: stream.clone(),
        expected_version,
        command_id: CommandId::new(),
        actor,
        events,
    };
    Ok(log.append(append).await?.committed.last_version)
}

fn median(mut durations: Vec<Duration>) -> Duration {
    durations.sort_unstable();
    durations[durations.len() / 2]
}

fn print_row(backend: Backend, measured: &Measured) {
    let rate = |took: Duration| measured.events as f64 / took.as_secs_f64();
    println!(
        "| {} | {} | {:.0} | {:.0} | {:.0} | {:.2} s | {:.2} | {:.2} |",
        backend.name(),
        measured.events,
        rate(measured.scan),
        rate(measured.floor),
        rate(measured.rebuild),
        measured.rebuild.as_secs_f64(),
        measured.scan.as_secs_f64() / measured.rebuild.as_secs_f64(),
        measured.floor.as_secs_f64() / measured.rebuild.as_secs_f64(),
    );
}
