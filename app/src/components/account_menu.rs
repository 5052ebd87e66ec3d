//! The top bar's right side: the signed-in person, their teams to switch between, and log
//! out; or the ways in for someone signed out.

use super::go_to_when_done;
use crate::api::{Account, LogOut, TeamSummary, current_account};
use leptos::prelude::*;

#[component]
pub fn AccountMenu() -> impl IntoView {
    let account = Resource::new(|| (), |_| current_account());
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match account.await {
                    Ok(Some(account)) => view! { <SignedIn account /> }.into_any(),
                    _ => view! {
                        <nav class="account" aria-label="Account">
                            <a href="/login">"Log in"</a>
                            <a href="/signup" class="button button-primary">"Sign up"</a>
                        </nav>
                    }
                    .into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn SignedIn(account: Account) -> impl IntoView {
    view! {
        <nav class="account" aria-label="Account">
            <TeamSwitcher teams=account.teams />
            <span class="who" data-user-id=account.id.to_string()>
                {account.display_name}
            </span>
            <LogOutForm />
        </nav>
    }
}

/// The one part of the menu that acts: an island, so that logging out takes the person to
/// the log-in page without a second load.
#[island]
fn LogOutForm() -> impl IntoView {
    let log_out = ServerAction::<LogOut>::new();
    go_to_when_done(log_out, |_| "/login".to_owned());
    view! {
        <ActionForm action=log_out attr:class="inline-form">
            <button type="submit" class="button">"Log out"</button>
        </ActionForm>
    }
}

#[component]
fn TeamSwitcher(teams: Vec<TeamSummary>) -> impl IntoView {
    let links = teams
        .into_iter()
        .map(|team| {
            view! {
                <li>
                    <a href=format!("/teams/{}", team.id)>{team.name}</a>
                </li>
            }
        })
        .collect_view();
    view! { <ul class="team-switcher" aria-label="Your teams">{links}</ul> }
}
