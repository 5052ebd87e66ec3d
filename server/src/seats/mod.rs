//! The connections-per-user limit, held across every instance that serves the site.
//!
//! [`Seats`] counts a user's connections in this process first (an [`Occupancy`], with no
//! I/O), then, where several instances may share the database, in the database's seat table
//! ([`SeatStore`]), so that the limit holds however a load balancer spreads a user's
//! connections. A [`UserSeat`] gives both places back when the connection ends.
//!
//! - [`postgres`]: seats in a table, under a lease per instance that a killed instance stops
//!   renewing; SQLite has no such store, since one process serves it.

pub mod postgres;

use crate::live::{Full, Occupancy, Seat};
use app::domain::UserId;
use async_trait::async_trait;
use std::{num::NonZeroUsize, sync::Arc};
use uuid::Uuid;

/// Why a seat was not given.
#[derive(Debug, thiserror::Error)]
pub enum SeatError {
    #[error("this account already has {limit} open connections")]
    Full { limit: usize },
    #[error("the seats' database failed")]
    Database(#[from] sqlx::Error),
}

/// One seat in the shared table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SeatId(pub Uuid);

/// The seats of every instance, in the database they share.
#[async_trait]
pub trait SeatStore: Send + Sync + 'static {
    /// A seat for one more of `user`'s connections, unless they hold `limit` already across
    /// the instances whose lease runs.
    async fn take(&self, user: UserId, limit: usize) -> Result<SeatId, SeatError>;

    /// Gives `seat` back, in the background: it is called as a connection ends.
    fn give_back(&self, seat: SeatId);
}

/// The open connections of each user, against the limit per user.
#[derive(Clone)]
pub struct Seats {
    local: Arc<Occupancy<UserId>>,
    shared: Option<Arc<dyn SeatStore>>,
}

/// A connection's place among its user's; both places are given back when it is dropped.
#[derive(Debug)]
pub struct UserSeat {
    _local: Seat<UserId>,
    _shared: Option<SharedSeat>,
}

struct SharedSeat {
    store: Arc<dyn SeatStore>,
    id: SeatId,
}

impl std::fmt::Debug for SharedSeat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("SharedSeat").field(&self.id).finish()
    }
}

impl Drop for SharedSeat {
    fn drop(&mut self) {
        self.store.give_back(self.id);
    }
}

impl Seats {
    pub fn new(limit: NonZeroUsize, shared: Option<Arc<dyn SeatStore>>) -> Self {
        Self {
            local: Occupancy::new(limit),
            shared,
        }
    }

    /// A seat for one more of `user`'s connections, here and, where there is one, in the
    /// shared table.
    pub async fn take(&self, user: UserId) -> Result<UserSeat, SeatError> {
        let local = self
            .local
            .take(user)
            .map_err(|Full { limit }| SeatError::Full { limit })?;
        let shared = match &self.shared {
            Some(store) => Some(SharedSeat {
                id: store.take(user, self.local.limit()).await?,
                store: store.clone(),
            }),
            None => None,
        };
        Ok(UserSeat {
            _local: local,
            _shared: shared,
        })
    }
}
