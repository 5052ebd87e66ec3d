//! `spawn_app`: the real application on port 0 with a database of its own (an SQLite file,
//! or a PostgreSQL database, by the test binary: [`BACKEND`]), and people who use it: each
//! with their own cookie jar, calling its server functions over HTTP as a browser's
//! JavaScript would.

use app::{
    api::{Account, AppError, CommandReceipt, NewInvitation, TeamBoard, TeamReceipt, TodoDetail},
    domain::{CommandId, TeamId, TodoId, UserId},
};
use reqwest::cookie::{CookieStore, Jar};
use server::{
    config::{Limits, Settings},
    sessions,
    startup::Application,
    store::StreamId,
};
use sqlx::{Row, sqlite::SqliteConnectOptions};
use std::{
    net::{IpAddr, SocketAddr},
    ops::Deref,
    sync::Arc,
};
use test_postgres::TestDatabase;

/// The password every test person signs up with.
pub const PASSWORD: &str = "correct horse battery";

/// Which backend this test binary runs on: one whose name ends in `_postgres` (such as
/// `api_postgres`) on PostgreSQL, any other on SQLite.
pub const BACKEND: Backend = if ends_with(env!("CARGO_CRATE_NAME").as_bytes(), b"_postgres") {
    Backend::Postgres
} else {
    Backend::Sqlite
};

