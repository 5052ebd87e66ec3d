//! Leaving the page after a change that concerns the whole page: signing in or out, joining,
//! making or leaving a team. A full load, so that every part of the page (the top bar's team
//! list included) is rendered again for the new state.

use crate::api::AppError;
use leptos::prelude::{Effect, Get, ServerAction};
use server_fn::ServerFn;

/// Once `action` succeeds, loads the page that `to` names for its answer (the new team, the
/// page the person came for). A refused action stays on the page, where its error shows.
pub fn go_to_when_done<S>(
    action: ServerAction<S>,
    to: impl Fn(&S::Output) -> String + Send + Sync + 'static,
) where
    S: ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + 'static,
{
    Effect::new(move |_| {
        if let Some(Ok(answer)) = action.value().get() {
            go_to(&to(&answer));
        }
    });
}

/// Loads `path` as a new page. Does nothing on the server.
fn go_to(path: &str) {
    #[cfg(feature = "hydrate")]
    {
        if let Err(error) = leptos::prelude::window().location().set_href(path) {
            leptos::logging::error!("could not go to {path}: {error:?}");
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = path;
}

/// This site's origin (`http://host:port`), for links people copy. On the server, as the
/// request names it: its `Host`, over https when the page that sent the browser here was
/// (a redirect after a form post keeps that page as its referrer), else http.
pub fn site_origin() -> String {
    #[cfg(feature = "hydrate")]
    {
        leptos::prelude::window()
            .location()
            .origin()
            .unwrap_or_default()
    }
    #[cfg(feature = "ssr")]
    {
        let Some(request) = leptos::prelude::use_context::<http::request::Parts>() else {
            return String::new();
        };
        let header = |name| {
            request
                .headers
                .get(name)
                .and_then(|value| value.to_str().ok())
        };
        let Some(host) = header(http::header::HOST) else {
            return String::new();
        };
        let secure = header(http::header::REFERER)
            .is_some_and(|referer| referer.starts_with(&format!("https://{host}/")));
        format!("{}://{host}", if secure { "https" } else { "http" })
    }
    #[cfg(not(any(feature = "hydrate", feature = "ssr")))]
    String::new()
}

/// A `next` parameter, if it is a path on this site; anything else (another origin, a
/// protocol-relative `//host`, a backslash trick) becomes `/`.
pub fn local_path(next: Option<String>) -> String {
    match next {
        Some(path)
            if path.starts_with('/')
                && !path.starts_with("//")
                && !path.contains('\\')
                && !path.chars().any(char::is_control) =>
        {
            path
        }
        _ => "/".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::local_path;

    #[test]
    fn only_paths_on_this_site_are_followed() {
        assert_eq!(local_path(Some("/join/abc".into())), "/join/abc");
        for foreign in [
            "https://evil.example",
            "//evil.example",
            "/\\evil.example",
            "join",
        ] {
            assert_eq!(local_path(Some(foreign.into())), "/", "{foreign}");
        }
        assert_eq!(local_path(None), "/");
    }
}
