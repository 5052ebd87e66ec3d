//! A batch's [`Update`] written into one generation of the tables, inside the caller's
//! transaction: todos, timeline lines and team-log positions, then the rarer team changes one
//! by one, in order, and the checkpoint. Two ways, with the same statements and values
//! ([`statements`](super::statements)): through sqlx, in multi-row statements (the
//! projector's), and on the raw handle, in one blocking call, a row at a time (a rebuild's
//! bulk load: [`raw`](crate::db::sqlite::raw)).

use super::rows;
use super::statements::{self, Rows};
use crate::db::sqlite::raw::{Db, RawSqliteError};
use crate::db::sqlite::values::{Value, time_text};
use crate::projection::{ProjectionError, Tables, TodoRow, Update};
use app::domain::TodoId;
use sqlx::SqliteConnection;
use sqlx::query::Query;
use sqlx::sqlite::{Sqlite, SqliteArguments};
use std::borrow::Borrow;
use std::collections::HashMap;

/// Rows per `INSERT` statement, and todos per `SELECT`: each statement is one trip to the
/// connection's thread, and 2,048 rows of at most 12 columns stay under SQLite's 32,766
/// parameters.
const ROWS: usize = 2_048;

/// The rows of `todos` that exist, before the batch.
pub(super) async fn load_todos(
    conn: &mut SqliteConnection,
    tables: Tables,
    todos: &[TodoId],
) -> Result<HashMap<TodoId, TodoRow>, ProjectionError> {
    let mut loaded = HashMap::with_capacity(todos.len());
    for chunk in todos.chunks(ROWS) {
        let placeholders = vec!["?"; chunk.len()].join(", ");
        let sql = format!(
            "SELECT {} FROM {} WHERE todo_id IN ({placeholders})",
            rows::TODO_COLUMNS,
            tables.todos
        );
        let mut query = sqlx::query(&sql).persistent(chunk.len() == ROWS);
        for todo in chunk {
            query = query.bind(todo.to_string());
        }
        for row in query.fetch_all(&mut *conn).await? {
            let row = rows::todo(&row)?;
            loaded.insert(row.todo.id, row);
        }
    }
    Ok(loaded)
}

/// Writes `update` and moves the checkpoint to the position it reached.
pub(super) async fn write(
    conn: &mut SqliteConnection,
    tables: Tables,
    update: &Update,
) -> Result<(), ProjectionError> {
    let todos: Vec<&TodoRow> = update.todos.values().collect();
    insert(conn, &Rows::todos(tables), &todos).await?;
    insert(conn, &Rows::timeline(tables), &update.timeline).await?;
    for change in &update.teams {
        let (sql, values) = statements::team_change(tables, change);
        execute(conn, &sql, &values).await?;
    }
    insert(conn, &Rows::team_log(tables), &update.team_log).await?;
    if let Some(reached) = update.reached {
        let (sql, values) = statements::checkpoint(tables, reached);
        execute(conn, sql, &values).await?;
    }
    Ok(())
}

/// [`write`], on the raw handle: each row through one prepared statement.
pub(super) fn write_on(db: &Db<'_>, tables: Tables, update: &Update) -> Result<(), RawSqliteError> {
    insert_on(db, &Rows::todos(tables), update.todos.values())?;
    insert_on(db, &Rows::timeline(tables), &update.timeline)?;
    for change in &update.teams {
        let (sql, values) = statements::team_change(tables, change);
        db.prepare(&sql)?.run(&values)?;
    }
    insert_on(db, &Rows::team_log(tables), &update.team_log)?;
    if let Some(reached) = update.reached {
        let (sql, values) = statements::checkpoint(tables, reached);
        db.prepare(sql)?.run(&values)?;
    }
    Ok(())
}

type SqliteQuery<'q> = Query<'q, Sqlite, SqliteArguments<'q>>;

/// Inserts `rows`, [`ROWS`] to a statement. The full statements' text is always the same, so
/// sqlx prepares it once per connection and keeps it; the last, shorter one is prepared for
/// the occasion.
async fn insert<T: Sync, R: Borrow<T> + Sync, const N: usize>(
    conn: &mut SqliteConnection,
    into: &Rows<T, N>,
    rows: &[R],
) -> Result<(), ProjectionError> {
    for chunk in rows.chunks(ROWS) {
        let sql = into.sql(chunk.len());
        let mut query = sqlx::query(&sql).persistent(chunk.len() == ROWS);
        for row in chunk {
            for value in into.values(row.borrow()) {
                query = bind(query, value);
            }
        }
        query.execute(&mut *conn).await?;
    }
    Ok(())
}

fn insert_on<'r, T: 'r, const N: usize>(
    db: &Db<'_>,
    into: &Rows<T, N>,
    rows: impl IntoIterator<Item = &'r T>,
) -> Result<(), RawSqliteError> {
    let mut rows = rows.into_iter().peekable();
    if rows.peek().is_none() {
        return Ok(());
    }
    let mut statement = db.prepare(&into.sql(1))?;
    for row in rows {
        statement.run(&into.values(row))?;
    }
    Ok(())
}

async fn execute(
    conn: &mut SqliteConnection,
    sql: &str,
    values: &[Value<'_>],
) -> Result<(), ProjectionError> {
    let mut query = sqlx::query(sql);
    for value in values {
        query = bind(query, *value);
    }
    query.execute(conn).await?;
    Ok(())
}

fn bind<'q>(query: SqliteQuery<'q>, value: Value<'q>) -> SqliteQuery<'q> {
    match value {
        Value::Int(number) => query.bind(number),
        Value::Text(text) => query.bind(text),
        Value::Id(id) => query.bind(id.to_string()),
        Value::Time(at) => query.bind(time_text(at)),
        Value::Null => query.bind(None::<String>),
    }
}
