//! `/todos/:todo_id`: a todo's edit form, its transitions and its activity timeline.
//!
//! The server renders the page; in the browser it is one island, which loads the todo
//! again whenever the todo's channel reports a change. A click's own change shows
//! "Saving…" until the broadcast with its command id arrives.

use crate::live::{Channel, Pending, load_latest, on_todo, saving, track_commands, use_channel};
use crate::{
    api::{
        AppError, TimelineEntry, TodoDetail, TodoView, TransitionTodo, UpdateTodo,
        fetch_todo_detail,
    },
    components::{
        ActionNotice, ErrorNotice, Loaded, Moment, StatusBadge, TransitionButtons,
        fresh_command_id, raw_text,
    },
    domain::Position,
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

#[component]
pub fn TodoPage() -> impl IntoView {
    let params = use_params_map();
    let todo_id = move || params.read().get("todo_id").unwrap_or_default();
    let detail = Resource::new(todo_id, |todo_id| fetch_todo_detail(todo_id, None));
    view! {
        <Loaded
            resource=detail
            render=move |detail: TodoDetail| {
                view! {
                    <Title text=format!("{} · Tidings", detail.todo.title) />
                    <LiveTodo detail />
                }
            }
        />
    }
}

/// The todo as it stands at `detail.position`, then loaded again after each change its
/// channel reports (or that a command of this tab's answered without a broadcast). A load
/// that fails (the viewer left the team, say) shows why in the todo's place.
#[island]
fn LiveTodo(detail: TodoDetail) -> impl IntoView {
    let update = ServerAction::<UpdateTodo>::new();
    let transition = ServerAction::<TransitionTodo>::new();
    let pending = RwSignal::new(Pending::default());
    let (id, from) = (detail.todo.id, detail.position);
    let shown = RwSignal::new(Ok::<_, AppError>(detail));
    let position =
        move || shown.with_untracked(|shown| shown.as_ref().map_or(Position::ZERO, |d| d.position));
    // Loads the todo as of `after` at least.
    let reload = move |after: Position| {
        load_latest(shown, fetch_todo_detail(id.to_string(), Some(after.get())));
    };
    use_channel(Channel::Todo(id), from, move |event| {
        pending.try_update(|pending| pending.confirmed(&event.command_id));
        reload(event.position);
    });
    track_commands(
        transition,
        pending,
        |input| on_todo(&input.command_id, &input.todo_id),
        position,
        reload,
    );
    track_commands(
        update,
        pending,
        |input| on_todo(&input.command_id, &input.todo_id),
        position,
        reload,
    );
    move || match shown.get() {
        Ok(detail) => view! { <Detail detail update transition pending /> }.into_any(),
        Err(error) => view! { <ErrorNotice error /> }.into_any(),
    }
}

#[component]
fn Detail(
    detail: TodoDetail,
    update: ServerAction<UpdateTodo>,
    transition: ServerAction<TransitionTodo>,
    pending: RwSignal<Pending>,
) -> impl IntoView {
    let todo = detail.todo;
    let saving = saving(pending, todo.id);
    view! {
        <article
            class="todo-detail"
            data-position=detail.position.get()
            data-version=todo.version.get()
            data-pending=move || saving().to_string()
            aria-busy=move || saving().to_string()
        >
            <nav class="crumbs" aria-label="Breadcrumb">
                <a href=format!("/teams/{}", todo.team.id)>{format!("← {}", todo.team.name)}</a>
            </nav>
            <header class="todo-header">
                <h1>{todo.title.clone()}</h1>
                <StatusBadge status=todo.status />
            </header>
            <p class="muted small">
                {format!("Created by {} ", todo.author_name)}
                <Moment at=todo.created_at detail=format!("version {}", todo.version) />
            </p>
            <TransitionButtons
                action=transition
                todo_id=todo.id
                version=todo.version
                status=todo.status
                busy=saving
            />
            <ActionNotice action=transition />
            <EditForm todo=todo.clone() update />
            <Timeline entries=detail.timeline />
        </article>
    }
}

#[component]
fn EditForm(todo: TodoView, update: ServerAction<UpdateTodo>) -> impl IntoView {
    if !todo.status.is_editable() {
        return view! {
            <section class="card">
                <h2>"Details"</h2>
                <p class="description">{todo.description}</p>
                <p class="muted small">
                    {format!("A {} todo cannot be edited.", todo.status)}
                </p>
            </section>
        }
        .into_any();
    }
    let notes = todo.notes.clone().map(|notes| {
        view! {
            <div class="field">
                <label for="edit-notes">"Internal notes"</label>
                <textarea id="edit-notes" name="notes" rows="3" maxlength="5000">
                    {raw_text(notes)}
                </textarea>
                <p class="hint">"Only you, the author, see these."</p>
            </div>
        }
    });
    view! {
        <section class="card">
            <h2>"Edit"</h2>
            <ActionForm action=update>
                <input type="hidden" name="todo_id" value=todo.id.to_string() />
                <input type="hidden" name="expected_version" value=todo.version.get() />
                <input type="hidden" name="command_id" value=fresh_command_id() />
                <div class="field">
                    <label for="edit-title">"Title"</label>
                    <input id="edit-title" name="title" required maxlength="200" value=todo.title />
                </div>
                <div class="field">
                    <label for="edit-description">"Description"</label>
                    <textarea id="edit-description" name="description" rows="4" maxlength="5000">
                        {raw_text(todo.description)}
                    </textarea>
                </div>
                {notes}
                <button type="submit" class="button button-primary">
                    "Save changes"
                </button>
            </ActionForm>
            <ActionNotice action=update />
        </section>
    }
    .into_any()
}

#[component]
fn Timeline(entries: Vec<TimelineEntry>) -> impl IntoView {
    let items = entries
        .into_iter()
        .map(|entry| {
            view! {
                <li
                    class="timeline-entry"
                    data-event-type=entry.event_type.clone()
                    data-position=entry.position.get()
                >
                    <span class="timeline-summary">{entry.summary}</span>
                    <span class="muted small">
                        {format!("{} · ", entry.actor_name)}
                        <Moment at=entry.recorded_at detail=format!("event {}", entry.position) />
                    </span>
                </li>
            }
        })
        .collect_view();
    view! {
        <section class="card">
            <h2>"Activity"</h2>
            <ol class="timeline">{items}</ol>
        </section>
    }
}
