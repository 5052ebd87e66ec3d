//! The todo rows a rebuild has folded so far, kept in memory from page to page and written
//! to the rebuilt tables when the load ends, or earlier, all at once, when there are more
//! than [`HELD`]. A todo's events are spread over the log, so a page would otherwise read
//! back and write again most of the todos it touches.

use crate::projection::{BulkLoad, ProjectionError, TodoRow, Update};
use app::domain::TodoId;
use std::collections::{BTreeMap, HashMap};

/// The most rows held: about 50 MB of todos of a typical size.
const HELD: usize = 100_000;

/// Rows per transaction when they are written back: about as many as a page of the log
/// writes, so that on SQLite appends wait no longer for them.
const PER_WRITE: usize = 8_192;

pub(super) struct TodoRows {
    held: HashMap<TodoId, TodoRow>,
    /// Whether rows were written back before: only then can a todo not held be in the tables.
    written: bool,
    /// The most rows held before they are all written back.
    most: usize,
}

impl Default for TodoRows {
    fn default() -> Self {
        Self::holding_at_most(HELD)
    }
}

impl TodoRows {
    fn holding_at_most(most: usize) -> Self {
        Self {
            held: HashMap::new(),
            written: false,
            most,
        }
    }

    /// The rows of `todos` as the pages so far left them (those that exist), taken out until
    /// [`keep`](Self::keep) gives back what the next page made of them.
    pub(super) async fn take(
        &mut self,
        next: &mut dyn BulkLoad,
        todos: &[TodoId],
    ) -> Result<HashMap<TodoId, TodoRow>, ProjectionError> {
        let mut rows = HashMap::with_capacity(todos.len());
        let mut missing = Vec::new();
        for todo in todos {
            match self.held.remove(todo) {
                Some(row) => {
                    rows.insert(*todo, row);
                }
                None => missing.push(*todo),
            }
        }
        if self.written && !missing.is_empty() {
            rows.extend(next.todos(&missing).await?);
        }
        Ok(rows)
    }

    /// Holds the rows a page left, and writes them all back when there are too many.
    pub(super) async fn keep(
        &mut self,
        next: &mut dyn BulkLoad,
        rows: BTreeMap<TodoId, TodoRow>,
    ) -> Result<(), ProjectionError> {
        self.held.extend(rows);
        if self.held.len() > self.most {
            self.write_back(next).await?;
        }
        Ok(())
    }

    /// Writes every row held to the rebuilt tables, [`PER_WRITE`] to a transaction, in the
    /// order of their ids: each then lands just after the one before it in the table's key
    /// index, rather than anywhere in it (inserting 24,000 rows so took about a quarter
    /// less time than in the map's order, in a test outside the server).
    pub(super) async fn write_back(
        &mut self,
        next: &mut dyn BulkLoad,
    ) -> Result<(), ProjectionError> {
        let mut rows: Vec<(TodoId, TodoRow)> = std::mem::take(&mut self.held).into_iter().collect();
        rows.sort_unstable_by_key(|(todo, _)| *todo);
        let mut rows = rows.into_iter().peekable();
        while rows.peek().is_some() {
            let update = Update {
                todos: rows.by_ref().take(PER_WRITE).collect(),
                ..Update::default()
            };
            next.write(update).await?;
        }
        self.written = true;
        Ok(())
    }
}

#[cfg(test)]
mod tests;
