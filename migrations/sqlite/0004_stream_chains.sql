-- Each stream's events form a chain, newest first, instead of each event having an entry in
-- a `(stream_id, version)` index. With that index, every append to a long stream changed
-- that stream's own last index leaf: a whole 4 KB page written to the log per append when a
-- group's appends go to different busy streams. Now an append changes its stream's row in
-- `streams`, where many streams share a page, and only every 64th version of a stream has
-- an index entry (BENCHMARKS.md, "An eighth machine: stream chains").

-- Each stream's current version and its last event. Kept by the triggers below, so that it
-- always agrees with `events`, whoever inserts them.
CREATE TABLE streams (
    stream_id     TEXT    NOT NULL PRIMARY KEY,
    version       INTEGER NOT NULL CHECK (version >= 1),
    last_position INTEGER NOT NULL CHECK (last_position >= 1)
) WITHOUT ROWID;

-- The log as before, with `previous`: the position of the stream's event before this one,
-- none for a stream's first. Reading a stream walks these links back from the head, or
-- from the first mark (below) past the versions it wants.
CREATE TABLE events_chained (
    position       INTEGER PRIMARY KEY AUTOINCREMENT,
    stream_id      TEXT    NOT NULL CHECK (length(stream_id) BETWEEN 1 AND 100),
    version        INTEGER NOT NULL CHECK (version >= 1),
    previous       INTEGER CHECK ((version = 1) = (previous IS NULL) AND previous < position),
    event_type     TEXT    NOT NULL,
    schema_version INTEGER NOT NULL CHECK (schema_version BETWEEN 0 AND 65535),
    payload        TEXT    NOT NULL CHECK (json_valid(payload)),
    actor          TEXT    NOT NULL CHECK (length(actor) = 36),
    command_id     TEXT    NOT NULL REFERENCES commands (command_id),
    -- RFC 3339, UTC, milliseconds: `2025-01-31T09:15:02.123Z`; sorts as text.
    recorded_at    TEXT    NOT NULL
);

INSERT INTO events_chained (position, stream_id, version, previous, event_type,
    schema_version, payload, actor, command_id, recorded_at)
SELECT position, stream_id, version,
    LAG(position) OVER (PARTITION BY stream_id ORDER BY version),
    event_type, schema_version, payload, actor, command_id, recorded_at
FROM events ORDER BY position;

INSERT INTO streams (stream_id, version, last_position)
SELECT stream_id, MAX(version), MAX(position) FROM events GROUP BY stream_id;

DROP TABLE events;
ALTER TABLE events_chained RENAME TO events;

-- The marks: versions 64, 128, 192, … of each stream. A read starts at the first mark at
-- or past the last version it wants, or at the stream's last event, so it walks at most 63
-- events it does not return. Not version 1: then every new stream would add an entry.
CREATE UNIQUE INDEX events_stream_marks ON events (stream_id, version) WHERE version % 64 = 0;

-- An event must be its stream's next version and link to its stream's last event: the
-- guard that the `UNIQUE (stream_id, version)` constraint was, and more.
CREATE TRIGGER events_extend_their_stream BEFORE INSERT ON events
WHEN (NEW.version, NEW.previous) IS NOT (
    SELECT COALESCE(MAX(version), 0) + 1, MAX(last_position) FROM streams
    WHERE stream_id = NEW.stream_id)
BEGIN
    SELECT RAISE(ABORT, 'an event must be the next version of its stream and follow its last event');
END;

CREATE TRIGGER events_advance_their_stream AFTER INSERT ON events
BEGIN
    INSERT INTO streams (stream_id, version, last_position)
    VALUES (NEW.stream_id, NEW.version, NEW.position)
    ON CONFLICT (stream_id) DO UPDATE
    SET version = excluded.version, last_position = excluded.last_position;
END;
