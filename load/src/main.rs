//! `tidings-load`: load for Tidings, chiefly fan-out on its live channels. It speaks the
//! Pusher Channels protocol 7 and the server's HTTP API as an outside client would (like
//! pusher-js), and depends on neither `app` nor `server`.
//!
//! `tidings-load run` starts the release server, signs up a team, opens N subscribers to
//! its todo channel in several worker processes and from several loopback addresses, sends
//! `create_todo` commands at a fixed rate, and reports deliveries/s, command-to-receive
//! latency, the server's CPU per delivery and memory per idle connection. With `--target
//! baseline` or `both` it measures the same against `tidings-load baseline-server`, a
//! minimal fan-out server, and reports Tidings / baseline ratios.
//!
//! `tidings-load across` measures fan-out across instances: two servers on one PostgreSQL
//! database, subscribers on both, commands on one; it reports each path's latencies and
//! their ratio.
//!
//! `tidings-load commands` measures the end-to-end command rate: N clients each sending
//! `create_todo` as soon as the last one answered (with the projection waited for), on
//! SQLite and PostgreSQL, with PostgreSQL / SQLite ratios. It depends on the workspace's
//! `test-postgres` for its fresh PostgreSQL databases.
//!
//! # Layout
//!
//! - `run`: the coordinator.
//!   - `options`: its flags; `spread`: those `across` shares.
//!   - `round`: one measured run at one subscriber count.
//!   - `target`: which server a round measures: Tidings or the baseline.
//!   - `server`: the server child process: Tidings on a free port with a fresh data
//!     folder (and a database URL, if given), or the baseline on the port it reports.
//!   - `team`: users who sign up, one team, a reusable invite, the others join.
//!   - `workers`: the worker child processes and their line protocol.
//!   - `commands`: `create_todo` at a fixed rate, with HTTP latencies.
//!   - `report`: a row of results, as Markdown and JSON.
//!   - `ratio`: Tidings / baseline, per subscriber count.
//!   - `children`: child processes that die with the coordinator.
//!   - `bounded`: a run ended by `--timeout` or Ctrl-C.
//!   - `limits`: the open-files limit, raised to its hard limit.
//! - `across`: `across`, fan-out across two instances on PostgreSQL.
//!   - `options`, `round` (one subscriber count on two fresh instances), `report`.
//! - `command_rate`: `commands`, the end-to-end command rate.
//!   - `options`, `backend` (SQLite or PostgreSQL, and a fresh database), `round` (one
//!     backend at one client count), `clients` (the closed loop), `report`.
//! - `worker`: a worker process: its subscribers and what they received.
//!   - `subscriber`: one socket: connect, authorise, subscribe, listen.
//!   - `tally`: deliveries per socket, latencies, first and last receive.
//! - `baseline`: `baseline-server`, the minimal fan-out server Tidings is compared with.
//!   - `hub`: channels to connections' bounded queues; publish never waits.
//!   - `socket`: one WebSocket connection: its task, its queue, Tidings' upgrade settings.
//!   - `protocol`: the Pusher frames it reads and writes, and the `TodoCreated` event.
//!   - `api`: the smallest HTTP answers the coordinator and workers need, and `/metrics`.
//! - `floor`: `floor`, the kernel's floor for one event fanned out to N loopback TCP
//!   sockets, with no server in the way.
//!   - `options`, `frame`, `sender` (the writing side), `receiver` (the epoll threads),
//!     `child` (the sender as a child process).
//! - `job`: the lines between coordinator and worker.
//! - `api`: server functions and `/broadcasting/auth` over HTTP, with typed errors.
//! - `frame`: the Pusher frames, and the send time read from a delivery's raw text.
//! - `plan`: subscribers split over processes and source addresses.
//! - `latency`: HDR histograms of microseconds, encoded on one line and merged.
//! - `procfs`: CPU time and resident memory of a process, from `/proc`.
//! - `metrics`: values from the server's Prometheus text.
//! - `clock`: the wall clock in microseconds, shared by sender and receivers.

mod across;
mod api;
mod baseline;
mod clock;
mod command_rate;
mod floor;
mod frame;
mod job;
mod latency;
mod metrics;
mod plan;
mod procfs;
mod run;
mod worker;

use clap::{Parser, Subcommand};

/// The allocator of Tidings' server (`server/src/main.rs`), so that the baseline server is
/// compared on the same footing: its memory per connection depends on it. The workers and
/// the coordinator, in the same binary, use it too.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Debug, Parser)]
#[command(
    name = "tidings-load",
    version,
    about = "Fan-out load for Tidings' live channels"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Start the server, run the subscriber counts, and print the results.
    Run(run::RunOptions),
    /// The end-to-end command rate: `create_todo` from N concurrent clients, each waiting
    /// for its answer, on each backend; prints commands/s and latencies.
    Commands(command_rate::CommandRateOptions),
    /// Fan-out across instances: two servers on one fresh PostgreSQL database, subscribers
    /// on both, commands on the first; prints each path's latencies and their ratio.
    Across(across::AcrossOptions),
    /// One process of subscribers, driven by `run` over stdin and stdout.
    Worker,
    /// The minimal fan-out server that `run --target baseline` measures; prints its address.
    BaselineServer(baseline::ServeOptions),
    /// The kernel's floor: one frame written to N loopback TCP sockets per round by a
    /// process with no runtime, received by epoll threads; prints a table row.
    Floor(floor::FloorOptions),
    /// The writing side of `floor`, driven over stdin and stdout.
    #[command(hide = true)]
    FloorSender(floor::SenderOptions),
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    // One thread for the coordinator and each worker: the coordinator's children die with
    // the thread that spawned them (PR_SET_PDEATHSIG), and each worker uses one core's worth
    // of work at most. The baseline server, like Tidings' (`#[tokio::main]`), has one
    // runtime thread per core.
    let one_thread = || {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
    };
    match cli.command {
        Command::Run(options) => one_thread()?.block_on(run::run(options)),
        Command::Across(options) => one_thread()?.block_on(across::run(options)),
        Command::Commands(options) => one_thread()?.block_on(command_rate::run(options)),
        Command::Worker => one_thread()?.block_on(worker::run()),
        Command::BaselineServer(options) => tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()?
            .block_on(baseline::serve(options)),
        Command::Floor(options) => Ok(floor::run(options)?),
        Command::FloorSender(options) => Ok(floor::serve_sender(options)?),
    }
}
