//! Statements run on a connection's raw SQLite handle, in one blocking call: how the
//! rebuild's bulk load writes a page of rows.
//!
//! Through sqlx, each statement is a trip to the connection's own thread, and each value is
//! copied into an owned argument before SQLite copies it again; a page of the bulk load binds
//! about 200,000 values. Here each row goes through a prepared single-row statement, its text
//! bound in place. The caller holds sqlx's lock on the handle ([`LockedSqliteHandle`]) for
//! the whole call, so no other thread uses the handle meanwhile, and every statement made
//! here is finalized before the lock is given back.

use super::values::{Value, time_text};
use libsqlite3_sys as ffi;
use sqlx::sqlite::LockedSqliteHandle;
use std::ffi::{CStr, c_char, c_int};
use std::marker::PhantomData;
use std::ptr::{self, NonNull};

/// A call into SQLite that failed: its extended result code and its message.
#[derive(Debug, thiserror::Error)]
#[error("SQLite answered {code}: {message}")]
pub struct RawSqliteError {
    code: i32,
    message: String,
}

/// The handle, for as long as the lock it was taken from is borrowed.
pub(super) struct Db<'l> {
    handle: NonNull<ffi::sqlite3>,
    _locked: PhantomData<&'l mut ()>,
}

impl<'l> Db<'l> {
    pub(super) fn new(locked: &'l mut LockedSqliteHandle<'_>) -> Self {
        Self {
            handle: locked.as_raw_handle(),
            _locked: PhantomData,
        }
    }

    /// Runs `write` in a transaction that holds the write lock from its start
    /// (`BEGIN IMMEDIATE`) and commits it; rolls it back if `write` or the commit fails.
    pub(super) fn in_transaction<E: From<RawSqliteError>>(
        &self,
        write: impl FnOnce(&Self) -> Result<(), E>,
    ) -> Result<(), E> {
        self.execute(c"BEGIN IMMEDIATE")?;
        let written = write(self).and_then(|()| Ok(self.execute(c"COMMIT")?));
        // SAFETY: the handle is open and this thread alone uses it while the lock is held.
        let open = unsafe { ffi::sqlite3_get_autocommit(self.handle.as_ptr()) } == 0;
        if written.is_err()
            && open
            && let Err(error) = self.execute(c"ROLLBACK")
        {
            // The connection is closed once the load fails, which rolls back as well.
            tracing::warn!(%error, "rolling back a page of the bulk load failed");
        }
        written
    }

    /// Runs `sql`, which binds no values.
    fn execute(&self, sql: &CStr) -> Result<(), RawSqliteError> {
        // SAFETY: the handle is open and this thread alone uses it while the lock is held;
        // `sql` is NUL-terminated; no callback or error message is asked for.
        let code = unsafe {
            ffi::sqlite3_exec(
                self.handle.as_ptr(),
                sql.as_ptr(),
                None,
                ptr::null_mut(),
                ptr::null_mut(),
            )
        };
        self.check(code)
    }

    /// `sql` prepared: one statement, run as many times as it is given values.
    pub(super) fn prepare(&self, sql: &str) -> Result<Statement<'_>, RawSqliteError> {
        let length = c_int::try_from(sql.len()).map_err(|_| too_big("a statement"))?;
        let mut statement = ptr::null_mut();
        // SAFETY: the handle is open and this thread alone uses it while the lock is held;
        // `sql` is valid for `length` bytes, which SQLite reads without a NUL after them.
        let code = unsafe {
            ffi::sqlite3_prepare_v2(
                self.handle.as_ptr(),
                sql.as_ptr().cast::<c_char>(),
                length,
                &mut statement,
                ptr::null_mut(),
            )
        };
        self.check(code)?;
        let statement = NonNull::new(statement).ok_or_else(|| RawSqliteError {
            code: ffi::SQLITE_MISUSE,
            message: format!("no statement in {sql:?}"),
        })?;
        // SAFETY: `statement` was just prepared and is not finalized until the `Statement`
        // that owns it is dropped.
        let parameters = unsafe { ffi::sqlite3_bind_parameter_count(statement.as_ptr()) };
        Ok(Statement {
            statement,
            parameters: usize::try_from(parameters).unwrap_or(0),
            db: self,
        })
    }

    fn check(&self, code: c_int) -> Result<(), RawSqliteError> {
        if code == ffi::SQLITE_OK {
            Ok(())
        } else {
            Err(self.error(code))
        }
    }

    /// The error SQLite reports for the call on this handle that just answered `code`.
    fn error(&self, code: c_int) -> RawSqliteError {
        // SAFETY: the handle is open and this thread alone uses it while the lock is held;
        // SQLite's message is a NUL-terminated string, valid until the next call on the
        // handle, and copied before it.
        let message = unsafe { CStr::from_ptr(ffi::sqlite3_errmsg(self.handle.as_ptr())) };
        // SAFETY: as above.
        let extended = unsafe { ffi::sqlite3_extended_errcode(self.handle.as_ptr()) };
        RawSqliteError {
            code: if extended == ffi::SQLITE_OK {
                code
            } else {
                extended
            },
            message: message.to_string_lossy().into_owned(),
        }
    }
}

