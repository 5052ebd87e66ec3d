//! The buttons that move a todo along its lifecycle: one form, one button per legal move.
//! While a click waits for the broadcast that confirms it, they are disabled, and "Saving…"
//! is announced (the status region is always there, so that a screen reader hears it).

use super::fresh_command_id;
use crate::{
    api::TransitionTodo,
    domain::{TodoId, Version, todo::TodoStatus},
};
use leptos::prelude::*;

#[component]
pub fn TransitionButtons<B>(
    action: ServerAction<TransitionTodo>,
    todo_id: TodoId,
    version: Version,
    status: TodoStatus,
    busy: B,
) -> impl IntoView
where
    B: Fn() -> bool + Copy + Send + Sync + 'static,
{
    let buttons = status
        .transitions()
        .into_iter()
        .map(|move_| {
            view! {
                <button
                    type="submit"
                    name="action"
                    value=move_.as_str()
                    class=format!("button button-{}", move_.as_str())
                    disabled=busy
                >
                    {move_.label()}
                </button>
            }
        })
        .collect_view();
    view! {
        <ActionForm action>
            <div class="transitions">
                <input type="hidden" name="todo_id" value=todo_id.to_string() />
                <input type="hidden" name="expected_version" value=version.get() />
                <input type="hidden" name="command_id" value=fresh_command_id() />
                {buttons}
                <span class="saving muted small" role="status">
                    {move || busy().then_some("Saving…")}
                </span>
            </div>
        </ActionForm>
    }
}
