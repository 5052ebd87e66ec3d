//! One round: one backend at one client count, on a fresh database and a fresh server
//! (so that neither an earlier round's rows nor its caches help this one). Assemble the
//! team, run the clients through the warm-up and the window, and read the CPU that the
//! server and this tool used over the window.

use super::{
    CommandRateOptions,
    backend::{Backend, FreshDatabase},
    clients::{self, Tally, Window},
    report::Row,
};
use crate::{
    procfs::{CpuTime, Probe, ProcError},
    run::{server::Server, team::Team},
};
use tokio::time::sleep_until;

pub async fn measure(
    options: &CommandRateOptions,
    backend: Backend,
    clients: usize,
) -> anyhow::Result<Row> {
    let database = FreshDatabase::create(backend).await?;
    let server = Server::tidings(&options.server, database.url().as_deref()).await?;
    let users = options.users_for(clients);
    eprintln!("{backend}, {clients} clients: signing up {users} users");
    let team = Team::assemble(server.addr(), users).await?;

    eprintln!(
        "{backend}, {clients} clients: {:?} of warm-up, then {:?} measured",
        options.warm_up(),
        options.seconds()
    );
    let window = Window::after(options.warm_up(), options.seconds());
    let probes = [Probe::new(server.pid()?), Probe::new(std::process::id())];
    let cpu = tokio::spawn(cpu_over(window, probes));
    let tally = clients::drive(&team.users, &team.id, clients, window).await;
    let cpu = cpu.await??;
    server.stop().await?;
    // The PostgreSQL database is dropped only now that no server holds it.
    drop(database);
    Ok(row(backend, clients, users, options.seconds, tally, cpu))
}

fn row(
    backend: Backend,
    clients: usize,
    users: usize,
    window_s: f64,
    tally: Tally,
    [server_cpu, load_tool_cpu]: [CpuTime<f64>; 2],
) -> Row {
    let answered = tally.answered.summary();
    Row {
        backend,
        clients,
        users,
        window_s,
        commands: answered.count,
        commands_per_s: answered.count as f64 / window_s,
        latency: answered,
        errors: tally.errors,
        first_error: tally.first_error,
        server_cpu: server_cpu.total() / window_s,
        load_tool_cpu: load_tool_cpu.total() / window_s,
    }
}

/// The CPU time each process used between the window's opening and its closing.
async fn cpu_over(window: Window, probes: [Probe; 2]) -> Result<[CpuTime<f64>; 2], ProcError> {
    let read = || -> Result<[CpuTime<f64>; 2], ProcError> {
        Ok([probes[0].cpu_seconds()?, probes[1].cpu_seconds()?])
    };
    sleep_until(window.opens).await;
    let opened = read()?;
    sleep_until(window.closes).await;
    let closed = read()?;
    Ok([closed[0].since(opened[0]), closed[1].since(opened[1])])
}