/// A prepared statement, finalized when dropped: before its [`Db`], and so before the lock.
pub(super) struct Statement<'db> {
    statement: NonNull<ffi::sqlite3_stmt>,
    parameters: usize,
    db: &'db Db<'db>,
}

impl Statement<'_> {
    /// Binds `values` to the statement's parameters, in order, and runs it to its end.
    pub(super) fn run(&mut self, values: &[Value<'_>]) -> Result<(), RawSqliteError> {
        if values.len() != self.parameters {
            return Err(RawSqliteError {
                code: ffi::SQLITE_RANGE,
                message: format!("{} values for {} parameters", values.len(), self.parameters),
            });
        }
        let ran = self.bind_all(values).and_then(|()| self.step());
        // SAFETY: the statement is prepared and not finalized; resetting it and clearing its
        // parameters leaves no pointer into `values` behind once this returns.
        unsafe {
            ffi::sqlite3_reset(self.statement.as_ptr());
            ffi::sqlite3_clear_bindings(self.statement.as_ptr());
        }
        ran
    }

    fn bind_all(&mut self, values: &[Value<'_>]) -> Result<(), RawSqliteError> {
        for (index, value) in (1..).zip(values) {
            let code = self.bind(index, *value)?;
            self.db.check(code)?;
        }
        Ok(())
    }

    /// Binds one value; answers SQLite's code. Text borrowed from `value` is bound in place
    /// (`SQLITE_STATIC`): [`run`](Self::run) clears the parameters before the text can go.
    /// Text made here is copied by SQLite (`SQLITE_TRANSIENT`).
    fn bind(&mut self, index: c_int, value: Value<'_>) -> Result<c_int, RawSqliteError> {
        let statement = self.statement.as_ptr();
        // SAFETY (each call): the statement is prepared and not finalized, `index` is one of
        // its parameters (`run` checked the count), and text is valid for the length given.
        Ok(match value {
            Value::Int(number) => unsafe { ffi::sqlite3_bind_int64(statement, index, number) },
            Value::Null => unsafe { ffi::sqlite3_bind_null(statement, index) },
            Value::Text(text) => {
                let length = c_int::try_from(text.len()).map_err(|_| too_big("a text"))?;
                unsafe {
                    ffi::sqlite3_bind_text(
                        statement,
                        index,
                        text.as_ptr().cast::<c_char>(),
                        length,
                        ffi::SQLITE_STATIC(),
                    )
                }
            }
            Value::Id(id) => {
                let mut buffer = uuid::Uuid::encode_buffer();
                let text = id.hyphenated().encode_lower(&mut buffer);
                unsafe { bind_copy(statement, index, text) }
            }
            Value::Time(at) => unsafe { bind_copy(statement, index, &time_text(at)) },
        })
    }

    /// Runs the statement to its end; it returns no rows.
    fn step(&mut self) -> Result<(), RawSqliteError> {
        // SAFETY: the statement is prepared and not finalized; its parameters are bound.
        match unsafe { ffi::sqlite3_step(self.statement.as_ptr()) } {
            ffi::SQLITE_DONE => Ok(()),
            code => Err(self.db.error(code)),
        }
    }
}

impl Drop for Statement<'_> {
    fn drop(&mut self) {
        // SAFETY: the statement is prepared and finalized only here. What `finalize`
        // answers is the statement's last error, which `run` already reported.
        unsafe { ffi::sqlite3_finalize(self.statement.as_ptr()) };
    }
}

