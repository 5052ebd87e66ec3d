//! `/join/:token`: an invite link. Signed out, it offers log-in and sign-up and comes back;
//! signed in, it names the team and offers to join; a member is taken to the team.

use crate::{
    api::{InvitePreview, JoinTeam, current_account, preview_invitation},
    components::{ActionNotice, Loaded, fresh_command_id, go_to},
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{components::Redirect, hooks::use_params_map};

#[component]
pub fn JoinPage() -> impl IntoView {
    let params = use_params_map();
    let token = move || params.read().get("token").unwrap_or_default();
    let account = Resource::new(|| (), |_| current_account());
    view! {
        <Title text="Join a team · Tidings" />
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match account.await {
                    Ok(Some(_)) => view! { <Invitation token=token() /> }.into_any(),
                    _ => {
                        let here = format!("/join/{}", token());
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
                        .into_any()
                    }
                }
            })}
        </Transition>
    }
}

#[component]
fn Invitation(token: String) -> impl IntoView {
    let preview = Resource::new(
        {
            let token = token.clone();
            move || token.clone()
        },
        preview_invitation,
    );
    view! {
        <Loaded
            resource=preview
            render=move |preview| view! { <JoinForm preview token=token.clone() /> }
        />
    }
}

#[component]
fn JoinForm(preview: InvitePreview, token: String) -> impl IntoView {
    let team_path = format!("/teams/{}", preview.team.id);
    if preview.already_member {
        return view! { <Redirect path=team_path /> }.into_any();
    }
    let join = ServerAction::<JoinTeam>::new();
    Effect::new(move |_| {
        if let Some(Ok(receipt)) = join.value().get() {
            go_to(&format!("/teams/{}", receipt.team_id));
        }
    });
    view! {
        <section class="card auth-card">
            <h1>{format!("Join {}", preview.team.name)}</h1>
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
                    {format!("Join {}", preview.team.name)}
                </button>
            </ActionForm>
            <ActionNotice action=join />
        </section>
    }
    .into_any()
}
