//! Which connection listens to which channel, as Tidings' hub keeps it: one map of channels
//! to connections, behind one lock. Publishing hands the one shared frame to each
//! subscriber's bounded queue and never waits: a full queue drops the subscriber, counts an
//! overflow and tells its connection, which closes.

use std::{
    collections::HashMap,
    sync::{
        Arc, Mutex, MutexGuard,
        atomic::{AtomicU64, Ordering},
    },
};
use tokio::sync::{Notify, mpsc};

/// A frame, serialised once and shared by every subscriber.
pub type Frame = Arc<str>;

/// Where a connection's frames go, and how it learns that it fell behind.
#[derive(Clone)]
pub struct Outbox {
    pub frames: mpsc::Sender<Frame>,
    pub overflowed: Arc<Notify>,
}

impl Outbox {
    /// A queue of `depth` frames, and the receiving end for the connection's task.
    pub fn new(depth: usize) -> (Self, mpsc::Receiver<Frame>) {
        let (frames, receiver) = mpsc::channel(depth);
        let outbox = Self {
            frames,
            overflowed: Arc::new(Notify::new()),
        };
        (outbox, receiver)
    }
}

type Channels = HashMap<String, HashMap<u64, Outbox>>;

#[derive(Default)]
pub struct Hub {
    channels: Mutex<Channels>,
    next: AtomicU64,
    overflows: AtomicU64,
}

impl Hub {
    pub fn connection_id(&self) -> u64 {
        self.next.fetch_add(1, Ordering::Relaxed)
    }

    pub fn subscribe(&self, channel: &str, connection: u64, outbox: Outbox) {
        self.lock()
            .entry(channel.to_owned())
            .or_default()
            .insert(connection, outbox);
    }

    pub fn unsubscribe(&self, channel: &str, connection: u64) {
        let mut channels = self.lock();
        if let Some(subscribers) = channels.get_mut(channel) {
            subscribers.remove(&connection);
            if subscribers.is_empty() {
                channels.remove(channel);
            }
        }
    }

    /// Queues `frame` for every subscriber of `channel`; returns how many got it.
    pub fn publish(&self, channel: &str, frame: &Frame) -> usize {
        let mut channels = self.lock();
        let Some(subscribers) = channels.get_mut(channel) else {
            return 0;
        };
        let mut delivered = 0;
        subscribers.retain(|_, outbox| match outbox.frames.try_send(frame.clone()) {
            Ok(()) => {
                delivered += 1;
                true
            }
            Err(mpsc::error::TrySendError::Full(_)) => {
                self.overflows.fetch_add(1, Ordering::Relaxed);
                outbox.overflowed.notify_one();
                false
            }
            Err(mpsc::error::TrySendError::Closed(_)) => false,
        });
        if subscribers.is_empty() {
            channels.remove(channel);
        }
        delivered
    }

    /// Subscriptions over all channels.
    pub fn subscriptions(&self) -> usize {
        self.lock().values().map(HashMap::len).sum()
    }

    /// Subscribers dropped because their queue was full.
    pub fn overflows(&self) -> u64 {
        self.overflows.load(Ordering::Relaxed)
    }

    fn lock(&self) -> MutexGuard<'_, Channels> {
        self.channels
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_frame_reaches_every_subscriber_of_its_channel_only() {
        let hub = Hub::default();
        let (a, mut a_frames) = Outbox::new(4);
        let (b, mut b_frames) = Outbox::new(4);
        hub.subscribe("team", hub.connection_id(), a);
        hub.subscribe("other", hub.connection_id(), b);
        let frame: Frame = Arc::from("hello");
        assert_eq!(hub.publish("team", &frame), 1);
        assert_eq!(a_frames.recv().await.unwrap(), frame);
        assert!(b_frames.try_recv().is_err());
        assert_eq!(hub.subscriptions(), 2);
    }

    #[tokio::test]
    async fn a_full_queue_drops_its_subscriber_counts_an_overflow_and_tells_it() {
        let hub = Hub::default();
        let (slow, _slow_frames) = Outbox::new(1);
        let overflowed = slow.overflowed.clone();
        let (fast, _fast_frames) = Outbox::new(8);
        hub.subscribe("team", hub.connection_id(), slow);
        hub.subscribe("team", hub.connection_id(), fast);
        let frame: Frame = Arc::from("hello");
        assert_eq!(hub.publish("team", &frame), 2);
        assert_eq!(hub.publish("team", &frame), 1, "the slow one overflowed");
        overflowed.notified().await;
        assert_eq!((hub.overflows(), hub.subscriptions()), (1, 1));
    }

    #[test]
    fn unsubscribing_the_last_subscriber_forgets_the_channel() {
        let hub = Hub::default();
        let (outbox, _frames) = Outbox::new(1);
        let connection = hub.connection_id();
        hub.subscribe("team", connection, outbox);
        hub.unsubscribe("team", connection);
        assert_eq!(hub.subscriptions(), 0);
        assert_eq!(hub.publish("team", &Arc::from("hello")), 0);
    }
}
