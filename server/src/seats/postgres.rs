//! Seats in PostgreSQL (`migrations/postgres/0003_seats.sql`), under a lease per instance.
//!
//! Each instance registers itself with a lease and a keeper task renews it every third of
//! its length. A user's seats are counted under the leases that still run, inside a
//! transaction that holds an advisory lock on the user, so two instances cannot both give the
//! last seat. A killed instance stops renewing: its seats stop counting when its lease runs
//! out, and go when another instance clears the expired lease. A seat given back is deleted
//! by the keeper, off the connection's path.

use super::{SeatError, SeatId, SeatStore};
use app::domain::UserId;
use async_trait::async_trait;
use sqlx::PgPool;
use std::time::Duration;
use tokio::{sync::mpsc, task::JoinHandle};
use uuid::Uuid;

/// A class for this table's advisory locks, so they cannot collide with another's.
const LOCK_CLASS: i32 = 0x5EA7;

pub struct PgSeats {
    pool: PgPool,
    instance: Uuid,
    given_back: mpsc::UnboundedSender<SeatId>,
}

impl PgSeats {
    /// Registers this instance under a lease of `lease`, and starts the task that renews it
    /// and deletes the seats given back; the task ends when the store is dropped.
    pub async fn start(
        pool: PgPool,
        lease: Duration,
    ) -> Result<(Self, JoinHandle<()>), sqlx::Error> {
        let instance = Uuid::now_v7();
        register(&pool, instance, lease).await?;
        let (given_back, returned) = mpsc::unbounded_channel();
        let keeper = tokio::spawn(keep(pool.clone(), instance, lease, returned));
        Ok((
            Self {
                pool,
                instance,
                given_back,
            },
            keeper,
        ))
    }
}

#[async_trait]
impl SeatStore for PgSeats {
    async fn take(&self, user: UserId, limit: usize) -> Result<SeatId, SeatError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("SELECT pg_advisory_xact_lock($1, hashtext($2))")
            .bind(LOCK_CLASS)
            .bind(user.to_string())
            .execute(&mut *tx)
            .await?;
        let held: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM seats JOIN instances USING (instance_id) \
             WHERE seats.user_id = $1 AND instances.lease_until > now()",
        )
        .bind(user.as_uuid())
        .fetch_one(&mut *tx)
        .await?;
        if usize::try_from(held).unwrap_or(usize::MAX) >= limit {
            return Err(SeatError::Full { limit });
        }
        let seat = Uuid::now_v7();
        sqlx::query("INSERT INTO seats (seat_id, user_id, instance_id) VALUES ($1, $2, $3)")
            .bind(seat)
            .bind(user.as_uuid())
            .bind(self.instance)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(SeatId(seat))
    }

    fn give_back(&self, seat: SeatId) {
        // The keeper has stopped only if the process is stopping, and its seats with it.
        if self.given_back.send(seat).is_err() {
            tracing::debug!("a seat was given back after the keeper stopped");
        }
    }
}

async fn register(pool: &PgPool, instance: Uuid, lease: Duration) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO instances (instance_id, lease_until) VALUES ($1, now() + $2) \
         ON CONFLICT (instance_id) DO UPDATE SET lease_until = excluded.lease_until",
    )
    .bind(instance)
    .bind(lease)
    .execute(pool)
    .await?;
    Ok(())
}

/// Renews the lease every third of its length, clears expired ones (with their seats), and
/// deletes each seat given back, until every seat sender is gone. A seat whose delete failed
/// (the database away) is deleted again with the next renewal: otherwise it would count
/// for as long as this instance runs.
async fn keep(
    pool: PgPool,
    instance: Uuid,
    lease: Duration,
    mut given_back: mpsc::UnboundedReceiver<SeatId>,
) {
    let mut renew = tokio::time::interval(lease / 3);
    renew.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut undeleted: Vec<Uuid> = Vec::new();
    loop {
        tokio::select! {
            seat = given_back.recv() => {
                let Some(SeatId(seat)) = seat else { return };
                undeleted.push(seat);
            }
            _ = renew.tick() => {
                if let Err(error) = renew_lease(&pool, instance, lease).await {
                    tracing::warn!(%error, "cannot renew this instance's seat lease; trying again");
                }
            }
        }
        if undeleted.is_empty() {
            continue;
        }
        match delete(&pool, &undeleted).await {
            Ok(()) => undeleted.clear(),
            Err(error) => {
                tracing::warn!(%error, seats = undeleted.len(), "cannot give seats back; trying again with the next renewal");
            }
        }
    }
}

async fn delete(pool: &PgPool, seats: &[Uuid]) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM seats WHERE seat_id = ANY($1)")
        .bind(seats)
        .execute(pool)
        .await?;
    Ok(())
}

/// Renews this instance's lease (registering it again if another instance cleared it as
/// expired, which also deleted its seats: they count again only as connections are made), and
/// clears the leases that ran out.
async fn renew_lease(pool: &PgPool, instance: Uuid, lease: Duration) -> Result<(), sqlx::Error> {
    let renewed =
        sqlx::query("UPDATE instances SET lease_until = now() + $2 WHERE instance_id = $1")
            .bind(instance)
            .bind(lease)
            .execute(pool)
            .await?;
    if renewed.rows_affected() == 0 {
        tracing::warn!("this instance's lease had run out and was cleared; registering again");
        register(pool, instance, lease).await?;
    }
    sqlx::query("DELETE FROM instances WHERE lease_until < now()")
        .execute(pool)
        .await?;
    Ok(())
}
