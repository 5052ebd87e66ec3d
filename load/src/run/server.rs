//! The server under load, started by the coordinator (so it knows the pid to measure) and
//! stopped when the round ends: Tidings' release binary on a free loopback port with a
//! fresh data folder (and its database there, or at the URL given) and every limit that
//! would refuse load traffic raised, or this binary as `baseline-server`, which reports the
//! port it bound on its first line of output.

use super::{RunOptions, children, target::Target};
use anyhow::{Context, bail};
use std::{
    net::{Ipv4Addr, SocketAddr, TcpListener},
    path::Path,
    process::Stdio,
    time::{Duration, Instant},
};
use tokio::{
    io::{AsyncBufReadExt, BufReader},
    process::Child,
};

/// The secret the server signs subscriptions with during a run.
const SECRET: &str = "load-secret";
/// How long the server may take to answer `/healthz`.
const START_TIMEOUT: Duration = Duration::from_secs(30);

pub struct Server {
    child: Child,
    addr: SocketAddr,
    http: reqwest::Client,
    /// Tidings' data folder, removed when the server stops.
    _data: Option<tempfile::TempDir>,
}

impl Server {
    /// Starts `target`: Tidings' server from `options.server`, or the baseline.
    pub async fn start(target: Target, options: &RunOptions) -> anyhow::Result<Self> {
        match target {
            Target::Tidings => Self::tidings(&options.server, None).await,
            Target::Baseline => {
                let (child, addr) = spawn_baseline(options.baseline_read_buffer).await?;
                Self::started(child, addr, None).await
            }
        }
    }

    /// Starts Tidings' server from `binary` on `database_url`, or, without one, on SQLite in
    /// its fresh data folder.
    pub async fn tidings(binary: &Path, database_url: Option<&str>) -> anyhow::Result<Self> {
        let (child, addr, data) = spawn_tidings(binary, database_url)?;
        Self::started(child, addr, Some(data)).await
    }

    async fn started(
        child: Child,
        addr: SocketAddr,
        data: Option<tempfile::TempDir>,
    ) -> anyhow::Result<Self> {
        let http = reqwest::Client::builder().no_proxy().build()?;
        let mut server = Self {
            child,
            addr,
            http,
            _data: data,
        };
        server.wait_until_healthy().await?;
        Ok(server)
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn pid(&self) -> anyhow::Result<u32> {
        self.child.id().context("the server has exited")
    }

    /// The Prometheus text of `GET /metrics`.
    pub async fn metrics(&self) -> anyhow::Result<String> {
        let url = format!("http://{}/metrics", self.addr);
        let response = self.http.get(url).send().await?.error_for_status()?;
        Ok(response.text().await?)
    }

    pub async fn stop(mut self) -> anyhow::Result<()> {
        self.child.kill().await.context("stopping the server")
    }

    async fn wait_until_healthy(&mut self) -> anyhow::Result<()> {
        let started = Instant::now();
        let url = format!("http://{}/healthz", self.addr);
        while started.elapsed() < START_TIMEOUT {
            if let Some(status) = self.child.try_wait()? {
                bail!("the server exited at start-up ({status}); its output is above");
            }
            let answer = self.http.get(&url).send().await;
            if answer.is_ok_and(|response| response.status().is_success()) {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        bail!("the server did not answer /healthz within {START_TIMEOUT:?}")
    }
}

fn spawn_tidings(
    binary: &Path,
    database_url: Option<&str>,
) -> anyhow::Result<(Child, SocketAddr, tempfile::TempDir)> {
    if !binary.is_file() {
        bail!(
            "no server binary at {}: build it with `cargo build --release -p server --bin server`, or pass --server",
            binary.display()
        );
    }
    let addr = free_port()?;
    let data = tempfile::tempdir().context("a temporary data folder")?;
    let mut command = children::command(binary);
    // The database is the one asked for, never one named by this shell's environment.
    command.env_remove("DATABASE_URL");
    if let Some(url) = database_url {
        command.arg("--database-url").arg(url);
    }
    let child = command
        .arg("--addr")
        .arg(addr.to_string())
        .arg("--data-dir")
        .arg(data.path())
        .args(["--pusher-secret", SECRET])
        .args(["--connections-per-user", "1000000"])
        .args(["--sessionless-per-address", "1000000"])
        .args(["--commands-per-user", "1000000/1s"])
        .args(["--login-per-address", "1000000/1s"])
        .args(["--login-per-account", "1000000/1s"])
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(std::io::stderr())
        .stderr(std::io::stderr())
        .spawn()
        .with_context(|| format!("starting {}", binary.display()))?;
    Ok((child, addr, data))
}

/// This binary as `baseline-server` on a port of its choosing, which it prints first.
async fn spawn_baseline(read_buffer: usize) -> anyhow::Result<(Child, SocketAddr)> {
    let me = std::env::current_exe().context("finding this binary")?;
    let mut child = children::command(me)
        .args(["baseline-server", "--addr", "127.0.0.1:0"])
        .arg("--read-buffer")
        .arg(read_buffer.to_string())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(std::io::stderr())
        .spawn()
        .context("starting the baseline server")?;
    let stdout = child
        .stdout
        .take()
        .context("the baseline server's stdout")?;
    let line = tokio::time::timeout(START_TIMEOUT, BufReader::new(stdout).lines().next_line())
        .await
        .context("the baseline server did not say its address in time")??
        .context("the baseline server ended before saying its address")?;
    let addr = line
        .trim()
        .parse()
        .with_context(|| format!("the baseline server's address: {line:?}"))?;
    Ok((child, addr))
}

/// A loopback port that was free a moment ago.
fn free_port() -> anyhow::Result<SocketAddr> {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).context("finding a free port")?;
    Ok(listener.local_addr()?)
}
