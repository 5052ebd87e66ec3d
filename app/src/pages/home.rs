//! `/`: the teams the viewer belongs to.

use crate::{
    api::{TeamSummary, my_teams},
    components::Loaded,
};
use leptos::prelude::*;

#[component]
pub fn HomePage() -> impl IntoView {
    let teams = Resource::new(|| (), |_| my_teams());
    view! {
        <section class="card">
            <h1>"Your teams"</h1>
            <Loaded resource=teams render=move |teams| view! { <TeamList teams /> } />
        </section>
    }
}

#[component]
fn TeamList(teams: Vec<TeamSummary>) -> impl IntoView {
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
    view! { <ul class="team-list">{items}</ul> }
}
