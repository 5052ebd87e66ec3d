//! The HTTP API tests (`tests/api`), each on a PostgreSQL database of its own.

mod api;
