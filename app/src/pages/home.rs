//! `/`: the teams the viewer belongs to.

use crate::{api::my_teams, components::ErrorNotice};
use leptos::prelude::*;

#[component]
pub fn HomePage() -> impl IntoView {
    let teams = Resource::new(|| (), |_| my_teams());
    view! {
        <section class="card">
            <h1>"Your teams"</h1>
            <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match teams.await {
                        Ok(teams) => {
                            view! {
                                <ul class="team-list">
                                    {teams
                                        .into_iter()
                                        .map(|team| {
                                            view! {
                                                <li>
                                                    <a href=format!("/teams/{}", team.id)>{team.name}</a>
                                                </li>
                                            }
                                        })
                                        .collect_view()}
                                </ul>
                            }
                                .into_any()
                        }
                        Err(error) => view! { <ErrorNotice error /> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}
