//! Statements run on a connection's raw SQLite handle, in one blocking call: how a rebuild
//! reads the log and writes a page of rows in bulk.
//!
//! Through sqlx, each statement is a trip to the connection's own thread, each value bound
//! is copied into an owned argument before SQLite copies it again, and each row read is
//! handed from that thread to the caller's task on its own; a page of the bulk load binds
//! about 200,000 values, and the log is read in pages of thousands of rows. Here each row
//! goes through a prepared statement, its text bound in place, and rows read are handed to
//! the caller's closure as SQLite holds them. The caller holds sqlx's lock on the handle
//! ([`LockedSqliteHandle`]) for the whole call, so no other thread uses the handle
//! meanwhile, and every statement made here is finalized before the lock is given back.

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
pub(crate) struct Db<'l> {
    handle: NonNull<ffi::sqlite3>,
    _locked: PhantomData<&'l mut ()>,
}

impl<'l> Db<'l> {
    pub(crate) fn new(locked: &'l mut LockedSqliteHandle<'_>) -> Self {
        Self {
            handle: locked.as_raw_handle(),
            _locked: PhantomData,
        }
    }

    /// Runs `write` in a transaction that holds the write lock from its start
    /// (`BEGIN IMMEDIATE`) and commits it; rolls it back if `write` or the commit fails.
    pub(crate) fn in_transaction<E: From<RawSqliteError>>(
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
    pub(crate) fn prepare(&self, sql: &str) -> Result<Statement<'_>, RawSqliteError> {
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
pub(crate) struct Statement<'db> {
    statement: NonNull<ffi::sqlite3_stmt>,
    parameters: usize,
    db: &'db Db<'db>,
}

impl Statement<'_> {
    /// Binds `values` to the statement's parameters, in order, and runs it to its end.
    pub(crate) fn run(&mut self, values: &[Value<'_>]) -> Result<(), RawSqliteError> {
        self.bound(values, Self::step)
    }

    /// Binds `values` to the statement's parameters, in order, and hands each row it answers
    /// to `row`, in order, until the last or the first error, which is answered. The
    /// statement is reset after, which ends the read transaction it ran in, unless an
    /// explicit one is open.
    pub(crate) fn each_row<E: From<RawSqliteError>>(
        &mut self,
        values: &[Value<'_>],
        mut row: impl FnMut(&Row<'_, '_>) -> Result<(), E>,
    ) -> Result<(), E> {
        self.bound(values, |statement| {
            while statement.next_row()? {
                row(&Row {
                    statement: &*statement,
                })?;
            }
            Ok(())
        })
    }

    /// Binds `values`, runs `then`, and resets the statement whatever it answered.
    fn bound<E: From<RawSqliteError>>(
        &mut self,
        values: &[Value<'_>],
        then: impl FnOnce(&mut Self) -> Result<(), E>,
    ) -> Result<(), E> {
        if values.len() != self.parameters {
            return Err(RawSqliteError {
                code: ffi::SQLITE_RANGE,
                message: format!("{} values for {} parameters", values.len(), self.parameters),
            }
            .into());
        }
        let ran = match self.bind_all(values) {
            Ok(()) => then(self),
            Err(error) => Err(error.into()),
        };
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
    /// (`SQLITE_STATIC`): [`bound`](Self::bound) clears the parameters before the text can
    /// go.
    /// Text made here is copied by SQLite (`SQLITE_TRANSIENT`).
    fn bind(&mut self, index: c_int, value: Value<'_>) -> Result<c_int, RawSqliteError> {
        let statement = self.statement.as_ptr();
        // SAFETY (each call): the statement is prepared and not finalized, `index` is one of
        // its parameters (`bound` checked the count), and text is valid for the length given.
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
        match self.next_row()? {
            false => Ok(()),
            true => Err(RawSqliteError {
                code: ffi::SQLITE_MISUSE,
                message: "a statement run for its effect answered a row".to_owned(),
            }),
        }
    }

    /// Steps to the statement's next row: `false` once there is none.
    fn next_row(&mut self) -> Result<bool, RawSqliteError> {
        // SAFETY: the statement is prepared and not finalized; its parameters are bound.
        match unsafe { ffi::sqlite3_step(self.statement.as_ptr()) } {
            ffi::SQLITE_ROW => Ok(true),
            ffi::SQLITE_DONE => Ok(false),
            code => Err(self.db.error(code)),
        }
    }
}

/// The row a statement stands on, lent to [`Statement::each_row`]'s closure: the statement
/// steps again only once the closure has returned, and with it anything borrowed from here.
pub(crate) struct Row<'s, 'db> {
    statement: &'s Statement<'db>,
}

impl Row<'_, '_> {
    /// The column's integer; `None` when SQLite holds anything else there (a text, a NULL):
    /// no value is converted.
    pub(crate) fn int(&self, column: usize) -> Result<Option<i64>, RawSqliteError> {
        let (statement, index) = self.column(column)?;
        // SAFETY: the statement stands on a row (see `Row`) and `index` is one of its
        // columns. The type is asked first, as SQLite's value is still the one it holds.
        Ok(unsafe {
            (ffi::sqlite3_column_type(statement, index) == ffi::SQLITE_INTEGER)
                .then(|| ffi::sqlite3_column_int64(statement, index))
        })
    }

    /// The column's text as SQLite holds it (the bytes it was given, not checked to be
    /// UTF-8); `None` when SQLite holds anything else there (a number, a NULL).
    pub(crate) fn text(&self, column: usize) -> Result<Option<&[u8]>, RawSqliteError> {
        let (statement, index) = self.column(column)?;
        // SAFETY: the statement stands on a row (see `Row`) and `index` is one of its
        // columns. The type is asked first, as SQLite's value is still the one it holds;
        // the text is a text, so asking for it converts nothing, and its length is asked
        // after it, as SQLite's documentation orders.
        let (text, length) = unsafe {
            if ffi::sqlite3_column_type(statement, index) != ffi::SQLITE_TEXT {
                return Ok(None);
            }
            let text = ffi::sqlite3_column_text(statement, index);
            (text, ffi::sqlite3_column_bytes(statement, index))
        };
        if text.is_null() {
            // Only when SQLite could not allocate the text.
            return Err(self.statement.db.error(ffi::SQLITE_NOMEM));
        }
        let length = usize::try_from(length).unwrap_or(0);
        // SAFETY: SQLite's text is `length` bytes, valid until the statement steps, is reset
        // or is finalized, none of which can happen while `self` (and so the slice, which
        // borrows it) is borrowed.
        Ok(Some(unsafe { std::slice::from_raw_parts(text, length) }))
    }

    /// The statement, and `column` as SQLite numbers it, if the row has that column.
    fn column(&self, column: usize) -> Result<(*mut ffi::sqlite3_stmt, c_int), RawSqliteError> {
        let statement = self.statement.statement.as_ptr();
        // SAFETY: the statement is prepared and not finalized.
        let columns = unsafe { ffi::sqlite3_column_count(statement) };
        match c_int::try_from(column) {
            Ok(index) if index < columns => Ok((statement, index)),
            _ => Err(RawSqliteError {
                code: ffi::SQLITE_RANGE,
                message: format!("no column {column} among {columns}"),
            }),
        }
    }
}

impl Drop for Statement<'_> {
    fn drop(&mut self) {
        // SAFETY: the statement is prepared and finalized only here. What `finalize`
        // answers is the statement's last error, which `run` or `each_row` already reported.
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
    async fn rows_are_read_in_order_each_column_as_the_type_sqlite_holds() {
        let conn = connection().await;
        let (_conn, read) = in_transaction(conn, |db| {
            let mut insert = db.prepare("INSERT INTO t (n, s) VALUES (?, ?)")?;
            insert.run(&[Value::Int(1), Value::Text("one")])?;
            insert.run(&[Value::Int(2), Value::Null])?;
            let mut read = Vec::new();
            db.prepare("SELECT n, s FROM t WHERE n >= ? ORDER BY n")?
                .each_row(&[Value::Int(1)], |row| {
                    let text = row.text(1)?.map(|text| text.to_vec());
                    read.push((row.int(0)?, row.int(1)?, row.text(0)?.is_some(), text));
                    Ok::<_, RawSqliteError>(())
                })?;
            let expected = vec![
                (Some(1), None, false, Some(b"one".to_vec())),
                (Some(2), None, false, None),
            ];
            assert_eq!(read, expected, "no value is converted to another type");
            Ok(())
        })
        .await;
        read.unwrap();
    }

    #[tokio::test]
    async fn a_column_the_row_does_not_have_is_an_error() {
        let (_conn, read) = in_transaction(connection().await, |db| {
            db.prepare("SELECT 1")?
                .each_row(&[], |row| row.int(1).map(|_| ()))
        })
        .await;
        assert_eq!(read.unwrap_err().code, ffi::SQLITE_RANGE);
    }

    #[tokio::test]
    async fn an_error_from_the_closure_stops_the_rows_and_is_answered() {
        let (mut conn, read) = in_transaction(connection().await, |db| {
            let mut insert = db.prepare("INSERT INTO t (n) VALUES (?)")?;
            for n in 1..=3 {
                insert.run(&[Value::Int(n)])?;
            }
            let mut seen = 0;
            db.prepare("SELECT n FROM t ORDER BY n")?
                .each_row(&[], |_| {
                    seen += 1;
                    Err(RawSqliteError {
                        code: ffi::SQLITE_ABORT,
                        message: format!("stopped after {seen}"),
                    })
                })
        })
        .await;
        assert_eq!(read.unwrap_err().message, "stopped after 1");
        assert_eq!(
            rows(&mut conn).await,
            vec![],
            "the transaction was rolled back"
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