const fn ends_with(text: &[u8], suffix: &[u8]) -> bool {
    if suffix.len() > text.len() {
        return false;
    }
    let start = text.len() - suffix.len();
    let mut i = 0;
    while i < suffix.len() {
        if text[start + i] != suffix[i] {
            return false;
        }
        i += 1;
    }
    true
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A test's own database: the folder with its SQLite file, or a PostgreSQL database that is
/// dropped with it.
enum Database {
    Sqlite(tempfile::TempDir),
    Postgres(TestDatabase),
}

impl Database {
    async fn new() -> Self {
        match BACKEND {
            Backend::Sqlite => Self::Sqlite(tempfile::tempdir().expect("a temporary folder")),
            Backend::Postgres => Self::Postgres(TestDatabase::create().await),
        }
    }

    fn settings(&self) -> Settings {
        match self {
            Self::Sqlite(dir) => Settings::for_tests(dir.path().to_owned()),
            Self::Postgres(database) => {
                let mut settings = Settings::for_tests(std::env::temp_dir());
                settings.database_url = Some(database.url().parse().expect("a database URL"));
                settings
            }
        }
    }
}

/// A running server, and Ada: its first user, who made the team that most tests use.
pub struct TestApp {
    pub ada: Person,
    database: Database,
}

/// One event of the log, as a test reads it back from the database.
#[derive(Debug, Clone, PartialEq)]
pub struct LoggedEvent {
    pub event_type: String,
    pub actor: UserId,
    pub payload: serde_json::Value,
}

/// One person's browser: a cookie jar, and the team they made (or a team id of nobody's).
#[derive(Clone)]
pub struct Person {
    pub addr: SocketAddr,
    pub client: reqwest::Client,
    pub jar: Arc<Jar>,
    pub id: UserId,
    pub team: TeamId,
}

/// What a server function answered: its value, or the typed error with the HTTP status.
pub type Answer<T> = Result<T, (u16, AppError)>;

pub async fn spawn_app() -> TestApp {
    spawn_app_with(Limits::default()).await
}

/// Ada's app, and Bob, who joined her team through a single-use link.
pub async fn spawn_app_with_bob() -> (TestApp, Person) {
    let app = spawn_app().await;
    let link = app.invite("single").await.unwrap();
    let mut bob = app.newcomer("Bob").await;
    let joined = bob.join(&link.path).await.unwrap();
    assert_eq!(joined.team_id, app.team);
    bob.team = app.team;
    (app, bob)
}

pub async fn spawn_app_with(limits: Limits) -> TestApp {
    spawn_app_configured(|settings| settings.limits = limits).await
}

/// The app with settings of the test's own.
pub async fn spawn_app_configured(configure: impl FnOnce(&mut Settings)) -> TestApp {
    let database = Database::new().await;
    let mut settings = database.settings();
    configure(&mut settings);
    let app = Application::build(settings)
        .await
        .expect("the application starts");
    let addr = app.local_addr();
    tokio::spawn(app.run_until_stopped());
    let ada = Person::anonymous(addr)
        .signed_up("Ada")
        .await
        .with_team("Ada's team")
        .await;
    TestApp { ada, database }
}

impl Deref for TestApp {
    type Target = Person;

    fn deref(&self) -> &Person {
        &self.ada
    }
}

impl TestApp {
    /// Someone new, signed up, with a team of their own.
    pub async fn stranger(&self, name: &str) -> Person {
        self.newcomer(name)
            .await
            .with_team(&format!("{name}'s team"))
            .await
    }

    /// Someone new, signed up, in no team yet.
    pub async fn newcomer(&self, name: &str) -> Person {
        Person::anonymous(self.addr).signed_up(name).await
    }

    /// Signs `name` up, with [`PASSWORD`], from a browser of their own, and hands back the
    /// fresh email address, for a test to log in with from another browser.
    pub async fn account_of(&self, name: &str) -> String {
        let address = format!("{}-{}@example.com", name.to_lowercase(), UserId::new());
        self.anonymous()
            .sign_up(&address, name, PASSWORD)
            .await
            .expect("the sign-up succeeds");
        address
    }

    /// Another instance of the server on this app's database, as a load balancer would run
    /// beside it, with the same settings; answers its address. PostgreSQL only: an SQLite
    /// file is one process's.
    #[allow(
        dead_code,
        reason = "used by tests/instances, which only api_postgres compiles"
    )]
    pub async fn another_instance(&self) -> SocketAddr {
        self.another_instance_configured(|_| {}).await
    }

    /// Another instance, with settings of the test's own.
    #[allow(
        dead_code,
        reason = "used by tests/instances, which only api_postgres compiles"
    )]
    pub async fn another_instance_configured(
        &self,
        configure: impl FnOnce(&mut Settings),
    ) -> SocketAddr {
        assert!(
            matches!(self.database, Database::Postgres(_)),
            "several instances share a PostgreSQL database, never an SQLite file"
        );
        let mut settings = self.database.settings();
        configure(&mut settings);
        let app = Application::build(settings)
            .await
            .expect("the other instance starts");
        let addr = app.local_addr();
        tokio::spawn(app.run_until_stopped());
        addr
    }

    /// A browser with no session.
    pub fn anonymous(&self) -> Person {
        Person::anonymous(self.addr)
    }

    /// A browser with no session, on a machine of its own: it connects from `address`
    /// (another loopback address, such as 127.0.0.2), which the server takes for the
    /// client's.
    pub fn anonymous_from(&self, address: IpAddr) -> Person {
        Person::with_client(self.addr, |client| client.local_address(address))
    }

    /// The app's PostgreSQL database's URL, for another process to open.
    #[allow(
        dead_code,
        reason = "used by tests/instances, which only api_postgres compiles"
    )]
    pub fn postgres_url(&self) -> String {
        match &self.database {
            Database::Postgres(database) => database.url(),
            Database::Sqlite(_) => panic!("this app runs on SQLite"),
        }
    }

    /// A connection to the app's PostgreSQL database, for a test that acts on the server
    /// behind the application's back.
    #[allow(
        dead_code,
        reason = "used by tests/instances, which only api_postgres compiles"
    )]
    pub async fn postgres(&self) -> sqlx::PgPool {
        match &self.database {
            Database::Postgres(database) => database.pool().await,
            Database::Sqlite(_) => panic!("this app runs on SQLite"),
        }
    }

    /// A team's events in the log, oldest first, read from the database behind the running
    /// server.
    pub async fn team_log(&self, team: TeamId) -> Vec<LoggedEvent> {
        let stream = StreamId::for_team(team);
        let rows = match &self.database {
            Database::Sqlite(dir) => {
                let options = SqliteConnectOptions::new()
                    .filename(dir.path().join("tidings.sqlite"))
                    .read_only(true);
                let pool = sqlx::SqlitePool::connect_with(options)
                    .await
                    .expect("the log opens");
                let rows = sqlx::query(
                    "SELECT event_type, actor, payload FROM events WHERE stream_id = ?
                     ORDER BY version",
                )
                .bind(stream.as_str())
                .fetch_all(&pool)
                .await
                .expect("the log reads");
                pool.close().await;
                rows.iter()
                    .map(|row| {
                        let text = |column: &str| row.get::<String, _>(column);
                        [text("event_type"), text("actor"), text("payload")]
                    })
                    .collect::<Vec<_>>()
            }
            Database::Postgres(database) => {
                let pool = database.pool().await;
                let rows = sqlx::query(
                    "SELECT event_type, actor::text AS actor, payload::text AS payload
                     FROM events WHERE stream_id = $1 ORDER BY version",
                )
                .bind(stream.as_str())
                .fetch_all(&pool)
                .await
                .expect("the log reads");
                pool.close().await;
                rows.iter()
                    .map(|row| {
                        let text = |column: &str| row.get::<String, _>(column);
                        [text("event_type"), text("actor"), text("payload")]
                    })
                    .collect::<Vec<_>>()
            }
        };
        rows.into_iter()
            .map(|[event_type, actor, payload]| LoggedEvent {
                event_type,
                actor: UserId::parse(&actor).expect("an actor id"),
                payload: serde_json::from_str(&payload).expect("a JSON payload"),
            })
            .collect()
    }
}

