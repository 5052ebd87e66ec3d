//! One round: two fresh instances, A and B, of the release server on one fresh PostgreSQL
//! database (sharing its sessions and the subscription secret); the team signs up on A;
//! N subscribers connect to A and N to B, each instance's in worker processes of their own;
//! the commands all go to A. So the same commands, in the same run, give both paths: A's
//! subscribers measure one instance (A's writer wakes A's reactor), B's measure the path
//! across instances (A's commit reaches B through B's tail of the log).

use super::{
    AcrossOptions,
    report::{Path, Ratio, Row},
};
use crate::{
    command_rate::backend::{Backend, FreshDatabase},
    job::{Job, Totals, WorkerReport},
    metrics,
    plan::{self, MAX_ADDRESSES, Share},
    procfs::Probe,
    run::{
        commands::{self, Sent},
        round::subscribe_deadline,
        server::Server,
        team::Team,
        workers::Workers,
    },
};
use std::net::SocketAddr;
use tokio::time::{Instant, sleep};

pub async fn measure(
    options: &AcrossOptions,
    subscribers: usize,
) -> anyhow::Result<(Row, Row, Ratio)> {
    let database = FreshDatabase::create(Backend::Postgres).await?;
    let url = database.url();
    let a = Server::tidings(&options.server, url.as_deref()).await?;
    let b = Server::tidings(&options.server, url.as_deref()).await?;
    let team = Team::assemble(a.addr(), options.users).await?;

    let addresses =
        plan::groups_for(2 * subscribers, options.spread.per_address).min(MAX_ADDRESSES);
    let on_a = jobs(options, a.addr(), 0, subscribers, addresses, &team)?;
    let on_b = jobs(
        options,
        b.addr(),
        subscribers,
        subscribers,
        addresses,
        &team,
    )?;
    eprintln!(
        "{subscribers} subscribers per instance: {} + {} worker processes, {addresses} source addresses",
        on_a.len(),
        on_b.len()
    );
    let mut workers_a = Workers::spawn(&on_a).await?;
    let mut workers_b = Workers::spawn(&on_b).await?;
    let deadline = subscribe_deadline(2 * subscribers);
    workers_a.ready(deadline).await?;
    workers_b.ready(deadline).await?;
    sleep(options.spread.idle()).await;

    eprintln!(
        "{subscribers} subscribers per instance: sending {} commands to A at {}/s",
        options.commands, options.rate
    );
    let probes = [Probe::new(a.pid()?), Probe::new(b.pid()?)];
    let cpu_before = [probes[0].cpu_seconds()?, probes[1].cpu_seconds()?];
    let sent = commands::drive(&team, options.commands, options.rate).await;
    let drained = Instant::now() + options.spread.drain();
    let completed = workers_a.complete(drained).await? & workers_b.complete(drained).await?;
    let cpu = [
        probes[0].cpu_seconds()?.since(cpu_before[0]).total(),
        probes[1].cpu_seconds()?.since(cpu_before[1]).total(),
    ];
    let b_metrics = b.metrics().await?;
    let (reports_a, reports_b) = (workers_a.stop().await?, workers_b.stop().await?);
    a.stop().await?;
    b.stop().await?;
    // The database is dropped only now that no instance holds it.
    drop(database);
    sent.say_failures();
    if !completed {
        eprintln!(
            "not every delivery arrived within {:?}",
            options.spread.drain()
        );
    }

    let row = |path, reports: &[WorkerReport], cpu_s| {
        row(options, subscribers, path, &sent, reports, cpu_s)
    };
    let one = row(Path::OneInstance, &reports_a, cpu[0])?;
    let across = row(Path::AcrossInstances, &reports_b, cpu[1])?;
    let ratio = Ratio::of(
        &one,
        &across,
        sent.http.summary(),
        metrics::sum(&b_metrics, "tidings_listener_reconnects_total"),
    );
    Ok((one, across, ratio))
}

/// One instance's jobs: its `subscribers`, numbered from `first` run-wide (so that the two
/// instances' subscribers take the source addresses in turn), in processes of at most
/// `--per-process`.
fn jobs(
    options: &AcrossOptions,
    server: SocketAddr,
    first: usize,
    subscribers: usize,
    addresses: usize,
    team: &Team,
) -> anyhow::Result<Vec<Job>> {
    let cookies = team.cookies()?;
    let processes = plan::groups_for(subscribers, options.spread.per_process);
    Ok(plan::shares(subscribers, processes)
        .into_iter()
        .map(|share| Job {
            server,
            app_key: "tidings".into(),
            team_id: team.id.clone(),
            cookies: cookies.clone(),
            share: Share {
                first: first + share.first,
                count: share.count,
            },
            addresses,
            commands: options.commands,
            connect_concurrency: options.spread.connect_concurrency,
        })
        .collect())
}

fn row(
    options: &AcrossOptions,
    subscribers: usize,
    path: Path,
    sent: &Sent,
    reports: &[WorkerReport],
    server_cpu_s: f64,
) -> anyhow::Result<Row> {
    let totals = Totals::of(reports)?;
    let deliveries = totals.deliveries;
    let expected = subscribers as u64 * sent.count;
    Ok(Row {
        subscribers_per_instance: subscribers,
        path,
        commands: sent.count,
        failed_commands: sent.failures,
        rate_per_s: options.rate,
        expected_deliveries: expected,
        deliveries,
        missing_deliveries: expected.saturating_sub(deliveries),
        short_sockets: totals.short_sockets,
        extra_sockets: totals.extra_sockets,
        closed_sockets: totals.closed_sockets,
        foreign_frames: totals.foreign_frames,
        latency: totals.latencies.summary(),
        server_cpu_s,
    })
}
