//! `/join/:token`: an invite link. Signed out, it offers log-in and sign-up and comes back;
//! signed in, it names the team and offers to join; a member is taken to the team.

use crate::{
    api::{AppError, JoinTeam, preview_invitation},
    components::{ActionNotice, ErrorNotice, fresh_command_id, go_to_when_done},
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{components::Redirect, hooks::use_params_map};

#[component]
pub fn JoinPage() -> impl IntoView {
    let params = use_params_map();
    let token = move || params.read().get("token").unwrap_or_default();
    let preview = Resource::new(token, preview_invitation);
    view! {
        <Title text="Join a team · Tidings" />
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match preview.await {
                    Ok(preview) if preview.already_member => {
                        view! { <Redirect path=format!("/teams/{}", preview.team.id) /> }.into_any()
                    }
                    Ok(preview) => {
                        view! { <JoinForm team_name=preview.team.name token=token() /> }.into_any()
                    }
                    Err(AppError::Unauthenticated) => view! { <SignInFirst token=token() /> }.into_any(),
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// For someone signed out: the ways in, each coming back here.
#[component]
fn SignInFirst(token: String) -> impl IntoView {
    let here = format!("/join/{token}");
    view! {
        <section class="card auth-card">
            <h1>"You are invited to a team"</h1>
            <p>"Log in or make an account to join it."</p>
            <p class="actions">
                <a class="button button-primary" href=format!("/signup?next={here}")>
                    "Sign up"
                </a>
                <a class="button" href=format!("/login?next={here}")>"Log in"</a>
            </p>
        </section>
    }
}

/// The form, an island: once joined, the person goes to the team.
#[island]
fn JoinForm(team_name: String, token: String) -> impl IntoView {
    let join = ServerAction::<JoinTeam>::new();
    go_to_when_done(join, |receipt| format!("/teams/{}", receipt.team_id));
    view! {
        <section class="card auth-card">
            <h1>{format!("Join {team_name}")}</h1>
            <p class="muted">"You were invited to this team. Its members will see your display name."</p>
            <ActionForm action=join>
                <input type="hidden" name="token" value=token />
                <input
                    type="hidden"
                    name="command_id"
                    value=move || {
                        join.version().track();
                        fresh_command_id()
                    }
                />
                <button type="submit" class="button button-primary">
                    {format!("Join {team_name}")}
                </button>
            </ActionForm>
            <ActionNotice action=join />
        </section>
    }
}
