//! Accounts: sign-up and password checks over the `users` table, and display names.
//!
//! - [`passwords`]: argon2id hashing off the async runtime.

mod passwords;

use app::domain::{DisplayName, Email, Password, UserId};
use chrono::Utc;
use sqlx::{Row, SqlitePool};
use std::collections::HashMap;

/// An account as the table holds it, without its hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountRecord {
    pub id: UserId,
    pub email: String,
    pub display_name: String,
}

#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error("an account with this email already exists")]
    EmailTaken,
    #[error("the email and password do not match an account")]
    BadCredentials,
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error(transparent)]
    Hash(#[from] passwords::HashError),
    #[error("corrupt users row: {0}")]
    Corrupt(String),
}

#[derive(Clone)]
pub struct Accounts {
    pool: SqlitePool,
}

impl Accounts {
    pub fn new(pool: SqlitePool) -> Self {
        Self { pool }
    }

    pub async fn sign_up(
        &self,
        email: &Email,
        display_name: &DisplayName,
        password: &Password,
    ) -> Result<AccountRecord, AccountError> {
        let hash = passwords::hash(password).await?;
        let id = UserId::new();
        let inserted = sqlx::query(
            "INSERT INTO users (user_id, email, display_name, password_hash, created_at)
             VALUES (?, ?, ?, ?, ?) ON CONFLICT (email) DO NOTHING",
        )
        .bind(id.to_string())
        .bind(email.as_str())
        .bind(display_name.as_str())
        .bind(hash)
        .bind(Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
        .execute(&self.pool)
        .await?;
        if inserted.rows_affected() == 0 {
            return Err(AccountError::EmailTaken);
        }
        Ok(AccountRecord {
            id,
            email: email.to_string(),
            display_name: display_name.to_string(),
        })
    }

    /// The account whose password this is. An unknown email still costs one hash check.
    pub async fn authenticate(
        &self,
        email: &Email,
        password: &Password,
    ) -> Result<AccountRecord, AccountError> {
        let row = sqlx::query(
            "SELECT user_id, email, display_name, password_hash FROM users WHERE email = ?",
        )
        .bind(email.as_str())
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else {
            passwords::verify_decoy(password).await?;
            return Err(AccountError::BadCredentials);
        };
        let hash: String = row.try_get("password_hash")?;
        if !passwords::verify(password, hash).await? {
            return Err(AccountError::BadCredentials);
        }
        record(&row)
    }

    pub async fn find(&self, id: UserId) -> Result<Option<AccountRecord>, AccountError> {
        let row = sqlx::query("SELECT user_id, email, display_name FROM users WHERE user_id = ?")
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(record).transpose()
    }

    /// The display names of these users; an id without an account is left out.
    pub async fn names(
        &self,
        ids: impl IntoIterator<Item = UserId>,
    ) -> Result<HashMap<UserId, String>, AccountError> {
        let ids: Vec<String> = ids.into_iter().map(|id| id.to_string()).collect();
        let mut names = HashMap::new();
        for chunk in ids.chunks(500) {
            let placeholders = vec!["?"; chunk.len()].join(", ");
            let sql = format!(
                "SELECT user_id, display_name FROM users WHERE user_id IN ({placeholders})"
            );
            let mut query = sqlx::query(&sql);
            for id in chunk {
                query = query.bind(id);
            }
            for row in query.fetch_all(&self.pool).await? {
                let id: String = row.try_get("user_id")?;
                let id = UserId::parse(&id).map_err(|e| AccountError::Corrupt(e.to_string()))?;
                names.insert(id, row.try_get("display_name")?);
            }
        }
        Ok(names)
    }
}

fn record(row: &sqlx::sqlite::SqliteRow) -> Result<AccountRecord, AccountError> {
    let id: String = row.try_get("user_id")?;
    Ok(AccountRecord {
        id: UserId::parse(&id).map_err(|e| AccountError::Corrupt(e.to_string()))?,
        email: row.try_get("email")?,
        display_name: row.try_get("display_name")?,
    })
}
