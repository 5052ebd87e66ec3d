//! Rows sent with `COPY … FROM STDIN (FORMAT binary)`: how a rebuild's bulk load writes the
//! rows that are only ever inserted, timeline lines and team-log positions. PostgreSQL
//! stores copied rows several to a heap page and a WAL record, where an `INSERT` writes a
//! record per row. The live projector keeps `INSERT … UNNEST` (`writes`), so the rebuild
//! tests compare the two encodings.
//!
//! The format: a header, then per row its number of fields and each field as a length (-1
//! for NULL) and its binary value, as `send` functions write them; then a trailer.

use crate::projection::{ProjectionError, Tables, TimelineRow};
use app::domain::{Position, TeamId};
use chrono::{DateTime, TimeZone, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

/// The binary format's signature, flags and header extension length.
const HEADER: &[u8] = b"PGCOPY\n\xff\r\n\0\0\0\0\0\0\0\0\0";

pub(super) async fn timeline(
    conn: &mut PgConnection,
    tables: Tables,
    lines: &[TimelineRow],
) -> Result<(), ProjectionError> {
    let mut rows = Rows::default();
    for line in lines {
        rows.row(8);
        rows.int8(line.position.get());
        rows.uuid(line.todo.as_uuid());
        rows.int8(line.version.get());
        rows.text(&line.event_type);
        rows.uuid(line.actor.as_uuid());
        rows.timestamptz(line.recorded_at)?;
        rows.text(&line.summary);
        match line.visible_to {
            Some(user) => rows.uuid(user.as_uuid()),
            None => rows.null(),
        }
    }
    let columns = "position, todo_id, version, event_type, actor, recorded_at, summary, visible_to";
    rows.send(conn, tables.timeline, columns).await
}

pub(super) async fn team_log(
    conn: &mut PgConnection,
    tables: Tables,
    positions: &[(TeamId, Position)],
) -> Result<(), ProjectionError> {
    let mut rows = Rows::default();
    for (team, position) in positions {
        rows.row(2);
        rows.uuid(team.as_uuid());
        rows.int8(position.get());
    }
    rows.send(conn, tables.team_log, "team_id, position").await
}

/// The rows of one `COPY`, encoded.
struct Rows {
    data: Vec<u8>,
    count: usize,
}

impl Default for Rows {
    fn default() -> Self {
        Self {
            data: HEADER.to_vec(),
            count: 0,
        }
    }
}

impl Rows {
    fn row(&mut self, fields: i16) {
        self.data.extend_from_slice(&fields.to_be_bytes());
        self.count += 1;
    }

    fn field(&mut self, value: &[u8]) {
        let length = i32::try_from(value.len()).expect("a field under 2 GiB");
        self.data.extend_from_slice(&length.to_be_bytes());
        self.data.extend_from_slice(value);
    }

    fn null(&mut self) {
        self.data.extend_from_slice(&(-1i32).to_be_bytes());
    }

    /// PostgreSQL's integers are signed; no position or version comes near 2^63.
    fn int8(&mut self, value: u64) {
        let value = i64::try_from(value).unwrap_or(i64::MAX);
        self.field(&value.to_be_bytes());
    }

    fn uuid(&mut self, value: Uuid) {
        self.field(value.as_bytes());
    }

    fn text(&mut self, value: &str) {
        self.field(value.as_bytes());
    }

    /// Microseconds since 2000-01-01 UTC, cut short as sqlx cuts them when it binds a time.
    fn timestamptz(&mut self, at: DateTime<Utc>) -> Result<(), ProjectionError> {
        let epoch = Utc.with_ymd_and_hms(2000, 1, 1, 0, 0, 0).unwrap();
        let micros = (at - epoch)
            .num_microseconds()
            .ok_or_else(|| ProjectionError::Corrupt(format!("a time out of range: {at}")))?;
        self.field(&micros.to_be_bytes());
        Ok(())
    }

    async fn send(
        mut self,
        conn: &mut PgConnection,
        table: &str,
        columns: &str,
    ) -> Result<(), ProjectionError> {
        if self.count == 0 {
            return Ok(());
        }
        self.data.extend_from_slice(&(-1i16).to_be_bytes());
        let statement = format!("COPY {table} ({columns}) FROM STDIN (FORMAT binary)");
        let mut copy = conn.copy_in_raw(&statement).await?;
        copy.send(self.data).await?;
        copy.finish().await?;
        Ok(())
    }
}
