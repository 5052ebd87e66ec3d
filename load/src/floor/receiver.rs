//! The receiving side: the sockets, split over threads that each run one epoll loop (mio)
//! over their share. A thread's round is done once each of its sockets has received one
//! frame; it then meets the other threads and the coordinator at a barrier.

use super::{FloorError, FloorOptions, frame};
use crate::{clock::unix_micros, latency::Latencies};
use mio::{Events, Interest, Poll, Token, net::TcpStream};
use std::{
    io::{self, ErrorKind, Read},
    net::SocketAddr,
    sync::{Arc, Barrier},
    thread::{self, JoinHandle},
    time::Duration,
};

/// How long a round may wait for its next frame before it fails.
const ROUND_TIMEOUT: Duration = Duration::from_secs(30);

pub struct Receivers {
    threads: Vec<JoinHandle<Result<Latencies, FloorError>>>,
    barrier: Arc<Barrier>,
}

impl Receivers {
    /// Connects every socket (here, so that a refused one fails at once), then starts the
    /// threads.
    pub fn connect(addr: SocketAddr, options: &FloorOptions) -> Result<Self, FloorError> {
        let barrier = Arc::new(Barrier::new(options.receiver_threads + 1));
        let mut threads = Vec::with_capacity(options.receiver_threads);
        for share in shares(options.subscribers, options.receiver_threads) {
            let poll = Poll::new()?;
            let sockets = (0..share)
                .map(|index| Socket::connect(addr, &poll, Token(index)))
                .collect::<io::Result<Vec<_>>>()?;
            let thread = Thread {
                poll,
                sockets,
                frame_bytes: options.frame_bytes,
                latencies: Latencies::default(),
            };
            let (barrier, rounds) = (Arc::clone(&barrier), options.rounds);
            threads.push(thread::spawn(move || thread.run(rounds, &barrier)));
        }
        Ok(Self { threads, barrier })
    }

    /// Waits until every socket has received the round's frame.
    pub fn round_done(&self) {
        self.barrier.wait();
    }

    /// The latencies of every thread, once all rounds are done.
    pub fn finish(self) -> Result<Latencies, FloorError> {
        let mut all = Latencies::default();
        for thread in self.threads {
            all.merge(&thread.join().map_err(|_| FloorError::Receiver)??)?;
        }
        Ok(all)
    }
}

/// `n` split over `parts` as evenly as it goes.
fn shares(n: usize, parts: usize) -> impl Iterator<Item = usize> {
    (0..parts).map(move |part| n / parts + usize::from(part < n % parts))
}

struct Thread {
    poll: Poll,
    sockets: Vec<Socket>,
    frame_bytes: usize,
    latencies: Latencies,
}

impl Thread {
    /// Meets the barrier once per round even after a failure, so that the coordinator
    /// never waits for a thread that stopped.
    fn run(mut self, rounds: usize, barrier: &Barrier) -> Result<Latencies, FloorError> {
        let mut events = Events::with_capacity(1024);
        let mut outcome = Ok(());
        for _ in 0..rounds {
            if outcome.is_ok() {
                outcome = self.round(&mut events);
            }
            barrier.wait();
        }
        outcome.map(|()| self.latencies)
    }

    fn round(&mut self, events: &mut Events) -> Result<(), FloorError> {
        let mut waiting = self.sockets.len();
        while waiting > 0 {
            self.poll.poll(events, Some(ROUND_TIMEOUT))?;
            if events.is_empty() {
                return Err(FloorError::Sender(format!(
                    "{waiting} sockets got no frame within {ROUND_TIMEOUT:?}"
                )));
            }
            for event in events.iter() {
                let socket = &mut self.sockets[event.token().0];
                let frames = socket.read_frames(self.frame_bytes, &mut self.latencies)?;
                waiting = waiting.saturating_sub(frames);
            }
        }
        Ok(())
    }
}

struct Socket {
    stream: TcpStream,
    /// Bytes of a frame that has not arrived whole yet.
    pending: Vec<u8>,
}

impl Socket {
    fn connect(addr: SocketAddr, poll: &Poll, token: Token) -> io::Result<Self> {
        let stream = std::net::TcpStream::connect(addr)?;
        stream.set_nonblocking(true)?;
        let mut stream = TcpStream::from_std(stream);
        poll.registry()
            .register(&mut stream, token, Interest::READABLE)?;
        Ok(Self {
            stream,
            pending: Vec::new(),
        })
    }

    /// Reads until the socket has nothing more (epoll is edge-triggered), recording each
    /// whole frame's latency; returns how many frames were whole.
    fn read_frames(
        &mut self,
        frame_bytes: usize,
        latencies: &mut Latencies,
    ) -> Result<usize, FloorError> {
        let mut buffer = [0; 4096];
        let mut frames = 0;
        loop {
            match self.stream.read(&mut buffer) {
                Ok(0) => {
                    return Err(FloorError::Sender("it closed a socket".into()));
                }
                Ok(read) => self.pending.extend_from_slice(&buffer[..read]),
                Err(error) if error.kind() == ErrorKind::WouldBlock => break,
                Err(error) if error.kind() == ErrorKind::Interrupted => {}
                Err(error) => return Err(error.into()),
            }
        }
        let received = unix_micros();
        while self.pending.len() >= frame_bytes {
            let sent = frame::sent_micros(&self.pending[..frame_bytes])?;
            latencies.record(received.saturating_sub(sent));
            self.pending.drain(..frame_bytes);
            frames += 1;
        }
        Ok(frames)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_add_up_and_differ_by_one_at_most() {
        let split = |n, parts| shares(n, parts).collect::<Vec<_>>();
        assert_eq!(split(10, 3), [4, 3, 3]);
        assert_eq!(split(9, 3), [3, 3, 3]);
        assert_eq!(split(1, 1), [1]);
        assert_eq!(split(10_000, 2).iter().sum::<usize>(), 10_000);
    }
}
