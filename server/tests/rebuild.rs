//! A rebuild from the log equals the incremental projection, over random command histories
//! of todos and of a team's members (joining, leaving, removed, and rejoining) and the
//! invite links each of them makes, and it can run while commands keep arriving. Every test
//! runs on both backends: an SQLite file, and a PostgreSQL database of its own.

use app::{
    api::backend::CommandRequest,
    domain::{
        CommandId, Description, InternalNotes, InvitationId, Position, TeamId, TeamName, TodoId,
        TodoTitle, UserId, Version,
        team::{TeamCommand, TokenHash},
        todo::{TodoCommand, TodoCreated},
    },
};
use proptest::prelude::*;
use server::{
    commands::CommandHandler,
    config::Settings,
    projection::{Projector, Tables, rebuild},
    storage::Storage,
};
use sqlx::{Row, SqlitePool};
use test_postgres::TestDatabase;
use tokio::sync::watch;

/// Where a test's world keeps everything: a folder with an SQLite file, or a PostgreSQL
/// database of its own.
enum Database {
    Sqlite(tempfile::TempDir),
    Postgres(TestDatabase),
}

#[derive(Clone, Copy, Debug)]
enum Backend {
    Sqlite,
    Postgres,
}

impl Database {
    async fn new(backend: Backend) -> Self {
        match backend {
            Backend::Sqlite => Self::Sqlite(tempfile::tempdir().unwrap()),
            Backend::Postgres => Self::Postgres(TestDatabase::create().await),
        }
    }

    fn settings(&self) -> Settings {
        match self {
            Self::Sqlite(dir) => Settings::for_tests(dir.path().to_owned()),
            Self::Postgres(database) => {
                let mut settings = Settings::for_tests(std::env::temp_dir());
                settings.database_url = Some(database.url().parse().unwrap());
                settings
            }
        }
    }

    /// The flags that point the server binary at this database.
    fn flags(&self) -> [String; 2] {
        match self {
            Self::Sqlite(dir) => ["--data-dir".into(), dir.path().display().to_string()],
            Self::Postgres(database) => ["--database-url".into(), database.url()],
        }
    }

    /// Every row of the live read models, as text, in a fixed order, with the checkpoint.
    async fn snapshot(&self) -> Snapshot {
        match self {
            Self::Sqlite(dir) => {
                let pool = SqlitePool::connect(&format!(
                    "sqlite://{}",
                    dir.path().join("tidings.sqlite").display()
                ))
                .await
                .unwrap();
                let snapshot = sqlite_snapshot(&pool).await;
                pool.close().await;
                snapshot
            }
            Self::Postgres(database) => {
                let pool = database.pool().await;
                let snapshot = postgres_snapshot(&pool).await;
                pool.close().await;
                snapshot
            }
        }
    }

    /// Makes the live read models look as an older server left them: a column gone, rows
    /// lost, the shape marker behind.
    async fn age_read_models(&self) {
        match self {
            Self::Sqlite(dir) => {
                let pool = SqlitePool::connect(&format!(
                    "sqlite://{}",
                    dir.path().join("tidings.sqlite").display()
                ))
                .await
                .unwrap();
                sqlx::raw_sql(
                    "ALTER TABLE team_members DROP COLUMN joined_position;
                     DELETE FROM todo_rows;
                     PRAGMA user_version = 0;",
                )
                .execute(&pool)
                .await
                .unwrap();
                pool.close().await;
            }
            Self::Postgres(database) => {
                let pool = database.pool().await;
                sqlx::raw_sql(
                    "ALTER TABLE team_members DROP COLUMN joined_position;
                     DELETE FROM todo_rows;
                     UPDATE read_model_shape SET shape = 0;",
                )
                .execute(&pool)
                .await
                .unwrap();
                pool.close().await;
            }
        }
    }
}

/// The tables' rows, each as one line of text, and the checkpoint.
type Snapshot = (Vec<Vec<String>>, i64);

/// The tables a snapshot reads, each with the order it reads them in.
const SNAPSHOT_TABLES: [(&str, &str); 6] = [
    ("todo_rows", "todo_id"),
    ("todo_timeline", "position"),
    ("team_rows", "team_id"),
    ("team_members", "team_id, user_id"),
    ("team_invitations", "invitation_id"),
    ("team_log", "team_id, position"),
];

