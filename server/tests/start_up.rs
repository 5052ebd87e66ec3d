//! Starting the server binary with a database it cannot use: one clear line on stderr that
//! names the database (never its password) and why, a failing exit code, and no panic.

use std::process::Output;

async fn start_with(database_url: &str) -> Output {
    start(database_url, Some("a secret every instance shares")).await
}

async fn start(database_url: &str, pusher_secret: Option<&str>) -> Output {
    let data = tempfile::tempdir().unwrap();
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_server"));
    command
        .args(["--addr", "127.0.0.1:0", "--database-url", database_url])
        .arg("--data-dir")
        .arg(data.path())
        .env("RUST_LOG", "warn")
        .env_remove("DATABASE_URL")
        .env_remove("TIDINGS_PUSHER_SECRET");
    if let Some(secret) = pusher_secret {
        command.env("TIDINGS_PUSHER_SECRET", secret);
    }
    command.kill_on_drop(true).output().await.unwrap()
}

fn stderr_lines(output: &Output) -> Vec<String> {
    String::from_utf8_lossy(&output.stderr)
        .lines()
        .filter(|line| !line.trim().is_empty())
        .map(str::to_owned)
        .collect()
}

#[tokio::test]
async fn a_postgres_server_that_refuses_the_connection_stops_the_start_with_one_line() {
    let output = start_with("postgres://ada:s3cret@127.0.0.1:1/tidings").await;
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let lines = stderr_lines(&output);
    assert_eq!(lines.len(), 1, "{lines:?}");
    let line = &lines[0];
    assert!(
        line.starts_with("error: cannot open the database"),
        "{line}"
    );
    assert!(
        line.contains("postgres://ada@127.0.0.1:1/tidings"),
        "{line}"
    );
    assert!(line.contains("Connection refused"), "{line}");
    assert!(!line.contains("s3cret"), "the password was shown: {line}");
}

#[tokio::test]
async fn postgres_without_a_pusher_secret_is_refused_before_the_database_is_touched() {
    let database = test_postgres::TestDatabase::create_empty().await;
    let output = start(&database.url(), None).await;
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let lines = stderr_lines(&output);
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(lines[0].contains("set --pusher-secret"), "{}", lines[0]);
    let tables: i64 =
        sqlx::query_scalar("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
            .fetch_one(&database.pool().await)
            .await
            .unwrap();
    assert_eq!(tables, 0, "the database was migrated");
}

#[tokio::test]
async fn a_database_that_does_not_exist_is_named_in_the_one_line() {
    let url = format!(
        "{}_no_such_database",
        test_postgres::server_url().trim_end_matches('/')
    );
    let output = start_with(&url).await;
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let lines = stderr_lines(&output);
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(lines[0].contains("does not exist"), "{}", lines[0]);
}

#[tokio::test]
async fn a_malformed_database_url_is_refused_before_anything_starts() {
    for url in [
        "postgres://host:port/db",
        "postgres://host",
        "mysql://host/db",
    ] {
        let output = start_with(url).await;
        assert_eq!(output.status.code(), Some(2), "{url}: {output:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains("--database-url"), "{url}: {stderr}");
        assert!(!stderr.contains("panicked"), "{url}: {stderr}");
    }
}

#[tokio::test]
async fn an_sqlite_file_that_cannot_be_created_stops_the_start_with_one_line() {
    let output = start_with("sqlite:///proc/tidings/cannot/be/here.sqlite").await;
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let lines = stderr_lines(&output);
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(lines[0].contains("/proc/tidings/cannot/be"), "{}", lines[0]);
}

/// Rounds of instances started together, each on a new database: one round of two
/// instances caught the race on the sessions table only about every other time; six rounds
/// of four caught it in each of three runs.
const ROUNDS: usize = 6;
const TOGETHER: usize = 4;

#[tokio::test]
async fn instances_started_at_once_on_a_new_postgres_database_all_start() {
    for round in 0..ROUNDS {
        let database = test_postgres::TestDatabase::create_empty().await;
        let started = futures_util::future::join_all(
            (0..TOGETHER).map(|_| listening(start_instance(&database.url()))),
        )
        .await;
        for (instance, outcome) in started.iter().enumerate() {
            assert!(
                outcome.is_ok(),
                "round {round}, instance {instance}: {outcome:?}"
            );
        }
    }
}

fn start_instance(url: &str) -> tokio::process::Child {
    tokio::process::Command::new(env!("CARGO_BIN_EXE_server"))
        .args(["--addr", "127.0.0.1:0", "--database-url", url])
        .args(["--pusher-secret", "test secret", "--log-format", "json"])
        .env("RUST_LOG", "info")
        .env_remove("DATABASE_URL")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("the server starts")
}

/// Waits until `child` says it listens; its stderr if it ends first.
async fn listening(mut child: tokio::process::Child) -> Result<(), String> {
    use tokio::io::{AsyncBufReadExt, AsyncReadExt, BufReader};
    let mut lines = BufReader::new(child.stdout.take().expect("its output")).lines();
    let said = tokio::time::timeout(std::time::Duration::from_secs(30), async {
        while let Some(line) = lines.next_line().await.expect("its output is text") {
            if line.contains(r#""message":"listening""#) {
                return true;
            }
        }
        false
    })
    .await
    .expect("it listens or ends within 30 s");
    if said {
        return Ok(());
    }
    let mut errors = String::new();
    let mut stderr = child.stderr.take().expect("its errors");
    stderr.read_to_string(&mut errors).await.expect("text");
    Err(errors)
}
