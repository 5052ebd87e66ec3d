//! The live endpoint as an attacker uses it: binary frames, WebSocket pings, a client that
//! writes and never reads, too many subscriptions or sessionless connections, channel data
//! naming someone else, a session that signed out, and replays beyond their limit.

use super::helpers::{spawn_app, spawn_app_configured};
use super::live::{
    Socket, authorize, connect, connect_to, connect_with_receive_buffer, next, ping_is_answered,
    send, silent, subscribe_with, team_channel,
};
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use std::{num::NonZeroUsize, time::Duration};
use tokio_tungstenite::tungstenite::{Message, protocol::frame::coding::CloseCode};

/// The close code the server ended `socket` with, after its error frame.
async fn closed_with(socket: &mut Socket) -> u16 {
    loop {
        match tokio::time::timeout(Duration::from_secs(5), socket.next()).await {
            Ok(Some(Ok(Message::Close(Some(frame))))) => return u16::from(frame.code),
            Ok(Some(Ok(Message::Close(None)))) => return u16::from(CloseCode::Status),
            Ok(Some(Ok(_))) => continue,
            other => panic!("no close frame: {other:?}"),
        }
    }
}

#[tokio::test]
async fn a_binary_frame_closes_the_connection_with_4002() {
    let app = spawn_app().await;
    let (mut socket, _) = connect(&app).await;
    socket
        .send(Message::Binary(vec![1, 2, 3].into()))
        .await
        .unwrap();
    let error = next(&mut socket).await;
    assert_eq!(error["event"], "pusher:error");
    assert_eq!(error["data"]["code"], 4002, "{error}");
    assert_eq!(closed_with(&mut socket).await, 4002);
}

#[tokio::test]
async fn websocket_pings_count_against_the_frame_rate() {
    let app = spawn_app().await;
    let (mut socket, _) = connect(&app).await;
    for _ in 0..60 {
        socket.send(Message::Ping(vec![].into())).await.unwrap();
    }
    let error = next(&mut socket).await;
    assert_eq!(error["event"], "pusher:error");
    assert_eq!(error["data"]["code"], 4301, "{error}");
}

/// The open connections `/metrics` counts.
async fn connections(app: &super::helpers::TestApp) -> Option<u64> {
    let (_, metrics) = app.page("/metrics").await;
    metrics
        .lines()
        .find_map(|line| line.strip_prefix("tidings_connections "))
        .and_then(|n| n.parse().ok())
}

