//! Rebuilding the read models from the log while the site runs: project everything into new
//! tables, then catch up the last events and swap the tables in, while no projector can write
//! the live ones.

use super::{ProjectionError, ProjectionStore, Projector, Tables};
use crate::store::EventStore;
use app::domain::Position;
use std::sync::Arc;

/// Rebuilds the read models; returns the position they were swapped in at.
pub async fn rebuild(
    views: Arc<dyn ProjectionStore>,
    log: Arc<dyn EventStore>,
) -> Result<Position, ProjectionError> {
    views.start_next().await?;
    Projector::new(views.clone(), log.clone(), Tables::NEXT)
        .catch_up()
        .await?;
    views.swap_next(log.as_ref()).await
}
