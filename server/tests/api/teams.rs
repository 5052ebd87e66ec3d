//! Teams and authorisation over HTTP: invite links, joining and leaving, every command and
//! query refused for a non-member, probes by guessed or foreign ids answered "not found", and
//! internal notes kept from everyone but their author.

use crate::helpers::{Answer, Person, TestApp, spawn_app};
use app::{
    api::{AppError, InvitationStatus, TeamBoard, TeamMembers, TodoDetail},
    domain::{CommandId, InvitationId, TeamId, TodoId},
};

/// Ada's team with Bob in it, through a single-use link.
async fn ada_and_bob() -> (TestApp, Person) {
    let app = spawn_app().await;
    let link = app.invite("single").await.unwrap();
    let mut bob = app.newcomer("Bob").await;
    let joined = bob.join(&link.path).await.unwrap();
    assert_eq!(joined.team_id, app.team);
    bob.team = app.team;
    (app, bob)
}

async fn members(person: &Person, team: TeamId) -> Answer<TeamMembers> {
    let team = team.to_string();
    person.call("team_members", &[("team_id", &team)]).await
}

fn not_found(answer: Answer<impl std::fmt::Debug>, what: &str) {
    let (status, error) = answer.expect_err("refused");
    assert_eq!(status, 404, "{error:?}");
    assert_eq!(error, AppError::not_found(what));
}

#[tokio::test]
async fn someone_joins_through_an_invite_link_and_sees_the_same_list() {
    let (app, bob) = ada_and_bob().await;
    app.create_todo("Shared work").await.unwrap();
    assert_eq!(bob.board().await.todos, app.board().await.todos);
    let team = members(&bob, app.team).await.unwrap();
    let names: Vec<&str> = team
        .members
        .iter()
        .map(|m| m.display_name.as_str())
        .collect();
    assert_eq!(names, ["Ada", "Bob"]);
    let teams: Vec<app::api::TeamSummary> = bob.call("my_teams", &[]).await.unwrap();
    assert_eq!(teams.len(), 1);
    assert_eq!(teams[0].name, "Ada's team");
}

#[tokio::test]
async fn a_single_use_link_admits_one_person_and_a_reusable_one_several() {
    let (app, _bob) = ada_and_bob().await;
    let used = members(&app, app.team).await.unwrap().invitations;
    assert_eq!(used[0].status, InvitationStatus::Used);
    let single = app.invite("single").await.unwrap();
    let carol = app.newcomer("Carol").await;
    carol.join(&single.path).await.unwrap();
    let dave = app.newcomer("Dave").await;
    let (status, error) = dave.join(&single.path).await.unwrap_err();
    assert_eq!(status, 422);
    assert!(error.to_string().contains("already been used"), "{error}");

    let reusable = app.invite("reusable").await.unwrap();
    dave.join(&reusable.path).await.unwrap();
    app.newcomer("Erin")
        .await
        .join(&reusable.path)
        .await
        .unwrap();
    assert_eq!(members(&app, app.team).await.unwrap().members.len(), 5);
}

#[tokio::test]
async fn a_revoked_link_admits_nobody() {
    let app = spawn_app().await;
    let link = app.invite("reusable").await.unwrap();
    let (team, id, command) = (
        app.team.to_string(),
        link.id.to_string(),
        CommandId::new().to_string(),
    );
    let _: app::api::TeamReceipt = app
        .call(
            "revoke_invitation",
            &[
                ("team_id", &team),
                ("invitation_id", &id),
                ("command_id", &command),
            ],
        )
        .await
        .unwrap();
    let bob = app.newcomer("Bob").await;
    let (status, error) = bob.join(&link.path).await.unwrap_err();
    assert_eq!(status, 422);
    assert!(error.to_string().contains("revoked"), "{error}");
    not_found(bob.board_of(app.team).await, "The team");
}

#[tokio::test]
async fn malformed_and_unknown_invite_tokens_are_refused() {
    let app = spawn_app().await;
    let bob = app.newcomer("Bob").await;
    let (status, error) = bob.join("/join/short").await.unwrap_err();
    assert_eq!(status, 400);
    assert!(matches!(error, AppError::Invalid { ref field, .. } if field == "token"));
    not_found(
        bob.join(&format!("/join/{}", "A".repeat(43))).await,
        "The invite link",
    );
    let (status, _) = app
        .call::<app::api::NewInvitation>(
            "create_invitation",
            &[
                ("team_id", &app.team.to_string()),
                ("kind", "forever"),
                ("command_id", &CommandId::new().to_string()),
            ],
        )
        .await
        .unwrap_err();
    assert_eq!(status, 400);
}

#[tokio::test]
async fn a_member_who_leaves_loses_access_at_once_and_the_last_cannot_leave() {
    let (app, bob) = ada_and_bob().await;
    let todo = app.create_todo("Still here").await.unwrap().todo_id;
    let team = app.team.to_string();
    let _: app::api::TeamReceipt = bob
        .call(
            "leave_team",
            &[
                ("team_id", &team),
                ("command_id", &CommandId::new().to_string()),
            ],
        )
        .await
        .unwrap();
    not_found(bob.board_of(app.team).await, "The team");
    not_found(bob.detail(todo).await, "The todo");
    let (status, error) = app
        .call::<app::api::TeamReceipt>(
            "leave_team",
            &[
                ("team_id", &team),
                ("command_id", &CommandId::new().to_string()),
            ],
        )
        .await
        .unwrap_err();
    assert_eq!(status, 422);
    assert!(error.to_string().contains("last member"), "{error}");
}