impl Person {
    fn anonymous(addr: SocketAddr) -> Self {
        Self::with_client(addr, |client| client)
    }

    /// The same browser (its cookies, its session) talking to the instance at `addr`, as
    /// when a load balancer sends its next request elsewhere.
    #[allow(
        dead_code,
        reason = "used by tests/instances, which only api_postgres compiles"
    )]
    pub fn on(&self, addr: SocketAddr) -> Person {
        Person {
            addr,
            ..self.clone()
        }
    }

    fn with_client(
        addr: SocketAddr,
        configure: impl FnOnce(reqwest::ClientBuilder) -> reqwest::ClientBuilder,
    ) -> Self {
        let jar = Arc::new(Jar::default());
        let client = configure(reqwest::Client::builder())
            .cookie_provider(jar.clone())
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("a client");
        Self {
            addr,
            client,
            jar,
            id: UserId::new(),
            team: TeamId::new(),
        }
    }

    async fn signed_up(mut self, name: &str) -> Self {
        let email = format!("{}-{}@example.com", name.to_lowercase(), UserId::new());
        let account = self
            .sign_up(&email, name, PASSWORD)
            .await
            .expect("the sign-up succeeds");
        self.id = account.id;
        self
    }

    async fn with_team(mut self, name: &str) -> Self {
        self.team = self.create_team(name).await.expect("the team").team_id;
        self
    }

    pub async fn sign_up(&self, email: &str, name: &str, password: &str) -> Answer<Account> {
        let form = [
            ("email", email),
            ("display_name", name),
            ("password", password),
        ];
        self.call("sign_up", &form).await
    }

    pub async fn log_in(&self, email: &str, password: &str) -> Answer<Account> {
        self.call("log_in", &[("email", email), ("password", password)])
            .await
    }

    /// The session cookie's value, if the jar has one.
    pub fn session_cookie(&self) -> Option<String> {
        let url = self.url("/").parse().expect("a URL");
        let header = self.jar.cookies(&url)?;
        let prefix = format!("{}=", sessions::COOKIE);
        header
            .to_str()
            .ok()?
            .split("; ")
            .find_map(|pair| pair.strip_prefix(&prefix).map(str::to_owned))
    }

    pub async fn create_team(&self, name: &str) -> Answer<TeamReceipt> {
        let command_id = CommandId::new().to_string();
        self.call(
            "create_team",
            &[("name", name), ("command_id", &command_id)],
        )
        .await
    }

    pub async fn invite(&self, kind: &str) -> Answer<NewInvitation> {
        let (team, command_id) = (self.team.to_string(), CommandId::new().to_string());
        let form = [
            ("team_id", team.as_str()),
            ("kind", kind),
            ("command_id", &command_id),
        ];
        self.call("create_invitation", &form).await
    }

    /// Joins through an invite link's path (`/join/<token>`).
    pub async fn join(&self, path: &str) -> Answer<TeamReceipt> {
        let token = path.trim_start_matches("/join/");
        let command_id = CommandId::new().to_string();
        self.call(
            "join_team",
            &[("token", token), ("command_id", &command_id)],
        )
        .await
    }

    /// Leaves this person's team.
    pub async fn leave(&self) -> Answer<TeamReceipt> {
        let (team, command_id) = (self.team.to_string(), CommandId::new().to_string());
        let form = [("team_id", team.as_str()), ("command_id", &command_id)];
        self.call("leave_team", &form).await
    }

    /// Removes `member` from this person's team.
    pub async fn remove_member(&self, member: UserId) -> Answer<TeamReceipt> {
        let (team, member) = (self.team.to_string(), member.to_string());
        let command_id = CommandId::new().to_string();
        let form = [
            ("team_id", team.as_str()),
            ("user_id", member.as_str()),
            ("command_id", &command_id),
        ];
        self.call("remove_member", &form).await
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Posts `form` to `path` once with each of the two ways a browser says that a request
    /// comes from another site (a foreign `Origin`, `Sec-Fetch-Site: cross-site`), asserts
    /// that both are refused with 403, and hands back the answers.
    pub async fn post_cross_site(
        &self,
        path: &str,
        form: &[(&str, &str)],
    ) -> Vec<reqwest::Response> {
        let mut answers = Vec::new();
        for (name, value) in [
            ("origin", "http://evil.example"),
            ("sec-fetch-site", "cross-site"),
        ] {
            let response = self
                .client
                .post(self.url(path))
                .header("accept", "application/json")
                .header(name, value)
                .form(form)
                .send()
                .await
                .expect("the server answers");
            assert_eq!(response.status().as_u16(), 403, "{name}: {value}");
            answers.push(response);
        }
        answers
    }

    /// Calls a server function with form-encoded arguments, as `ActionForm` does with
    /// JavaScript on.
    pub async fn call<T: serde::de::DeserializeOwned>(
        &self,
        endpoint: &str,
        form: &[(&str, &str)],
    ) -> Answer<T> {
        let response = self
            .client
            .post(self.url(&format!("/api/{endpoint}")))
            .header("accept", "application/json")
            .form(form)
            .send()
            .await
            .expect("the server answers");
        let status = response.status().as_u16();
        let body = response.text().await.expect("a body");
        if (200..300).contains(&status) {
            Ok(serde_json::from_str(&body).unwrap_or_else(|e| panic!("{e}: {body}")))
        } else {
            let error = serde_json::from_str(&body).unwrap_or_else(|e| panic!("{e}: {body}"));
            Err((status, error))
        }
    }

    pub async fn create_todo(&self, title: &str) -> Answer<CommandReceipt> {
        self.create_todo_with(
            &self.team.to_string(),
            title,
            "",
            &CommandId::new().to_string(),
        )
        .await
    }

    pub async fn create_todo_with(
        &self,
        team: &str,
        title: &str,
        description: &str,
        command_id: &str,
    ) -> Answer<CommandReceipt> {
        let form = [
            ("team_id", team),
            ("title", title),
            ("description", description),
            ("command_id", command_id),
        ];
        self.call("create_todo", &form).await
    }

    pub async fn transition(
        &self,
        todo: &str,
        version: u64,
        action: &str,
    ) -> Answer<CommandReceipt> {
        let version = version.to_string();
        let command_id = CommandId::new().to_string();
        let form = [
            ("todo_id", todo),
            ("expected_version", version.as_str()),
            ("action", action),
            ("command_id", command_id.as_str()),
        ];
        self.call("transition_todo", &form).await
    }

    pub async fn update(
        &self,
        todo: TodoId,
        version: u64,
        title: &str,
        description: &str,
        notes: &str,
    ) -> Answer<CommandReceipt> {
        self.edit(todo, version, title, description, Some(notes))
            .await
    }

    /// An edit; `None` leaves the notes field out, as a form for someone other than the
    /// author does.
    pub async fn edit(
        &self,
        todo: TodoId,
        version: u64,
        title: &str,
        description: &str,
        notes: Option<&str>,
    ) -> Answer<CommandReceipt> {
        let (todo, version) = (todo.to_string(), version.to_string());
        let command_id = CommandId::new().to_string();
        let mut form = vec![
            ("todo_id", todo.as_str()),
            ("expected_version", version.as_str()),
            ("title", title),
            ("description", description),
            ("command_id", command_id.as_str()),
        ];
        if let Some(notes) = notes {
            form.push(("notes", notes));
        }
        self.call("update_todo", &form).await
    }

    pub async fn board(&self) -> TeamBoard {
        self.board_of(self.team).await.expect("the team board")
    }

    pub async fn board_of(&self, team: TeamId) -> Answer<TeamBoard> {
        let team = team.to_string();
        self.call("team_board", &[("team_id", team.as_str())]).await
    }

    pub async fn detail(&self, todo: TodoId) -> Answer<TodoDetail> {
        let todo = todo.to_string();
        self.call("todo_detail", &[("todo_id", todo.as_str())])
            .await
    }

    pub async fn page(&self, path: &str) -> (u16, String) {
        let response = self
            .client
            .get(self.url(path))
            .send()
            .await
            .expect("a page");
        (
            response.status().as_u16(),
            response.text().await.expect("html"),
        )
    }
}
