//! Two instances of the server on one PostgreSQL database, as behind a load balancer that is
//! not sticky: a session, a signed subscription, a resume and a revocation each work on the
//! other instance, and a commit on one reaches the sockets of the other, whether or not the
//! listening connection is there.

mod kill;
mod listener;
mod rebuild;
mod seats;

use crate::api::{
    helpers::{Person, TestApp, spawn_app, spawn_app_with_bob},
    live::{
        authorize, connect, next, position, resume_team, silent, subscribe_to_team, subscribe_with,
        team_channel,
    },
};
use std::{net::SocketAddr, process::Stdio, time::Duration};
use tokio::{
    io::{AsyncBufReadExt, BufReader},
    process::{Child, Command},
};

#[tokio::test]
async fn a_session_made_on_one_instance_works_on_the_other() {
    let app = spawn_app().await;
    let b = app.another_instance().await;
    let board = app.on(b).board_of(app.team).await.unwrap();
    assert_eq!(board.team.id, app.team);
}

#[tokio::test]
async fn a_command_on_one_instance_reaches_a_socket_on_the_other_subscribed_with_a_signature_from_the_first()
 {
    let app = spawn_app().await;
    let b = app.another_instance().await;
    let (mut socket, socket_id) = connect(&app.on(b)).await;
    let channel = team_channel(app.team);
    let (status, signed_by_a) = authorize(&app, &socket_id, &channel).await;
    assert_eq!(status, 200, "{signed_by_a}");
    let answer = subscribe_with(&mut socket, &channel, &signed_by_a).await;
    assert_eq!(answer["event"], "pusher_internal:subscription_succeeded");

    let created = app.create_todo("Made on A").await.unwrap();
    let frame = next(&mut socket).await;
    assert_eq!(frame["event"], "TodoCreated");
    assert_eq!(position(&frame), created.position.get());
}

#[tokio::test]
async fn a_command_answered_by_one_instance_is_on_the_other_instances_pages() {
    let app = spawn_app().await;
    let b = app.another_instance().await;
    for n in 0..5 {
        let created = app
            .on(b)
            .create_todo(&format!("Made on B, {n}"))
            .await
            .unwrap();
        let board = app.board().await;
        assert!(
            board.todos.iter().any(|todo| todo.id == created.todo_id),
            "A's page lacks the todo B acknowledged"
        );
    }
}

#[tokio::test]
async fn a_resume_on_the_other_instance_receives_exactly_the_missed_frames_in_order() {
    let app = spawn_app().await;
    let b = app.another_instance().await;
    let on_b = app.on(b);
    let mut socket = subscribed(&on_b).await;
    app.create_todo("Seen live").await.unwrap();
    let seen = position(&next(&mut socket).await);
    drop(socket);

    let mut missed = Vec::new();
    for n in 0..6 {
        let on = if n % 2 == 0 { &*app } else { &on_b };
        missed.push(
            on.create_todo(&format!("Missed {n}"))
                .await
                .unwrap()
                .position
                .get(),
        );
    }
    let (mut socket, socket_id) = connect(&app).await;
    resume_team(&app, &mut socket, &socket_id, seen).await;
    let answer = next(&mut socket).await;
    assert_eq!(answer["event"], "pusher_internal:subscription_succeeded");
    let mut replayed = Vec::new();
    for _ in &missed {
        replayed.push(position(&next(&mut socket).await));
    }
    assert_eq!(replayed, missed);
    assert!(silent(&mut socket).await, "a frame came twice");
}

#[tokio::test]
async fn a_member_removed_on_one_instance_loses_the_channel_on_the_other() {
    let (app, bob) = spawn_app_with_bob().await;
    let b = app.another_instance().await;
    let mut ada_socket = subscribed(&app.on(b)).await;
    let mut bob_socket = subscribed(&bob.on(b)).await;
    app.remove_member(bob.id).await.unwrap();
    app.create_todo("After Bob was removed").await.unwrap();
    assert_eq!(next(&mut ada_socket).await["event"], "TodoCreated");
    assert!(
        silent(&mut bob_socket).await,
        "Bob's team channel on B outlived his removal on A"
    );
}

/// `person`'s team channel, subscribed on the instance `person` talks to.
async fn subscribed(person: &Person) -> crate::api::live::Socket {
    let (socket, socket_id) = connect(person).await;
    subscribe_to_team(person, person.team, socket, &socket_id).await
}

/// The server binary on the app's database, as another instance; answers it and its address.
pub(crate) async fn start_instance(app: &TestApp, args: &[&str]) -> (Child, SocketAddr) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_server"))
        .args(["--addr", "127.0.0.1:0", "--log-format", "json"])
        .args(["--database-url", &app.postgres_url()])
        .args(["--pusher-secret", "test secret"])
        .args(args)
        .env("RUST_LOG", "info")
        .env_remove("DATABASE_URL")
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("the server starts");
    let mut lines = BufReader::new(child.stdout.take().expect("its output")).lines();
    let addr = tokio::time::timeout(Duration::from_secs(30), async {
        while let Some(line) = lines.next_line().await.expect("its output is text") {
            let entry: serde_json::Value = serde_json::from_str(&line).expect("a JSON log line");
            if entry["fields"]["message"] == "listening" {
                return entry["fields"]["addr"].as_str().map(str::to_owned);
            }
        }
        None
    })
    .await
    .expect("it listens within 30 s")
    .expect("it says where it listens");
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    (child, addr.parse().expect("an address"))
}
