-- Each projection's position in the log, written in the same transaction as its rows, and
-- locked FOR UPDATE by the projector that writes them, so that projectors on several
-- processes take turns. The read models' own tables are created by the server
-- (server/src/projection/schema.rs), because a rebuild creates the same tables under new
-- names and swaps them in.
CREATE TABLE projection_checkpoints (
    name     TEXT   NOT NULL PRIMARY KEY,
    position BIGINT NOT NULL CHECK (position >= 0)
);

-- The shape of the read models' tables (projection::Tables::SHAPE): what SQLite keeps in
-- its header's user_version.
CREATE TABLE read_model_shape (
    id    BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (id),
    shape BIGINT  NOT NULL
);

-- Accounts. They are credentials, not domain state, so they are a table rather than events:
-- the log never holds a password hash. Every event names its actor by `user_id`.
CREATE TABLE users (
    user_id       UUID        NOT NULL PRIMARY KEY,
    email         TEXT        NOT NULL UNIQUE,
    display_name  TEXT        NOT NULL,
    password_hash TEXT        NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL
);