/// Each secondary index of the live read models in an SQLite file, as its table and columns
/// (`todo_rows: team_id, created_at`), in order, whatever the index's name.
async fn sqlite_indexes(dir: &tempfile::TempDir) -> Vec<String> {
    let path = dir.path().join("tidings.sqlite");
    let pool = SqlitePool::connect(&format!("sqlite://{}", path.display()))
        .await
        .unwrap();
    let indexes = sqlx::query_scalar(
        "SELECT m.tbl_name || ': ' || group_concat(i.name, ', ')
         FROM sqlite_master m, pragma_index_info(m.name) i
         WHERE m.type = 'index' AND m.sql IS NOT NULL AND m.tbl_name IN
             ('todo_rows', 'todo_timeline', 'team_rows', 'team_members', 'team_invitations',
              'team_log')
         GROUP BY m.name ORDER BY 1",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    pool.close().await;
    indexes
}

async fn sqlite_snapshot(pool: &SqlitePool) -> Snapshot {
    let mut tables = Vec::new();
    for (table, order) in SNAPSHOT_TABLES {
        let rows = sqlx::query(&format!("SELECT * FROM {table} ORDER BY {order}"))
            .fetch_all(pool)
            .await
            .unwrap();
        tables.push(
            rows.iter()
                .map(|row| {
                    (0..row.len())
                        .map(|i| {
                            row.try_get::<String, _>(i)
                                .or_else(|_| row.try_get::<i64, _>(i).map(|n| n.to_string()))
                                .unwrap()
                        })
                        .collect::<Vec<_>>()
                        .join("|")
                })
                .collect(),
        );
    }
    let checkpoint =
        sqlx::query_scalar("SELECT position FROM projection_checkpoints WHERE name = 'todos'")
            .fetch_one(pool)
            .await
            .unwrap();
    (tables, checkpoint)
}

async fn postgres_snapshot(pool: &sqlx::PgPool) -> Snapshot {
    let mut tables = Vec::new();
    for (table, order) in SNAPSHOT_TABLES {
        let sql = format!("SELECT row_to_json(t)::text FROM {table} t ORDER BY {order}");
        tables.push(sqlx::query_scalar(&sql).fetch_all(pool).await.unwrap());
    }
    let checkpoint =
        sqlx::query_scalar("SELECT position FROM projection_checkpoints WHERE name = 'todos'")
            .fetch_one(pool)
            .await
            .unwrap();
    (tables, checkpoint)
}

#[derive(Debug, Clone)]
enum Step {
    Create(String),
    Activate(usize),
    Update(usize, String, String),
    Complete(usize),
    Reopen(usize),
    Archive(usize),
    /// Someone (by index, the creator first) makes an invite link, single-use or not.
    Invite(bool, usize),
    Revoke(usize),
    Join(usize, usize),
    Leave(usize),
    /// Someone (by index, the creator first) removes someone.
    Remove(usize, usize),
}

fn step() -> impl Strategy<Value = Step> {
    let text = "[a-zA-Z][a-zA-Z ]{0,11}";
    prop_oneof![
        text.prop_map(Step::Create),
        (0..6usize).prop_map(Step::Activate),
        (0..6usize, text, "[a-z\n]{0,8}").prop_map(|(i, t, d)| Step::Update(i, t, d)),
        (0..6usize).prop_map(Step::Complete),
        (0..6usize).prop_map(Step::Reopen),
        (0..6usize).prop_map(Step::Archive),
        (any::<bool>(), 0..4usize).prop_map(|(single, by)| Step::Invite(single, by)),
        (0..4usize).prop_map(Step::Revoke),
        (0..3usize, 0..4usize).prop_map(|(p, i)| Step::Join(p, i)),
        (0..4usize).prop_map(Step::Leave),
        (0..4usize, 0..4usize).prop_map(|(p, by)| Step::Remove(p, by)),
    ]
}

struct World {
    storage: Storage,
    database: Database,
    commands: CommandHandler,
    projected: watch::Receiver<Position>,
    todos: Vec<(TodoId, Version)>,
    team: TeamId,
    actor: UserId,
    people: [UserId; 3],
    invitations: Vec<InvitationId>,
}

impl World {
    async fn new(backend: Backend) -> Self {
        let database = Database::new(backend).await;
        let storage = Storage::open(&database.settings()).await.unwrap();
        let (projected, _) = Projector::new(
            storage.projections.clone(),
            storage.log.clone(),
            Tables::LIVE,
        )
        .spawn(Default::default());
        let commands = CommandHandler::new(storage.log.clone(), projected.clone());
        let (team, actor) = (TeamId::new(), UserId::new());
        let create = TeamCommand::Create {
            team_id: team,
            name: TeamName::parse("Crew").unwrap(),
            creator: actor,
        };
        commands
            .handle_team(team, CommandId::new(), actor, create)
            .await
            .unwrap();
        Self {
            storage,
            database,
            commands,
            projected,
            todos: Vec::new(),
            team,
            actor,
            people: [UserId::new(), UserId::new(), UserId::new()],
            invitations: Vec::new(),
        }
    }

    /// Runs one team step; refusals write nothing.
    async fn run_team(&mut self, command: TeamCommand) {
        let _ = self
            .commands
            .handle_team(self.team, CommandId::new(), self.actor, command)
            .await;
    }

    /// Runs one step; refusals are part of a random history and write nothing.
    async fn run(&mut self, step: Step) {
        let now = chrono::Utc::now();
        let (index, command) = match step {
            Step::Invite(single_use, by) => {
                let invitation_id = InvitationId::new();
                self.invitations.push(invitation_id);
                let hash = format!("{:064x}", invitation_id.as_uuid().as_u128());
                let invite = TeamCommand::Invite {
                    invitation_id,
                    token_hash: TokenHash::parse(&hash).unwrap(),
                    single_use,
                    expires_at: now + chrono::Duration::days(1),
                    by: self.everyone()[by],
                };
                return self.run_team(invite).await;
            }
            Step::Revoke(i) => {
                let Some(&invitation_id) = self.invitations.get(i) else {
                    return;
                };
                let by = self.actor;
                return self
                    .run_team(TeamCommand::Revoke { invitation_id, by })
                    .await;
            }
            Step::Join(person, i) => {
                let Some(&invitation_id) = self.invitations.get(i) else {
                    return;
                };
                let user = self.people[person];
                let join = TeamCommand::Join {
                    user,
                    invitation_id,
                    now,
                };
                return self.run_team(join).await;
            }
            Step::Leave(person) => {
                let user = self.everyone()[person];
                return self.run_team(TeamCommand::Leave { user }).await;
            }
            Step::Remove(person, by) => {
                let (user, by) = (self.everyone()[person], self.everyone()[by]);
                return self.run_team(TeamCommand::Remove { user, by }).await;
            }
            Step::Create(title) => {
                let todo_id = TodoId::new();
                let command = TodoCommand::Create(TodoCreated {
                    todo_id,
                    team_id: self.team,
                    author: self.actor,
                    title: TodoTitle::parse(&title).unwrap(),
                    description: Description::default(),
                    notes: InternalNotes::default(),
                });
                self.todos.push((todo_id, Version::NONE));
                (self.todos.len() - 1, command)
            }
            Step::Update(i, title, description) => (
                i,
                TodoCommand::Update {
                    by: self.actor,
                    title: TodoTitle::parse(&title).unwrap(),
                    description: Description::parse(&description).unwrap(),
                    notes: Some(InternalNotes::parse(&description).unwrap()),
                },
            ),
            Step::Activate(i) => (i, TodoCommand::Activate),
            Step::Complete(i) => (i, TodoCommand::Complete),
            Step::Reopen(i) => (i, TodoCommand::Reopen),
            Step::Archive(i) => (i, TodoCommand::Archive),
        };
        let Some(&(todo_id, version)) = self.todos.get(index) else {
            return;
        };
        let request = CommandRequest {
            actor: self.actor,
            command_id: CommandId::new(),
            todo_id,
            expected_version: version,
            command,
        };
        if let Ok(receipt) = self.commands.handle(request).await {
            self.todos[index].1 = receipt.version;
        }
    }

    /// The creator, then the three others.
    fn everyone(&self) -> [UserId; 4] {
        [self.actor, self.people[0], self.people[1], self.people[2]]
    }

    async fn settled(&mut self) {
        let head = self.storage.log.head().await.unwrap();
        self.projected.wait_for(|p| *p >= head).await.unwrap();
    }
}

async fn rebuild_now(world: &World) {
    rebuild(world.storage.projections.clone(), world.storage.log.clone())
        .await
        .unwrap();
}

/// Runs a test, written once as `async fn(Backend)`, on each backend.
macro_rules! on_both_backends {
    ($($test:ident),* $(,)?) => {
        mod on_sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $test() {
                    super::$test(super::Backend::Sqlite).await;
                }
            )*
        }
        mod on_postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $test() {
                    super::$test(super::Backend::Postgres).await;
                }
            )*
        }
    };
}

