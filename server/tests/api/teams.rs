//! Teams and authorisation over HTTP: invite links, joining, leaving and removal, one person
//! in several teams, every command and query refused for a non-member, probes by guessed or
//! foreign ids answered "not found", and internal notes kept from everyone but their author.

use super::helpers::{Answer, Person, spawn_app, spawn_app_configured, spawn_app_with_bob};
use app::{
    api::{AppError, InvitationStatus, TeamBoard, TeamMembers, TeamSummary, TodoDetail},
    domain::{CommandId, InvitationId, TeamId, TodoId, UserId},
};

async fn members(person: &Person, team: TeamId) -> Answer<TeamMembers> {
    let team = team.to_string();
    person.call("team_members", &[("team_id", &team)]).await
}

fn not_found(answer: Answer<impl std::fmt::Debug>, what: &str) {
    let (status, error) = answer.expect_err("refused");
    assert_eq!(status, 404, "{error:?}");
    assert_eq!(error, AppError::not_found(what));
}

fn refused(answer: Answer<impl std::fmt::Debug>, message: &str) {
    let (status, error) = answer.expect_err("refused");
    assert_eq!(status, 422, "{error:?}");
    assert!(error.to_string().contains(message), "{error}");
}

/// A board's titles, sorted.
fn titles(board: &TeamBoard) -> Vec<&str> {
    let mut titles: Vec<&str> = board.todos.iter().map(|todo| todo.title.as_str()).collect();
    titles.sort_unstable();
    titles
}

#[tokio::test]
async fn someone_joins_through_an_invite_link_and_sees_the_same_list() {
    let (app, bob) = spawn_app_with_bob().await;
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
    let (app, _bob) = spawn_app_with_bob().await;
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
    let (app, bob) = spawn_app_with_bob().await;
    let todo = app.create_todo("Still here").await.unwrap().todo_id;
    bob.leave().await.unwrap();
    not_found(bob.board_of(app.team).await, "The team");
    not_found(bob.detail(todo).await, "The todo");
    let (status, error) = app.leave().await.unwrap_err();
    assert_eq!(status, 422);
    assert!(error.to_string().contains("last member"), "{error}");
}

#[tokio::test]
async fn the_creator_removes_a_member_who_loses_access_at_once() {
    let (app, bob) = spawn_app_with_bob().await;
    let todo = app
        .create_todo("Not for Bob any more")
        .await
        .unwrap()
        .todo_id;
    app.remove_member(bob.id).await.unwrap();

    not_found(bob.board_of(app.team).await, "The team");
    not_found(bob.detail(todo).await, "The todo");
    not_found(members(&bob, app.team).await, "The team");
    let teams: Vec<TeamSummary> = bob.call("my_teams", &[]).await.unwrap();
    assert!(teams.is_empty(), "{teams:?}");
    let left: Vec<UserId> = members(&app, app.team)
        .await
        .unwrap()
        .members
        .iter()
        .map(|m| m.id)
        .collect();
    assert_eq!(left, [app.id]);

    let last = app.team_log(app.team).await.pop().unwrap();
    assert_eq!(last.event_type, "MemberRemoved");
    assert_eq!(last.actor, app.id, "the actor is the creator's session");
    assert_eq!(last.payload["user_id"], bob.id.to_string());
    assert_eq!(last.payload["removed_by"], app.id.to_string());
}

#[tokio::test]
async fn a_member_who_is_not_the_owner_cannot_remove_anyone_and_nothing_is_written() {
    let (app, bob) = spawn_app_with_bob().await;
    let link = app.invite("single").await.unwrap();
    let carol = app.newcomer("Carol").await;
    carol.join(&link.path).await.unwrap();
    let before = app.team_log(app.team).await;

    refused(bob.remove_member(carol.id).await, "Only the team's owner");
    assert_eq!(app.team_log(app.team).await, before, "nothing was written");
    assert_eq!(members(&app, app.team).await.unwrap().members.len(), 3);
}

