//! The top bar's "live", "reconnecting…" or "offline".

use crate::live::use_live_status;
use leptos::prelude::*;

#[component]
pub fn LiveIndicator() -> impl IntoView {
    let status = use_live_status();
    view! {
        <span
            class=move || format!("live-indicator live-{:?}", status.get()).to_lowercase()
            role="status"
            aria-live="polite"
        >
            {move || status.get().label()}
        </span>
    }
}
