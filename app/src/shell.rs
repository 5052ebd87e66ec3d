//! The HTML document and the router: which page answers which path.

use crate::{
    components::{AccountMenu, LiveIndicator, raw_text},
    pages::{HomePage, JoinPage, LoginPage, MembersPage, NotFound, SignupPage, TeamPage, TodoPage},
};
use leptos::prelude::*;
use leptos_meta::{Title, provide_meta_context};
use leptos_router::{
    SsrMode,
    components::{Route, Router, Routes},
    path,
};

/// The document the server renders around [`App`].
#[cfg(feature = "ssr")]
pub fn shell(options: LeptosOptions) -> impl IntoView {
    use leptos_meta::HashedStylesheet;
    crate::content_policy::send();
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <link rel="icon" type="image/svg+xml" href="/favicon.svg" />
                <HashedStylesheet options=options.clone() id="leptos" />
                <AutoReload options=options.clone() />
                <HydrationScripts options islands=true />
                <leptos_meta::MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// Every route renders fully on the server before it is sent (`SsrMode::Async`), so that each
/// page and form works with JavaScript disabled. The router and the pages run on the server
/// only: the browser hydrates just the islands (`#[island]`), the parts of a page that
/// change after it loads (forms, the live board and todo, the live indicator), so the WASM
/// holds those and nothing else. A link loads the next page from the server.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        // Every page's title goes through this formatter: user text (a todo's title, a
        // team's name) reaches `<title>`, which the server writes unescaped.
        <Title formatter=raw_text text="Tidings" />
        <Router>
            <header class="topbar">
                <a href="/" class="brand">
                    "Tidings"
                </a>
                <span class="tagline">"every change, as it happens"</span>
                <LiveIndicator />
                <AccountMenu />
            </header>
            <main class="page">
                <Routes fallback=NotFound>
                    <Route path=path!("/") view=HomePage ssr=SsrMode::Async />
                    <Route path=path!("/login") view=LoginPage ssr=SsrMode::Async />
                    <Route path=path!("/signup") view=SignupPage ssr=SsrMode::Async />
                    <Route path=path!("/join/:token") view=JoinPage ssr=SsrMode::Async />
                    <Route path=path!("/teams/:team_id") view=TeamPage ssr=SsrMode::Async />
                    <Route
                        path=path!("/teams/:team_id/members")
                        view=MembersPage
                        ssr=SsrMode::Async
                    />
                    <Route path=path!("/todos/:todo_id") view=TodoPage ssr=SsrMode::Async />
                </Routes>
            </main>
        </Router>
    }
}
