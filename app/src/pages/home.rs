//! `/`: for a signed-in person, their teams and a form to make one; for anyone else, what
//! Tidings is and the ways in.

use crate::{
    api::{CreateTeam, TeamSummary, current_account},
    components::{ActionNotice, fresh_command_id, go_to_when_done},
    domain::TeamName,
};
use leptos::prelude::*;

#[component]
pub fn HomePage() -> impl IntoView {
    let account = Resource::new(|| (), |_| current_account());
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match account.await {
                    Ok(Some(account)) => view! { <Teams teams=account.teams /> }.into_any(),
                    _ => view! { <Welcome /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Welcome() -> impl IntoView {
    view! {
        <section class="card auth-card">
            <h1>"Tidings"</h1>
            <p>
                "A todo list for your team, where every change reaches everyone as it happens."
            </p>
            <p class="actions">
                <a class="button button-primary" href="/signup">"Sign up"</a>
                <a class="button" href="/login">"Log in"</a>
            </p>
        </section>
    }
}

#[component]
fn Teams(teams: Vec<TeamSummary>) -> impl IntoView {
    view! {
        <section class="card">
            <h1>"Your teams"</h1>
            <TeamList teams />
        </section>
        <CreateTeamForm />
    }
}

#[component]
fn TeamList(teams: Vec<TeamSummary>) -> impl IntoView {
    if teams.is_empty() {
        return view! {
            <p class="muted">
                "You are not in a team yet. Make one below, or open an invite link from a teammate."
            </p>
        }
        .into_any();
    }
    let items = teams
        .into_iter()
        .map(|team| {
            view! {
                <li>
                    <a href=format!("/teams/{}", team.id)>{team.name}</a>
                </li>
            }
        })
        .collect_view();
    view! { <ul class="team-list">{items}</ul> }.into_any()
}

/// An island: the team is made, then opened.
#[island]
fn CreateTeamForm() -> impl IntoView {
    let create = ServerAction::<CreateTeam>::new();
    go_to_when_done(create, |receipt| format!("/teams/{}", receipt.team_id));
    view! {
        <section class="card">
            <h2>"Make a team"</h2>
            <ActionForm action=create>
                <input
                    type="hidden"
                    name="command_id"
                    value=move || {
                        create.version().track();
                        fresh_command_id()
                    }
                />
                <div class="field">
                    <label for="team-name">"Team name"</label>
                    <input id="team-name" name="name" required maxlength=TeamName::MAX_CHARS autocomplete="off" />
                </div>
                <button type="submit" class="button button-primary">"Make the team"</button>
            </ActionForm>
            <ActionNotice action=create />
        </section>
    }
}
