-- Accounts. They are credentials, not domain state, so they are a table rather than events:
-- the log never holds a password hash. Every event names its actor by `user_id`.
CREATE TABLE users (
    user_id       TEXT NOT NULL PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE,
    display_name  TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    created_at    TEXT NOT NULL
);
