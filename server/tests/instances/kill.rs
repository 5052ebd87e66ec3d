//! Two instances under load, one of them killed (SIGKILL, as a crash) and started again,
//! three times: every acknowledged command is in the log once, and a subscriber that resumes
//! on whichever instance it can reach (the other one while its own is down, the new one once
//! it is back) receives exactly its channel's slice of the log, in order, each event once.

use super::{position, start_instance};
use crate::api::{
    helpers::{Person, spawn_app_configured},
    live::{frame_within, resumed},
};
use app::domain::CommandId;
use std::{
    collections::HashMap,
    net::SocketAddr,
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, AtomicUsize, Ordering},
    },
    time::Duration,
};
use tokio::sync::watch;

const KILLS: usize = 3;
const WRITERS: usize = 4;
const GENEROUS: &str = "100000/s";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killing_one_of_two_instances_under_load_loses_no_acknowledged_command_and_no_frame() {
    let app = spawn_app_configured(|settings| {
        settings.limits.commands_per_user = GENEROUS.parse().unwrap();
    })
    .await;
    let instance_args = ["--commands-per-user", GENEROUS];
    let (mut b, b_addr) = start_instance(&app, &instance_args).await;
    let (b_now, b_changes) = watch::channel(b_addr);
    let stop = Arc::new(AtomicBool::new(false));
    let acknowledged = Arc::new(Mutex::new(Vec::new()));
    let received = Arc::new(Mutex::new(Vec::new()));

    let writers: Vec<_> = (0..WRITERS)
        .map(|writer| {
            let (ada, b, stop, acknowledged) = (
                app.ada.clone(),
                b_changes.clone(),
                stop.clone(),
                acknowledged.clone(),
            );
            tokio::spawn(async move {
                let mut turn = writer;
                while !stop.load(Ordering::Relaxed) {
                    turn += 1;
                    let addr = if turn % 2 == 0 { ada.addr } else { *b.borrow() };
                    let id = CommandId::new();
                    if create(&ada, addr, id).await {
                        acknowledged.lock().unwrap().push(id);
                    }
                }
            })
        })
        .collect();
    let subscriptions = Arc::new(AtomicUsize::new(0));
    let subscriber = tokio::spawn(follow(
        app.ada.clone(),
        b_changes.clone(),
        received.clone(),
        subscriptions.clone(),
    ));

    for _ in 0..KILLS {
        tokio::time::sleep(Duration::from_millis(800)).await;
        b.start_kill().expect("B is killed");
        b.wait().await.expect("B ends");
        tokio::time::sleep(Duration::from_millis(300)).await;
        let (again, addr) = start_instance(&app, &instance_args).await;
        b = again;
        b_now.send_replace(addr);
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    stop.store(true, Ordering::Relaxed);
    for writer in writers {
        writer.await.unwrap();
    }

    let database = app.postgres().await;
    let logged: HashMap<String, i64> =
        sqlx::query_as("SELECT command_id::text, count(*) FROM events GROUP BY command_id")
            .fetch_all(&database)
            .await
            .unwrap()
            .into_iter()
            .collect();
    let acknowledged = acknowledged.lock().unwrap().clone();
    assert!(
        acknowledged.len() > 50,
        "only {} acknowledged",
        acknowledged.len()
    );
    for id in &acknowledged {
        assert_eq!(logged.get(&id.to_string()), Some(&1), "command {id}");
    }

    let slice: Vec<u64> = sqlx::query_scalar::<_, i64>(
        "SELECT position FROM events WHERE stream_id LIKE 'todo-%' ORDER BY position",
    )
    .fetch_all(&database)
    .await
    .unwrap()
    .into_iter()
    .map(|position| position as u64)
    .collect();
    for _ in 0..200 {
        if received.lock().unwrap().last() == slice.last() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    subscriber.abort();
    assert_eq!(*received.lock().unwrap(), slice);
    let subscribed = subscriptions.load(Ordering::Relaxed);
    assert!(
        subscribed > 2 * KILLS,
        "the subscriber moved to A after each kill and back to B after each start: {subscribed}"
    );
}

/// Creates a todo through the instance at `addr`, with `id` as its command id; answers
/// whether it was acknowledged. No answer at all is what a killed instance gives; an answer
/// must be a success or a clean 503.
async fn create(person: &Person, addr: SocketAddr, id: CommandId) -> bool {
    let (team, id) = (person.team.to_string(), id.to_string());
    let form = [
        ("team_id", team.as_str()),
        ("title", "under load"),
        ("description", ""),
        ("command_id", id.as_str()),
    ];
    let sent = person
        .client
        .post(format!("http://{addr}/api/create_todo"))
        .header("accept", "application/json")
        .form(&form)
        .send()
        .await;
    match sent {
        Ok(response) if response.status().is_success() => true,
        Ok(response) => {
            assert_eq!(response.status().as_u16(), 503, "{response:?}");
            false
        }
        Err(_) => false,
    }
}

/// Follows Ada's team channel from the start of the log: on B while it is up, on A while B
/// is down, back on B once it was started again, resuming each time from the last position
/// received. Pushes each position received, and counts its subscriptions.
async fn follow(
    ada: Person,
    mut b: watch::Receiver<SocketAddr>,
    received: Arc<Mutex<Vec<u64>>>,
    subscriptions: Arc<AtomicUsize>,
) {
    let mut on_b = true;
    loop {
        let addr = if on_b {
            *b.borrow_and_update()
        } else {
            ada.addr
        };
        let from = received.lock().unwrap().last().copied().unwrap_or(0);
        let Some(mut socket) = resumed(&ada.on(addr), from).await else {
            on_b = false;
            tokio::time::sleep(Duration::from_millis(50)).await;
            continue;
        };
        subscriptions.fetch_add(1, Ordering::Relaxed);
        loop {
            tokio::select! {
                frame = frame_within(&mut socket, Duration::from_secs(5)) => match frame {
                    Some(frame) if frame["event"].as_str().is_some_and(|e| e.starts_with("Todo")) => {
                        received.lock().unwrap().push(position(&frame));
                    }
                    Some(_) => {}
                    None => {
                        on_b = false;
                        break;
                    }
                },
                changed = b.changed() => {
                    if changed.is_err() {
                        return;
                    }
                    on_b = true;
                    break;
                }
            }
        }
    }
}
