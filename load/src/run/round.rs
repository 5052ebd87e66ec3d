//! One measured run at one subscriber count against one server (Tidings or the baseline,
//! the same steps for both), on a fresh server (so memory freed by an
//! earlier run cannot hide this run's growth): assemble the team, read the server's memory,
//! connect and subscribe everyone, let them idle, read it again; then send the commands,
//! wait for every delivery, and read the CPU time the server spent meanwhile.

use super::{
    commands::{self, Sent},
    options::RunOptions,
    report::Row,
    server::Server,
    target::Target,
    team::Team,
    workers::Workers,
};
use crate::{
    job::{Job, Totals, WorkerReport},
    metrics,
    plan::{self, MAX_ADDRESSES},
    procfs::{CpuTime, Probe},
};
use std::time::Duration;
use tokio::time::{Instant, sleep};

/// How long all subscribers may take to connect and subscribe: a base plus 20 ms each.
pub(crate) fn subscribe_deadline(subscribers: usize) -> Instant {
    Instant::now() + Duration::from_secs(30) + Duration::from_millis(20) * subscribers as u32
}

pub async fn measure(
    options: &RunOptions,
    target: Target,
    subscribers: usize,
) -> anyhow::Result<Row> {
    let server = Server::start(target, options).await?;
    let probe = Probe::new(server.pid()?);
    let team = Team::assemble(server.addr(), options.users).await?;
    sleep(Duration::from_secs(1)).await;
    let rss_before = probe.rss_bytes()?;

    let jobs = jobs(options, subscribers, &server, &team)?;
    eprintln!(
        "{target}, {subscribers} subscribers: {} worker processes, {} source addresses",
        jobs.len(),
        jobs[0].addresses
    );
    let mut workers = Workers::spawn(&jobs).await?;
    workers.ready(subscribe_deadline(subscribers)).await?;
    sleep(options.spread.idle()).await;
    let rss_after = probe.rss_bytes()?;
    let idle_metrics = server.metrics().await?;

    eprintln!(
        "{target}, {subscribers} subscribers: sending {} commands at {}/s",
        options.commands, options.rate
    );
    let cpu_before = (probe.cpu_seconds()?, workers.cpu_seconds()?);
    let sent = commands::drive(&team, options.commands, options.rate).await;
    let completed = workers
        .complete(Instant::now() + options.spread.drain())
        .await?;
    let cpu = (
        probe.cpu_seconds()?.since(cpu_before.0),
        workers.cpu_seconds()? - cpu_before.1,
    );
    let final_metrics = server.metrics().await?;
    let reports = workers.stop().await?;
    server.stop().await?;
    sent.say_failures();
    if !completed {
        eprintln!(
            "not every delivery arrived within {:?}",
            options.spread.drain()
        );
    }

    let measured = Measured {
        target,
        subscribers,
        processes: jobs.len(),
        addresses: jobs[0].addresses,
        sent,
        reports,
        cpu,
        rss: (rss_before, rss_after),
        idle_metrics,
        final_metrics,
    };
    measured.into_row(options)
}

fn jobs(
    options: &RunOptions,
    subscribers: usize,
    server: &Server,
    team: &Team,
) -> anyhow::Result<Vec<Job>> {
    let processes = options
        .processes
        .unwrap_or_else(|| plan::groups_for(subscribers, options.spread.per_process));
    let addresses = plan::groups_for(subscribers, options.spread.per_address).min(MAX_ADDRESSES);
    let cookies = team.cookies()?;
    Ok(plan::shares(subscribers, processes)
        .into_iter()
        .map(|share| Job {
            server: server.addr(),
            app_key: "tidings".into(),
            team_id: team.id.clone(),
            cookies: cookies.clone(),
            share,
            addresses,
            commands: options.commands,
            connect_concurrency: options.spread.connect_concurrency,
        })
        .collect())
}

/// Everything read during a run, before it becomes a row.
struct Measured {
    target: Target,
    subscribers: usize,
    processes: usize,
    addresses: usize,
    sent: Sent,
    reports: Vec<WorkerReport>,
    /// CPU seconds of the server and of the workers while the commands ran.
    cpu: (CpuTime<f64>, f64),
    rss: (u64, u64),
    idle_metrics: String,
    final_metrics: String,
}

impl Measured {
    fn into_row(self, options: &RunOptions) -> anyhow::Result<Row> {
        let totals = Totals::of(&self.reports)?;
        let deliveries = totals.deliveries;
        let expected = self.subscribers as u64 * self.sent.count;
        let window_s = totals
            .last_receive_micros
            .map(|last| last.saturating_sub(self.sent.first_sent_micros) as f64 / 1e6)
            .unwrap_or(0.0);
        let (rss_before, rss_after) = self.rss;
        let (server_cpu, workers_cpu) = self.cpu;
        Ok(Row {
            target: self.target,
            subscribers: self.subscribers,
            processes: self.processes,
            source_addresses: self.addresses,
            users: options.users,
            commands: self.sent.count,
            failed_commands: self.sent.failures,
            rate_per_s: options.rate,
            server_connections: metrics::sum(&self.idle_metrics, "tidings_connections"),
            server_subscriptions: metrics::sum(&self.idle_metrics, "tidings_subscriptions"),
            expected_deliveries: expected,
            deliveries,
            missing_deliveries: expected.saturating_sub(deliveries),
            short_sockets: totals.short_sockets,
            extra_sockets: totals.extra_sockets,
            closed_sockets: totals.closed_sockets,
            foreign_frames: totals.foreign_frames,
            deliveries_per_s: if window_s > 0.0 {
                deliveries as f64 / window_s
            } else {
                0.0
            },
            latency: totals.latencies.summary(),
            command_http: self.sent.http.summary(),
            window_s,
            server_cpu_s: server_cpu.total(),
            server_system_cpu_s: server_cpu.system,
            server_cpu_us_per_delivery: server_cpu.total() * 1e6 / deliveries.max(1) as f64,
            workers_cpu_s: workers_cpu,
            rss_before_bytes: rss_before,
            rss_after_bytes: rss_after,
            rss_per_connection_bytes: (rss_after as f64 - rss_before as f64)
                / self.subscribers.max(1) as f64,
            queue_overflows: metrics::sum(&self.final_metrics, "tidings_queue_overflows_total"),
            broadcast_lag_events: metrics::sum(&self.final_metrics, "tidings_broadcast_lag_events"),
        })
    }
}
