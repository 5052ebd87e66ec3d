//! The HTTP API tests (`tests/api`), each on an SQLite file of its own.

mod api;