#[tokio::test]
async fn a_client_that_writes_and_never_reads_is_closed_after_the_write_deadline() {
    let app = spawn_app_configured(|settings| {
        settings.socket_limits.write_timeout = Duration::from_millis(300);
        settings.socket_limits.send_buffer_bytes = Some(4_096);
        settings.socket_limits.frames_per_second = 100_000;
        settings.socket_limits.frame_burst = 100_000;
    })
    .await;
    let (mut stalled, _) = connect_with_receive_buffer(&app.anonymous(), 2_048).await;
    // Each ping is answered with a pong that nobody reads; the answers fill the buffers, and
    // the server's next write waits. It must not wait for ever.
    let writer = tokio::spawn(async move {
        for _ in 0..20_000 {
            let ping = json!({"event": "pusher:ping", "data": {}}).to_string();
            if stalled.send(Message::Text(ping.into())).await.is_err() {
                break;
            }
        }
        stalled
    });
    let mut tries = 0;
    while connections(&app).await != Some(0) {
        tries += 1;
        assert!(tries < 100, "the stalled connection is still open");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let (_, metrics) = app.page("/metrics").await;
    assert!(
        metrics
            .lines()
            .any(|l| l == "tidings_queue_overflows_total 1"),
        "{metrics}"
    );
    writer.abort();
}

#[tokio::test]
async fn a_connection_holds_at_most_the_allowed_subscriptions() {
    let app = spawn_app_configured(|settings| {
        settings.socket_limits.subscriptions_per_connection = 2;
    })
    .await;
    let todo = app.create_todo("One").await.unwrap().todo_id;
    let (mut socket, socket_id) = connect(&app).await;
    let channels = [
        team_channel(app.team),
        format!("private-todo.{todo}"),
        format!("private-user.{}.todos", app.id),
    ];
    let mut answers = Vec::new();
    for channel in &channels {
        let (_, auth) = authorize(&app, &socket_id, channel).await;
        answers.push(subscribe_with(&mut socket, channel, &auth).await);
    }
    assert_eq!(
        answers[0]["event"],
        "pusher_internal:subscription_succeeded"
    );
    assert_eq!(
        answers[1]["event"],
        "pusher_internal:subscription_succeeded"
    );
    assert_eq!(
        answers[2]["event"], "pusher:subscription_error",
        "{}",
        answers[2]
    );
    assert_eq!(answers[2]["data"]["status"], 429);

    // Subscribing again to a channel it holds is no new one; leaving one makes room.
    let (_, auth) = authorize(&app, &socket_id, &channels[0]).await;
    let again = subscribe_with(&mut socket, &channels[0], &auth).await;
    assert_eq!(again["event"], "pusher_internal:subscription_succeeded");
    send(
        &mut socket,
        json!({"event": "pusher:unsubscribe", "data": {"channel": channels[1]}}),
    )
    .await;
    let (_, auth) = authorize(&app, &socket_id, &channels[2]).await;
    let third = subscribe_with(&mut socket, &channels[2], &auth).await;
    assert_eq!(
        third["event"], "pusher_internal:subscription_succeeded",
        "{third}"
    );
}

#[tokio::test]
async fn an_address_holds_at_most_the_allowed_connections_without_a_session_until_they_subscribe() {
    let app = spawn_app_configured(|settings| {
        settings.sessionless_per_address = NonZeroUsize::new(2).unwrap();
    })
    .await;
    let anonymous = app.anonymous();
    let (mut first, first_id) = connect(&anonymous).await;
    let (_second, _) = connect(&anonymous).await;
    let origin = Some(format!("http://{}", app.addr));
    let mut third = connect_to(&anonymous, "/app/tidings?protocol=7", origin)
        .await
        .expect("the upgrade succeeds");
    let refused = next(&mut third).await;
    assert_eq!(refused["event"], "pusher:error");
    assert_eq!(refused["data"]["code"], 4100, "{refused}");

    // A connection with a session counts for its user instead.
    let (mut signed_in, _) = connect(&app).await;
    ping_is_answered(&mut signed_in).await;

    // Once the first subscribes, it counts for its user, and its address's place is free.
    let channel = team_channel(app.team);
    let (_, auth) = authorize(&app, &first_id, &channel).await;
    let answer = subscribe_with(&mut first, &channel, &auth).await;
    assert_eq!(answer["event"], "pusher_internal:subscription_succeeded");
    let (mut fourth, _) = connect(&anonymous).await;
    ping_is_answered(&mut fourth).await;
}

#[tokio::test]
async fn channel_data_naming_another_user_than_the_sessions_is_refused() {
    let app = spawn_app().await;
    let mallory = app.stranger("Mallory").await;
    let (mut socket, socket_id) = connect(&mallory).await;
    // Ada, a member, signs Mallory's socket for her own team's channel.
    let channel = team_channel(app.team);
    let (status, answer) = authorize(&app, &socket_id, &channel).await;
    assert_eq!(status, 200);
    let refused = subscribe_with(&mut socket, &channel, &answer).await;
    assert_eq!(refused["event"], "pusher:subscription_error", "{refused}");
    assert_eq!(refused["data"]["status"], 403);
    app.create_todo("Not for Mallory").await.unwrap();
    assert!(silent(&mut socket).await);
}

#[tokio::test]
async fn a_connection_without_a_session_speaks_for_the_first_user_it_subscribed_as() {
    let app = spawn_app().await;
    let mallory = app.stranger("Mallory").await;
    let (mut socket, socket_id) = connect(&app.anonymous()).await;
    let (_, as_mallory) = authorize(&mallory, &socket_id, &team_channel(mallory.team)).await;
    let mine = subscribe_with(&mut socket, &team_channel(mallory.team), &as_mallory).await;
    assert_eq!(mine["event"], "pusher_internal:subscription_succeeded");
    let (_, as_ada) = authorize(&app, &socket_id, &team_channel(app.team)).await;
    let refused = subscribe_with(&mut socket, &team_channel(app.team), &as_ada).await;
    assert_eq!(refused["data"]["status"], 403, "{refused}");
}

#[tokio::test]
async fn logging_out_closes_the_sockets_of_that_session_only() {
    let app = spawn_app().await;
    let (mut ada, _) = connect(&app).await;
    let bob = app.stranger("Bob").await;
    let (mut bobs, _) = connect(&bob).await;
    let answer: super::helpers::Answer<()> = app.call("log_out", &[]).await;
    answer.unwrap();
    let error = next(&mut ada).await;
    assert_eq!(error["event"], "pusher:error");
    assert_eq!(error["data"]["code"], 4009, "{error}");
    assert_eq!(error["data"]["message"], "You signed out.");
    ping_is_answered(&mut bobs).await;
}

#[tokio::test]
async fn a_resume_beyond_the_replay_limit_is_refused_with_429_and_a_plain_subscribe_is_not() {
    let app = spawn_app_configured(|settings| settings.socket_limits.replays_at_once = 0).await;
    let created = app.create_todo("Missed").await.unwrap();
    let (mut socket, socket_id) = connect(&app).await;
    let channel = team_channel(app.team);
    let (_, auth) = authorize(&app, &socket_id, &channel).await;
    let resume = json!({"event": "pusher:subscribe", "data": {
        "channel": channel,
        "auth": auth["auth"],
        "channel_data": auth["channel_data"],
        "resume_from": created.position.get() - 1,
    }});
    send(&mut socket, resume).await;
    assert_eq!(
        next(&mut socket).await["event"],
        "pusher_internal:subscription_succeeded"
    );
    let refused: Value = next(&mut socket).await;
    assert_eq!(refused["event"], "pusher:subscription_error", "{refused}");
    assert_eq!(refused["data"]["status"], 429);
    app.create_todo("After").await.unwrap();
    assert!(
        silent(&mut socket).await,
        "the refused replay left no subscription"
    );

    let plain = subscribe_with(&mut socket, &channel, &auth).await;
    assert_eq!(plain["event"], "pusher_internal:subscription_succeeded");
}

/// The events replays have read from the log, as `/metrics` counts them.
async fn replay_reads(app: &super::helpers::TestApp) -> u64 {
    let (_, metrics) = app.page("/metrics").await;
    metrics
        .lines()
        .find_map(|line| line.strip_prefix("tidings_replay_events_read_total "))
        .and_then(|n| n.parse().ok())
        .expect("the replay counter")
}

#[tokio::test]
async fn a_resume_of_a_team_or_todo_channel_reads_that_teams_events_only() {
    let app = spawn_app_configured(|settings| {
        settings.limits.commands_per_user = "1000/1s".parse().unwrap();
    })
    .await;
    let mallory = app.stranger("Mallory").await;
    for n in 0..60 {
        mallory
            .create_todo(&format!("elsewhere {n}"))
            .await
            .unwrap();
    }
    let first = app.create_todo("Mine").await.unwrap();
    app.create_todo("Mine too").await.unwrap();
    let channels = [
        team_channel(app.team),
        format!("private-todo.{}", first.todo_id),
    ];
    for (channel, expected) in channels.iter().zip([2, 1]) {
        let before = replay_reads(&app).await;
        let (mut socket, socket_id) = connect(&app).await;
        let (_, auth) = authorize(&app, &socket_id, channel).await;
        let resume = json!({"event": "pusher:subscribe", "data": {
            "channel": channel,
            "auth": auth["auth"],
            "channel_data": auth["channel_data"],
            "resume_from": 0,
        }});
        send(&mut socket, resume).await;
        assert_eq!(
            next(&mut socket).await["event"],
            "pusher_internal:subscription_succeeded"
        );
        for _ in 0..expected {
            assert_eq!(next(&mut socket).await["event"], "TodoCreated", "{channel}");
        }
        assert!(silent(&mut socket).await, "{channel}: nothing more");
        let read = replay_reads(&app).await - before;
        // Ada's team: its creation, her joining, her two todos; not Mallory's 60.
        assert!(
            (2..=6).contains(&read),
            "{channel}: the replay read {read} events"
        );
    }
}
