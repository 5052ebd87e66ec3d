//! `tidings-load floor`: the kernel's floor for fanning one event out to N loopback TCP
//! sockets on this machine, the command-to-receive latency below which no server can go.
//!
//! It starts `tidings-load floor-sender`, a child process that accepts N connections and,
//! at each round, writes one frame to every socket from a few threads with plain blocking
//! writes: no runtime, no WebSocket framing, no queue, no event to serialise. This process
//! holds the N receiving sockets, one epoll loop per thread, and records when each frame
//! arrives against the send time written into it. It reports the latencies and the CPU
//! both sides spent per delivery, to set beside `tidings-load run`'s figures for Tidings
//! and the baseline server.
//!
//! # Layout
//!
//! - `options`: the flags, checked.
//! - `frame`: a frame of a fixed size that starts with its send time.
//! - `sender`: the writing side: accept N sockets, write one frame to each per round.
//! - `receiver`: the receiving side: N sockets over a few epoll threads, a barrier per round.
//! - `child`: the sender as a child process, driven over its stdin and stdout.

mod child;
mod frame;
mod options;
mod receiver;
mod sender;

pub use child::serve_sender;
pub use options::{FloorOptions, SenderOptions};

use crate::latency::{LatencyError, Summary};
use crate::procfs::{Probe, ProcError};
use crate::run::limits::raise_open_files;
use std::{io, net::SocketAddr, time::Duration};

#[derive(Debug, thiserror::Error)]
pub enum FloorError {
    #[error(transparent)]
    Options(#[from] options::OptionsError),
    #[error("the sender process: {0}")]
    Sender(String),
    #[error("a socket: {0}")]
    Io(#[from] io::Error),
    #[error("a frame does not start with its send time: {0:?}")]
    Frame(String),
    #[error("a receiving thread panicked")]
    Receiver,
    #[error(transparent)]
    Latency(#[from] LatencyError),
    #[error(transparent)]
    Proc(#[from] ProcError),
}

/// What starts a round on the sending side and reports how long its writes took.
pub trait Rounds {
    fn fire(&mut self) -> Result<Duration, FloorError>;
}

/// One measurement, as the table in BENCHMARKS.md shows it.
#[derive(Debug, Clone)]
pub struct Report {
    pub options: FloorOptions,
    pub latency: Summary,
    pub mean_send_loop: Duration,
    pub sender_cpu_per_delivery: Duration,
    pub receiver_cpu_per_delivery: Duration,
}

/// Runs `tidings-load floor`: prints the table's header and one row.
pub fn run(options: FloorOptions) -> Result<(), FloorError> {
    options.check()?;
    raise_open_files()?;
    let mut sender = child::SenderChild::spawn(&options)?;
    let (addr, probe) = (sender.addr(), Probe::new(sender.pid()));
    let report = measure(&options, addr, &mut sender, probe)?;
    println!("{}", Report::HEADER);
    println!("{}", report.markdown());
    Ok(())
}

/// Connects the receivers to `addr`, then runs the rounds through `rounds`, reading the
/// sender's CPU time from `sender` before and after.
pub fn measure(
    options: &FloorOptions,
    addr: SocketAddr,
    rounds: &mut impl Rounds,
    sender: Probe,
) -> Result<Report, FloorError> {
    let receivers = receiver::Receivers::connect(addr, options)?;
    let me = Probe::new(std::process::id());
    let (sender_before, me_before) = (sender.cpu_seconds()?, me.cpu_seconds()?);
    let mut send_loops = Duration::ZERO;
    for _ in 0..options.rounds {
        std::thread::sleep(options.pause());
        send_loops += rounds.fire()?;
        receivers.round_done();
    }
    let sender_cpu = sender.cpu_seconds()?.since(sender_before).total();
    let receiver_cpu = me.cpu_seconds()?.since(me_before).total();
    let latencies = receivers.finish()?;
    let deliveries = (options.subscribers * options.rounds) as f64;
    let per_delivery = |seconds: f64| Duration::from_secs_f64(seconds / deliveries);
    Ok(Report {
        options: options.clone(),
        latency: latencies.summary(),
        mean_send_loop: send_loops / options.rounds as u32,
        sender_cpu_per_delivery: per_delivery(sender_cpu),
        receiver_cpu_per_delivery: per_delivery(receiver_cpu),
    })
}

impl Report {
    pub const HEADER: &str = "| subscribers | sender threads | receiver threads | frame bytes | rounds \
        | deliveries | send loop (mean) | p50 | p99 | max | sender CPU per delivery \
        | receivers' CPU per delivery |\n\
        | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |";

    pub fn markdown(&self) -> String {
        let o = &self.options;
        let ms = |d: Duration| d.as_secs_f64() * 1_000.0;
        let us = |d: Duration| d.as_secs_f64() * 1_000_000.0;
        format!(
            "| {} | {} | {} | {} | {} | {} | {:.1} ms | {:.1} ms | {:.1} ms | {:.1} ms | {:.1} µs | {:.1} µs |",
            o.subscribers,
            o.sender_threads,
            o.receiver_threads,
            o.frame_bytes,
            o.rounds,
            self.latency.count,
            ms(self.mean_send_loop),
            self.latency.p50_ms,
            self.latency.p99_ms,
            self.latency.max_ms,
            us(self.sender_cpu_per_delivery),
            us(self.receiver_cpu_per_delivery),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::{net::TcpListener, sync::mpsc, thread};

    /// The sender on a thread of this process, fired over channels instead of a pipe.
    struct InProcess {
        go: mpsc::Sender<()>,
        done: mpsc::Receiver<Duration>,
    }

    impl Rounds for InProcess {
        fn fire(&mut self) -> Result<Duration, FloorError> {
            self.go.send(()).expect("the sender thread runs");
            Ok(self.done.recv().expect("the sender thread answers"))
        }
    }

    fn options(subscribers: usize, rounds: usize) -> FloorOptions {
        FloorOptions {
            subscribers,
            rounds,
            sender_threads: 2,
            receiver_threads: 3,
            frame_bytes: 100,
            pause_ms: 1,
        }
    }

    #[test]
    fn every_socket_receives_every_round_once() {
        let options = options(50, 3);
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let (go, go_rx) = mpsc::channel();
        let (done_tx, done) = mpsc::channel();
        let sender_options = options.sender();
        let sender = thread::spawn(move || {
            sender::serve(listener, &sender_options, go_rx.iter(), |took| {
                done_tx.send(took).map_err(std::io::Error::other)
            })
        });
        let mut rounds = InProcess { go, done };
        let report = measure(&options, addr, &mut rounds, Probe::new(std::process::id())).unwrap();
        drop(rounds);
        sender.join().unwrap().unwrap();
        assert_eq!(report.latency.count, 150);
        assert!(report.markdown().contains("| 50 | 2 | 3 | 100 | 3 | 150 |"));
    }
}
