//! Error messages, shown where the action that failed was started.

use crate::api::AppError;
use leptos::prelude::*;
use server_fn::ServerFn;

/// An error's message; for a missing session, with the way to sign in.
#[component]
pub fn ErrorNotice(error: AppError) -> impl IntoView {
    let sign_in = matches!(error, AppError::Unauthenticated).then(|| {
        view! {
            " "
            <a href="/login">"Log in"</a>
            " or "
            <a href="/signup">"sign up"</a>
            "."
        }
    });
    view! {
        <p class="notice notice-error" role="alert" data-status=error.status()>
            {error.to_string()}
            {sign_in}
        </p>
    }
}

/// The error of the last run of `action`, if it failed.
#[component]
pub fn ActionNotice<S>(action: ServerAction<S>) -> impl IntoView
where
    S: ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + 'static,
{
    move || match action.value().get() {
        Some(Err(error)) => Some(view! { <ErrorNotice error /> }),
        _ => None,
    }
}
