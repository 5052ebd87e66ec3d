//! Every refused input: a typed error with a 4xx status, and nothing written.

use super::helpers::{Answer, PASSWORD, TestApp, spawn_app};
use app::{
    api::{Account, AppError, CommandReceipt},
    domain::{CommandId, TeamId, TodoId},
};

/// Asserts that `answer` is the error `status` for `field` (when given), and that the log did
/// not move.
async fn assert_refused(
    app: &TestApp,
    answer: Answer<CommandReceipt>,
    status: u16,
    field: Option<&str>,
) {
    let before = app.board().await.position;
    let (got, error) = answer.expect_err("the input is refused");
    assert_eq!(got, status, "{error:?}");
    assert_eq!(error.status(), status);
    if let (Some(field), AppError::Invalid { field: got, .. }) = (field, &error) {
        assert_eq!(got, field);
    }
    assert_eq!(app.board().await.position, before, "nothing was written");
}

#[tokio::test]
async fn an_empty_title_is_refused() {
    let app = spawn_app().await;
    let answer = app.create_todo("   ").await;
    assert_eq!(
        answer.clone().unwrap_err().1.to_string(),
        "The title must not be empty."
    );
    assert_refused(&app, answer, 400, Some("title")).await;
    assert!(app.board().await.todos.is_empty());
}

#[tokio::test]
async fn a_title_of_200_characters_is_accepted_and_201_refused() {
    let app = spawn_app().await;
    assert!(app.create_todo(&"t".repeat(200)).await.is_ok());
    let answer = app.create_todo(&"t".repeat(201)).await;
    assert_refused(&app, answer, 400, Some("title")).await;
    assert_eq!(app.board().await.todos.len(), 1);
}

#[tokio::test]
async fn a_title_with_a_control_character_is_refused() {
    let app = spawn_app().await;
    let answer = app.create_todo("bell\u{7}").await;
    assert_refused(&app, answer, 400, Some("title")).await;
}

