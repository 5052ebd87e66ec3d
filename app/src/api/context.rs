//! Server-side helpers every server function uses: find the backend, the request and the asker.

use super::{AppError, backend::BackendHandle};
use crate::domain::UserId;
use http::request::Parts;
use leptos::prelude::use_context;

pub fn backend() -> Result<BackendHandle, AppError> {
    use_context::<BackendHandle>().ok_or(AppError::Internal)
}

pub fn request_parts() -> Result<Parts, AppError> {
    use_context::<Parts>().ok_or(AppError::Internal)
}

/// The backend and the signed-in user, or `Unauthenticated`.
pub async fn signed_in() -> Result<(BackendHandle, UserId), AppError> {
    let backend = backend()?;
    let user = backend.0.current_user(&request_parts()?).await?;
    Ok((backend, user))
}
