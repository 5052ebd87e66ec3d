//! The writing side: accepts the subscribers' connections, then at each round writes one
//! frame, stamped with the round's start, to every socket, the sockets split over scoped
//! threads that make plain blocking writes.

use super::{FloorError, SenderOptions, frame};
use crate::clock::unix_micros;
use std::{
    io::{self, Write},
    net::{TcpListener, TcpStream},
    thread,
    time::{Duration, Instant},
};

/// Runs one round per item of `rounds`, and hands `report` how long its writes took.
pub fn serve(
    listener: TcpListener,
    options: &SenderOptions,
    rounds: impl IntoIterator<Item = ()>,
    mut report: impl FnMut(Duration) -> io::Result<()>,
) -> Result<(), FloorError> {
    let mut sockets = (0..options.subscribers)
        .map(|_| {
            let (socket, _) = listener.accept()?;
            socket.set_nodelay(true)?;
            Ok(socket)
        })
        .collect::<io::Result<Vec<TcpStream>>>()?;
    let share = options.subscribers.div_ceil(options.threads);
    for () in rounds {
        let started = Instant::now();
        let frame = frame::encode(unix_micros(), options.frame_bytes);
        thread::scope(|scope| {
            let writers: Vec<_> = sockets
                .chunks_mut(share)
                .map(|part| {
                    let frame = &frame;
                    scope.spawn(move || part.iter_mut().try_for_each(|s| s.write_all(frame)))
                })
                .collect();
            writers.into_iter().try_for_each(|writer| {
                writer
                    .join()
                    .map_err(|_| FloorError::Sender("a writing thread panicked".into()))?
                    .map_err(FloorError::from)
            })
        })?;
        report(started.elapsed())?;
    }
    Ok(())
}
