//! The `users` table in SQLite.

use super::{AccountError, AccountRecord, UserStore};
use app::domain::{Email, UserId};
use async_trait::async_trait;
use chrono::{DateTime, SecondsFormat, Utc};
use sqlx::{Row, SqlitePool, sqlite::SqliteRow};
use std::collections::HashMap;

/// The accounts in one SQLite database: a cheap handle over its pool.
#[derive(Clone)]
pub struct SqliteUsers {
    pool: SqlitePool,
}

impl SqliteUsers {
    pub fn new(pool: SqlitePool) -> Self {
        Self { pool }
    }
}

#[async_trait]
impl UserStore for SqliteUsers {
    async fn insert(
        &self,
        account: &AccountRecord,
        password_hash: &str,
        created_at: DateTime<Utc>,
    ) -> Result<bool, AccountError> {
        let inserted = sqlx::query(
            "INSERT INTO users (user_id, email, display_name, password_hash, created_at)
             VALUES (?, ?, ?, ?, ?) ON CONFLICT (email) DO NOTHING",
        )
        .bind(account.id.to_string())
        .bind(&account.email)
        .bind(&account.display_name)
        .bind(password_hash)
        .bind(created_at.to_rfc3339_opts(SecondsFormat::Millis, true))
        .execute(&self.pool)
        .await?;
        Ok(inserted.rows_affected() == 1)
    }

    async fn by_email(
        &self,
        email: &Email,
    ) -> Result<Option<(AccountRecord, String)>, AccountError> {
        let row = sqlx::query(
            "SELECT user_id, email, display_name, password_hash FROM users WHERE email = ?",
        )
        .bind(email.as_str())
        .fetch_optional(&self.pool)
        .await?;
        row.map(|row| Ok((record(&row)?, row.try_get("password_hash")?)))
            .transpose()
    }

    async fn by_id(&self, id: UserId) -> Result<Option<AccountRecord>, AccountError> {
        let row = sqlx::query("SELECT user_id, email, display_name FROM users WHERE user_id = ?")
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(record).transpose()
    }

    async fn names(&self, ids: &[UserId]) -> Result<HashMap<UserId, String>, AccountError> {
        let mut names = HashMap::with_capacity(ids.len());
        for chunk in ids.chunks(500) {
            let placeholders = vec!["?"; chunk.len()].join(", ");
            let sql = format!(
                "SELECT user_id, email, display_name FROM users WHERE user_id IN ({placeholders})"
            );
            let mut query = sqlx::query(&sql);
            for id in chunk {
                query = query.bind(id.to_string());
            }
            for row in query.fetch_all(&self.pool).await? {
                let account = record(&row)?;
                names.insert(account.id, account.display_name);
            }
        }
        Ok(names)
    }
}

fn record(row: &SqliteRow) -> Result<AccountRecord, AccountError> {
    let id: String = row.try_get("user_id")?;
    Ok(AccountRecord {
        id: UserId::parse(&id).map_err(|e| AccountError::Corrupt(e.to_string()))?,
        email: row.try_get("email")?,
        display_name: row.try_get("display_name")?,
    })
}
