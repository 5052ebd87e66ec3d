//! How many of something each holder has open, against a limit per holder: WebSocket
//! connections per user, connections without a session per client address, replays per
//! user.
//!
//! A connection counts for the user it first speaks for: the session's at the upgrade, else
//! the user that its first admitted subscription names. Its [`Seat`] frees the place when the
//! connection ends. A connection without a session that names no one within
//! `SocketLimits::subscribe_within` is closed, so none stays open counted for nobody.

use std::{
    collections::HashMap,
    hash::Hash,
    num::NonZeroUsize,
    sync::{Arc, Mutex},
};

/// What each holder (a user, an address) has open.
#[derive(Debug)]
pub struct Occupancy<K> {
    limit: NonZeroUsize,
    held: Mutex<HashMap<K, usize>>,
}

/// One place in its holder's count, given back when dropped.
#[derive(Debug)]
pub struct Seat<K: Copy + Eq + Hash> {
    occupancy: Arc<Occupancy<K>>,
    user: K,
}

/// A holder who already has as many as the limit allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Full {
    pub limit: usize,
}

impl<K: Copy + Eq + Hash> Occupancy<K> {
    pub fn new(limit: NonZeroUsize) -> Arc<Self> {
        Arc::new(Self {
            limit,
            held: Mutex::default(),
        })
    }

    /// The most each holder may have open.
    pub fn limit(&self) -> usize {
        self.limit.get()
    }

    /// A seat for one more of `user`'s, unless they hold the limit already.
    pub fn take(self: &Arc<Self>, user: K) -> Result<Seat<K>, Full> {
        let mut held = self.lock();
        let count = held.entry(user).or_default();
        if *count >= self.limit.get() {
            return Err(Full {
                limit: self.limit.get(),
            });
        }
        *count += 1;
        Ok(Seat {
            occupancy: self.clone(),
            user,
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<K, usize>> {
        self.held
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl<K: Copy + Eq + Hash> Drop for Seat<K> {
    fn drop(&mut self) {
        let mut held = self.occupancy.lock();
        if let Some(count) = held.get_mut(&self.user) {
            *count -= 1;
            if *count == 0 {
                held.remove(&self.user);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::domain::UserId;

    fn occupancy(limit: usize) -> Arc<Occupancy<UserId>> {
        Occupancy::new(NonZeroUsize::new(limit).unwrap())
    }

    #[test]
    fn a_user_gets_seats_up_to_the_limit_and_no_more() {
        let occupancy = occupancy(2);
        let ada = UserId::new();
        let _first = occupancy.take(ada).unwrap();
        let _second = occupancy.take(ada).unwrap();
        assert_eq!(occupancy.take(ada).unwrap_err(), Full { limit: 2 });
    }

    #[test]
    fn each_user_has_their_own_count() {
        let occupancy = occupancy(1);
        let _ada = occupancy.take(UserId::new()).unwrap();
        assert!(occupancy.take(UserId::new()).is_ok());
    }

    #[test]
    fn a_seat_given_back_can_be_taken_again() {
        let occupancy = occupancy(1);
        let ada = UserId::new();
        drop(occupancy.take(ada).unwrap());
        let _again = occupancy.take(ada).unwrap();
        assert!(occupancy.take(ada).is_err());
        assert!(occupancy.lock().len() == 1);
    }
}
