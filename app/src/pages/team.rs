//! `/teams/:team_id`: a team's todos by status, a form to create one, and the transitions.
//!
//! The server renders the board; in the browser it is one island, patched from the team's
//! channel. A click's own result also arrives that way: its todo shows "Saving…" until the
//! broadcast with its command id.

use crate::{
    api::{CreateTodo, TeamBoard, TodoSummary, TransitionTodo, fetch_team_board},
    components::{ActionNotice, Loaded, Moment, StatusBadge, TransitionButtons, fresh_command_id},
    domain::Position,
    domain::todo::TodoStatus,
    live::{Channel, Pending, creating, on_todo, saving, track_commands, use_channel},
};
use leptos::{
    html::{Form, Input, Textarea},
    prelude::*,
};
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

#[component]
pub fn TeamPage() -> impl IntoView {
    let params = use_params_map();
    let team_id = move || params.read().get("team_id").unwrap_or_default();
    let board = Resource::new(team_id, fetch_team_board);
    view! {
        <Loaded
            resource=board
            render=move |board: TeamBoard| {
                view! {
                    <Title text=format!("{} · Tidings", board.team.name) />
                    <Board board />
                }
            }
        />
    }
}

/// The board as it stands at `board.position`, then live.
#[island]
fn Board(board: TeamBoard) -> impl IntoView {
    let create = ServerAction::<CreateTodo>::new();
    let transition = ServerAction::<TransitionTodo>::new();
    let team = board.team.clone();
    let from = board.position;
    let board = RwSignal::new(board);
    let pending = RwSignal::new(Pending::default());
    use_channel(Channel::Team(team.id), from, move |event| {
        board.try_update(|board| board.apply(&event));
        pending.try_update(|pending| pending.confirmed(&event.command_id));
    });
    let shown = move || board.with_untracked(|board| board.position);
    // Without a live socket, the board is loaded again (it shows at least the answer's
    // position, since a command answers once the read models have it).
    let team_id = team.id;
    let reload = move |_: Position| {
        leptos::task::spawn_local(async move {
            if let Ok(fresh) = fetch_team_board(team_id.to_string()).await {
                board.try_update(|board| {
                    if fresh.position > board.position {
                        *board = fresh;
                    }
                });
            }
        });
    };
    track_commands(
        transition,
        pending,
        |input| on_todo(&input.command_id, &input.todo_id),
        shown,
        reload,
    );
    track_commands(
        create,
        pending,
        |input| (input.command_id.clone(), None),
        shown,
        reload,
    );
    let sections = move || {
        board.with(|board| {
            TodoStatus::ALL
                .into_iter()
                .map(|status| {
                    let todos: Vec<TodoSummary> = board
                        .todos
                        .iter()
                        .filter(|t| t.status == status)
                        .cloned()
                        .collect();
                    view! { <StatusSection status todos transition pending /> }
                })
                .collect_view()
        })
    };
    view! {
        <div class="board" data-position=move || board.with(|b| b.position.get())>
            <header class="board-header">
                <h1>{team.name.clone()}</h1>
                <p class="muted">
                    {move || format!("{} todos · ", board.with(|b| b.todos.len()))}
                    <a href=format!("/teams/{}/members", team.id)>"Members and invites"</a>
                </p>
            </header>
            <CreateForm team_id=team.id.to_string() create pending />
            <ActionNotice action=transition />
            <div class="columns">{sections}</div>
        </div>
    }
}

#[component]
fn CreateForm(
    team_id: String,
    create: ServerAction<CreateTodo>,
    pending: RwSignal<Pending>,
) -> impl IntoView {
    let form = NodeRef::<Form>::new();
    let title = NodeRef::<Input>::new();
    let description = NodeRef::<Textarea>::new();
    // What the last create sent: once it succeeds, the form is cleared if it still holds
    // just that. A todo's broadcast may show it before the answer comes, and whatever was
    // typed since then stays.
    let sent = StoredValue::new(None::<(String, String)>);
    let adding = creating(pending);
    Effect::new(move |_| {
        if let Some(input) = create.input().get() {
            sent.set_value(Some((input.title, input.description)));
        }
    });
    Effect::new(move |_| {
        if let (Some(Ok(_)), Some(form)) = (create.value().get(), form.get()) {
            let shown = title
                .get_untracked()
                .zip(description.get_untracked())
                .map(|(title, description)| (title.value(), description.value()));
            if shown.is_some() && shown == sent.get_value() {
                form.reset();
            }
        }
    });
    view! {
        <section class="card create-card">
            <h2>"New todo"</h2>
            <ActionForm action=create node_ref=form>
                <input type="hidden" name="team_id" value=team_id />
                <input
                    type="hidden"
                    name="command_id"
                    value=move || {
                        // A new id as soon as a create is sent: the next one, sent before the
                        // first is answered, is another command, not a retry of it.
                        create.input().track();
                        fresh_command_id()
                    }
                />
                <div class="field">
                    <label for="new-title">"Title"</label>
                    <input
                        id="new-title"
                        node_ref=title
                        name="title"
                        required
                        maxlength="200"
                        placeholder="What needs doing?"
                        autocomplete="off"
                    />
                </div>
                <div class="field">
                    <label for="new-description">"Description"</label>
                    <textarea
                        id="new-description"
                        node_ref=description
                        name="description"
                        rows="2"
                        maxlength="5000"
                        placeholder="Optional details"
                    ></textarea>
                </div>
                <button type="submit" class="button button-primary">
                    "Add todo"
                </button>
                <span class="saving muted small" role="status">
                    {move || adding().then_some("Adding…")}
                </span>
            </ActionForm>
            <ActionNotice action=create />
        </section>
    }
}

#[component]
fn StatusSection(
    status: TodoStatus,
    todos: Vec<TodoSummary>,
    transition: ServerAction<TransitionTodo>,
    pending: RwSignal<Pending>,
) -> impl IntoView {
    let count = todos.len();
    let items = todos
        .into_iter()
        .map(|todo| view! { <TodoCard todo transition pending /> })
        .collect_view();
    view! {
        <section class=format!("column column-{status}") data-status=status.as_str()>
            <h2>
                <StatusBadge status />
                <span class="count">{count}</span>
            </h2>
            <ul class="todo-list">{items}</ul>
        </section>
    }
}

#[component]
fn TodoCard(
    todo: TodoSummary,
    transition: ServerAction<TransitionTodo>,
    pending: RwSignal<Pending>,
) -> impl IntoView {
    let id = todo.id;
    let saving = saving(pending, id);
    view! {
        <li
            class="todo-card"
            class:pending=saving
            data-todo-id=todo.id.to_string()
            data-version=todo.version.get()
            data-pending=move || saving().to_string()
            aria-busy=move || saving().to_string()
        >
            <a class="todo-title" href=format!("/todos/{}", todo.id)>
                {todo.title.clone()}
            </a>
            <p class="muted small">
                "updated " <Moment at=todo.updated_at detail=format!("version {}", todo.version) />
            </p>
            <TransitionButtons
                action=transition
                todo_id=todo.id
                version=todo.version
                status=todo.status
                busy=saving
            />
        </li>
    }
}
