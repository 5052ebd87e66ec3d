//! How many WebSocket connections each user holds, against the limit per user.
//!
//! A connection counts for the user it first speaks for: the session's at the upgrade, else
//! the user that its first admitted subscription names. Its [`Seat`] frees the place when the
//! connection ends. A connection without a session that names no one within
//! `SocketLimits::subscribe_within` is closed, so none stays open counted for nobody.

use app::domain::UserId;
use std::{
    collections::HashMap,
    num::NonZeroUsize,
    sync::{Arc, Mutex},
};

/// The open connections per user.
#[derive(Debug)]
pub struct Occupancy {
    limit: NonZeroUsize,
    held: Mutex<HashMap<UserId, usize>>,
}

/// One connection's place in its user's count.
#[derive(Debug)]
pub struct Seat {
    occupancy: Arc<Occupancy>,
    user: UserId,
}

/// A user who already holds as many connections as the limit allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("This account already has {limit} open connections; close one and try again.")]
pub struct Full {
    pub limit: usize,
}

impl Occupancy {
    pub fn new(limit: NonZeroUsize) -> Arc<Self> {
        Arc::new(Self {
            limit,
            held: Mutex::default(),
        })
    }

    /// A seat for one more connection of `user`, unless they hold the limit already.
    pub fn take(self: &Arc<Self>, user: UserId) -> Result<Seat, Full> {
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

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<UserId, usize>> {
        self.held
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl Drop for Seat {
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

    fn occupancy(limit: usize) -> Arc<Occupancy> {
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
