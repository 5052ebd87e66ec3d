//! The worker processes of a run (this binary, as `tidings-load worker`): each gets its job
//! as a line on stdin and answers with lines on stdout (see `job`).

use super::children;
use crate::{
    job::{COMPLETE, Job, READY, STOP, WorkerReport},
    procfs::Probe,
};
use anyhow::{Context, bail};
use futures_util::future::join_all;
use std::process::Stdio;
use tokio::{
    io::{AsyncBufReadExt, AsyncWriteExt, BufReader, Lines},
    process::{Child, ChildStdin, ChildStdout},
    time::Instant,
};

pub struct Worker {
    number: usize,
    child: Child,
    stdin: ChildStdin,
    stdout: Lines<BufReader<ChildStdout>>,
}

impl Worker {
    async fn spawn(number: usize, job: &Job) -> anyhow::Result<Self> {
        let me = std::env::current_exe().context("finding this binary")?;
        let mut child = children::command(me)
            .arg("worker")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .context("starting a worker")?;
        let mut stdin = child.stdin.take().context("the worker's stdin")?;
        let stdout = BufReader::new(child.stdout.take().context("the worker's stdout")?).lines();
        stdin
            .write_all(format!("{}\n", serde_json::to_string(job)?).as_bytes())
            .await?;
        Ok(Self {
            number,
            child,
            stdin,
            stdout,
        })
    }

    async fn next_line(&mut self) -> anyhow::Result<String> {
        match self.stdout.next_line().await? {
            Some(line) => Ok(line),
            None => {
                let status = self.child.wait().await?;
                bail!(
                    "worker {} ended ({status}); its errors are above",
                    self.number
                )
            }
        }
    }

    async fn expect(&mut self, expected: &str) -> anyhow::Result<()> {
        let line = self.next_line().await?;
        if line != expected {
            bail!("worker {} said {line:?}, not {expected:?}", self.number);
        }
        Ok(())
    }

    async fn stop(&mut self) -> anyhow::Result<WorkerReport> {
        self.stdin.write_all(format!("{STOP}\n").as_bytes()).await?;
        let mut line = self.next_line().await?;
        // A worker may complete between the coordinator's deadline and its stop.
        while line == COMPLETE {
            line = self.next_line().await?;
        }
        let report = serde_json::from_str(&line)
            .with_context(|| format!("worker {}'s report: {line}", self.number))?;
        self.child.wait().await?;
        Ok(report)
    }
}

pub struct Workers(Vec<Worker>);

impl Workers {
    pub async fn spawn(jobs: &[Job]) -> anyhow::Result<Self> {
        let mut workers = Vec::with_capacity(jobs.len());
        for (number, job) in jobs.iter().enumerate() {
            workers.push(Worker::spawn(number, job).await?);
        }
        Ok(Self(workers))
    }

    /// User plus system CPU seconds that the workers used so far.
    pub fn cpu_seconds(&self) -> anyhow::Result<f64> {
        let mut total = 0.0;
        for worker in &self.0 {
            let pid = worker.child.id().context("a worker has exited")?;
            total += Probe::new(pid).cpu_seconds()?.total();
        }
        Ok(total)
    }

    /// Waits until every worker has subscribed all its sockets.
    pub async fn ready(&mut self, deadline: Instant) -> anyhow::Result<()> {
        let all = join_all(self.0.iter_mut().map(|worker| worker.expect(READY)));
        let results = tokio::time::timeout_at(deadline, all)
            .await
            .context("the subscribers were not all subscribed in time")?;
        results.into_iter().collect()
    }

    /// Whether every worker reported every event before `deadline`.
    pub async fn complete(&mut self, deadline: Instant) -> anyhow::Result<bool> {
        let all = join_all(self.0.iter_mut().map(|worker| worker.expect(COMPLETE)));
        match tokio::time::timeout_at(deadline, all).await {
            Ok(results) => results
                .into_iter()
                .collect::<anyhow::Result<()>>()
                .map(|()| true),
            Err(_) => Ok(false),
        }
    }

    pub async fn stop(mut self) -> anyhow::Result<Vec<WorkerReport>> {
        join_all(self.0.iter_mut().map(Worker::stop))
            .await
            .into_iter()
            .collect()
    }
}
