//! The live channels over real sockets: the Pusher handshake and pings, the upgrade's origin
//! and key checks, `/broadcasting/auth`, subscriptions (signature and membership checked),
//! events after commands, frame limits, and a member's channels dropped when they leave or
//! are removed.

use super::helpers::{Person, TestApp, spawn_app, spawn_app_configured, spawn_app_with_bob};
use app::domain::TeamId;
use futures_util::{SinkExt, StreamExt};
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;
use std::{num::NonZeroUsize, time::Duration};
use tokio::net::{TcpSocket, TcpStream};
use tokio_tungstenite::{
    MaybeTlsStream, WebSocketStream, client_async, connect_async,
    tungstenite::{Message, client::IntoClientRequest, handshake::client::Request},
};

pub(crate) type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// The secret `Settings::for_tests` signs with.
pub(crate) const SECRET: &[u8] = b"test secret";

pub(crate) fn request(person: &Person, path: &str, origin: Option<String>) -> Request {
    let mut request = format!("ws://{}{path}", person.addr)
        .into_client_request()
        .unwrap();
    if let Some(cookie) = person.session_cookie() {
        let header = format!("{}={cookie}", server::sessions::COOKIE);
        request
            .headers_mut()
            .insert("cookie", header.parse().unwrap());
    }
    if let Some(origin) = origin {
        request
            .headers_mut()
            .insert("origin", origin.parse().unwrap());
    }
    request
}

pub(crate) async fn connect_to(
    person: &Person,
    path: &str,
    origin: Option<String>,
) -> Result<Socket, u16> {
    match connect_async(request(person, path, origin)).await {
        Ok((socket, _)) => Ok(socket),
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
            Err(response.status().as_u16())
        }
        Err(other) => panic!("connecting failed: {other}"),
    }
}

/// Connects as `person` from this site's origin; returns the socket and its socket id.
pub(crate) async fn connect(person: &Person) -> (Socket, String) {
    let origin = format!("http://{}", person.addr);
    let socket = connect_to(person, "/app/tidings?protocol=7", Some(origin))
        .await
        .expect("the upgrade succeeds");
    handshake(socket).await
}

/// Connects with a receive buffer of `bytes`, so that a client that stops reading soon
/// fills the kernel's buffers and the server's queue must take the rest.
pub(crate) async fn connect_with_receive_buffer(person: &Person, bytes: u32) -> (Socket, String) {
    let tcp = TcpSocket::new_v4().unwrap();
    tcp.set_recv_buffer_size(bytes).unwrap();
    let stream = tcp.connect(person.addr).await.unwrap();
    let origin = format!("http://{}", person.addr);
    let request = request(person, "/app/tidings?protocol=7", Some(origin));
    let (socket, _) = client_async(request, MaybeTlsStream::Plain(stream))
        .await
        .expect("the upgrade succeeds");
    handshake(socket).await
}

/// Reads `pusher:connection_established`; returns the socket and its socket id.
pub(crate) async fn handshake(mut socket: Socket) -> (Socket, String) {
    let hello = next(&mut socket).await;
    assert_eq!(hello["event"], "pusher:connection_established");
    let data: Value = serde_json::from_str(hello["data"].as_str().unwrap()).unwrap();
    assert!(
        data["activity_timeout"]
            .as_u64()
            .is_some_and(|secs| secs >= 1)
    );
    (socket, data["socket_id"].as_str().unwrap().to_owned())
}

/// The next text frame, as JSON; fails after two seconds.
pub(crate) async fn next(socket: &mut Socket) -> Value {
    loop {
        let message = tokio::time::timeout(Duration::from_secs(2), socket.next())
            .await
            .expect("a frame within two seconds")
            .expect("the socket is open")
            .expect("a frame");
        if let Message::Text(text) = message {
            return serde_json::from_str(text.as_str()).unwrap();
        }
    }
}

/// Whether a text frame arrives within half a second.
pub(crate) async fn silent(socket: &mut Socket) -> bool {
    tokio::time::timeout(Duration::from_millis(500), socket.next())
        .await
        .is_err()
}

