-- Each projection's position in the log, written in the same transaction as its rows.
-- The read models' own tables are created by the server (server/src/projection/schema.rs),
-- because a rebuild creates the same tables under new names and swaps them in.
CREATE TABLE projection_checkpoints (
    name     TEXT    NOT NULL PRIMARY KEY,
    position INTEGER NOT NULL CHECK (position >= 0)
);