on_both_backends!(
    a_rebuild_while_commands_arrive_loses_nothing,
    the_rebuild_command_swaps_the_tables_under_a_running_server,
    read_models_of_an_older_shape_are_projected_again_at_start_up,
);

fn rebuilds_equal_incremental_projection(backend: Backend, steps: Vec<Step>) {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let mut world = World::new(backend).await;
        for step in steps {
            world.run(step).await;
        }
        world.settled().await;
        let incremental = world.database.snapshot().await;
        rebuild_now(&world).await;
        let rebuilt = world.database.snapshot().await;
        assert_eq!(rebuilt, incremental);
    });
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn a_rebuild_equals_the_incremental_projection_on_sqlite(
        steps in prop::collection::vec(step(), 1..40)
    ) {
        rebuilds_equal_incremental_projection(Backend::Sqlite, steps);
    }

    #[test]
    fn a_rebuild_equals_the_incremental_projection_on_postgres(
        steps in prop::collection::vec(step(), 1..40)
    ) {
        rebuilds_equal_incremental_projection(Backend::Postgres, steps);
    }
}

/// SQLite cannot rename an index, so a rebuild's tables take the other of each index's two
/// names; none is lost or made twice, neither by rebuilds nor by the start-up that follows.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_live_tables_keep_each_secondary_index_once_across_sqlite_rebuilds_and_restarts() {
    let mut world = World::new(Backend::Sqlite).await;
    world.run(Step::Create("Plan".into())).await;
    world.settled().await;
    let Database::Sqlite(dir) = &world.database else {
        unreachable!("the world is on SQLite")
    };
    let indexes = [
        "team_invitations: team_id, created_at",
        "team_members: user_id",
        "todo_rows: team_id, created_at",
        "todo_timeline: todo_id, position",
    ];
    assert_eq!(sqlite_indexes(dir).await, indexes);
    for _ in 0..3 {
        rebuild_now(&world).await;
        assert_eq!(sqlite_indexes(dir).await, indexes);
        drop(Storage::open(&world.database.settings()).await.unwrap());
        assert_eq!(sqlite_indexes(dir).await, indexes);
    }
}

