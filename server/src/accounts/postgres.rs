//! The `users` table in PostgreSQL.

use super::{AccountError, AccountRecord, UserStore};
use app::domain::{Email, UserId};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::{PgPool, Row, postgres::PgRow};
use std::collections::HashMap;
use uuid::Uuid;

/// The accounts in one PostgreSQL database: a cheap handle over its pool.
#[derive(Clone)]
pub struct PgUsers {
    pool: PgPool,
}

impl PgUsers {
    pub fn new(pool: PgPool) -> Self {
        Self { pool }
    }
}

#[async_trait]
impl UserStore for PgUsers {
    async fn insert(
        &self,
        account: &AccountRecord,
        password_hash: &str,
        created_at: DateTime<Utc>,
    ) -> Result<bool, AccountError> {
        let inserted = sqlx::query(
            "INSERT INTO users (user_id, email, display_name, password_hash, created_at)
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (email) DO NOTHING",
        )
        .bind(account.id.as_uuid())
        .bind(&account.email)
        .bind(&account.display_name)
        .bind(password_hash)
        .bind(created_at)
        .execute(&self.pool)
        .await?;
        Ok(inserted.rows_affected() == 1)
    }

    async fn by_email(
        &self,
        email: &Email,
    ) -> Result<Option<(AccountRecord, String)>, AccountError> {
        let row = sqlx::query(
            "SELECT user_id, email, display_name, password_hash FROM users WHERE email = $1",
        )
        .bind(email.as_str())
        .fetch_optional(&self.pool)
        .await?;
        row.map(|row| Ok((record(&row)?, row.try_get("password_hash")?)))
            .transpose()
    }

    async fn by_id(&self, id: UserId) -> Result<Option<AccountRecord>, AccountError> {
        let row = sqlx::query("SELECT user_id, email, display_name FROM users WHERE user_id = $1")
            .bind(id.as_uuid())
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(record).transpose()
    }

    async fn names(&self, ids: &[UserId]) -> Result<HashMap<UserId, String>, AccountError> {
        let ids: Vec<Uuid> = ids.iter().map(UserId::as_uuid).collect();
        let rows =
            sqlx::query("SELECT user_id, email, display_name FROM users WHERE user_id = ANY($1)")
                .bind(ids)
                .fetch_all(&self.pool)
                .await?;
        rows.iter()
            .map(|row| record(row).map(|account| (account.id, account.display_name)))
            .collect()
    }
}

fn record(row: &PgRow) -> Result<AccountRecord, AccountError> {
    let id: Uuid = row.try_get("user_id")?;
    Ok(AccountRecord {
        id: UserId::try_from(id).map_err(|e| AccountError::Corrupt(e.to_string()))?,
        email: row.try_get("email")?,
        display_name: row.try_get("display_name")?,
    })
}