#[tokio::test]
async fn every_command_and_query_is_refused_for_a_non_member_and_writes_nothing() {
    let app = spawn_app().await;
    let todo = app.create_todo("Private to Ada's team").await.unwrap();
    let mallory = app.stranger("Mallory").await;
    let before = app.board().await.position;
    let id = todo.todo_id.to_string();
    let team = app.team.to_string();

    not_found(mallory.board_of(app.team).await, "The team");
    not_found(mallory.detail(todo.todo_id).await, "The todo");
    not_found(members(&mallory, app.team).await, "The team");
    not_found(
        mallory
            .create_todo_with(&team, "planted", "", &CommandId::new().to_string())
            .await,
        "The team",
    );
    for action in ["activate", "complete", "reopen", "archive"] {
        not_found(mallory.transition(&id, 1, action).await, "The todo");
    }
    not_found(
        mallory.update(todo.todo_id, 1, "Mine", "", "").await,
        "The todo",
    );
    not_found(
        mallory.edit(todo.todo_id, 1, "Mine", "", None).await,
        "The todo",
    );
    let invite = [
        ("team_id", team.as_str()),
        ("kind", "reusable"),
        ("command_id", &CommandId::new().to_string()),
    ];
    not_found(
        mallory
            .call::<app::api::NewInvitation>("create_invitation", &invite)
            .await,
        "The team",
    );
    let revoke = [
        ("team_id", team.as_str()),
        ("invitation_id", &InvitationId::new().to_string()),
        ("command_id", &CommandId::new().to_string()),
    ];
    not_found(
        mallory
            .call::<app::api::TeamReceipt>("revoke_invitation", &revoke)
            .await,
        "The team",
    );
    let leave = [
        ("team_id", team.as_str()),
        ("command_id", &CommandId::new().to_string()),
    ];
    not_found(
        mallory
            .call::<app::api::TeamReceipt>("leave_team", &leave)
            .await,
        "The team",
    );

    assert_eq!(app.board().await.position, before, "nothing was written");
}

#[tokio::test]
async fn guessed_and_foreign_ids_get_the_same_not_found() {
    let app = spawn_app().await;
    let mallory = app.stranger("Mallory").await;
    let foreign_todo = app.create_todo("Ada's").await.unwrap().todo_id;
    let guessed_todo = TodoId::new();
    let foreign = mallory.detail(foreign_todo).await.unwrap_err();
    let guessed = mallory.detail(guessed_todo).await.unwrap_err();
    assert_eq!(foreign, guessed);
    let foreign = mallory.board_of(app.team).await.unwrap_err();
    let guessed = mallory.board_of(TeamId::new()).await.unwrap_err();
    assert_eq!(foreign, guessed);
    assert_eq!(foreign.0, 404);

    let (status, page) = mallory.page(&format!("/todos/{foreign_todo}")).await;
    assert_eq!(status, 200);
    assert!(page.contains("The todo was not found."));
    assert!(!page.contains("Ada&#x27;s") && !page.contains("Ada's team"));
}

#[tokio::test]
async fn internal_notes_reach_their_author_only() {
    let (app, bob) = ada_and_bob().await;
    let secret = "call the supplier before Friday";
    let todo = app.create_todo("Order parts").await.unwrap().todo_id;
    app.update(todo, 1, "Order parts", "for the line", secret)
        .await
        .unwrap();

    let mine: TodoDetail = app.detail(todo).await.unwrap();
    assert_eq!(mine.todo.notes.as_deref(), Some(secret));

    let theirs = bob.detail(todo).await.unwrap();
    assert_eq!(theirs.todo.notes, None);
    let board: TeamBoard = bob.board().await;
    for body in [
        serde_json::to_string(&theirs).unwrap(),
        serde_json::to_string(&board).unwrap(),
        bob.page(&format!("/todos/{todo}")).await.1,
        bob.page(&format!("/teams/{}", app.team)).await.1,
    ] {
        assert!(
            !body.contains(secret),
            "a non-author's response holds the notes"
        );
    }
    assert!(
        !bob.page(&format!("/todos/{todo}"))
            .await
            .1
            .contains("name=\"notes\"")
    );

    let (status, error) = bob
        .update(todo, 2, "Order parts", "for the line", "overwritten")
        .await
        .unwrap_err();
    assert_eq!(status, 422);
    assert!(error.to_string().contains("internal notes"), "{error}");
    bob.edit(todo, 2, "Order more parts", "for the line", None)
        .await
        .unwrap();
    let after = app.detail(todo).await.unwrap();
    assert_eq!(after.todo.title, "Order more parts");
    assert_eq!(
        after.todo.notes.as_deref(),
        Some(secret),
        "Bob's edit kept Ada's notes"
    );
    assert!(
        after
            .timeline
            .iter()
            .all(|entry| !entry.summary.contains(secret))
    );
    assert_eq!(
        after.timeline.last().unwrap().actor_name,
        "Bob",
        "the actor is the session's user"
    );
}
