//! A rebuild run by a third process while two instances serve commands: the new tables are
//! swapped in under both, both projectors carry on from the swapped-in checkpoint (taking
//! turns on its row lock), and each instance's pages show every command once.

use crate::api::helpers::{Person, spawn_app_configured};
use app::domain::TodoId;
use std::{collections::BTreeSet, process::Stdio};

const GENEROUS: &str = "100000/s";
/// Commands sent before the rebuild starts, and the fewest sent while it runs.
const BEFORE: usize = 20;
const DURING: usize = 20;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rebuild_while_two_instances_take_commands_swaps_under_both_and_applies_each_event_once()
{
    let app = spawn_app_configured(|settings| {
        settings.limits.commands_per_user = GENEROUS.parse().unwrap();
    })
    .await;
    let b = app
        .another_instance_configured(|settings| {
            settings.limits.commands_per_user = GENEROUS.parse().unwrap();
        })
        .await;
    let on_b = app.on(b);
    let instances: [&Person; 2] = [&app, &on_b];

    let mut created = Vec::new();
    for n in 0..BEFORE {
        created.push(create_and_activate(instances[n % 2], &format!("Before {n}")).await);
    }
    let mut rebuild = tokio::process::Command::new(env!("CARGO_BIN_EXE_server"))
        .arg("rebuild-projections")
        .args(["--database-url", &app.postgres_url()])
        .env("RUST_LOG", "warn")
        .env_remove("DATABASE_URL")
        .stdout(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("the rebuild starts");
    // Commands on both instances until the rebuild has ended, and at least DURING of them.
    let mut n = 0;
    let status = loop {
        created.push(create_and_activate(instances[n % 2], &format!("During {n}")).await);
        n += 1;
        if n >= DURING
            && let Some(status) = rebuild.try_wait().expect("the rebuild's status")
        {
            break status;
        }
        assert!(n < 5_000, "the rebuild did not end");
    };
    assert!(status.success(), "the rebuild failed: {status}");
    for n in 0..4 {
        created.push(create_and_activate(instances[n % 2], &format!("After {n}")).await);
    }

    let expected: BTreeSet<TodoId> = created.iter().copied().collect();
    for (name, on) in [("A", instances[0]), ("B", instances[1])] {
        let ids: Vec<TodoId> = on.board().await.todos.iter().map(|todo| todo.id).collect();
        assert_eq!(
            ids.len(),
            created.len(),
            "{name}'s board lists a todo twice or lacks one"
        );
        assert_eq!(
            ids.into_iter().collect::<BTreeSet<_>>(),
            expected,
            "{name}'s board"
        );
        for todo in [created[0], created[BEFORE], created[created.len() - 1]] {
            let timeline = on.detail(todo).await.unwrap().timeline;
            let positions: Vec<u64> = timeline.iter().map(|entry| entry.position.get()).collect();
            assert_eq!(
                positions.len(),
                2,
                "{name}: created and activated, once each: {positions:?}"
            );
            assert!(
                positions[0] < positions[1],
                "{name}: in log order: {positions:?}"
            );
        }
        assert_eq!(
            on.page("/healthz").await.0,
            200,
            "{name} has a failing task"
        );
    }
}

/// A todo made and activated through `on`; its id.
async fn create_and_activate(on: &Person, title: &str) -> TodoId {
    let receipt = on.create_todo(title).await.unwrap();
    on.transition(
        &receipt.todo_id.to_string(),
        receipt.version.get(),
        "activate",
    )
    .await
    .unwrap();
    receipt.todo_id
}
