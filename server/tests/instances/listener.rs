//! The connection that listens for other instances' commits is only a hint: killed in the
//! middle of a run, or never opened, no frame is lost, and the poll delivers within a second.

use super::{position, subscribed};
use crate::api::{helpers::spawn_app, live::next};

/// What `/metrics` of the instance at `addr` says `name` is.
async fn metric(app: &crate::api::helpers::TestApp, addr: std::net::SocketAddr, name: &str) -> u64 {
    let (_, text) = app.on(addr).page("/metrics").await;
    text.lines()
        .find_map(|line| line.strip_prefix(&format!("{name} ")))
        .unwrap_or_else(|| panic!("no {name} in {text}"))
        .parse()
        .unwrap()
}

#[tokio::test]
async fn listening_connections_killed_in_the_middle_of_a_run_lose_no_frame() {
    let app = spawn_app().await;
    let b = app.another_instance().await;
    let mut socket = subscribed(&app.on(b)).await;
    let database = app.postgres().await;
    let mut created = Vec::new();
    for n in 0..20 {
        if n % 5 == 2 {
            let killed: Vec<bool> = sqlx::query_scalar(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
                 WHERE datname = current_database() AND query LIKE 'LISTEN %'",
            )
            .fetch_all(&database)
            .await
            .unwrap();
            assert!(
                !killed.is_empty() && killed.iter().all(|k| *k),
                "{killed:?}"
            );
        }
        created.push(
            app.create_todo(&format!("Todo {n}"))
                .await
                .unwrap()
                .position
                .get(),
        );
    }
    let mut received = Vec::new();
    for _ in &created {
        received.push(position(&next(&mut socket).await));
    }
    assert_eq!(received, created);
    assert!(metric(&app, b, "tidings_listener_reconnects_total").await >= 1);
}

#[tokio::test]
async fn an_instance_that_only_polls_still_delivers_each_commit_of_the_other_within_the_poll() {
    let app = spawn_app().await;
    let b = app
        .another_instance_configured(|settings| settings.poll_only = true)
        .await;
    let mut socket = subscribed(&app.on(b)).await;
    for n in 0..3 {
        let created = app.create_todo(&format!("Polled {n}")).await.unwrap();
        // `next` waits two seconds at most: twice the poll.
        assert_eq!(position(&next(&mut socket).await), created.position.get());
    }
    assert_eq!(metric(&app, b, "tidings_listener_connected").await, 0);
}
