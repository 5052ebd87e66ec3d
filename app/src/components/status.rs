//! The coloured badge that names a todo's status.

use crate::domain::todo::TodoStatus;
use leptos::prelude::*;

#[component]
pub fn StatusBadge(status: TodoStatus) -> impl IntoView {
    view! { <span class=format!("badge badge-{status}")>{status.as_str()}</span> }
}