/// Sends `pusher:ping` and checks that the next frame is the server's `pusher:pong`.
pub(crate) async fn ping_is_answered(socket: &mut Socket) {
    send(socket, json!({"event": "pusher:ping", "data": {}})).await;
    assert_eq!(next(socket).await["event"], "pusher:pong");
}

pub(crate) async fn send(socket: &mut Socket, value: Value) {
    socket
        .send(Message::Text(value.to_string().into()))
        .await
        .unwrap();
}

pub(crate) fn sign(socket_id: &str, channel: &str) -> String {
    sign_message(&format!("{socket_id}:{channel}"))
}

pub(crate) fn sign_message(message: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(SECRET).unwrap();
    mac.update(message.as_bytes());
    let hex: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("tidings:{hex}")
}

pub(crate) async fn authorize(person: &Person, socket_id: &str, channel: &str) -> (u16, Value) {
    let response = person
        .client
        .post(person.url("/broadcasting/auth"))
        .form(&[("socket_id", socket_id), ("channel_name", channel)])
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

pub(crate) fn team_channel(team: TeamId) -> String {
    format!("private-team.{team}.todos")
}

pub(crate) async fn subscribe(socket: &mut Socket, channel: &str, auth: &str) -> Value {
    send(
        socket,
        json!({"event": "pusher:subscribe", "data": {"channel": channel, "auth": auth}}),
    )
    .await;
    next(socket).await
}

/// A subscribe as pusher-js sends it: with the channel data the auth endpoint returned.
pub(crate) async fn subscribe_with(socket: &mut Socket, channel: &str, answer: &Value) -> Value {
    let data = json!({
        "channel": channel,
        "auth": answer["auth"],
        "channel_data": answer["channel_data"],
    });
    send(socket, json!({"event": "pusher:subscribe", "data": data})).await;
    next(socket).await
}

/// Connects without a session, has the app's user authorise the socket for `channel`, and
/// subscribes with that answer; returns the socket and the server's reply.
pub(crate) async fn subscribe_without_session(app: &TestApp, channel: &str) -> (Socket, Value) {
    let (mut socket, socket_id) = connect(&app.anonymous()).await;
    let (_, answer) = authorize(app, &socket_id, channel).await;
    let reply = subscribe_with(&mut socket, channel, &answer).await;
    (socket, reply)
}

/// Authorises `person` for their team's channel on `socket` and subscribes from `from`, as a
/// reconnecting client does; the server's answer is left to read.
pub(crate) async fn resume_team(person: &Person, socket: &mut Socket, socket_id: &str, from: u64) {
    let channel = team_channel(person.team);
    let (_, auth) = authorize(person, socket_id, &channel).await;
    let subscribe = json!({"event": "pusher:subscribe", "data": {
        "channel": channel,
        "auth": auth["auth"],
        "channel_data": auth["channel_data"],
        "resume_from": from,
    }});
    send(socket, subscribe).await;
}

/// The log position a todo frame carries.
pub(crate) fn position(frame: &Value) -> u64 {
    let data: Value = serde_json::from_str(frame["data"].as_str().expect("a data string"))
        .expect("the data is JSON");
    data["position"].as_u64().expect("a position")
}

/// The next text frame as JSON; `None` when the socket ends or stays silent for `wait`.
pub(crate) async fn frame_within(socket: &mut Socket, wait: Duration) -> Option<Value> {
    loop {
        match tokio::time::timeout(wait, socket.next()).await {
            Ok(Some(Ok(Message::Text(text)))) => return serde_json::from_str(text.as_str()).ok(),
            Ok(Some(Ok(_))) => continue,
            _ => return None,
        }
    }
}

/// Connects as `person` from this site and subscribes to their team's channel from `from`,
/// as a reconnecting client does; `None` if the instance cannot be reached or does not
/// admit the subscription.
pub(crate) async fn resumed(person: &Person, from: u64) -> Option<Socket> {
    let wait = Duration::from_secs(5);
    let origin = format!("http://{}", person.addr);
    let (mut socket, _) = connect_async(request(person, "/app/tidings?protocol=7", Some(origin)))
        .await
        .ok()?;
    let hello = frame_within(&mut socket, wait).await?;
    let data: Value = serde_json::from_str(hello["data"].as_str()?).ok()?;
    let socket_id = data["socket_id"].as_str()?.to_owned();
    let channel = team_channel(person.team);
    let auth: Value = person
        .client
        .post(person.url("/broadcasting/auth"))
        .form(&[
            ("socket_id", socket_id.as_str()),
            ("channel_name", &channel),
        ])
        .send()
        .await
        .ok()?
        .json()
        .await
        .ok()?;
    let subscribe = json!({"event": "pusher:subscribe", "data": {
        "channel": channel,
        "auth": auth["auth"],
        "channel_data": auth["channel_data"],
        "resume_from": from,
    }});
    socket
        .send(Message::Text(subscribe.to_string().into()))
        .await
        .ok()?;
    let answer = frame_within(&mut socket, wait).await?;
    (answer["event"] == "pusher_internal:subscription_succeeded").then_some(socket)
}

/// Ada's team channel, subscribed through `/broadcasting/auth` as a browser would.
pub(crate) async fn subscribed(person: &Person, team: TeamId) -> Socket {
    let (socket, socket_id) = connect(person).await;
    subscribe_to_team(person, team, socket, &socket_id).await
}

pub(crate) async fn subscribe_to_team(
    person: &Person,
    team: TeamId,
    mut socket: Socket,
    socket_id: &str,
) -> Socket {
    let channel = team_channel(team);
    let (status, body) = authorize(person, socket_id, &channel).await;
    assert_eq!(status, 200, "{body}");
    let answer = subscribe_with(&mut socket, &channel, &body).await;
    assert_eq!(
        answer["event"], "pusher_internal:subscription_succeeded",
        "{answer}"
    );
    assert_eq!(answer["channel"], channel);
    socket
}

#[tokio::test]
async fn the_handshake_gives_a_socket_id_and_a_ping_gets_a_pong() {
    let app = spawn_app().await;
    let (mut socket, socket_id) = connect(&app.anonymous()).await;
    assert!(
        app::live::SocketId::parse(&socket_id).is_ok(),
        "{socket_id}"
    );
    ping_is_answered(&mut socket).await;
}

#[tokio::test]
async fn a_foreign_origin_is_refused_at_the_upgrade() {
    let app = spawn_app().await;
    let refused = connect_to(
        &app,
        "/app/tidings?protocol=7",
        Some("http://evil.example".into()),
    )
    .await;
    assert_eq!(refused.err(), Some(403));
}

#[tokio::test]
async fn an_unknown_key_or_protocol_gets_the_protocols_error_code() {
    let app = spawn_app().await;
    for (path, code) in [
        ("/app/nope?protocol=7", 4001),
        ("/app/tidings", 4008),
        ("/app/tidings?protocol=6", 4007),
    ] {
        let mut socket = connect_to(&app, path, None).await.unwrap();
        let error = next(&mut socket).await;
        assert_eq!(error["event"], "pusher:error", "{path}");
        assert_eq!(error["data"]["code"], code, "{path}");
    }
}

#[tokio::test]
async fn channel_auth_is_signed_for_members_and_refused_otherwise() {
    let app = spawn_app().await;
    let channel = team_channel(app.team);
    let (status, body) = authorize(&app, "123.456", &channel).await;
    assert_eq!(status, 200);
    let data = json!({ "user_id": app.id.to_string() }).to_string();
    assert_eq!(body["channel_data"], data);
    assert_eq!(
        body["auth"],
        sign_message(&format!("123.456:{channel}:{data}"))
    );

    let mallory = app.stranger("Mallory").await;
    assert_eq!(
        authorize(&mallory, "123.456", &channel).await.0,
        403,
        "a foreign team"
    );
    assert_eq!(
        authorize(&app.anonymous(), "123.456", &channel).await.0,
        403,
        "signed out"
    );
    for (socket_id, channel) in [
        ("123.456:x", channel.clone()),
        ("123", channel.clone()),
        ("abc.def", channel.clone()),
        ("123.456", format!("{channel}:x")),
        ("123.456", "private-team.nope.todos".to_owned()),
    ] {
        let (status, body) = authorize(&app, socket_id, &channel).await;
        assert_eq!(status, 400, "{socket_id} {channel}: {body}");
    }
}

#[tokio::test]
async fn a_forged_signature_or_a_foreign_team_is_refused_on_subscribe() {
    let app = spawn_app().await;
    let channel = team_channel(app.team);
    let (mut socket, _) = connect(&app).await;
    let forged = sign("1.1", &channel);
    let answer = subscribe(&mut socket, &channel, &forged).await;
    assert_eq!(answer["event"], "pusher:subscription_error");
    assert_eq!(answer["data"]["status"], 401);

    // A correct signature does not help someone who is not a member.
    let mallory = app.stranger("Mallory").await;
    let (mut theirs, their_id) = connect(&mallory).await;
    let answer = subscribe(&mut theirs, &channel, &sign(&their_id, &channel)).await;
    assert_eq!(answer["event"], "pusher:subscription_error");
    assert_eq!(answer["data"]["status"], 403);

    // Nor does naming a member in channel data that the server did not sign.
    let claimed = json!({ "auth": sign(&their_id, &channel), "channel_data": json!({"user_id": app.id.to_string()}).to_string() });
    let answer = subscribe_with(&mut theirs, &channel, &claimed).await;
    assert_eq!(answer["data"]["status"], 401);

    // A socket without a session subscribes with the signed channel data alone, as
    // pusher-js in Node does.
    let (mut anonymous, anonymous_id) = connect(&app.anonymous()).await;
    let (_, body) = authorize(&app, &anonymous_id, &channel).await;
    let answer = subscribe_with(&mut anonymous, &channel, &body).await;
    assert_eq!(answer["event"], "pusher_internal:subscription_succeeded");
}

#[tokio::test]
async fn a_subscriber_receives_each_todo_event_with_its_position_and_command_id() {
    let app = spawn_app().await;
    let mut socket = subscribed(&app, app.team).await;
    let created = app.create_todo("Live one").await.unwrap();
    let todo = created.todo_id.to_string();
    app.update(created.todo_id, 1, "Live one", "described", "secret note")
        .await
        .unwrap();
    app.transition(&todo, 2, "activate").await.unwrap();
    let completed = app.transition(&todo, 3, "complete").await.unwrap();

    let mut names = Vec::new();
    let mut last = None;
    for _ in 0..4 {
        let frame = next(&mut socket).await;
        assert_eq!(frame["channel"], team_channel(app.team));
        assert!(
            !frame.to_string().contains("secret note"),
            "notes never travel: {frame}"
        );
        let data: Value = serde_json::from_str(frame["data"].as_str().unwrap()).unwrap();
        assert!(data["commandId"].as_str().is_some());
        assert_eq!(data["todo"]["id"], todo);
        names.push(frame["event"].as_str().unwrap().to_owned());
        last = Some(data);
    }
    assert_eq!(
        names,
        [
            "TodoCreated",
            "TodoUpdated",
            "TodoActivated",
            "TodoCompleted"
        ]
    );
    let last = last.unwrap();
    assert_eq!(last["position"], completed.position.get());
    assert_eq!(last["todo"]["status"], "completed");
    assert_eq!(last["todo"]["version"], 4);
}

#[tokio::test]
async fn an_edit_of_the_internal_notes_alone_is_broadcast_on_no_channel_live_or_replayed() {
    let (app, bob) = spawn_app_with_bob().await;
    let created = app.create_todo("Quiet").await.unwrap();
    let todo = created.todo_id;
    let (mut socket, socket_id) = connect(&bob).await;
    for channel in [
        team_channel(app.team),
        format!("private-todo.{todo}"),
        format!("private-user.{}.todos", bob.id),
    ] {
        let (_, body) = authorize(&bob, &socket_id, &channel).await;
        let answer = subscribe_with(&mut socket, &channel, &body).await;
        assert_eq!(answer["event"], "pusher_internal:subscription_succeeded");
    }
    let notes = app
        .update(todo, 1, "Quiet", "", "between us")
        .await
        .unwrap();
    assert!(
        !notes.broadcast,
        "the answer says that no broadcast follows"
    );
    let activated = app
        .transition(&todo.to_string(), 1, "activate")
        .await
        .unwrap();
    assert!(activated.broadcast);
    for _ in 0..3 {
        let frame = next(&mut socket).await;
        assert_eq!(frame["event"], "TodoActivated", "{frame}");
        let data: Value = serde_json::from_str(frame["data"].as_str().unwrap()).unwrap();
        assert_eq!(data["todo"]["version"], 3);
    }
    assert!(silent(&mut socket).await);

    let (mut replayed, socket_id) = connect(&bob).await;
    resume_team(&bob, &mut replayed, &socket_id, created.position.get()).await;
    assert_eq!(
        next(&mut replayed).await["event"],
        "pusher_internal:subscription_succeeded"
    );
    assert_eq!(next(&mut replayed).await["event"], "TodoActivated");
    assert!(silent(&mut replayed).await);
}

#[tokio::test]
async fn an_oversized_frame_is_refused_and_the_connection_closed() {
    let app = spawn_app().await;
    let (mut socket, _) = connect(&app).await;
    let padding = "x".repeat(10_001);
    send(
        &mut socket,
        json!({"event": "pusher:ping", "data": {"pad": padding}}),
    )
    .await;
    let error = next(&mut socket).await;
    assert_eq!(error["event"], "pusher:error");
    assert_eq!(error["data"]["code"], 4300);
}

#[tokio::test]
async fn frames_over_the_rate_limit_close_the_connection() {
    let app = spawn_app().await;
    let (mut socket, _) = connect(&app).await;
    for _ in 0..60 {
        send(&mut socket, json!({"event": "pusher:ping", "data": {}})).await;
    }
    let mut pongs = 0;
    loop {
        let frame = next(&mut socket).await;
        if frame["event"] == "pusher:pong" {
            pongs += 1;
            continue;
        }
        assert_eq!(frame["event"], "pusher:error");
        assert_eq!(frame["data"]["code"], 4301);
        break;
    }
    assert!(
        (40..60).contains(&pongs),
        "the burst is answered, then the limit: {pongs}"
    );
}

#[tokio::test]
async fn a_member_who_leaves_stops_receiving_the_teams_events() {
    let (app, bob) = spawn_app_with_bob().await;
    let mut ada_socket = subscribed(&app, app.team).await;
    let mut bob_socket = subscribed(&bob, app.team).await;
    bob.leave().await.unwrap();
    app.create_todo("After Bob left").await.unwrap();
    assert_eq!(next(&mut ada_socket).await["event"], "TodoCreated");
    assert!(
        silent(&mut bob_socket).await,
        "Bob's team channel was dropped"
    );
}

#[tokio::test]
async fn a_member_who_is_removed_stops_receiving_the_teams_events() {
    let (app, bob) = spawn_app_with_bob().await;
    let mut ada_socket = subscribed(&app, app.team).await;
    let mut bob_socket = subscribed(&bob, app.team).await;
    app.remove_member(bob.id).await.unwrap();
    app.create_todo("After Bob was removed").await.unwrap();
    assert_eq!(next(&mut ada_socket).await["event"], "TodoCreated");
    assert!(
        silent(&mut bob_socket).await,
        "Bob's team channel was dropped"
    );
}

#[tokio::test]
async fn a_cross_site_channel_authorisation_is_refused() {
    let app = spawn_app().await;
    let (_socket, socket_id) = connect(&app).await;
    let channel = team_channel(app.team);
    let form = [
        ("socket_id", socket_id.as_str()),
        ("channel_name", &channel),
    ];
    for response in app.post_cross_site("/broadcasting/auth", &form).await {
        let body = response.text().await.unwrap();
        assert!(body.contains("another site"), "{body}");
    }
    let (status, body) = authorize(&app, &socket_id, &channel).await;
    assert_eq!(status, 200, "the same request from this site is signed");
    assert!(body["auth"].is_string(), "{body}");
}

#[tokio::test]
async fn metrics_count_connections_subscriptions_frames_and_commands() {
    let app = spawn_app().await;
    let mut socket = subscribed(&app, app.team).await;
    app.create_todo("Counted").await.unwrap();
    assert_eq!(next(&mut socket).await["event"], "TodoCreated");
    let text = app
        .client
        .get(app.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let value = |name: &str| -> f64 {
        text.lines()
            .find_map(|line| line.strip_prefix(name)?.strip_prefix(' ')?.parse().ok())
            .unwrap_or_else(|| panic!("{name} missing from\n{text}"))
    };
    assert_eq!(value("tidings_connections"), 1.0);
    assert_eq!(value("tidings_subscriptions{kind=\"team\"}"), 1.0);
    assert_eq!(value("tidings_frames_sent_total"), 1.0);
    assert_eq!(value("tidings_queue_overflows_total"), 0.0);
    assert_eq!(value("tidings_broadcast_lag_events"), 0.0);
    // Ada's team creation and the todo.
    assert_eq!(value("tidings_command_seconds_count"), 2.0);
    assert_eq!(value("tidings_command_seconds_bucket{le=\"+Inf\"}"), 2.0);
}

#[tokio::test]
async fn a_members_own_channel_carries_their_teams_todos_and_no_one_else_may_subscribe() {
    let app = spawn_app().await;
    let own = format!("private-user.{}.todos", app.id);
    let (mut socket, socket_id) = connect(&app).await;
    let (status, body) = authorize(&app, &socket_id, &own).await;
    assert_eq!(status, 200);
    let answer = subscribe_with(&mut socket, &own, &body).await;
    assert_eq!(answer["event"], "pusher_internal:subscription_succeeded");
    app.create_todo("Mine to see").await.unwrap();
    let frame = next(&mut socket).await;
    assert_eq!(frame["event"], "TodoCreated");
    assert_eq!(frame["channel"], own);

    let mallory = app.stranger("Mallory").await;
    let (_, theirs) = connect(&mallory).await;
    assert_eq!(authorize(&mallory, &theirs, &own).await.0, 403);
}

#[tokio::test]
async fn a_silent_connection_is_pinged_and_closed_when_it_does_not_answer() {
    let app = spawn_app_configured(|settings| {
        settings.socket_limits.activity_timeout = Duration::from_millis(200);
        settings.socket_limits.pong_timeout = Duration::from_millis(200);
    })
    .await;
    let (mut socket, _) = connect(&app).await;
    assert_eq!(next(&mut socket).await["event"], "pusher:ping");
    let error = next(&mut socket).await;
    assert_eq!(error["event"], "pusher:error");
    assert_eq!(error["data"]["code"], 4201);

    // A connection that answers stays open.
    let (mut answering, _) = connect(&app).await;
    for _ in 0..3 {
        assert_eq!(next(&mut answering).await["event"], "pusher:ping");
        send(&mut answering, json!({"event": "pusher:pong", "data": {}})).await;
    }
}

#[tokio::test]
async fn a_connection_that_stops_reading_is_dropped_while_the_others_get_every_event() {
    let app = spawn_app_configured(|settings| {
        settings.socket_limits.queue_depth = 16;
        settings.socket_limits.send_buffer_bytes = Some(8_192);
        settings.limits.commands_per_user = "1000/1s".parse().unwrap();
    })
    .await;
    let mut reader = subscribed(&app, app.team).await;
    let (stalled, socket_id) = connect_with_receive_buffer(&app, 2048).await;
    let mut stalled = subscribe_to_team(&app, app.team, stalled, &socket_id).await;

    // 80 events of about 5 KB each: far more than the kernel's buffers and the queue hold.
    const EDITS: u64 = 79;
    let description = |version: u64| format!("{version:>5000}");
    let todo = app.create_todo("Long reads").await.unwrap().todo_id;
    let collect = tokio::spawn(async move {
        let mut positions = Vec::new();
        while positions.len() < EDITS as usize + 1 {
            let data: Value =
                serde_json::from_str(next(&mut reader).await["data"].as_str().unwrap()).unwrap();
            positions.push(data["position"].as_u64().unwrap());
        }
        positions
    });
    let mut last = 0;
    for version in 1..=EDITS {
        last = app
            .update(todo, version, "Long reads", &description(version), "")
            .await
            .unwrap()
            .position
            .get();
    }
    let positions = collect.await.unwrap();
    assert!(positions.windows(2).all(|pair| pair[0] < pair[1]));
    assert_eq!(positions.last(), Some(&last), "the reader got every event");

    let (_, metrics) = app.page("/metrics").await;
    assert!(
        metrics
            .lines()
            .any(|line| line == "tidings_queue_overflows_total 1"),
        "{metrics}"
    );
    // Once it reads again, the stalled client finds its connection ended, short of the end.
    let mut seen = Vec::new();
    loop {
        let frame = tokio::time::timeout(Duration::from_secs(10), stalled.next())
            .await
            .expect("the server ends the connection");
        match frame {
            Some(Ok(Message::Text(text))) => {
                let frame: Value = serde_json::from_str(text.as_str()).unwrap();
                if let Some(data) = frame["data"].as_str() {
                    let data: Value = serde_json::from_str(data).unwrap();
                    if let Some(position) = data["position"].as_u64() {
                        seen.push(position);
                    }
                }
            }
            Some(Ok(Message::Close(_)) | Err(_)) | None => break,
            Some(Ok(_)) => {}
        }
    }
    assert!(seen.len() < positions.len(), "it fell behind: {seen:?}");
    assert_eq!(
        seen[..],
        positions[..seen.len()],
        "what it got came in order"
    );

    // It resumes from the last position it saw, and gets the rest, each once.
    let from = seen.last().copied().unwrap_or(positions[0] - 1);
    let (mut resumed, socket_id) = connect(&app).await;
    resume_team(&app, &mut resumed, &socket_id, from).await;
    assert_eq!(
        next(&mut resumed).await["event"],
        "pusher_internal:subscription_succeeded"
    );
    let mut rest = Vec::new();
    while rest.len() < positions.len() - seen.len() {
        let frame = next(&mut resumed).await;
        let data: Value = serde_json::from_str(frame["data"].as_str().unwrap()).unwrap();
        rest.push(data["position"].as_u64().unwrap());
    }
    seen.extend(rest);
    assert_eq!(seen, positions);
    assert!(silent(&mut resumed).await, "and nothing twice");
}

#[tokio::test]
async fn a_user_holds_at_most_the_allowed_connections_and_a_closed_one_frees_its_place() {
    let app = spawn_app_configured(|settings| {
        settings.connections_per_user = NonZeroUsize::new(2).unwrap();
    })
    .await;
    let (first, _) = connect(&app).await;
    let (_second, _) = connect(&app).await;

    let origin = format!("http://{}", app.addr);
    let mut third = connect_to(&app, "/app/tidings?protocol=7", Some(origin))
        .await
        .expect("the upgrade succeeds");
    let error = next(&mut third).await;
    assert_eq!(error["event"], "pusher:error");
    assert_eq!(error["data"]["code"], 4100, "{error}");
    assert!(
        error["data"]["message"]
            .as_str()
            .unwrap()
            .contains("2 open connections")
    );

    // Someone else is not counted against Ada.
    let bob = app.stranger("Bob").await;
    let _bobs = connect(&bob).await;

    drop(first);
    let mut tries = 0;
    loop {
        let origin = format!("http://{}", app.addr);
        let mut socket = connect_to(&app, "/app/tidings?protocol=7", Some(origin))
            .await
            .unwrap();
        if next(&mut socket).await["event"] == "pusher:connection_established" {
            break;
        }
        tries += 1;
        assert!(tries < 60, "the closed connection's place comes free");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn a_connection_without_a_session_counts_for_the_user_its_subscription_names() {
    let app = spawn_app_configured(|settings| {
        settings.connections_per_user = NonZeroUsize::new(1).unwrap();
    })
    .await;
    let channel = team_channel(app.team);
    let (_first, subscribed) = subscribe_without_session(&app, &channel).await;
    assert_eq!(
        subscribed["event"],
        "pusher_internal:subscription_succeeded"
    );

    let (_second, refused) = subscribe_without_session(&app, &channel).await;
    assert_eq!(refused["event"], "pusher:subscription_error", "{refused}");
    assert_eq!(refused["data"]["status"], 429);
}

#[tokio::test]
async fn a_connection_without_a_session_that_subscribes_to_nothing_in_time_is_closed() {
    let within = Duration::from_millis(800);
    let app = spawn_app_configured(|settings| {
        settings.socket_limits.subscribe_within = within;
    })
    .await;
    let opened = tokio::time::Instant::now();
    let (mut idle, _) = connect(&app.anonymous()).await;
    let (mut signed_in, _) = connect(&app).await;
    let (mut named, subscribed) = subscribe_without_session(&app, &team_channel(app.team)).await;
    assert_eq!(
        subscribed["event"],
        "pusher_internal:subscription_succeeded"
    );

    // Short of the limit, the idle connection is open: it answers a ping.
    tokio::time::sleep_until(opened + within / 2).await;
    ping_is_answered(&mut idle).await;
    let error = next(&mut idle).await;
    assert!(
        opened.elapsed() >= within,
        "closed after {:?}",
        opened.elapsed()
    );
    assert_eq!(error["event"], "pusher:error");
    assert_eq!(error["data"]["code"], 4009, "{error}");

    // A session, or an admitted subscription, keeps a connection open past the limit.
    tokio::time::sleep_until(opened + within * 2).await;
    for socket in [&mut signed_in, &mut named] {
        ping_is_answered(socket).await;
    }
}

#[tokio::test]
async fn a_tracker_that_keeps_one_todo_in_memory_still_sends_each_todo_as_it_stands() {
    let app = spawn_app_configured(|settings| {
        settings.socket_limits.tracked = NonZeroUsize::new(1).unwrap();
    })
    .await;
    let mut socket = subscribed(&app, app.team).await;
    let a = app.create_todo("A").await.unwrap();
    let b = app.create_todo("B").await.unwrap().todo_id;
    let mut expected = vec![(a.todo_id, "A".to_owned(), 1), (b, "B".to_owned(), 1)];
    // Another team's todos come in between, so its members push Ada's team out too.
    let other = app.stranger("Mallory").await;
    for version in 1..=3 {
        for (todo, name) in [(a.todo_id, "A"), (b, "B")] {
            let title = format!("{name}{version}");
            app.update(todo, version, &title, "", "").await.unwrap();
            expected.push((todo, title, version + 1));
            other
                .create_todo(&format!("elsewhere {version}"))
                .await
                .unwrap();
        }
    }

    let mut live = Vec::new();
    for _ in 0..expected.len() {
        live.push(next(&mut socket).await);
    }
    let seen: Vec<_> = live
        .iter()
        .map(|frame| {
            let data: Value = serde_json::from_str(frame["data"].as_str().unwrap()).unwrap();
            let todo = &data["todo"];
            (
                todo["id"].as_str().unwrap().parse().unwrap(),
                todo["title"].as_str().unwrap().to_owned(),
                todo["version"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(seen, expected);

    // A replay from before the first event sends the very same frames.
    let (mut replay, socket_id) = connect(&app).await;
    resume_team(&app, &mut replay, &socket_id, a.position.get() - 1).await;
    next(&mut replay).await;
    for frame in live {
        assert_eq!(next(&mut replay).await, frame);
    }
}

#[tokio::test]
async fn a_client_that_stops_reading_during_its_replay_is_dropped_after_the_deadline() {
    let app = spawn_app_configured(|settings| {
        settings.socket_limits.pong_timeout = Duration::from_millis(500);
        settings.socket_limits.send_buffer_bytes = Some(8_192);
        settings.limits.commands_per_user = "1000/1s".parse().unwrap();
    })
    .await;
    let todo = app.create_todo("Long history").await.unwrap();
    for version in 1..=60 {
        let description = format!("{version:>5000}");
        app.update(todo.todo_id, version, "Long history", &description, "")
            .await
            .unwrap();
    }
    let (mut stalled, socket_id) = connect_with_receive_buffer(&app, 2048).await;
    resume_team(&app, &mut stalled, &socket_id, todo.position.get() - 1).await;

    // 300 KB of replay cannot reach a client that does not read: the deadline ends it.
    let mut tries = 0;
    loop {
        let (_, metrics) = app.page("/metrics").await;
        let gone = metrics.lines().any(|line| line == "tidings_connections 0");
        let counted = metrics
            .lines()
            .any(|line| line == "tidings_queue_overflows_total 1");
        if gone && counted {
            break;
        }
        tries += 1;
        assert!(tries < 50, "the stalled replay ends: {metrics}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
