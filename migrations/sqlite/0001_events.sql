-- The log: Tidings' source of truth. Rows are only ever inserted, by the store's single
-- writer, one group-commit transaction at a time.

-- One row per committed command, so that a retried command is answered with its first
-- outcome and writes nothing twice. A command's events are one stream's consecutive
-- versions at consecutive positions, hence the CHECK. WITHOUT ROWID: the text key is the
-- only lookup, so the table is its own index.
CREATE TABLE commands (
    command_id     TEXT    NOT NULL PRIMARY KEY,
    stream_id      TEXT    NOT NULL,
    first_position INTEGER NOT NULL CHECK (first_position >= 1),
    last_position  INTEGER NOT NULL,
    first_version  INTEGER NOT NULL CHECK (first_version >= 1),
    last_version   INTEGER NOT NULL,
    CHECK (last_position - first_position = last_version - first_version),
    CHECK (last_version >= first_version)
) WITHOUT ROWID;

-- `position` aliases the rowid: reading after a position is a range scan of the table
-- itself. AUTOINCREMENT forbids reusing a position, even the last one's. The UNIQUE
-- constraint is optimistic concurrency, and its index serves reading a stream in version
-- order and finding a stream's current version.
CREATE TABLE events (
    position       INTEGER PRIMARY KEY AUTOINCREMENT,
    stream_id      TEXT    NOT NULL CHECK (length(stream_id) BETWEEN 1 AND 100),
    version        INTEGER NOT NULL CHECK (version >= 1),
    event_type     TEXT    NOT NULL,
    schema_version INTEGER NOT NULL CHECK (schema_version BETWEEN 0 AND 65535),
    payload        TEXT    NOT NULL CHECK (json_valid(payload)),
    actor          TEXT    NOT NULL CHECK (length(actor) = 36),
    command_id     TEXT    NOT NULL REFERENCES commands (command_id),
    -- RFC 3339, UTC, milliseconds: `2025-01-31T09:15:02.123Z`; sorts as text.
    recorded_at    TEXT    NOT NULL,
    UNIQUE (stream_id, version)
);
