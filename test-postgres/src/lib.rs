//! Test databases on a real PostgreSQL: each test gets a database of its own, made with
//! `CREATE DATABASE … TEMPLATE …` from a template that already holds Tidings' migrations, so
//! a fresh database costs a file copy rather than a migration run.
//!
//! The server is the one named by `TIDINGS_TEST_POSTGRES_URL` (`scripts/test` exports it),
//! or, when it is unset, the one these machines run: `postgres://postgres@127.0.0.1:5432/test`.
//! A server that cannot be reached fails the test, loudly: a PostgreSQL test never skips.
//!
//! The template's name carries a digest of the migrations, so a changed migration makes a new
//! template; parallel test processes build it once, under an advisory lock. Each database is
//! dropped when its [`TestDatabase`] is.

use sha2::{Digest, Sha256};
use sqlx::migrate::Migrator;
use sqlx::postgres::{PgConnectOptions, PgConnection, PgPoolOptions};
use sqlx::{ConnectOptions, Connection};
use std::str::FromStr;

/// The migrations every test database starts with: the server's own.
static MIGRATOR: Migrator = sqlx::migrate!("../migrations/postgres");

/// The variable that names the server, and the server used when it is unset.
pub const URL_VARIABLE: &str = "TIDINGS_TEST_POSTGRES_URL";
pub const DEFAULT_URL: &str = "postgres://postgres@127.0.0.1:5432/test";

/// The advisory lock under which a template is built (an arbitrary, fixed key).
const TEMPLATE_LOCK: i64 = 0x7469_6469_6e67_7301;

/// A database of one test's own, dropped (with any connection still open to it) when this
/// value is.
pub struct TestDatabase {
    name: String,
    admin: Box<PgConnectOptions>,
}

impl TestDatabase {
    /// A new database with every migration applied.
    pub async fn create() -> Self {
        Self::create_from(Template::Migrated).await
    }

    /// A new database with nothing in it: for a test that runs the migrations itself.
    pub async fn create_empty() -> Self {
        Self::create_from(Template::Empty).await
    }

    async fn create_from(template: Template) -> Self {
        let admin = admin_options();
        let mut conn = admin.connect().await.unwrap_or_else(|error| {
            panic!(
                "cannot reach the test PostgreSQL at {} ({URL_VARIABLE}): {error}",
                server_url()
            )
        });
        let template = match template {
            Template::Migrated => migrated_template(&mut conn, &admin).await,
            Template::Empty => "template0".to_owned(),
        };
        let name = format!("tidings_t_{}", uuid::Uuid::now_v7().simple());
        sqlx::raw_sql(&format!(
            r#"CREATE DATABASE "{name}" TEMPLATE "{template}""#
        ))
        .execute(&mut conn)
        .await
        .unwrap_or_else(|error| panic!("cannot create the test database {name}: {error}"));
        close(conn).await;
        Self {
            name,
            admin: Box::new(admin),
        }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// A `postgres://` URL for this database, as `DATABASE_URL` would give it.
    pub fn url(&self) -> String {
        let options = self.connect_options();
        let host = options.get_host();
        let port = options.get_port();
        let user = options.get_username();
        format!("postgres://{user}@{host}:{port}/{}", self.name)
    }

    pub fn connect_options(&self) -> PgConnectOptions {
        self.admin.clone().database(&self.name)
    }

    /// A pool of a few connections to this database, for a test to look behind the server.
    pub async fn pool(&self) -> sqlx::PgPool {
        PgPoolOptions::new()
            .max_connections(4)
            .connect_with(self.connect_options())
            .await
            .unwrap_or_else(|error| panic!("cannot connect to {}: {error}", self.name))
    }
}

impl Drop for TestDatabase {
    /// Drops the database from a thread of its own, since `Drop` cannot wait on the test's
    /// runtime. A failure leaves the database behind (scripts/test sweeps them) rather than
    /// failing a test that passed.
    fn drop(&mut self) {
        let name = std::mem::take(&mut self.name);
        let admin = (*self.admin).clone();
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?;
            runtime.block_on(async {
                let mut conn = admin.connect().await.map_err(std::io::Error::other)?;
                let sql = format!(r#"DROP DATABASE IF EXISTS "{name}" WITH (FORCE)"#);
                sqlx::raw_sql(&sql)
                    .execute(&mut conn)
                    .await
                    .map_err(std::io::Error::other)?;
                close(conn).await;
                Ok::<_, std::io::Error>(())
            })
        })
        .join();
        if !matches!(dropped, Ok(Ok(()))) {
            eprintln!("warning: a test database was left behind");
        }
    }
}

enum Template {
    Migrated,
    Empty,
}

/// The URL of the server that holds the test databases.
pub fn server_url() -> String {
    std::env::var(URL_VARIABLE).unwrap_or_else(|_| DEFAULT_URL.to_owned())
}

fn admin_options() -> PgConnectOptions {
    let url = server_url();
    PgConnectOptions::from_str(&url)
        .unwrap_or_else(|error| panic!("{URL_VARIABLE}={url} is not a PostgreSQL URL: {error}"))
        .disable_statement_logging()
}

/// The name of the template for the current migrations, built first if it is missing.
async fn migrated_template(conn: &mut PgConnection, admin: &PgConnectOptions) -> String {
    let name = format!("tidings_template_{}", migrations_digest());
    sqlx::query("SELECT pg_advisory_lock($1)")
        .bind(TEMPLATE_LOCK)
        .execute(&mut *conn)
        .await
        .expect("the template lock");
    let exists: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)")
            .bind(&name)
            .fetch_one(&mut *conn)
            .await
            .expect("pg_database reads");
    if !exists {
        build_template(conn, admin, &name).await;
    }
    sqlx::query("SELECT pg_advisory_unlock($1)")
        .bind(TEMPLATE_LOCK)
        .execute(&mut *conn)
        .await
        .expect("the template lock is released");
    name
}

/// Creates the template and migrates it; a template that fails to migrate is dropped again,
/// so the next test does not copy half a schema.
async fn build_template(conn: &mut PgConnection, admin: &PgConnectOptions, name: &str) {
    sqlx::raw_sql(&format!(r#"CREATE DATABASE "{name}""#))
        .execute(&mut *conn)
        .await
        .unwrap_or_else(|error| panic!("cannot create the template {name}: {error}"));
    let migrated = async {
        let mut template = admin.clone().database(name).connect().await?;
        MIGRATOR.run(&mut template).await?;
        template.close().await?;
        Ok::<_, Box<dyn std::error::Error + Send + Sync>>(())
    }
    .await;
    if let Err(error) = migrated {
        let drop = format!(r#"DROP DATABASE "{name}" WITH (FORCE)"#);
        if let Err(drop_error) = sqlx::raw_sql(&drop).execute(&mut *conn).await {
            eprintln!("warning: the half-built template {name} stays: {drop_error}");
        }
        panic!("cannot migrate the template {name}: {error}");
    }
}

/// A short digest of every migration's version and checksum.
fn migrations_digest() -> String {
    let mut digest = Sha256::new();
    for migration in MIGRATOR.iter() {
        digest.update(migration.version.to_le_bytes());
        digest.update(&migration.checksum);
    }
    digest
        .finalize()
        .iter()
        .take(8)
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

async fn close(conn: PgConnection) {
    if let Err(error) = conn.close().await {
        eprintln!("warning: closing an admin connection: {error}");
    }
}
