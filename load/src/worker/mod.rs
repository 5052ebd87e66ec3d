//! `tidings-load worker`: one process of subscribers. It reads its `Job` from stdin, opens
//! and subscribes its share of sockets (a bounded number at a time), says `ready`, says
//! `complete` when every event has arrived everywhere, and on `stop` prints its report.

mod subscriber;
mod tally;

use crate::job::{COMPLETE, Job, READY, STOP};
use anyhow::{Context, bail};
use std::{sync::Arc, time::Duration};
use tally::Tally;
use tokio::{
    io::{AsyncBufReadExt, BufReader, Lines, Stdin},
    sync::{Semaphore, mpsc},
};

/// How long one socket may take to connect and subscribe.
const SUBSCRIBE_TIMEOUT: Duration = Duration::from_secs(60);

pub async fn run() -> anyhow::Result<()> {
    let mut stdin = BufReader::new(tokio::io::stdin()).lines();
    let line = stdin.next_line().await?.context("no job on stdin")?;
    let job: Job = serde_json::from_str(&line).context("the job line")?;
    let tally = Arc::new(Tally::new(job.share.count, job.commands));
    subscribe_all(Arc::new(job), &tally).await?;
    say(READY);
    let stop = wait_for_stop(&mut stdin);
    tokio::pin!(stop);
    tokio::select! {
        () = tally.completed() => {
            say(COMPLETE);
            stop.await?;
        }
        stopped = &mut stop => stopped?,
    }
    say(&serde_json::to_string(&tally.report())?);
    Ok(())
}

/// Opens every socket of the share; each then listens on its own task. Fails on the first
/// socket that cannot subscribe.
async fn subscribe_all(job: Arc<Job>, tally: &Arc<Tally>) -> anyhow::Result<()> {
    let gate = Arc::new(Semaphore::new(job.connect_concurrency.max(1)));
    // Dropped once every socket is subscribed, which closes its pooled HTTP connections
    // before the coordinator measures the server's memory.
    let http = reqwest::Client::builder().no_proxy().build()?;
    let (done, mut results) = mpsc::unbounded_channel();
    for (number, index) in job.share.indices().enumerate() {
        let (job, tally, gate, http, done) = (
            job.clone(),
            tally.clone(),
            gate.clone(),
            http.clone(),
            done.clone(),
        );
        tokio::spawn(async move {
            let permit = gate.acquire_owned().await.expect("the gate stays open");
            let subscribed =
                tokio::time::timeout(SUBSCRIBE_TIMEOUT, subscriber::subscribe(&job, index, &http))
                    .await
                    .unwrap_or_else(|_| Err(anyhow::anyhow!("no subscription within a minute")))
                    .with_context(|| format!("subscriber {index}"));
            drop((permit, http));
            match subscribed {
                Ok(socket) => {
                    let _ = done.send(Ok(()));
                    subscriber::listen(socket, number, &tally).await;
                }
                Err(error) => {
                    let _ = done.send(Err(error));
                }
            }
        });
    }
    drop((done, http));
    for _ in job.share.indices() {
        results.recv().await.context("a subscriber task ended")??;
    }
    Ok(())
}

async fn wait_for_stop(stdin: &mut Lines<BufReader<Stdin>>) -> anyhow::Result<()> {
    match stdin.next_line().await? {
        Some(line) if line.trim() == STOP => Ok(()),
        Some(line) => bail!("expected {STOP:?} on stdin, got {line:?}"),
        None => bail!("stdin closed before {STOP:?}"),
    }
}

/// One line to the coordinator (stdout is line-buffered).
fn say(line: &str) {
    println!("{line}");
}
