//! A page's data on screen: the rendered value or the error. Pages render on the server
//! only, each whole before it is sent (`SsrMode::Async`), so the placeholder is never sent;
//! what changes afterwards is an island's own business.

use super::ErrorNotice;
use crate::api::AppError;
use leptos::prelude::*;

#[component]
pub fn Loaded<T, V, F>(resource: Resource<Result<T, AppError>>, render: F) -> impl IntoView
where
    T: Clone + Send + Sync + 'static,
    V: IntoView + 'static,
    F: Fn(T) -> V + Clone + Send + Sync + 'static,
{
    view! {
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || {
                let render = render.clone();
                Suspend::new(async move {
                    match resource.await {
                        Ok(value) => render(value).into_any(),
                        Err(error) => {
                            #[cfg(feature = "ssr")]
                            answer_not_found_for(&error);
                            view! { <ErrorNotice error /> }.into_any()
                        }
                    }
                })
            }}
        </Transition>
    }
}

/// A page whose address names nothing the viewer may see (an unknown or foreign id, or one
/// that is not an id at all) answers 404, like a path that matches no route; the body is
/// the same "… was not found." whichever it was.
#[cfg(feature = "ssr")]
fn answer_not_found_for(error: &AppError) {
    if matches!(error, AppError::NotFound { .. } | AppError::Invalid { .. })
        && let Some(options) = use_context::<leptos_axum::ResponseOptions>()
    {
        options.set_status(http::StatusCode::NOT_FOUND);
    }
}
