//! `/signup`: email, display name and password. `?next=/path` says where to go afterwards.

use crate::{
    api::{SignUp, current_account},
    components::{ActionNotice, go_to_when_done, local_path},
    domain::{DisplayName, Password},
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{components::Redirect, hooks::use_query_map};

#[component]
pub fn SignupPage() -> impl IntoView {
    let query = use_query_map();
    let next = move || local_path(query.read().get("next"));
    let account = Resource::new(|| (), |_| current_account());
    view! {
        <Title text="Sign up · Tidings" />
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                if let Ok(Some(_)) = account.await {
                    return view! { <Redirect path=next() /> }.into_any();
                }
                view! { <SignupForm next=next() /> }.into_any()
            })}
        </Transition>
    }
}

/// The form, an island: once signed up, the person goes on to `next`.
#[island]
fn SignupForm(next: String) -> impl IntoView {
    let sign_up = ServerAction::<SignUp>::new();
    let login = format!("/login?next={next}");
    go_to_when_done(sign_up, move |_| next.clone());
    view! {
        <section class="card auth-card">
            <h1>"Make an account"</h1>
            <ActionForm action=sign_up>
                <div class="field">
                    <label for="signup-email">"Email"</label>
                    <input id="signup-email" type="email" name="email" required autocomplete="email" />
                </div>
                <div class="field">
                    <label for="signup-name">"Display name"</label>
                    <input
                        id="signup-name"
                        name="display_name"
                        required
                        maxlength=DisplayName::MAX_CHARS
                        autocomplete="name"
                    />
                    <p class="hint">"How your teams see you."</p>
                </div>
                <div class="field">
                    <label for="signup-password">"Password"</label>
                    <input
                        id="signup-password"
                        type="password"
                        name="password"
                        required
                        minlength=Password::MIN_CHARS
                        maxlength=Password::MAX_CHARS
                        autocomplete="new-password"
                    />
                    <p class="hint">{format!("At least {} characters.", Password::MIN_CHARS)}</p>
                </div>
                <button type="submit" class="button button-primary">"Sign up"</button>
            </ActionForm>
            <ActionNotice action=sign_up />
            <p class="muted small">
                "Already have an account? " <a href=login>"Log in"</a> "."
            </p>
        </section>
    }
}
