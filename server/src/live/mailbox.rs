//! A connection's mailbox: the bounded queue of frames waiting to be written to it. The hub
//! posts without ever waiting; a full mailbox is marked overflowed instead, and its
//! connection closes with the reconnect code. A mailbox is also where the server tells a
//! connection to end for another reason: its session signed out.
//!
//! One small allocation per connection, and nothing more while it is empty: tens of
//! thousands of idle connections each hold one (a tokio `mpsc` channel took about 700 bytes).

use super::hub::Frame;
use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard};
use tokio::sync::Notify;

pub struct Mailbox {
    queue: Mutex<Queue>,
    depth: usize,
    /// Wakes the connection when frames arrive.
    arrived: Notify,
    /// Wakes the connection when it must end.
    ending: Notify,
}

#[derive(Default)]
struct Queue {
    frames: VecDeque<Arc<Frame>>,
    ended: Option<End>,
    closed: bool,
}

/// Why the server ends a connection through its mailbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    /// More frames waited than the mailbox holds.
    Overflowed,
    /// The session the connection was opened with signed out.
    SignedOut,
}

/// What became of a posted frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Posted {
    Queued,
    /// The mailbox was full: it takes nothing more, and its connection is told.
    Overflowed,
    /// Its connection is gone.
    Closed,
}

impl Mailbox {
    /// A mailbox that holds at most `depth` frames (at least one).
    pub fn new(depth: usize) -> Arc<Self> {
        Arc::new(Self {
            queue: Mutex::default(),
            depth: depth.max(1),
            arrived: Notify::new(),
            ending: Notify::new(),
        })
    }

    pub fn post(&self, frame: &Arc<Frame>) -> Posted {
        let mut queue = self.lock();
        if queue.closed || queue.ended.is_some() {
            return Posted::Closed;
        }
        if queue.frames.len() >= self.depth {
            drop(queue);
            self.end(End::Overflowed);
            return Posted::Overflowed;
        }
        queue.frames.push_back(Arc::clone(frame));
        drop(queue);
        self.arrived.notify_one();
        Posted::Queued
    }

    /// Waits until at least one frame is queued, then takes every queued frame. Never
    /// returns while the mailbox is empty.
    pub async fn take(&self) -> Vec<Arc<Frame>> {
        loop {
            {
                let mut queue = self.lock();
                if !queue.frames.is_empty() {
                    let taken = queue.frames.drain(..).collect();
                    // A burst's capacity is not kept by an idle connection.
                    queue.frames.shrink_to(SPARE_SLOTS);
                    return taken;
                }
            }
            self.arrived.notified().await;
        }
    }

    /// Tells the connection to end: it takes nothing more. The first reason given stands.
    pub fn end(&self, why: End) {
        let mut queue = self.lock();
        if queue.ended.is_none() {
            queue.ended = Some(why);
            queue.frames = VecDeque::new();
        }
        drop(queue);
        self.ending.notify_one();
    }

    /// Resolves once the connection must end, with the reason.
    pub async fn ended(&self) -> End {
        loop {
            if let Some(why) = self.lock().ended {
                return why;
            }
            self.ending.notified().await;
        }
    }

    /// The connection is gone: nothing more is queued, and what was is dropped.
    pub fn close(&self) {
        let mut queue = self.lock();
        queue.closed = true;
        queue.frames = VecDeque::new();
    }

    fn lock(&self) -> MutexGuard<'_, Queue> {
        self.queue
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// The slots an emptied queue keeps: one event's frames on a connection's few channels.
const SPARE_SLOTS: usize = 4;

#[cfg(test)]
mod tests {
    use super::*;
    use app::{domain::Position, domain::TeamId, live::Channel};
    use std::time::Duration;

    fn frame(position: u64) -> Arc<Frame> {
        Arc::new(Frame {
            channel: Channel::Team(TeamId::new()),
            position: Position::new(position),
            text: axum::extract::ws::Utf8Bytes::from_static("hello"),
        })
    }

    fn positions(frames: &[Arc<Frame>]) -> Vec<u64> {
        frames.iter().map(|f| f.position.get()).collect()
    }

    #[tokio::test]
    async fn frames_posted_before_a_take_all_come_out_of_it_in_order() {
        let mailbox = Mailbox::new(4);
        for position in 1..=3 {
            assert_eq!(mailbox.post(&frame(position)), Posted::Queued);
        }
        assert_eq!(positions(&mailbox.take().await), [1, 2, 3]);
    }

    #[tokio::test]
    async fn a_take_waits_for_the_next_frame() {
        let mailbox = Mailbox::new(4);
        let waiting = tokio::spawn({
            let mailbox = Arc::clone(&mailbox);
            async move { positions(&mailbox.take().await) }
        });
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert!(!waiting.is_finished());
        mailbox.post(&frame(7));
        assert_eq!(waiting.await.unwrap(), [7]);
    }

    #[tokio::test]
    async fn the_frame_past_the_depth_overflows_the_mailbox_for_good() {
        let mailbox = Mailbox::new(2);
        assert_eq!(mailbox.post(&frame(1)), Posted::Queued);
        assert_eq!(mailbox.post(&frame(2)), Posted::Queued);
        assert_eq!(mailbox.post(&frame(3)), Posted::Overflowed);
        assert_eq!(mailbox.ended().await, End::Overflowed);
        assert_eq!(mailbox.post(&frame(4)), Posted::Closed);
    }

    #[tokio::test]
    async fn a_mailbox_told_to_end_keeps_its_first_reason_and_takes_nothing_more() {
        let mailbox = Mailbox::new(2);
        mailbox.post(&frame(1));
        mailbox.end(End::SignedOut);
        mailbox.end(End::Overflowed);
        assert_eq!(mailbox.ended().await, End::SignedOut);
        assert_eq!(mailbox.post(&frame(2)), Posted::Closed);
    }

    #[tokio::test]
    async fn an_emptied_mailbox_takes_frames_again_up_to_its_depth() {
        let mailbox = Mailbox::new(2);
        mailbox.post(&frame(1));
        mailbox.post(&frame(2));
        assert_eq!(positions(&mailbox.take().await), [1, 2]);
        assert_eq!(mailbox.post(&frame(3)), Posted::Queued);
        assert_eq!(mailbox.post(&frame(4)), Posted::Queued);
        assert_eq!(positions(&mailbox.take().await), [3, 4]);
    }

    #[test]
    fn a_closed_mailbox_takes_nothing() {
        let mailbox = Mailbox::new(2);
        mailbox.post(&frame(1));
        mailbox.close();
        assert_eq!(mailbox.post(&frame(2)), Posted::Closed);
    }
}
