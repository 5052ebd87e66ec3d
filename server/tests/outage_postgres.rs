//! The database goes away while commands arrive, and comes back: the server answers 503
//! meanwhile, recovers by itself, and loses nothing it acknowledged. The server reaches
//! PostgreSQL through a TCP proxy in this test, which cuts every connection and refuses new
//! ones, as a restarting database does, without disturbing the other tests' databases.

#[allow(dead_code)]
#[path = "api/helpers.rs"]
mod helpers;

use app::{api::AppError, domain::CommandId};
use helpers::{Answer, Person, spawn_app_configured};
use server::config::DatabaseUrl;
use std::{
    collections::HashSet,
    net::SocketAddr,
    sync::{Arc, Mutex},
    time::Duration,
};
use tokio::{
    net::{TcpListener, TcpStream},
    task::AbortHandle,
};

/// A TCP proxy to PostgreSQL that can be cut: its connections dropped, and new ones closed
/// as soon as they are accepted, until it is restored.
#[derive(Clone)]
struct Proxy {
    addr: SocketAddr,
    state: Arc<Mutex<ProxyState>>,
}

#[derive(Default)]
struct ProxyState {
    down: bool,
    pipes: Vec<AbortHandle>,
}

impl Proxy {
    async fn start(upstream: SocketAddr) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let proxy = Self {
            addr: listener.local_addr().unwrap(),
            state: Arc::default(),
        };
        let state = proxy.state.clone();
        tokio::spawn(async move {
            loop {
                let Ok((mut client, _)) = listener.accept().await else {
                    return;
                };
                let mut state = state.lock().unwrap();
                if state.down {
                    continue;
                }
                let pipe = tokio::spawn(async move {
                    let mut server = TcpStream::connect(upstream).await?;
                    tokio::io::copy_bidirectional(&mut client, &mut server).await
                });
                state.pipes.push(pipe.abort_handle());
            }
        });
        proxy
    }

    /// Every connection through the proxy is dropped, and new ones are closed at once.
    fn cut(&self) {
        let mut state = self.state.lock().unwrap();
        state.down = true;
        for pipe in state.pipes.drain(..) {
            pipe.abort();
        }
    }

    fn restore(&self) {
        self.state.lock().unwrap().down = false;
    }
}

/// The server's database URL, pointed at the proxy.
fn through(proxy: &Proxy, url: &DatabaseUrl) -> DatabaseUrl {
    let DatabaseUrl::Postgres(url) = url else {
        panic!("not a PostgreSQL URL: {url:?}");
    };
    let options = url.connect_options();
    let database = options.get_database().unwrap();
    format!(
        "postgres://{}@{}/{database}",
        options.get_username(),
        proxy.addr
    )
    .parse()
    .unwrap()
}

fn upstream() -> SocketAddr {
    let url: DatabaseUrl = test_postgres::server_url().parse().unwrap();
    let DatabaseUrl::Postgres(url) = url else {
        panic!("the test server is not PostgreSQL");
    };
    let options = url.connect_options();
    format!("{}:{}", options.get_host(), options.get_port())
        .parse()
        .expect("the test PostgreSQL is at an IP address")
}

/// Creates a todo with `id` as its command id, answering only whether it was acknowledged;
/// anything else than success must be a clean 503.
async fn create(person: &Person, id: CommandId) -> bool {
    let answer: Answer<_> = person
        .create_todo_with(
            &person.team.to_string(),
            &format!("todo {id}"),
            "",
            &id.to_string(),
        )
        .await;
    match answer {
        Ok(_) => true,
        Err((503, AppError::Unavailable)) => false,
        Err(other) => panic!("a command failed other than cleanly: {other:?}"),
    }
}

/// Retries `id` (the same command id) until it is acknowledged: the server recovers by
/// itself once the database is back.
async fn create_until_acknowledged(person: &Person, id: CommandId) {
    for _ in 0..200 {
        if create(person, id).await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the server did not recover within 10 s");
}

/// `/healthz` once it answers `status`, which it must within ten seconds: its body.
async fn health_becomes(person: &Person, status: u16) -> String {
    for _ in 0..100 {
        let response = person
            .client
            .get(person.url("/healthz"))
            .send()
            .await
            .unwrap();
        if response.status().as_u16() == status {
            return response.text().await.unwrap();
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("/healthz did not answer {status} within ten seconds");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_that_goes_away_and_comes_back_loses_nothing_acknowledged() {
    let proxy = Proxy::start(upstream()).await;
    let app = spawn_app_configured(|settings| {
        let url = settings.database_url.as_ref().expect("a PostgreSQL test");
        settings.database_url = Some(through(&proxy, url));
        settings.pool.acquire_timeout = Duration::from_millis(500);
        // Retries while the database is away are many; the rate limit is not under test.
        settings.limits.commands_per_user = "10000/s".parse().unwrap();
    })
    .await;
    let before: Vec<CommandId> = (0..5).map(|_| CommandId::new()).collect();
    for id in &before {
        assert!(
            create(&app, *id).await,
            "acknowledged while the database is up"
        );
    }

    // Commands in flight when the database goes away: each succeeds or fails cleanly.
    let in_flight: Vec<CommandId> = (0..20).map(|_| CommandId::new()).collect();
    let running: Vec<_> = in_flight
        .iter()
        .map(|id| {
            let (ada, id) = (app.ada.clone(), *id);
            tokio::spawn(async move { create(&ada, id).await })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(20)).await;
    proxy.cut();
    let mut acknowledged: HashSet<CommandId> = before.iter().copied().collect();
    for (id, run) in in_flight.iter().zip(running) {
        if run.await.unwrap() {
            acknowledged.insert(*id);
        }
    }

    // While it is away: commands and pages answer 503, whatever the session needs.
    let during = CommandId::new();
    assert!(
        !create(&app, during).await,
        "no command succeeds without a database"
    );
    let board = app.board_of(app.team).await;
    assert!(
        matches!(board, Err((503, AppError::Unavailable))),
        "{board:?}"
    );
    let unhealthy = health_becomes(&app, 503).await;
    assert!(unhealthy.contains("log's tail is failing"), "{unhealthy}");
    assert!(
        !unhealthy.contains("127.0.0.1") && !unhealthy.contains("error"),
        "/healthz answers anyone: no error text, no host: {unhealthy}"
    );

    proxy.restore();
    let retried: Vec<CommandId> = in_flight
        .iter()
        .copied()
        .filter(|id| !acknowledged.contains(id))
        .chain([during])
        .collect();
    for id in &retried {
        create_until_acknowledged(&app, *id).await;
    }
    assert_eq!(health_becomes(&app, 200).await, "ok");

    let titles: Vec<String> = app
        .board()
        .await
        .todos
        .into_iter()
        .map(|t| t.title)
        .collect();
    let every: Vec<CommandId> = before
        .iter()
        .chain(&in_flight)
        .chain([&during])
        .copied()
        .collect();
    assert_eq!(
        titles.len(),
        every.len(),
        "each command's todo exactly once: {titles:?}"
    );
    for id in every {
        let title = format!("todo {id}");
        assert_eq!(titles.iter().filter(|t| **t == title).count(), 1, "{title}");
    }
}
