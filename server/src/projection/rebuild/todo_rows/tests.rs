use super::*;
use app::domain::{
    Description, InternalNotes, Position, TeamId, TodoTitle, UserId, Version,
    todo::{Todo, TodoStatus},
};
use async_trait::async_trait;

/// Rebuilt tables in memory, counting their reads.
#[derive(Default)]
struct Tables {
    todos: HashMap<TodoId, TodoRow>,
    reads: usize,
}

#[async_trait]
impl BulkLoad for Tables {
    async fn todos(
        &mut self,
        todos: &[TodoId],
    ) -> Result<HashMap<TodoId, TodoRow>, ProjectionError> {
        self.reads += 1;
        Ok(todos
            .iter()
            .filter_map(|todo| self.todos.get(todo).map(|row| (*todo, row.clone())))
            .collect())
    }

    async fn write(&mut self, update: Update) -> Result<(), ProjectionError> {
        self.todos.extend(update.todos.clone());
        Ok(())
    }

    async fn finish(self: Box<Self>) -> Result<(), ProjectionError> {
        Ok(())
    }
}

fn row() -> TodoRow {
    let at = chrono::Utc::now();
    TodoRow {
        todo: Todo {
            id: TodoId::new(),
            team_id: TeamId::new(),
            author: UserId::new(),
            title: TodoTitle::parse("Water the plants").unwrap(),
            description: Description::default(),
            notes: InternalNotes::default(),
            status: TodoStatus::Draft,
            version: Version::new(1),
            shared_version: Version::new(1),
        },
        created_at: at,
        updated_at: at,
        last_position: Position::new(1),
    }
}

fn by_id(rows: &[&TodoRow]) -> BTreeMap<TodoId, TodoRow> {
    rows.iter()
        .map(|row| (row.todo.id, (*row).clone()))
        .collect()
}

#[tokio::test]
async fn rows_held_are_taken_from_memory_without_reading_the_tables() {
    let (mut tables, mut rows) = (Tables::default(), TodoRows::default());
    let (a, b) = (row(), row());
    rows.keep(&mut tables, by_id(&[&a, &b])).await.unwrap();
    let taken = rows
        .take(&mut tables, &[a.todo.id, TodoId::new()])
        .await
        .unwrap();
    assert_eq!(taken, HashMap::from([(a.todo.id, a)]));
    assert_eq!((tables.reads, tables.todos.len()), (0, 0));
}

#[tokio::test]
async fn rows_beyond_the_most_held_are_written_back_and_read_again_from_the_tables() {
    let (mut tables, mut rows) = (Tables::default(), TodoRows::holding_at_most(1));
    let (a, b) = (row(), row());
    rows.keep(&mut tables, by_id(&[&a, &b])).await.unwrap();
    assert_eq!(
        tables.todos,
        HashMap::from([(a.todo.id, a.clone()), (b.todo.id, b)])
    );
    let taken = rows.take(&mut tables, &[a.todo.id]).await.unwrap();
    assert_eq!(taken, HashMap::from([(a.todo.id, a)]));
    assert_eq!(tables.reads, 1);
}

#[tokio::test]
async fn every_row_held_is_written_back_when_the_load_ends() {
    let (mut tables, mut rows) = (Tables::default(), TodoRows::default());
    let a = row();
    rows.keep(&mut tables, by_id(&[&a])).await.unwrap();
    rows.write_back(&mut tables).await.unwrap();
    assert_eq!(tables.todos, HashMap::from([(a.todo.id, a)]));
}
