//! Server-side helpers every server function uses: find the backend and the asker.

use super::{AppError, backend::BackendHandle};
use crate::domain::UserId;
use leptos::prelude::use_context;

pub fn backend() -> Result<BackendHandle, AppError> {
    use_context::<BackendHandle>().ok_or(AppError::Internal)
}

pub async fn current_user(backend: &BackendHandle) -> Result<UserId, AppError> {
    let parts = use_context::<http::request::Parts>().ok_or(AppError::Internal)?;
    backend.0.current_user(&parts).await
}