#[tokio::test]
async fn removing_yourself_the_owner_or_a_non_member_is_refused() {
    let (app, bob) = spawn_app_with_bob().await;
    let mallory = app.stranger("Mallory").await;
    let before = app.team_log(app.team).await;

    refused(app.remove_member(app.id).await, "leave the team instead");
    refused(bob.remove_member(bob.id).await, "leave the team instead");
    refused(bob.remove_member(app.id).await, "Only the team's owner");
    not_found(app.remove_member(mallory.id).await, "The member");
    not_found(app.remove_member(UserId::new()).await, "The member");
    let (team, command_id) = (app.team.to_string(), CommandId::new().to_string());
    let form = [
        ("team_id", team.as_str()),
        ("user_id", "bob"),
        ("command_id", command_id.as_str()),
    ];
    let (status, error) = app
        .call::<app::api::TeamReceipt>("remove_member", &form)
        .await
        .unwrap_err();
    assert_eq!(status, 400);
    assert!(matches!(error, AppError::Invalid { ref field, .. } if field == "user_id"));

    assert_eq!(app.team_log(app.team).await, before, "nothing was written");
    assert_eq!(members(&app, app.team).await.unwrap().members.len(), 2);
}

#[tokio::test]
async fn a_removed_member_cannot_rejoin_through_a_link_he_made() {
    let (app, bob) = spawn_app_with_bob().await;
    let bobs = bob.invite("reusable").await.unwrap();
    let adas = app.invite("reusable").await.unwrap();
    app.remove_member(bob.id).await.unwrap();

    let invitations = members(&app, app.team).await.unwrap().invitations;
    let status = |id: InvitationId| {
        invitations
            .iter()
            .find(|invitation| invitation.id == id)
            .map(|invitation| invitation.status)
    };
    assert_eq!(status(bobs.id), Some(InvitationStatus::Revoked));
    assert_eq!(status(adas.id), Some(InvitationStatus::Open));

    let before = app.team_log(app.team).await;
    refused(bob.join(&bobs.path).await, "This invite link was revoked");
    let carol = app.newcomer("Carol").await;
    refused(carol.join(&bobs.path).await, "This invite link was revoked");
    assert_eq!(app.team_log(app.team).await, before, "nothing was written");
    not_found(bob.board_of(app.team).await, "The team");
}

#[tokio::test]
async fn a_removed_member_rejoins_only_through_a_link_the_owner_made_after_the_removal() {
    let (app, mut bob) = spawn_app_with_bob().await;
    let earlier = app.invite("reusable").await.unwrap();
    let mut carol = app.newcomer("Carol").await;
    carol.join(&earlier.path).await.unwrap();
    carol.team = app.team;
    app.remove_member(bob.id).await.unwrap();
    let carols = carol.invite("reusable").await.unwrap();

    let before = app.team_log(app.team).await;
    let removed = "You were removed from this team; only a new invite link from its owner";
    refused(bob.join(&earlier.path).await, removed);
    refused(bob.join(&carols.path).await, removed);
    assert_eq!(app.team_log(app.team).await, before, "nothing was written");
    not_found(bob.board_of(app.team).await, "The team");

    let fresh = app.invite("single").await.unwrap();
    bob.join(&fresh.path).await.unwrap();
    bob.team = app.team;
    assert_eq!(
        owners(&bob, app.team).await,
        [("Ada", true), ("Carol", false), ("Bob", false)].map(|(n, o)| (n.into(), o))
    );
}

/// Each member of the team, by name, and whether they own it, in the order they joined.
async fn owners(person: &Person, team: TeamId) -> Vec<(String, bool)> {
    let team = members(person, team).await.unwrap();
    team.members
        .into_iter()
        .map(|m| (m.display_name, m.owner))
        .collect()
}

