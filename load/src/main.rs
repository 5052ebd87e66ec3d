//! `tidings-load`: fan-out load for Tidings' live channels. It speaks the Pusher Channels
//! protocol 7 and the server's HTTP API as an outside client would (like pusher-js), and
//! depends on neither `app` nor `server`.
//!
//! `tidings-load run` starts the release server, signs up a team, opens N subscribers to
//! its todo channel in several worker processes and from several loopback addresses, sends
//! `create_todo` commands at a fixed rate, and reports deliveries/s, command-to-receive
//! latency, the server's CPU per delivery and memory per idle connection.
//!
//! # Layout
//!
//! - `run`: the coordinator.
//!   - `options`: its flags.
//!   - `round`: one measured run at one subscriber count.
//!   - `server`: the server child process, on a free port with a fresh data folder.
//!   - `team`: users who sign up, one team, a reusable invite, the others join.
//!   - `workers`: the worker child processes and their line protocol.
//!   - `commands`: `create_todo` at a fixed rate, with HTTP latencies.
//!   - `report`: a row of results, as Markdown and JSON.
//!   - `children`: child processes that die with the coordinator.
//!   - `limits`: the open-files limit, raised to its hard limit.
//! - `worker`: a worker process: its subscribers and what they received.
//!   - `subscriber`: one socket: connect, authorise, subscribe, listen.
//!   - `tally`: deliveries per socket, latencies, first and last receive.
//! - `job`: the lines between coordinator and worker.
//! - `api`: server functions and `/broadcasting/auth` over HTTP, with typed errors.
//! - `frame`: the Pusher frames, and the send time read from a delivery's raw text.
//! - `plan`: subscribers split over processes and source addresses.
//! - `latency`: HDR histograms of microseconds, encoded on one line and merged.
//! - `procfs`: CPU time and resident memory of a process, from `/proc`.
//! - `metrics`: values from the server's Prometheus text.
//! - `clock`: the wall clock in microseconds, shared by sender and receivers.

mod api;
mod clock;
mod frame;
mod job;
mod latency;
mod metrics;
mod plan;
mod procfs;
mod run;
mod worker;

use clap::{Parser, Subcommand};

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
    /// One process of subscribers, driven by `run` over stdin and stdout.
    Worker,
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    // One thread per process: the coordinator's children die with the thread that spawned
    // them (PR_SET_PDEATHSIG), and each worker uses one core's worth of work at most.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    match cli.command {
        Command::Run(options) => runtime.block_on(run::run(options)),
        Command::Worker => runtime.block_on(worker::run()),
    }
}
