-- The log: Tidings' source of truth. Rows are only ever inserted, one group-commit
-- transaction at a time per writer, and every writer of every process takes the head row
-- below FOR UPDATE before it numbers its events: positions are handed out in commit order,
-- with no gaps, so a reader that reads `position > cursor` never skips a late commit.

-- The last position handed out. One row, locked by each group until it commits.
CREATE TABLE log_head (
    id       BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (id),
    position BIGINT  NOT NULL CHECK (position >= 0)
);
INSERT INTO log_head (id, position) VALUES (TRUE, 0);

-- One row per committed command, so that a retried command is answered with its first
-- outcome and writes nothing twice.
CREATE TABLE commands (
    command_id     UUID   NOT NULL PRIMARY KEY,
    stream_id      TEXT   NOT NULL,
    first_position BIGINT NOT NULL CHECK (first_position >= 1),
    last_position  BIGINT NOT NULL,
    first_version  BIGINT NOT NULL CHECK (first_version >= 1),
    last_version   BIGINT NOT NULL,
    CHECK (last_position - first_position = last_version - first_version),
    CHECK (last_version >= first_version)
);

-- The UNIQUE constraint is optimistic concurrency's last guard, and its index serves
-- reading a stream in version order, and finding a stream's last event: what a group reads
-- to decide its appends (so no table of streams is kept beside it, to be written by each).
CREATE TABLE events (
    position       BIGINT      NOT NULL PRIMARY KEY CHECK (position >= 1),
    stream_id      TEXT        NOT NULL CHECK (length(stream_id) BETWEEN 1 AND 100),
    version        BIGINT      NOT NULL CHECK (version >= 1),
    event_type     TEXT        NOT NULL,
    schema_version INTEGER     NOT NULL CHECK (schema_version BETWEEN 0 AND 65535),
    payload        JSONB       NOT NULL,
    actor          UUID        NOT NULL,
    command_id     UUID        NOT NULL REFERENCES commands (command_id),
    recorded_at    TIMESTAMPTZ NOT NULL,
    UNIQUE (stream_id, version)
);
