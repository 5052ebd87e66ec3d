//! Accounts: sign-up, log-in (each behind its rate limits), log-out (which ends the
//! session's live connections too), and the signed-in account with its teams.

use super::TidingsBackend;
use crate::{
    accounts::{AccountError, AccountRecord},
    failure::failed,
    sessions,
};
use app::{
    api::{Account, AppError, backend::NewAccount},
    domain::{Email, Password},
};
use axum::extract::ConnectInfo;
use http::request::Parts;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};

impl TidingsBackend {
    pub(super) async fn signed_in_account(
        &self,
        request: &Parts,
    ) -> Result<Option<Account>, AppError> {
        let Some(user) = sessions::user_of(&sessions::session_of(request)?).await? else {
            return Ok(None);
        };
        match self.accounts.find(user).await.map_err(failed)? {
            Some(account) => Ok(Some(self.account_view(account).await?)),
            None => Ok(None),
        }
    }

    pub(super) async fn create_account(
        &self,
        request: &Parts,
        form: NewAccount,
    ) -> Result<Account, AppError> {
        self.limits.check_address(client_address(request))?;
        let account = self
            .accounts
            .sign_up(&form.email, &form.display_name, &form.password)
            .await
            .map_err(|error| match error {
                AccountError::EmailTaken => AppError::Taken {
                    field: "email".into(),
                    message: "An account with this email already exists. Log in instead.".into(),
                },
                other => failed(other),
            })?;
        tracing::info!(user = %account.id, "account created");
        self.sign_in(request, account).await
    }

    pub(super) async fn authenticate(
        &self,
        request: &Parts,
        email: Email,
        password: Password,
    ) -> Result<Account, AppError> {
        let address = client_address(request);
        self.limits.check_address(address)?;
        let admission = self.limits.admit_log_in(&email, address)?;
        let account = self
            .accounts
            .authenticate(&email, &password)
            .await
            .map_err(|error| match error {
                AccountError::BadCredentials => AppError::BadCredentials,
                other => failed(other),
            })?;
        self.limits.logged_in(&email, address, admission);
        self.sign_in(request, account).await
    }

    /// Ends the session, and the live connections opened with it.
    pub(super) async fn end_session(&self, request: &Parts) -> Result<(), AppError> {
        let session = sessions::session_of(request)?;
        let id = session.id();
        sessions::sign_out(&session).await?;
        if let Some(id) = id {
            self.signed_in.sign_out(id);
        }
        Ok(())
    }

    async fn sign_in(&self, request: &Parts, account: AccountRecord) -> Result<Account, AppError> {
        sessions::sign_in(&sessions::session_of(request)?, account.id).await?;
        self.account_view(account).await
    }

    async fn account_view(&self, account: AccountRecord) -> Result<Account, AppError> {
        Ok(Account {
            teams: self.teams_view(account.id).await?,
            id: account.id,
            email: account.email,
            display_name: account.display_name,
        })
    }
}

/// The client's address, for the per-address log-in limit: the TCP peer. Behind a reverse
/// proxy every client shares the proxy's address; see the README.
fn client_address(request: &Parts) -> IpAddr {
    request
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |info| info.0.ip())
}
