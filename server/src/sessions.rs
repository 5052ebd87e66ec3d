//! Sessions: `tower-sessions` with its sqlx store, in the same database as the log, and the
//! few operations the backend needs: who is signed in, sign in (with a new session id), sign
//! out. A small layer of our own rather than `axum-login`: server functions reach the session
//! through the request's extensions, and these four functions are all it takes.

use app::{api::AppError, domain::UserId};
use async_trait::async_trait;
use http::request::Parts;
use std::time::Duration;
use tower_sessions::{
    Expiry, Session, SessionManagerLayer, SessionStore,
    cookie::SameSite,
    session::{Id, Record},
    session_store::{self, ExpiredDeletion},
};
use tower_sessions_sqlx_store::{PostgresStore, SqliteStore};

/// The cookie's name.
pub const COOKIE: &str = "tidings_session";
/// The session's key for the signed-in user's id.
const USER: &str = "user_id";
/// A session ends after this long without a request.
const IDLE_DAYS: i64 = 14;
/// How often expired sessions are deleted.
const SWEEP_EVERY: Duration = Duration::from_secs(3_600);

/// The sessions table, in the database the storage seam opened.
#[derive(Debug, Clone)]
pub enum SessionBackend {
    Sqlite(SqliteStore),
    Postgres(PostgresStore),
}

impl SessionBackend {
    /// Creates the `sessions` table if it is missing.
    pub async fn migrate(&self) -> Result<(), sqlx::Error> {
        match self {
            Self::Sqlite(store) => store.migrate().await,
            Self::Postgres(store) => store.migrate().await,
        }
    }
}

#[async_trait]
impl SessionStore for SessionBackend {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        match self {
            Self::Sqlite(store) => store.create(record).await,
            Self::Postgres(store) => store.create(record).await,
        }
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        match self {
            Self::Sqlite(store) => store.save(record).await,
            Self::Postgres(store) => store.save(record).await,
        }
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        match self {
            Self::Sqlite(store) => store.load(id).await,
            Self::Postgres(store) => store.load(id).await,
        }
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        match self {
            Self::Sqlite(store) => store.delete(id).await,
            Self::Postgres(store) => store.delete(id).await,
        }
    }
}

#[async_trait]
impl ExpiredDeletion for SessionBackend {
    async fn delete_expired(&self) -> session_store::Result<()> {
        match self {
            Self::Sqlite(store) => store.delete_expired().await,
            Self::Postgres(store) => store.delete_expired().await,
        }
    }
}

/// The session layer: an HttpOnly, SameSite=Lax cookie (Secure when `secure`), backed by the
/// `sessions` table. Also starts the task that deletes expired sessions.
pub fn layer(store: SessionBackend, secure: bool) -> SessionManagerLayer<SessionBackend> {
    let sweeper = store.clone();
    tokio::spawn(async move {
        let mut every = tokio::time::interval(SWEEP_EVERY);
        loop {
            every.tick().await;
            if let Err(error) = sweeper.delete_expired().await {
                tracing::warn!(%error, "could not delete expired sessions");
            }
        }
    });
    SessionManagerLayer::new(store)
        .with_name(COOKIE)
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(secure)
        .with_path("/")
        .with_expiry(Expiry::OnInactivity(time::Duration::days(IDLE_DAYS)))
}

/// The request's session, which the session layer put in its extensions.
pub fn session_of(request: &Parts) -> Result<Session, AppError> {
    request.extensions.get::<Session>().cloned().ok_or_else(|| {
        tracing::error!("a request reached the backend without the session layer");
        AppError::Internal
    })
}

/// The session's id, as a key for what is kept for it in memory; a session that was never
/// saved (nobody signed in) has none.
pub fn key_of(session: &Session) -> Result<String, AppError> {
    session
        .id()
        .map(|id| id.to_string())
        .ok_or(AppError::Unauthenticated)
}

/// The signed-in user's id, if any.
pub async fn user_of(session: &Session) -> Result<Option<UserId>, AppError> {
    session.get::<UserId>(USER).await.map_err(internal)
}

/// Signs `user` in. The session id changes, so an id fixed before log-in is worth nothing.
pub async fn sign_in(session: &Session, user: UserId) -> Result<(), AppError> {
    session.cycle_id().await.map_err(internal)?;
    session.insert(USER, user).await.map_err(internal)
}

/// Ends the session: its row is deleted and the cookie is cleared.
pub async fn sign_out(session: &Session) -> Result<(), AppError> {
    session.flush().await.map_err(internal)
}

/// The session store's errors carry their cause only as text; a store that fails is, in
/// practice, a database that cannot be reached, and trying again is safe.
fn internal(error: tower_sessions::session::Error) -> AppError {
    tracing::error!(error = %crate::error_chain(&error), "the session store failed");
    AppError::Unavailable
}
