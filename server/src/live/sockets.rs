//! The connections' own runtime. Fanning one event out to 10,000 connections wakes 10,000
//! tasks; on the runtime that also serves commands, every step of a command (its request,
//! the writer, the fsync, the projector) then waited behind them, and its answer took 170 ms
//! at 10,000 subscribers (`tidings-load`). Connections run on threads of their own instead,
//! and the operating system shares the cores between the two runtimes.

use std::future::Future;
use tokio::runtime::{Builder, Runtime};

pub struct SocketRuntime {
    /// Always `Some` until dropped.
    runtime: Option<Runtime>,
}

impl SocketRuntime {
    /// Starts `threads` worker threads (at least one).
    pub fn start(threads: usize) -> std::io::Result<Self> {
        let runtime = Builder::new_multi_thread()
            .worker_threads(threads.max(1))
            .thread_name("tidings-socket")
            .enable_all()
            .build()?;
        Ok(Self {
            runtime: Some(runtime),
        })
    }

    pub fn spawn(&self, connection: impl Future<Output = ()> + Send + 'static) {
        if let Some(runtime) = &self.runtime {
            runtime.spawn(connection);
        }
    }
}

/// The server is stopping: its connections end with the runtime. `shutdown_background`
/// does not block, so the last owner may drop it from async code.
impl Drop for SocketRuntime {
    fn drop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_connection_runs_on_the_socket_threads_and_ends_with_them() {
        let sockets = SocketRuntime::start(1).unwrap();
        let (ran, on) = tokio::sync::oneshot::channel();
        sockets.spawn(async move {
            let name = std::thread::current().name().map(str::to_owned);
            let _ = ran.send(name);
        });
        assert_eq!(on.await.unwrap().as_deref(), Some("tidings-socket"));
        let (_held, dropped) = tokio::sync::oneshot::channel::<()>();
        let (alive, gone) = tokio::sync::oneshot::channel::<()>();
        sockets.spawn(async move {
            let _alive = alive;
            let _ = dropped.await;
        });
        drop(sockets);
        assert!(gone.await.is_err(), "the connection's task was dropped");
    }
}
