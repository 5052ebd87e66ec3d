//! `/login`: email and password. `?next=/path` says where to go afterwards.

use crate::{
    api::{LogIn, current_account},
    components::{ActionNotice, go_to_when_done, local_path},
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{components::Redirect, hooks::use_query_map};

#[component]
pub fn LoginPage() -> impl IntoView {
    let query = use_query_map();
    let next = move || local_path(query.read().get("next"));
    let account = Resource::new(|| (), |_| current_account());
    view! {
        <Title text="Log in · Tidings" />
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                if let Ok(Some(_)) = account.await {
                    return view! { <Redirect path=next() /> }.into_any();
                }
                view! { <LoginForm next=next() /> }.into_any()
            })}
        </Transition>
    }
}

/// The form, an island: once logged in, the person goes on to `next`.
#[island]
fn LoginForm(next: String) -> impl IntoView {
    let log_in = ServerAction::<LogIn>::new();
    let signup = format!("/signup?next={next}");
    go_to_when_done(log_in, move |_| next.clone());
    view! {
        <section class="card auth-card">
            <h1>"Log in"</h1>
            <ActionForm action=log_in>
                <div class="field">
                    <label for="login-email">"Email"</label>
                    <input id="login-email" type="email" name="email" required autocomplete="email" />
                </div>
                <div class="field">
                    <label for="login-password">"Password"</label>
                    <input
                        id="login-password"
                        type="password"
                        name="password"
                        required
                        autocomplete="current-password"
                    />
                </div>
                <button type="submit" class="button button-primary">"Log in"</button>
            </ActionForm>
            <ActionNotice action=log_in />
            <p class="muted small">
                "New here? " <a href=signup>"Make an account"</a> "."
            </p>
        </section>
    }
}