#[tokio::test]
async fn when_the_creator_leaves_the_longest_standing_member_owns_the_team_and_removes_others() {
    let (app, bob) = spawn_app_with_bob().await;
    let link = app.invite("single").await.unwrap();
    let mut carol = app.newcomer("Carol").await;
    carol.join(&link.path).await.unwrap();
    carol.team = app.team;
    let expected = [("Ada", true), ("Bob", false), ("Carol", false)];
    assert_eq!(
        owners(&carol, app.team).await,
        expected.map(|(n, o)| (n.into(), o))
    );

    app.leave().await.unwrap();
    let expected = [("Bob", true), ("Carol", false)];
    assert_eq!(
        owners(&carol, app.team).await,
        expected.map(|(n, o)| (n.into(), o))
    );
    let before = app.team_log(app.team).await;
    refused(carol.remove_member(bob.id).await, "Only the team's owner");
    assert_eq!(app.team_log(app.team).await, before, "nothing was written");

    bob.remove_member(carol.id).await.unwrap();
    not_found(carol.board_of(app.team).await, "The team");
    assert_eq!(owners(&bob, app.team).await, [("Bob".into(), true)]);
}

#[tokio::test]
async fn one_person_in_two_teams_sees_both_and_each_board_holds_only_its_own_todos() {
    let app = spawn_app().await;
    let bob = app.stranger("Bob").await;
    let link = app.invite("single").await.unwrap();
    bob.join(&link.path).await.unwrap();
    app.create_todo("Ada's plan").await.unwrap();
    bob.create_todo("Bob's plan").await.unwrap();
    bob.create_todo_with(
        &app.team.to_string(),
        "Bob's idea for Ada's team",
        "",
        &CommandId::new().to_string(),
    )
    .await
    .unwrap();

    let teams: Vec<TeamSummary> = bob.call("my_teams", &[]).await.unwrap();
    let listed: Vec<(TeamId, &str)> = teams.iter().map(|t| (t.id, t.name.as_str())).collect();
    assert_eq!(listed, [(app.team, "Ada's team"), (bob.team, "Bob's team")]);
    let adas = bob.board_of(app.team).await.unwrap();
    assert_eq!(titles(&adas), ["Ada's plan", "Bob's idea for Ada's team"]);
    let bobs = bob.board_of(bob.team).await.unwrap();
    assert_eq!(titles(&bobs), ["Bob's plan"]);
    not_found(app.board_of(bob.team).await, "The team");
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
    let remove = [
        ("team_id", team.as_str()),
        ("user_id", &app.id.to_string()),
        ("command_id", &CommandId::new().to_string()),
    ];
    not_found(
        mallory
            .call::<app::api::TeamReceipt>("remove_member", &remove)
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
    assert_eq!(status, 404);
    assert!(page.contains("The todo was not found."));
    assert!(!page.contains("Ada&#x27;s") && !page.contains("Ada's team"));
}

/// `html` with its per-request nonce (which its `crossorigin` attributes repeat) replaced,
/// so that two renderings of a page can be compared.
fn without_nonce(html: &str) -> String {
    let nonce = html
        .split_once("nonce=\"")
        .and_then(|(_, rest)| rest.split_once('"'))
        .map(|(nonce, _)| nonce)
        .expect("a page has a nonce");
    html.replace(nonce, "NONCE")
}

#[tokio::test]
async fn pages_for_a_foreign_id_and_an_unknown_one_answer_404_with_the_same_body() {
    let app = spawn_app().await;
    let mallory = app.stranger("Mallory").await;
    let foreign_todo = app.create_todo("Ada's").await.unwrap().todo_id.to_string();
    let (foreign_team, unknown_team) = (app.team.to_string(), TeamId::new().to_string());
    let unknown_todo = TodoId::new().to_string();
    for (path, foreign, unknown, message) in [
        (
            "/teams/{}",
            &foreign_team,
            &unknown_team,
            "The team was not found.",
        ),
        (
            "/teams/{}/members",
            &foreign_team,
            &unknown_team,
            "The team was not found.",
        ),
        (
            "/todos/{}",
            &foreign_todo,
            &unknown_todo,
            "The todo was not found.",
        ),
    ] {
        let (status, foreign_page) = mallory.page(&path.replace("{}", foreign)).await;
        assert_eq!(status, 404, "{path} for a foreign id");
        let (status, unknown_page) = mallory.page(&path.replace("{}", unknown)).await;
        assert_eq!(status, 404, "{path} for an unknown id");
        assert!(foreign_page.contains(message), "{foreign_page}");
        assert_eq!(
            without_nonce(&foreign_page).replace(foreign.as_str(), "ID"),
            without_nonce(&unknown_page).replace(unknown.as_str(), "ID"),
            "{path}: the bodies differ only by the id and the page's nonce"
        );
        let (status, _) = mallory.page(&path.replace("{}", "not-an-id")).await;
        assert_eq!(status, 404, "{path} for a malformed id");
    }
    let (status, page) = app.page(&format!("/teams/{}", app.team)).await;
    assert_eq!(status, 200, "the member's own page");
    assert!(!page.contains("was not found"));
}

#[tokio::test]
async fn internal_notes_reach_their_author_only() {
    let (app, bob) = spawn_app_with_bob().await;
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

    for notes in ["overwritten", ""] {
        let (status, error) = bob
            .update(todo, 2, "Order parts", "for the line", notes)
            .await
            .unwrap_err();
        assert_eq!(status, 422, "notes {notes:?}");
        assert!(error.to_string().contains("internal notes"), "{error}");
    }
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

#[tokio::test]
async fn an_edit_of_the_notes_alone_is_in_the_authors_timeline_only_and_conflicts_with_no_one() {
    let (app, bob) = spawn_app_with_bob().await;
    let created = app.create_todo("Order parts").await.unwrap();
    let todo = created.todo_id;
    let bobs_before = bob.detail(todo).await.unwrap();
    let noted = app
        .update(todo, 1, "Order parts", "", "ask for a discount")
        .await
        .unwrap();
    assert_eq!(noted.version.get(), 2);

    let hers = app.detail(todo).await.unwrap();
    let last = hers.timeline.last().unwrap();
    assert_eq!(
        (last.event_type.as_str(), last.summary.as_str()),
        ("TodoNotesChanged", "Changed the internal notes")
    );
    assert_eq!(hers.todo.version.get(), 2);

    let his = bob.detail(todo).await.unwrap();
    assert_eq!(his.timeline, bobs_before.timeline, "nothing new for Bob");
    assert_eq!(his.todo, bobs_before.todo, "not even the version");
    assert_eq!(bob.board().await.todos, app.board().await.todos);
    assert_eq!(bob.board().await.todos[0].version.get(), 1);
    let page = bob.page(&format!("/todos/{todo}")).await.1;
    assert!(!page.contains("internal notes") && !page.contains("TodoNotesChanged"));

    // Bob's page from before the notes changed is still current: his edit goes through and
    // keeps Ada's notes.
    let renamed = bob
        .edit(todo, 1, "Order more parts", "", None)
        .await
        .unwrap();
    assert_eq!(renamed.version.get(), 3);
    let after = app.detail(todo).await.unwrap();
    assert_eq!(after.todo.title, "Order more parts");
    assert_eq!(after.todo.notes.as_deref(), Some("ask for a discount"));

    // Ada's form from before her own notes change would overwrite them: refused.
    let (status, error) = app
        .update(todo, 1, "Order parts", "", "stale notes")
        .await
        .unwrap_err();
    assert_eq!(status, 409);
    assert!(
        matches!(
            error,
            AppError::Stale {
                seen: 1,
                current: 3
            }
        ),
        "{error:?}"
    );
}

#[tokio::test]
async fn sixteen_people_joining_through_one_link_at_the_same_moment_all_get_in() {
    // Seventeen sign-ups from one address: the sign-up limit is not under test.
    let app = spawn_app_configured(|settings| {
        settings.limits.login_per_address = "100/min".parse().unwrap();
    })
    .await;
    let link = app.invite("reusable").await.unwrap();
    let mut people = Vec::new();
    for i in 0..16 {
        people.push(app.newcomer(&format!("Joiner{i}")).await);
    }
    let joins: Vec<_> = people
        .into_iter()
        .map(|person| {
            let path = link.path.clone();
            tokio::spawn(async move { person.join(&path).await })
        })
        .collect();
    for join in joins {
        let joined = join.await.unwrap();
        assert_eq!(joined.map(|receipt| receipt.team_id), Ok(app.team));
    }
    let members = app
        .team_log(app.team)
        .await
        .into_iter()
        .filter(|event| event.event_type == "MemberJoined")
        .count();
    assert_eq!(members, 17, "Ada and the sixteen");
}

/// Posts the invite form of `person`'s team as a browser without JavaScript does; hands back
/// the path the redirect leads to (its `Location`, the members page).
async fn invite_without_javascript(person: &Person) -> String {
    let page = person.url(&format!("/teams/{}/members", person.team));
    let (team, command_id) = (person.team.to_string(), CommandId::new().to_string());
    let response = person
        .client
        .post(person.url("/api/create_invitation"))
        .header("accept", "text/html")
        .header("referer", &page)
        .form(&[
            ("team_id", team.as_str()),
            ("kind", "single"),
            ("command_id", command_id.as_str()),
        ])
        .send()
        .await
        .expect("the server answers");
    assert_eq!(response.status().as_u16(), 302);
    let location = response.headers()["location"].to_str().unwrap();
    let path = location
        .strip_prefix(&person.url(""))
        .expect("a page of this site");
    assert_eq!(path, format!("/teams/{}/members", person.team));
    path.to_owned()
}

/// The invite links a page shows in full (`<origin>/join/<token>`).
fn links_shown(person: &Person, html: &str) -> usize {
    html.matches(&person.url("/join/")).count()
}

#[tokio::test]
async fn a_link_made_without_javascript_is_shown_once_on_the_page_the_form_comes_back_to() {
    let app = spawn_app().await;
    let location = invite_without_javascript(&app).await;
    let (status, page) = app.page(&location).await;
    assert_eq!(status, 200);
    assert_eq!(links_shown(&app, &page), 1, "{page}");

    let (_, again) = app.page(&location).await;
    assert_eq!(links_shown(&app, &again), 0, "shown a second time");
    let open = members(&app, app.team).await.unwrap().invitations;
    assert_eq!(open.len(), 1);
}

#[tokio::test]
async fn a_held_link_is_shown_to_no_other_browser_and_in_no_other_team() {
    let (app, bob) = spawn_app_with_bob().await;
    let location = invite_without_javascript(&app).await;
    let (_, bobs) = bob.page(&location).await;
    assert_eq!(
        links_shown(&bob, &bobs),
        0,
        "another member's browser saw it"
    );
    let second = app.create_team("Second").await.unwrap().team_id;
    let (_, elsewhere) = app.page(&format!("/teams/{second}/members")).await;
    assert_eq!(links_shown(&app, &elsewhere), 0, "shown in another team");
    let (_, own) = app.page(&location).await;
    assert_eq!(links_shown(&app, &own), 1, "the maker's page lost it");
}

#[tokio::test]
async fn a_link_made_with_javascript_is_not_held_for_a_later_page() {
    let app = spawn_app().await;
    let made = app.invite("single").await.unwrap();
    let (_, page) = app.page(&format!("/teams/{}/members", app.team)).await;
    assert!(!page.contains(&made.path), "{page}");
    let held = members(&app, app.team).await.unwrap().held_invitation;
    assert_eq!(held, None);
}
