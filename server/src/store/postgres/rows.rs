//! Writing a group's accepted appends, in one statement whatever the group's size: each
//! column is bound as one array and unpacked by `UNNEST`, so a group is never split to stay
//! under the protocol's 65,535 parameters, and the statement is prepared once. The same
//! statement moves the head; the group's one `NOTIFY` goes with its commit.

use super::sql_int;
use crate::store::StoreError;
use crate::store::group::Accepted;
use app::domain::Position;
use chrono::{DateTime, Utc};
use sqlx::PgConnection;

/// The channel on which each committed group announces the head it reached, as its payload.
pub const CHANNEL: &str = "tidings_log";

/// Commands first, so that each event's foreign key finds its command when it is checked,
/// at the statement's end.
const INSERT: &str = "WITH new_commands AS ( \
        INSERT INTO commands (command_id, stream_id, first_position, last_position, \
            first_version, last_version) \
        SELECT * FROM UNNEST($1::uuid[], $2::text[], $3::int8[], $4::int8[], $5::int8[], \
            $6::int8[])), \
    new_events AS ( \
        INSERT INTO events (position, stream_id, version, event_type, schema_version, \
            payload, actor, command_id, recorded_at) \
        SELECT e.position, e.stream_id, e.version, e.event_type, e.schema_version, \
            e.payload::jsonb, e.actor, e.command_id, $15 \
        FROM UNNEST($7::int8[], $8::text[], $9::int8[], $10::text[], $11::int4[], \
            $12::text[], $13::uuid[], $14::uuid[]) \
            AS e (position, stream_id, version, event_type, schema_version, payload, actor, \
                command_id)) \
    UPDATE log_head SET position = $16";

/// Writes the accepted appends and moves the head to the last of them, inside the
/// transaction that holds the head lock. Returns the new head, or `None` (and writes
/// nothing) when nothing was accepted.
pub(super) async fn insert_accepted(
    conn: &mut PgConnection,
    accepted: &[Accepted<'_>],
    recorded_at: DateTime<Utc>,
) -> Result<Option<Position>, StoreError> {
    let Some(head) = accepted.iter().map(|(_, c, _)| c.last_position).max() else {
        return Ok(None);
    };
    let commands = CommandColumns::of(accepted);
    let events = EventColumns::of(accepted);
    sqlx::query(INSERT)
        .bind(&commands.command[..])
        .bind(&commands.stream[..])
        .bind(&commands.first_position[..])
        .bind(&commands.last_position[..])
        .bind(&commands.first_version[..])
        .bind(&commands.last_version[..])
        .bind(&events.position[..])
        .bind(&events.stream[..])
        .bind(&events.version[..])
        .bind(&events.event_type[..])
        .bind(&events.schema_version[..])
        .bind(&events.payload[..])
        .bind(&events.actor[..])
        .bind(&events.command[..])
        .bind(recorded_at)
        .bind(sql_int(head.get()))
        .execute(conn)
        .await?;
    Ok(Some(head))
}

/// Announces `head` on [`CHANNEL`] when the transaction commits, and commits, in one round
/// trip. The payload is a number formatted here, so it is safe to write into the text.
pub(super) fn notify_and_commit(head: Option<Position>) -> String {
    match head {
        Some(head) => format!("SELECT pg_notify('{CHANNEL}', '{}'); COMMIT", head.get()),
        None => "COMMIT".to_owned(),
    }
}

#[derive(Default)]
struct CommandColumns<'a> {
    command: Vec<&'a str>,
    stream: Vec<&'a str>,
    first_position: Vec<i64>,
    last_position: Vec<i64>,
    first_version: Vec<i64>,
    last_version: Vec<i64>,
}

impl<'a> CommandColumns<'a> {
    fn of(accepted: &[Accepted<'a>]) -> Self {
        let mut columns = Self::default();
        for (append, committed, _) in accepted {
            columns.command.push(&append.command_text);
            columns.stream.push(append.stream.as_str());
            columns
                .first_position
                .push(sql_int(committed.first_position.get()));
            columns
                .last_position
                .push(sql_int(committed.last_position.get()));
            columns
                .first_version
                .push(sql_int(committed.first_version.get()));
            columns
                .last_version
                .push(sql_int(committed.last_version.get()));
        }
        columns
    }
}

#[derive(Default)]
struct EventColumns<'a> {
    position: Vec<i64>,
    stream: Vec<&'a str>,
    version: Vec<i64>,
    event_type: Vec<&'a str>,
    schema_version: Vec<i32>,
    payload: Vec<&'a str>,
    actor: Vec<&'a str>,
    command: Vec<&'a str>,
}

impl<'a> EventColumns<'a> {
    /// An append's events are consecutive in the log and in their stream.
    fn of(accepted: &[Accepted<'a>]) -> Self {
        let mut columns = Self::default();
        for (append, committed, _) in accepted {
            let (position, version) = (
                committed.first_position.get(),
                committed.first_version.get(),
            );
            for (offset, event) in (0..).zip(&append.events) {
                columns.position.push(sql_int(position + offset));
                columns.stream.push(append.stream.as_str());
                columns.version.push(sql_int(version + offset));
                columns.event_type.push(&event.event_type);
                columns.schema_version.push(i32::from(event.schema_version));
                columns.payload.push(&event.payload);
                columns.actor.push(&append.actor_text);
                columns.command.push(&append.command_text);
            }
        }
        columns
    }
}
