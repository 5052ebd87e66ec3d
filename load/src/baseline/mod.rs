//! `tidings-load baseline-server`: the floor that Tidings is compared against. A minimal
//! Pusher-protocol fan-out server with Tidings' structure (one task and one bounded queue
//! of shared frames per connection, one hub map behind one lock, axum with the same
//! WebSocket settings, one runtime thread per core, mimalloc) and nothing else: no
//! database, no sessions, no checks. `run --target baseline` starts it as a child, so its
//! CPU and memory are read from `/proc` as the Tidings server's are. It prints its bound
//! address on stdout.

mod api;
mod hub;
mod protocol;
mod socket;

use anyhow::Context;
use axum::{
    Router,
    routing::{get, post},
    serve::ListenerExt,
};
use clap::Args;
use hub::Hub;
use std::{
    net::SocketAddr,
    sync::{
        Arc,
        atomic::{AtomicU64, AtomicUsize, Ordering},
    },
};
use tokio::net::TcpListener;

#[derive(Debug, Clone, Args)]
pub struct ServeOptions {
    /// The address to listen on; port 0 takes a free one.
    #[arg(long, default_value = "127.0.0.1:0")]
    pub addr: SocketAddr,
    /// Each connection's read buffer in bytes: Tidings' `READ_BUFFER_BYTES`
    /// (`server/src/live/socket.rs`), for a fair comparison.
    #[arg(long, default_value_t = 512)]
    pub read_buffer: usize,
}

pub async fn serve(options: ServeOptions) -> anyhow::Result<()> {
    let listener = TcpListener::bind(options.addr)
        .await
        .with_context(|| format!("binding {}", options.addr))?;
    println!("{}", listener.local_addr()?);
    // As Tidings' server: small frames go out at once, without Nagle's delay.
    let listener = listener.tap_io(|tcp| {
        let _ = tcp.set_nodelay(true);
    });
    axum::serve(listener, router(Baseline::new(options.read_buffer))).await?;
    Ok(())
}

fn router(baseline: Baseline) -> Router {
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/metrics", get(api::metrics))
        .route("/app/{key}", get(socket::upgrade))
        .route("/broadcasting/auth", post(api::authorize))
        .route("/api/sign_up", post(api::sign_up))
        .route("/api/create_team", post(api::create_team))
        .route("/api/create_invitation", post(api::create_invitation))
        .route("/api/join_team", post(api::join_team))
        .route("/api/create_todo", post(api::create_todo))
        .with_state(baseline)
}

/// The server's shared state: a cheap handle, cloned into every request and connection.
#[derive(Clone)]
pub struct Baseline(Arc<Shared>);

pub struct Shared {
    hub: Hub,
    connections: AtomicUsize,
    positions: AtomicU64,
    read_buffer_bytes: usize,
}

impl std::ops::Deref for Baseline {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

impl Baseline {
    fn new(read_buffer_bytes: usize) -> Self {
        Self(Arc::new(Shared {
            hub: Hub::default(),
            connections: AtomicUsize::new(0),
            positions: AtomicU64::new(0),
            read_buffer_bytes,
        }))
    }

    /// Counts an open connection until the returned guard drops.
    fn opened(&self) -> Open {
        self.connections.fetch_add(1, Ordering::Relaxed);
        Open(self.clone())
    }

    fn connections(&self) -> usize {
        self.connections.load(Ordering::Relaxed)
    }

    /// The next event's position in the (unstored) log: 1, 2, ...
    fn next_position(&self) -> u64 {
        self.positions.fetch_add(1, Ordering::Relaxed) + 1
    }
}

struct Open(Baseline);

impl Drop for Open {
    fn drop(&mut self) {
        self.0.connections.fetch_sub(1, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        api::{self, User},
        frame::{self, Incoming},
        metrics,
    };
    use futures_util::{SinkExt, StreamExt};
    use tokio_tungstenite::{connect_async, tungstenite::Message};

    async fn next_text<S>(socket: &mut S) -> String
    where
        S: StreamExt<Item = Result<Message, tokio_tungstenite::tungstenite::Error>> + Unpin,
    {
        loop {
            if let Message::Text(text) = socket.next().await.unwrap().unwrap() {
                return text.as_str().to_owned();
            }
        }
    }

    #[tokio::test]
    async fn the_tools_own_client_subscribes_and_receives_a_created_todo() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, router(Baseline::new(1024))).await });

        let user = User::new(addr).unwrap();
        user.sign_up("a@example.com", "A", "password")
            .await
            .unwrap();
        let session = user.session_cookie().expect("a session cookie");
        let team = user.create_team("Load").await.unwrap().team_id;
        let (mut socket, _) = connect_async(format!("ws://{addr}/app/tidings?protocol=7"))
            .await
            .unwrap();
        let socket_id = frame::socket_id(&next_text(&mut socket).await).unwrap();
        let channel = frame::team_channel(&team);
        let http = reqwest::Client::builder().no_proxy().build().unwrap();
        let auth = api::authorize(&http, addr, &session, &socket_id, &channel)
            .await
            .unwrap();
        let subscribe = frame::subscribe(&channel, &auth);
        socket.send(Message::text(subscribe)).await.unwrap();
        assert_eq!(
            frame::subscription_result(&next_text(&mut socket).await),
            Ok(true)
        );

        user.create_todo(&team, &frame::title(1_234)).await.unwrap();
        let delivery = frame::classify(&next_text(&mut socket).await);
        assert_eq!(delivery, Incoming::Delivery { sent_micros: 1_234 });
        let text = http
            .get(format!("http://{addr}/metrics"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert_eq!(metrics::sum(&text, "tidings_connections"), Some(1.0));
        assert_eq!(metrics::sum(&text, "tidings_subscriptions"), Some(1.0));
    }
}
