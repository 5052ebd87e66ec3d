//! The server under load: the release binary, started by the coordinator (so it knows the
//! pid to measure) on a free loopback port with a fresh data folder, with every limit that
//! would refuse load traffic raised, and stopped when the run ends.

use super::children;
use anyhow::{Context, bail};
use std::{
    net::{Ipv4Addr, SocketAddr, TcpListener},
    path::Path,
    process::Stdio,
    time::{Duration, Instant},
};
use tokio::process::Child;

/// The secret the server signs subscriptions with during a run.
const SECRET: &str = "load-secret";
/// How long the server may take to answer `/healthz`.
const START_TIMEOUT: Duration = Duration::from_secs(30);

pub struct Server {
    child: Child,
    addr: SocketAddr,
    http: reqwest::Client,
    _data: tempfile::TempDir,
}

impl Server {
    pub async fn start(binary: &Path) -> anyhow::Result<Self> {
        if !binary.is_file() {
            bail!(
                "no server binary at {}: build it with `cargo build --release -p server --bin server`, or pass --server",
                binary.display()
            );
        }
        let addr = free_port()?;
        let data = tempfile::tempdir().context("a temporary data folder")?;
        let child = children::command(binary)
            .arg("--addr")
            .arg(addr.to_string())
            .arg("--data-dir")
            .arg(data.path())
            .args(["--pusher-secret", SECRET])
            .args(["--connections-per-user", "1000000"])
            .args(["--commands-per-user", "1000000/1s"])
            .args(["--login-per-address", "1000000/1s"])
            .args(["--login-per-account", "1000000/1s"])
            .env("RUST_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(std::io::stderr())
            .stderr(std::io::stderr())
            .spawn()
            .with_context(|| format!("starting {}", binary.display()))?;
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

/// A loopback port that was free a moment ago.
fn free_port() -> anyhow::Result<SocketAddr> {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).context("finding a free port")?;
    Ok(listener.local_addr()?)
}
