//! The top bar's "connecting…", "live", "reconnecting…" or "offline", shown only while the
//! page watches a live channel: a page with nothing live, or without JavaScript, has none.
//! The region that announces it is always there, so that a screen reader hears each change.
//! An island of its own: the rest of the top bar does not change after the page loads.

use crate::live::{use_live_status, use_live_watched};
use leptos::prelude::*;

#[island]
pub fn LiveIndicator() -> impl IntoView {
    let status = use_live_status();
    let watched = use_live_watched();
    view! {
        <span class="live-region" role="status" aria-live="polite">
            <Show when=move || watched.get()>
                <span class=move || {
                    format!("live-indicator live-{:?}", status.get()).to_lowercase()
                }>{move || status.get().label()}</span>
            </Show>
        </span>
    }
}
