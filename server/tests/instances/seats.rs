//! The connections-per-user limit across instances: seats in the shared database, under a
//! lease per instance. The other instance here is the server binary in a process of its own
//! ([`start_instance`]), so that it can be killed as a crash would.

use super::start_instance;
use crate::api::{
    helpers::{TestApp, spawn_app_configured},
    live::{Socket, connect, connect_to, next},
};
use std::{net::SocketAddr, num::NonZeroUsize, time::Duration};

/// Ada's one more connection on the instance at `addr`, if it is admitted: the first frame
/// says so, or refuses with Pusher's over-capacity code.
async fn admitted(app: &TestApp, addr: SocketAddr) -> Option<Socket> {
    let ada = app.on(addr);
    let origin = format!("http://{addr}");
    let mut socket = connect_to(&ada, "/app/tidings?protocol=7", Some(origin))
        .await
        .expect("the upgrade succeeds");
    let first = next(&mut socket).await;
    if first["event"] == "pusher:connection_established" {
        return Some(socket);
    }
    assert_eq!(first["event"], "pusher:error", "{first}");
    assert_eq!(first["data"]["code"], 4100, "{first}");
    None
}

#[tokio::test]
async fn a_users_connections_count_across_instances_and_a_killed_instance_frees_them_after_its_lease()
 {
    let app = spawn_app_configured(|settings| {
        settings.connections_per_user = NonZeroUsize::new(2).unwrap();
        settings.seat_lease = Duration::from_secs(1);
    })
    .await;
    let (mut b, b_addr) =
        start_instance(&app, &["--connections-per-user", "2", "--seat-lease", "1s"]).await;
    let (_on_a, _) = connect(&app).await;
    let (_on_b, _) = connect(&app.on(b_addr)).await;
    assert!(
        admitted(&app, app.addr).await.is_none(),
        "a third connection, on A"
    );
    assert!(
        admitted(&app, b_addr).await.is_none(),
        "a third connection, on B"
    );

    b.start_kill().expect("B is killed");
    b.wait().await.expect("B ends");
    // B's seat counts until its lease (1 s) runs out; then A admits one more.
    let mut tries = 0;
    let _second_on_a = loop {
        if let Some(socket) = admitted(&app, app.addr).await {
            break socket;
        }
        tries += 1;
        assert!(tries < 50, "B's seat still counts after its lease");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(
        admitted(&app, app.addr).await.is_none(),
        "the limit still holds on A"
    );
}
