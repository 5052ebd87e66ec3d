//! The HTTP API tests (`tests/api`), each on a PostgreSQL database of its own, and the tests
//! of several instances sharing one (`tests/instances`), which only PostgreSQL allows.

mod api;
mod instances;