async fn a_rebuild_while_commands_arrive_loses_nothing(backend: Backend) {
    let mut world = World::new(backend).await;
    for i in 0..50 {
        world.run(Step::Create(format!("todo {i}"))).await;
    }
    let (views, log) = (world.storage.projections.clone(), world.storage.log.clone());
    let rebuilding = tokio::spawn(async move { rebuild(views, log).await });
    for i in 0..50 {
        world.run(Step::Activate(i % 6)).await;
        world.run(Step::Create(format!("late {i}"))).await;
    }
    rebuilding.await.unwrap().unwrap();
    world.settled().await;
    let live = world.database.snapshot().await;
    rebuild_now(&world).await;
    assert_eq!(world.database.snapshot().await, live);
    assert_eq!(
        live.0[0].len(),
        100,
        "every created todo is in the read model"
    );
}

async fn the_rebuild_command_swaps_the_tables_under_a_running_server(backend: Backend) {
    let mut world = World::new(backend).await;
    for i in 0..20 {
        world.run(Step::Create(format!("before {i}"))).await;
    }
    let status = tokio::process::Command::new(env!("CARGO_BIN_EXE_server"))
        .arg("rebuild-projections")
        .args(world.database.flags())
        .env("RUST_LOG", "warn")
        .env_remove("DATABASE_URL")
        .status()
        .await
        .unwrap();
    assert!(status.success(), "the rebuild command failed: {status}");
    for i in 0..5 {
        world.run(Step::Activate(i)).await;
    }
    world.settled().await;
    let live = world.database.snapshot().await;
    assert_eq!(live.0[0].len(), 20);
    assert_eq!(
        live.0[0]
            .iter()
            .filter(|row| row.contains("|active|") || row.contains(r#""status":"active""#))
            .count(),
        5
    );
    rebuild_now(&world).await;
    assert_eq!(world.database.snapshot().await, live);
}

async fn read_models_of_an_older_shape_are_projected_again_at_start_up(backend: Backend) {
    let mut world = World::new(backend).await;
    let steps = [
        Step::Create("Plan".into()),
        Step::Activate(0),
        Step::Invite(false, 0),
        Step::Join(0, 0),
        Step::Join(1, 0),
        Step::Leave(0),
    ];
    for step in steps {
        world.run(step).await;
    }
    world.settled().await;
    let current = world.database.snapshot().await;
    assert_eq!(current.0[3].len(), 2, "two members are left");
    world.database.age_read_models().await;

    let storage = Storage::open(&world.database.settings()).await.unwrap();
    let (mut projected, _) = Projector::new(
        storage.projections.clone(),
        storage.log.clone(),
        Tables::LIVE,
    )
    .spawn(Default::default());
    let head = storage.log.head().await.unwrap();
    projected.wait_for(|p| *p >= head).await.unwrap();
    assert_eq!(world.database.snapshot().await, current);
}
