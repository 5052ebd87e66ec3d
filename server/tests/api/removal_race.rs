//! The removal race, as a stress test: a member's sockets subscribe, resume and unsubscribe
//! again and again (with a signature made before his removal) while the owner removes him,
//! under concurrent commands. In no round may a frame of the team's channel from after the
//! removal's position reach him.

use super::helpers::spawn_app_configured;
use super::live::{Socket, connect, send, sign_message, team_channel};
use futures_util::StreamExt;
use serde_json::{Value, json};
use std::{
    num::NonZeroUsize,
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    time::Duration,
};
use tokio_tungstenite::tungstenite::Message;

const ROUNDS: usize = 200;
const SOCKETS: usize = 3;

/// What one socket saw: how many subscriptions were admitted, and the position of each
/// team frame.
#[derive(Default)]
struct Seen {
    admitted: usize,
    positions: Vec<u64>,
}

impl Seen {
    fn record(&mut self, frame: &Value) {
        if frame["event"] == "pusher_internal:subscription_succeeded" {
            self.admitted += 1;
        }
        if let Some(data) = frame["data"].as_str()
            && let Ok(data) = serde_json::from_str::<Value>(data)
            && let Some(position) = data["position"].as_u64()
        {
            self.positions.push(position);
        }
    }
}

/// Reads what arrives within `within`.
async fn read_for(socket: &mut Socket, within: Duration, seen: &mut Seen) {
    let until = tokio::time::Instant::now() + within;
    while let Ok(Some(Ok(message))) = tokio::time::timeout_at(until, socket.next()).await {
        if let Message::Text(text) = message {
            seen.record(&serde_json::from_str(text.as_str()).unwrap());
        }
    }
}

/// Subscribes and unsubscribes until told to stop, in turn plainly, resuming from his
/// joining, and resuming from the removal's position (as a client that saw it would).
async fn churn(mut socket: Socket, subscribe: [Value; 3], stop: Arc<AtomicBool>) -> Seen {
    let mut seen = Seen::default();
    let unsubscribe = json!({"event": "pusher:unsubscribe", "data": {
        "channel": subscribe[0]["data"]["channel"],
    }});
    let mut turn = 0;
    while !stop.load(Ordering::Relaxed) {
        send(&mut socket, subscribe[turn % 3].clone()).await;
        read_for(&mut socket, Duration::from_millis(4), &mut seen).await;
        send(&mut socket, unsubscribe.clone()).await;
        turn += 1;
    }
    read_for(&mut socket, Duration::from_millis(30), &mut seen).await;
    seen
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn no_frame_of_the_team_after_his_removal_reaches_a_removed_member_in_any_round() {
    let app = spawn_app_configured(|settings| {
        settings.limits.commands_per_user = "100000/1s".parse().unwrap();
        settings.socket_limits.frames_per_second = 100_000;
        settings.socket_limits.frame_burst = 100_000;
        settings.connections_per_user = NonZeroUsize::new(1_000).unwrap();
    })
    .await;
    let bob = app.newcomer("Bob").await;
    let channel = team_channel(app.team);
    let channel_data = json!({ "user_id": bob.id.to_string() }).to_string();
    let (mut admitted, mut before) = (0, 0);
    for round in 0..ROUNDS {
        let link = app.invite("single").await.unwrap();
        let joined = bob.join(&link.path).await.unwrap().position.get();
        let stop = Arc::new(AtomicBool::new(false));
        let mut churning = Vec::new();
        for _ in 0..SOCKETS {
            let (socket, socket_id) = connect(&bob).await;
            let auth = sign_message(&format!("{socket_id}:{channel}:{channel_data}"));
            let data = json!({"channel": channel, "auth": auth, "channel_data": channel_data});
            let mut resumed = data.clone();
            resumed["resume_from"] = json!(joined);
            // His removal comes two events after his joining (a todo, then the removal).
            let mut resumed_late = data.clone();
            resumed_late["resume_from"] = json!(joined + 2);
            let subscribe = [data, resumed, resumed_late]
                .map(|data| json!({"event": "pusher:subscribe", "data": data}));
            churning.push(tokio::spawn(churn(socket, subscribe, stop.clone())));
        }
        app.create_todo("Before").await.unwrap();
        let removed = app.remove_member(bob.id).await.unwrap().position.get();
        assert_eq!(removed, joined + 2, "round {round}: the removal's position");
        for _ in 0..2 {
            app.create_todo("After").await.unwrap();
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
        stop.store(true, Ordering::Relaxed);
        for task in churning {
            let seen = task.await.unwrap();
            let leaked: Vec<u64> = seen
                .positions
                .iter()
                .copied()
                .filter(|&p| p > removed)
                .collect();
            assert!(
                leaked.is_empty(),
                "round {round}: Bob, removed at {removed}, got frames at {leaked:?}"
            );
            admitted += seen.admitted;
            before += seen.positions.len();
        }
    }
    assert!(
        admitted > ROUNDS && before > 0,
        "the sockets were admitted ({admitted}) and got frames before each removal ({before})"
    );
}
