//! Start-up: open the database, start the store's writer and the projector, build the router,
//! bind. `Application::build` reports the real port, so tests can bind port 0.

use crate::{
    accounts::Accounts,
    assets,
    backend::TidingsBackend,
    commands::CommandHandler,
    config::{DatabaseUrl, Settings},
    cross_site::refuse_cross_site,
    error_links::{self, ErrorLinks},
    error_status::map_error_status,
    health::{self, Health},
    live::{self, Hub, Live, Occupancy, Reactor, SignedIn, Signer, SocketRuntime},
    metrics::Metrics,
    projection::{Projector, Tables},
    rate_limits::RateLimits,
    seats::Seats,
    security_headers, sessions,
    storage::Storage,
    supervise::{self, Task},
};
use anyhow::Context;
use app::{App, api::backend::BackendHandle, shell};
use axum::{
    Extension, Router,
    routing::{get, post},
    serve::ListenerExt,
};
use leptos::prelude::*;
use leptos_axum::{LeptosRoutes, generate_route_list};
use std::{net::SocketAddr, sync::Arc};
use tokio::{
    net::{TcpListener, TcpStream},
    sync::Semaphore,
};

pub struct Application {
    listener: TcpListener,
    router: Router,
    send_buffer: Option<usize>,
    /// The background tasks that must run as long as the server does.
    tasks: Vec<Task>,
}

impl Application {
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        let signer = Signer::new(settings.pusher_key.clone(), pusher_secret(&settings)?);
        let mut storage = Storage::open(&settings).await?;
        let health = Arc::new(Health::default());
        let mut tasks = std::mem::take(&mut storage.background);
        let (projected, projector) = Projector::new(
            storage.projections.clone(),
            storage.log.clone(),
            Tables::LIVE,
        )
        .spawn(health.clone());
        tasks.push(Task::new("projector", projector));
        let commands = CommandHandler::new(storage.log.clone(), projected.clone());
        let sessions = sessions::layer(storage.sessions.clone(), settings.secure_cookies);
        let limits = RateLimits::start(settings.limits);
        let hub = Arc::new(Hub::default());
        let signed_in = Arc::new(SignedIn::default());
        let metrics = Arc::new(Metrics::default());
        let reactor = Reactor::spawn(
            storage.log.clone(),
            hub.clone(),
            metrics.clone(),
            projected.clone(),
            settings.socket_limits.tracked,
            health.clone(),
        )
        .await
        .context("starting the broadcast reactor")?;
        tasks.push(Task::new("reactor", reactor));
        let lag = health.clone().watch_lag(
            storage.log.watch_head(),
            metrics.clone(),
            storage.tail.clone(),
        );
        tasks.push(Task::new("lag watch", tokio::spawn(lag)));
        let live = Live {
            hub,
            signer,
            read_models: storage.read_models.clone(),
            limits: settings.socket_limits,
            metrics: metrics.clone(),
            store: storage.log.clone(),
            seats: Seats::new(settings.connections_per_user, storage.seats.clone()),
            sessionless: Occupancy::new(settings.sessionless_per_address),
            replays: Occupancy::new(settings.socket_limits.replays_per_user),
            replays_at_once: Arc::new(Semaphore::new(settings.socket_limits.replays_at_once)),
            signed_in: signed_in.clone(),
            sockets: Arc::new(SocketRuntime::start(socket_threads())?),
            tail: storage.tail.clone(),
        };
        let backend = TidingsBackend::new(
            storage.read_models,
            Accounts::new(storage.users),
            commands,
            limits,
            metrics,
            signed_in,
        );
        let router = router(
            leptos_options(&settings),
            BackendHandle(Arc::new(backend)),
            live,
        )
        .layer(sessions)
        .layer(Extension(health))
        .layer(Extension(settings.metrics_token.clone()))
        .layer(axum::middleware::from_fn_with_state(
            ErrorLinks::new()?,
            error_links::sign_and_check,
        ));
        let listener = TcpListener::bind(settings.addr)
            .await
            .with_context(|| format!("binding {}", settings.addr))?;
        Ok(Self {
            listener,
            router,
            send_buffer: settings.socket_limits.send_buffer_bytes,
            tasks,
        })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .expect("a bound listener has an address")
    }

    /// Serves until Ctrl-C or SIGTERM, then finishes the requests in flight; or until a
    /// background task ends, which is an error: the process should be started again.
    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        tracing::info!(addr = %self.local_addr(), "listening");
        let service = self
            .router
            .into_make_service_with_connect_info::<SocketAddr>();
        let send_buffer = self.send_buffer;
        let listener = self.listener.tap_io(move |tcp| tune(tcp, send_buffer));
        let serve = axum::serve(listener, service).with_graceful_shutdown(shutdown_signal());
        tokio::select! {
            served = serve => Ok(served?),
            ended = supervise::first_to_end(self.tasks) => {
                tracing::error!(error = %crate::error_chain(&ended), "a background task ended; stopping");
                Err(ended.into())
            }
        }
    }
}

