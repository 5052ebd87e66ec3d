//! The happy paths: commands, queries and pages.

use super::helpers::spawn_app;
use app::{
    api::{AppError, TodoDetail},
    domain::{CommandId, todo::TodoStatus},
};

#[tokio::test]
async fn the_health_check_answers_ok() {
    let app = spawn_app().await;
    let (status, body) = app.page("/healthz").await;
    assert_eq!((status, body.as_str()), (200, "ok"));
}

#[tokio::test]
async fn a_created_todo_is_a_draft_on_the_team_board() {
    let app = spawn_app().await;
    let receipt = app.create_todo("  Buy milk ").await.unwrap();
    let board = app.board().await;
    assert_eq!(board.todos.len(), 1);
    assert_eq!(board.todos[0].id, receipt.todo_id);
    assert_eq!(board.todos[0].title, "Buy milk");
    assert_eq!(board.todos[0].status, TodoStatus::Draft);
    assert_eq!(
        board.position, receipt.position,
        "the board shows the command's position"
    );
}

#[tokio::test]
async fn a_todo_goes_through_its_whole_lifecycle_and_the_timeline_shows_every_step() {
    let app = spawn_app().await;
    let id = app.create_todo("Write report").await.unwrap().todo_id;
    let todo = id.to_string();
    app.transition(&todo, 1, "activate").await.unwrap();
    app.update(id, 2, "Write the report", "Q3 figures", "ask Sam")
        .await
        .unwrap();
    app.transition(&todo, 3, "complete").await.unwrap();
    app.transition(&todo, 4, "reopen").await.unwrap();
    let last = app.transition(&todo, 5, "archive").await.unwrap();

    let detail = app.detail(id).await.unwrap();
    assert_eq!(detail.todo.status, TodoStatus::Archived);
    assert_eq!(detail.todo.title, "Write the report");
    assert_eq!(
        detail.todo.notes.as_deref(),
        Some("ask Sam"),
        "the author sees the notes"
    );
    assert_eq!(detail.position, last.position);
    let steps: Vec<&str> = detail
        .timeline
        .iter()
        .map(|e| e.event_type.as_str())
        .collect();
    assert_eq!(
        steps,
        [
            "TodoCreated",
            "TodoActivated",
            "TodoUpdated",
            "TodoCompleted",
            "TodoReopened",
            "TodoArchived"
        ]
    );
    assert!(
        detail
            .timeline
            .iter()
            .all(|entry| entry.actor_name == "Ada")
    );
    assert_eq!(
        detail.timeline[2].summary,
        "Renamed it to “Write the report” and edited the description"
    );
    assert!(
        detail
            .timeline
            .iter()
            .all(|entry| !entry.summary.contains("Sam"))
    );
}

#[tokio::test]
async fn the_author_clears_her_notes_with_an_empty_field_and_an_absent_one_keeps_them() {
    let app = spawn_app().await;
    let id = app.create_todo("Call the supplier").await.unwrap().todo_id;
    let noted = app
        .update(id, 1, "Call the supplier", "", "before Friday")
        .await
        .unwrap();
    let renamed = app
        .edit(id, noted.version.get(), "Call the suppliers", "", None)
        .await
        .unwrap();
    let detail = app.detail(id).await.unwrap();
    assert_eq!(detail.todo.title, "Call the suppliers");
    assert_eq!(
        detail.todo.notes.as_deref(),
        Some("before Friday"),
        "a form without the field keeps the notes"
    );

    let cleared = app
        .update(id, renamed.version.get(), "Call the suppliers", "", "")
        .await
        .unwrap();
    assert_eq!(cleared.version, renamed.version.next());
    assert_eq!(
        app.detail(id).await.unwrap().todo.notes.as_deref(),
        Some("")
    );
}

#[tokio::test]
async fn a_retried_command_returns_the_first_outcome_and_writes_nothing_twice() {
    let app = spawn_app().await;
    let command_id = CommandId::new().to_string();
    let team = app.team.to_string();
    let first = app
        .create_todo_with(&team, "Once", "", &command_id)
        .await
        .unwrap();
    let again = app
        .create_todo_with(&team, "Once", "", &command_id)
        .await
        .unwrap();
    assert!(!first.duplicate);
    assert!(again.duplicate);
    assert_eq!(
        (again.todo_id, again.position),
        (first.todo_id, first.position)
    );
    assert_eq!(app.board().await.todos.len(), 1);
}

#[tokio::test]
async fn an_edit_that_changes_nothing_writes_nothing() {
    let app = spawn_app().await;
    let created = app.create_todo("Same").await.unwrap();
    let receipt = app
        .update(created.todo_id, 1, "Same", "", "")
        .await
        .unwrap();
    assert_eq!(receipt.version.get(), 1);
    assert_eq!(app.board().await.position, created.position);
}

#[tokio::test]
async fn the_team_page_is_rendered_on_the_server_with_its_position() {
    let app = spawn_app().await;
    let receipt = app.create_todo("Rendered on the server").await.unwrap();
    let (status, html) = app.page(&format!("/teams/{}", app.team)).await;
    assert_eq!(status, 200);
    assert!(html.contains("Rendered on the server"));
    assert!(html.contains(&format!("data-position=\"{}\"", receipt.position)));
}

#[tokio::test]
async fn the_todo_page_shows_the_edit_form_and_the_timeline() {
    let app = spawn_app().await;
    let receipt = app.create_todo("Detailed").await.unwrap();
    let (status, html) = app.page(&format!("/todos/{}", receipt.todo_id)).await;
    assert_eq!(status, 200);
    assert!(html.contains("name=\"title\""));
    assert!(html.contains("Created “Detailed”"));
}

#[tokio::test]
async fn an_unknown_path_is_a_404_page() {
    let app = spawn_app().await;
    let (status, html) = app.page("/no/such/page").await;
    assert_eq!(status, 404);
    assert!(html.contains("Not found"));
}

#[tokio::test]
async fn a_todo_read_after_a_position_shows_that_position_and_one_past_the_log_is_refused() {
    let app = spawn_app().await;
    let created = app.create_todo("Seen").await.unwrap();
    let todo = created.todo_id.to_string();
    let at = created.position.get().to_string();
    let detail: TodoDetail = app
        .call("todo_detail", &[("todo_id", &todo), ("after", &at)])
        .await
        .unwrap();
    assert!(detail.position >= created.position);

    let past = (created.position.get() + 1).to_string();
    let (status, error) = app
        .call::<TodoDetail>("todo_detail", &[("todo_id", &todo), ("after", &past)])
        .await
        .unwrap_err();
    assert_eq!(status, 400);
    assert!(
        matches!(&error, AppError::Invalid { field, .. } if field == "after"),
        "{error:?}"
    );

    // Whoever may not see the todo learns nothing from `after`.
    let stranger = app.stranger("Eve").await;
    let (status, _) = stranger
        .call::<TodoDetail>("todo_detail", &[("todo_id", &todo), ("after", &past)])
        .await
        .unwrap_err();
    assert_eq!(status, 404);
}
