//! Accounts: sign-up and password checks over the `users` table, and display names.
//!
//! [`Accounts`] holds what every backend shares (hashing, the decoy check); [`UserStore`] is
//! the table, implemented by each backend with its own SQL.
//!
//! - [`passwords`]: argon2id hashing off the async runtime.
//! - [`sqlite`], [`postgres`]: the backends.

mod passwords;
pub mod postgres;
pub mod sqlite;

use app::domain::{DisplayName, Email, Password, UserId};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use std::{collections::HashMap, sync::Arc};

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
    #[error("the accounts' database failed")]
    Database(#[from] sqlx::Error),
    #[error(transparent)]
    Hash(#[from] passwords::HashError),
    #[error("corrupt users row: {0}")]
    Corrupt(String),
}

/// The `users` table.
#[async_trait]
pub trait UserStore: Send + Sync + 'static {
    /// Adds the account, unless its email is taken: then answers `false` and writes nothing.
    async fn insert(
        &self,
        account: &AccountRecord,
        password_hash: &str,
        created_at: DateTime<Utc>,
    ) -> Result<bool, AccountError>;

    /// The account with this email, and its password hash.
    async fn by_email(
        &self,
        email: &Email,
    ) -> Result<Option<(AccountRecord, String)>, AccountError>;

    async fn by_id(&self, id: UserId) -> Result<Option<AccountRecord>, AccountError>;

    /// The display names of these users; an id without an account is left out.
    async fn names(&self, ids: &[UserId]) -> Result<HashMap<UserId, String>, AccountError>;
}

#[derive(Clone)]
pub struct Accounts {
    users: Arc<dyn UserStore>,
}

impl Accounts {
    pub fn new(users: Arc<dyn UserStore>) -> Self {
        Self { users }
    }

    pub async fn sign_up(
        &self,
        email: &Email,
        display_name: &DisplayName,
        password: &Password,
    ) -> Result<AccountRecord, AccountError> {
        let hash = passwords::hash(password).await?;
        let account = AccountRecord {
            id: UserId::new(),
            email: email.to_string(),
            display_name: display_name.to_string(),
        };
        if !self.users.insert(&account, &hash, Utc::now()).await? {
            return Err(AccountError::EmailTaken);
        }
        Ok(account)
    }

    /// The account whose password this is. An unknown email still costs one hash check.
    pub async fn authenticate(
        &self,
        email: &Email,
        password: &Password,
    ) -> Result<AccountRecord, AccountError> {
        let Some((account, hash)) = self.users.by_email(email).await? else {
            passwords::verify_decoy(password).await?;
            return Err(AccountError::BadCredentials);
        };
        if !passwords::verify(password, hash).await? {
            return Err(AccountError::BadCredentials);
        }
        Ok(account)
    }

    pub async fn find(&self, id: UserId) -> Result<Option<AccountRecord>, AccountError> {
        self.users.by_id(id).await
    }

    /// The display names of these users; an id without an account is left out.
    pub async fn names(
        &self,
        ids: impl IntoIterator<Item = UserId>,
    ) -> Result<HashMap<UserId, String>, AccountError> {
        let mut ids: Vec<UserId> = ids.into_iter().collect();
        ids.sort_unstable();
        ids.dedup();
        self.users.names(&ids).await
    }
}
