//! Server functions for accounts: sign up, log in, log out, and who is signed in.

use super::{Account, AppError};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {
    super::{
        backend::NewAccount,
        context::{backend, request_parts},
    },
    crate::domain::{DisplayName, Email, Password},
};

/// Makes an account and signs it in.
#[server(endpoint = "sign_up")]
pub async fn sign_up(
    email: String,
    display_name: String,
    password: String,
) -> Result<Account, AppError> {
    let form = NewAccount {
        email: Email::parse(&email)?,
        display_name: DisplayName::parse(&display_name)?,
        password: Password::parse(&password)?,
    };
    backend()?.0.sign_up(&request_parts()?, form).await
}

/// Signs in with an email and a password.
#[server(endpoint = "log_in")]
pub async fn log_in(email: String, password: String) -> Result<Account, AppError> {
    let email = Email::parse(&email)?;
    // Any wrong password, however short, gets the same answer as a wrong long one.
    let password = Password::parse(&password).map_err(|_| AppError::BadCredentials)?;
    backend()?
        .0
        .log_in(&request_parts()?, email, password)
        .await
}

/// Ends the session.
#[server(endpoint = "log_out")]
pub async fn log_out() -> Result<(), AppError> {
    backend()?.0.log_out(&request_parts()?).await
}

/// The signed-in account, or `None`.
#[server(endpoint = "current_account")]
pub async fn current_account() -> Result<Option<Account>, AppError> {
    backend()?.0.current_account(&request_parts()?).await
}
