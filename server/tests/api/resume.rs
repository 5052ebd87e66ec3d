//! Resuming a subscription from a position: what a subscriber receives, across any number of
//! reconnects and while commands keep committing, is exactly the log's slice for its channel,
//! in order, each event once.

use super::helpers::{Person, spawn_app_with};
use super::live::{Socket, frame_within, position, resumed};
use futures_util::StreamExt;
use proptest::prelude::*;
use serde_json::Value;
use server::config::{Limits, RateLimit};
use std::{num::NonZeroU32, time::Duration};

fn generous() -> Limits {
    let many = RateLimit {
        count: NonZeroU32::new(100_000).unwrap(),
        period: Duration::from_secs(1),
    };
    Limits {
        login_per_address: many,
        login_per_account: many,
        commands_per_user: many,
    }
}

/// The next frame, or `None` after three seconds of silence.
async fn frame(socket: &mut Socket) -> Option<Value> {
    frame_within(socket, Duration::from_secs(3)).await
}

/// Connects as `person` and subscribes to their team's channel from `from`.
async fn subscribe_from(person: &Person, from: u64) -> Socket {
    resumed(person, from)
        .await
        .expect("the resumed subscription is admitted")
}

/// `reads[i]` frames are read before the i-th reconnect; `writes` commands commit
/// meanwhile, in Ada's team and in another, from a concurrent task.
async fn resume_scenario(reads: Vec<usize>, writes: usize) {
    let app = spawn_app_with(generous()).await;
    let other = app.stranger("Mallory").await;
    app.create_todo("before the subscriber").await.unwrap();
    let start = app.board().await.position.get();

    let writer = {
        let (ada, mallory) = (app.ada.clone(), other.clone());
        tokio::spawn(async move {
            for i in 0..writes {
                ada.create_todo(&format!("ours {i}")).await.unwrap();
                if i % 3 == 0 {
                    mallory.create_todo(&format!("theirs {i}")).await.unwrap();
                }
                tokio::time::sleep(Duration::from_millis(3)).await;
            }
        })
    };

    let mut received = Vec::new();
    let mut last = start;
    for read in reads {
        let mut socket = subscribe_from(&app, last).await;
        for _ in 0..read {
            let Some(frame) = frame(&mut socket).await else {
                break;
            };
            last = position(&frame);
            received.push(last);
        }
    }
    writer.await.unwrap();

    let board = app.board().await;
    let mut expected: Vec<u64> = Vec::new();
    for todo in &board.todos {
        let detail = app.detail(todo.id).await.unwrap();
        expected.extend(detail.timeline.iter().map(|e| e.position.get()));
    }
    expected.retain(|p| *p > start);
    expected.sort_unstable();

    let mut socket = subscribe_from(&app, last).await;
    while received.len() < expected.len() {
        let Some(frame) = frame(&mut socket).await else {
            break;
        };
        received.push(position(&frame));
    }
    assert_eq!(
        received, expected,
        "each event of the channel once, in order"
    );
    assert!(
        tokio::time::timeout(Duration::from_millis(300), socket.next())
            .await
            .is_err(),
        "nothing more arrives"
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 6, ..ProptestConfig::default() })]

    #[test]
    fn a_resumed_subscriber_receives_its_channels_slice_exactly_once(
        reads in prop::collection::vec(0..8usize, 1..6),
        writes in 5..25usize,
    ) {
        tokio::runtime::Runtime::new().unwrap().block_on(resume_scenario(reads, writes));
    }
}