/// Every accepted connection sends small frames at once (no Nagle delay), and keeps the
/// configured send buffer, if any.
fn tune(tcp: &mut TcpStream, send_buffer: Option<usize>) {
    if let Err(error) = tcp.set_nodelay(true) {
        tracing::debug!(%error, "could not set TCP_NODELAY");
    }
    if let Some(bytes) = send_buffer
        && let Err(error) = socket2::SockRef::from(&*tcp).set_send_buffer_size(bytes)
    {
        tracing::debug!(%error, "could not set the send buffer");
    }
}

/// The whole site: pages and server functions (with the backend in their context), static
/// files (with their cache policy, and compression: `assets`), and the health check. The
/// caller adds the session layer.
pub fn router(options: LeptosOptions, backend: BackendHandle, live: Live) -> Router {
    let routes = generate_route_list(App);
    let context = move || provide_context(backend.clone());
    let router = Router::new()
        .route("/healthz", get(health::healthz))
        .route("/app/{key}", get(live::upgrade))
        .route("/broadcasting/auth", post(live::authorize))
        .route("/metrics", get(live::metrics))
        .leptos_routes_with_context(&options, routes, context, {
            let options = options.clone();
            move || shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler(shell))
        .layer(axum::middleware::from_fn(map_error_status))
        .layer(axum::middleware::from_fn(refuse_cross_site))
        .layer(Extension(Arc::new(live)))
        .with_state(options);
    security_headers::add(assets::add(router))
}

/// The connections' runtime gets as many threads as the machine has cores, as the main one
/// does.
fn socket_threads() -> usize {
    std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
}

/// The channel-signing secret: the configured one, or on SQLite (which one process serves)
/// 32 random bytes for this process. On PostgreSQL several instances may serve the site, and
/// a subscription signed by one must be accepted by the others: a random secret per process
/// would break that only once a second instance starts, so none is made up.
fn pusher_secret(settings: &Settings) -> anyhow::Result<Vec<u8>> {
    if let Some(secret) = &settings.pusher_secret {
        return Ok(secret.as_bytes().to_vec());
    }
    if let DatabaseUrl::Postgres(_) = settings.database() {
        anyhow::bail!(
            "on PostgreSQL, set --pusher-secret (or TIDINGS_PUSHER_SECRET): every instance \
             that serves the site must sign channel subscriptions with the same secret"
        );
    }
    let mut secret = vec![0u8; 32];
    getrandom::fill(&mut secret).map_err(|error| anyhow::anyhow!("no random source: {error}"))?;
    Ok(secret)
}

/// Leptos' options from cargo-leptos' environment, with our address.
fn leptos_options(settings: &Settings) -> LeptosOptions {
    let mut options = get_configuration(None)
        .map(|conf| conf.leptos_options)
        .unwrap_or_else(|_| LeptosOptions::builder().output_name("tidings").build());
    if options.output_name.is_empty() {
        options.output_name = "tidings".into();
    }
    options.site_addr = settings.addr;
    options
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}
