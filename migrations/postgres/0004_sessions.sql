-- The sessions table, in the shape tower-sessions-sqlx-store 0.15 makes it (its own
-- `migrate` still runs at start, and finds it there). Made here, under sqlx's migration
-- lock, because that `migrate` is not safe to run from two processes at once on a new
-- database: two instances starting together both tried to create the table, and one failed
-- with a duplicate key in `pg_type`.
CREATE TABLE IF NOT EXISTS sessions (
    id          TEXT        PRIMARY KEY NOT NULL,
    data        BYTEA       NOT NULL,
    expiry_date TIMESTAMPTZ NOT NULL
);