/// Binds a short text that SQLite copies at once (`SQLITE_TRANSIENT`).
///
/// # Safety
/// `statement` is prepared and not finalized, and `index` is one of its parameters.
unsafe fn bind_copy(statement: *mut ffi::sqlite3_stmt, index: c_int, text: &str) -> c_int {
    // SAFETY: as the caller promises; the text is copied before this returns, and is far
    // shorter than `c_int::MAX` (an id or a time).
    unsafe {
        ffi::sqlite3_bind_text(
            statement,
            index,
            text.as_ptr().cast::<c_char>(),
            text.len() as c_int,
            ffi::SQLITE_TRANSIENT(),
        )
    }
}

fn too_big(what: &str) -> RawSqliteError {
    RawSqliteError {
        code: ffi::SQLITE_TOOBIG,
        message: format!("{what} longer than SQLite takes"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlx::{Connection, Executor, SqliteConnection};

    /// A connection to a new database in memory with one table, `t (n INTEGER PRIMARY KEY,
    /// s TEXT)`.
    async fn connection() -> SqliteConnection {
        let mut conn = SqliteConnection::connect("sqlite::memory:").await.unwrap();
        conn.execute("CREATE TABLE t (n INTEGER PRIMARY KEY, s TEXT)")
            .await
            .unwrap();
        conn
    }

    /// Runs `write` in a transaction on `conn`'s raw handle, on a blocking thread.
    async fn in_transaction(
        mut conn: SqliteConnection,
        write: impl FnOnce(&Db<'_>) -> Result<(), RawSqliteError> + Send + 'static,
    ) -> (SqliteConnection, Result<(), RawSqliteError>) {
        tokio::task::spawn_blocking(move || {
            let mut locked = tokio::runtime::Handle::current()
                .block_on(conn.lock_handle())
                .unwrap();
            let written = Db::new(&mut locked).in_transaction(write);
            drop(locked);
            (conn, written)
        })
        .await
        .unwrap()
    }

    async fn rows(conn: &mut SqliteConnection) -> Vec<(i64, Option<String>)> {
        sqlx::query_as("SELECT n, s FROM t ORDER BY n")
            .fetch_all(conn)
            .await
            .unwrap()
    }

    #[tokio::test]
    async fn ids_and_times_are_stored_as_text_and_a_missing_value_as_null() {
        let id = uuid::Uuid::now_v7();
        let at = chrono::Utc::now();
        let (mut conn, written) = in_transaction(connection().await, move |db| {
            let mut insert = db.prepare("INSERT INTO t (n, s) VALUES (?, ?)")?;
            insert.run(&[Value::Int(1), Value::Text("one")])?;
            insert.run(&[Value::Int(2), Value::Id(id)])?;
            insert.run(&[Value::Int(3), Value::Time(at)])?;
            insert.run(&[Value::Int(4), Value::Null])
        })
        .await;
        written.unwrap();
        let expected = vec![
            (1, Some("one".to_owned())),
            (2, Some(id.to_string())),
            (3, Some(time_text(at))),
            (4, None),
        ];
        assert_eq!(rows(&mut conn).await, expected);
        let text: bool = sqlx::query_scalar("SELECT typeof(s) = 'text' FROM t WHERE n = 2")
            .fetch_one(&mut conn)
            .await
            .unwrap();
        assert!(text, "an id is stored as text, not as a blob");
    }

    #[tokio::test]
    async fn a_row_that_fails_rolls_back_the_whole_transaction() {
        let (mut conn, written) = in_transaction(connection().await, |db| {
            let mut insert = db.prepare("INSERT INTO t (n, s) VALUES (?, ?)")?;
            insert.run(&[Value::Int(1), Value::Text("one")])?;
            insert.run(&[Value::Int(1), Value::Text("one again")])
        })
        .await;
        let error = written.unwrap_err();
        assert_eq!(error.code, ffi::SQLITE_CONSTRAINT_PRIMARYKEY, "{error}");
        assert_eq!(rows(&mut conn).await, vec![]);
        conn.execute("INSERT INTO t (n) VALUES (5)").await.unwrap();
        assert_eq!(
            rows(&mut conn).await,
            vec![(5, None)],
            "no transaction is left open"
        );
    }

    #[tokio::test]
    async fn values_that_do_not_match_the_parameters_are_refused() {
        let (mut conn, written) = in_transaction(connection().await, |db| {
            db.prepare("INSERT INTO t (n, s) VALUES (?, ?)")?
                .run(&[Value::Int(1)])
        })
        .await;
        assert_eq!(written.unwrap_err().code, ffi::SQLITE_RANGE);
        assert_eq!(rows(&mut conn).await, vec![]);
    }
}