#[tokio::test]
async fn a_description_of_5001_characters_is_refused() {
    let app = spawn_app().await;
    let team = app.team.to_string();
    let id = CommandId::new().to_string();
    let answer = app
        .create_todo_with(&team, "ok", &"d".repeat(5_001), &id)
        .await;
    assert_refused(&app, answer, 400, Some("description")).await;
    let id = CommandId::new().to_string();
    assert!(
        app.create_todo_with(&team, "ok", &"d".repeat(5_000), &id)
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn overlong_internal_notes_are_refused() {
    let app = spawn_app().await;
    let todo = app.create_todo("n").await.unwrap().todo_id;
    let answer = app.update(todo, 1, "n", "", &"x".repeat(5_001)).await;
    assert_refused(&app, answer, 400, Some("internal notes")).await;
}

#[tokio::test]
async fn a_malformed_team_id_is_refused_and_an_unknown_one_is_not_found() {
    let app = spawn_app().await;
    let id = CommandId::new().to_string();
    let answer = app.create_todo_with("team-1", "t", "", &id).await;
    assert_refused(&app, answer, 400, Some("team_id")).await;
    let unknown = TeamId::new().to_string();
    let answer = app.create_todo_with(&unknown, "t", "", &id).await;
    assert_refused(&app, answer, 404, None).await;
}

#[tokio::test]
async fn a_malformed_todo_id_is_refused_and_an_unknown_one_is_not_found() {
    let app = spawn_app().await;
    let answer = app.transition("42", 1, "activate").await;
    assert_refused(&app, answer, 400, Some("todo_id")).await;
    let answer = app
        .transition(&TodoId::new().to_string(), 1, "activate")
        .await;
    assert_refused(&app, answer, 404, None).await;
    let (status, _) = app.detail(TodoId::new()).await.unwrap_err();
    assert_eq!(status, 404);
}

#[tokio::test]
async fn a_malformed_command_id_is_refused() {
    let app = spawn_app().await;
    let team = app.team.to_string();
    let answer = app.create_todo_with(&team, "t", "", "again").await;
    assert_refused(&app, answer, 400, Some("command_id")).await;
}

#[tokio::test]
async fn an_illegal_transition_is_refused_with_the_reason() {
    let app = spawn_app().await;
    let todo = app.create_todo("draft").await.unwrap().todo_id.to_string();
    let answer = app.transition(&todo, 1, "complete").await;
    assert_eq!(
        answer.clone().unwrap_err().1.to_string(),
        "A draft cannot be completed; activate it first."
    );
    assert_refused(&app, answer, 422, None).await;
}

#[tokio::test]
async fn a_stale_version_is_a_conflict() {
    let app = spawn_app().await;
    let todo = app.create_todo("raced").await.unwrap().todo_id.to_string();
    app.transition(&todo, 1, "activate").await.unwrap();
    let answer = app.transition(&todo, 1, "archive").await;
    assert_eq!(
        answer.clone().unwrap_err().1,
        AppError::Stale {
            seen: 1,
            current: 2
        }
    );
    assert_refused(&app, answer, 409, None).await;
}

#[tokio::test]
async fn an_unknown_action_is_refused() {
    let app = spawn_app().await;
    let todo = app.create_todo("t").await.unwrap().todo_id.to_string();
    let answer = app.transition(&todo, 1, "explode").await;
    assert_refused(&app, answer, 400, Some("action")).await;
}

#[tokio::test]
async fn a_missing_or_malformed_argument_is_refused() {
    let app = spawn_app().await;
    let todo = app.create_todo("t").await.unwrap().todo_id.to_string();
    let answer = app
        .call("transition_todo", &[("todo_id", todo.as_str())])
        .await;
    assert_refused(&app, answer, 400, Some("request")).await;
    let form = [
        ("todo_id", todo.as_str()),
        ("expected_version", "one"),
        ("action", "activate"),
        ("command_id", &CommandId::new().to_string()),
    ];
    let answer = app.call("transition_todo", &form).await;
    assert_refused(&app, answer, 400, Some("request")).await;
}

#[tokio::test]
async fn a_cross_site_post_is_refused_and_writes_nothing() {
    let app = spawn_app().await;
    let before = app.board().await.position;
    let team = app.team.to_string();
    let command_id = CommandId::new().to_string();
    let form = [
        ("team_id", team.as_str()),
        ("title", "forged"),
        ("description", ""),
        ("command_id", command_id.as_str()),
    ];
    app.post_cross_site("/api/create_todo", &form).await;
    assert_eq!(app.board().await.position, before);
    let same_origin = app
        .client
        .post(app.url("/api/create_todo"))
        .header("origin", format!("http://{}", app.addr))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(same_origin.status().as_u16(), 200);
}

#[tokio::test]
async fn a_cross_site_log_in_is_refused_and_starts_no_session() {
    let app = spawn_app().await;
    let email = app.account_of("Grace").await;
    let visitor = app.anonymous();
    let form = [("email", email.as_str()), ("password", PASSWORD)];
    for response in visitor.post_cross_site("/api/log_in", &form).await {
        assert!(response.headers().get("set-cookie").is_none());
    }
    assert_eq!(visitor.session_cookie(), None, "no session was started");
    let me: Option<Account> = visitor.call("current_account", &[]).await.unwrap();
    assert_eq!(me, None);
    visitor.log_in(&email, PASSWORD).await.unwrap();
    assert!(
        visitor.session_cookie().is_some(),
        "the same log-in from this site works"
    );
}

/// PostgreSQL cannot store a NUL in text at all; every text field refuses it as a control
/// character, before anything reaches the database, on both backends alike.
#[tokio::test]
async fn a_nul_in_any_text_field_is_refused_before_it_reaches_the_database() {
    let app = spawn_app().await;
    let team = app.team.to_string();
    for (title, description, field) in [("nul\0", "", "title"), ("ok", "nul\0here", "description")]
    {
        let id = CommandId::new().to_string();
        let answer = app.create_todo_with(&team, title, description, &id).await;
        assert_refused(&app, answer, 400, Some(field)).await;
    }
    let named = app.create_team("crew\0").await;
    assert!(
        matches!(named, Err((400, AppError::Invalid { .. }))),
        "{named:?}"
    );
    let anonymous = app.anonymous();
    let signed = anonymous
        .sign_up("nul\0@example.com", "Nul", PASSWORD)
        .await;
    assert!(
        matches!(signed, Err((400, AppError::Invalid { .. }))),
        "{signed:?}"
    );
    let signed = anonymous
        .sign_up("nul@example.com", "N\0ul", PASSWORD)
        .await;
    assert!(
        matches!(signed, Err((400, AppError::Invalid { .. }))),
        "{signed:?}"
    );
}
