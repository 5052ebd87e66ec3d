//! Given/when/then for every legal and every illegal move of a todo.

use super::*;
use crate::domain::{Description, InternalNotes, TeamId, TodoId, TodoTitle, UserId, Version};

struct Given(Vec<TodoEvent>);

fn given(events: Vec<TodoEvent>) -> Given {
    Given(events)
}

impl Given {
    fn when(self, command: TodoCommand) -> Result<Vec<TodoEvent>, TodoError> {
        let state = replay(&self.0);
        decide(state.as_ref(), command)
    }
}

fn title(text: &str) -> TodoTitle {
    TodoTitle::parse(text).unwrap()
}

fn created() -> TodoEvent {
    TodoEvent::Created(TodoCreated {
        todo_id: TodoId::new(),
        team_id: TeamId::new(),
        author: UserId::new(),
        title: title("Write the report"),
        description: Description::parse("Q3 figures").unwrap(),
        notes: InternalNotes::parse("ask Sam").unwrap(),
    })
}

fn history(status: TodoStatus) -> Vec<TodoEvent> {
    use TodoEvent::*;
    match status {
        TodoStatus::Draft => vec![created()],
        TodoStatus::Active => vec![created(), Activated],
        TodoStatus::Completed => vec![created(), Activated, Completed],
        TodoStatus::Archived => vec![created(), Archived],
    }
}

fn update() -> TodoCommand {
    TodoCommand::Update {
        by: UserId::new(),
        title: title("Write the final report"),
        description: Description::parse("Q3 and Q4").unwrap(),
        notes: None,
    }
}

fn command_for(action: TodoAction) -> TodoCommand {
    match action {
        TodoAction::Activate => TodoCommand::Activate,
        TodoAction::Update => update(),
        TodoAction::Complete => TodoCommand::Complete,
        TodoAction::Reopen => TodoCommand::Reopen,
        TodoAction::Archive => TodoCommand::Archive,
    }
}

#[test]
fn creating_a_todo_makes_a_draft() {
    let id = TodoId::new();
    let events = given(vec![])
        .when(TodoCommand::Create(TodoCreated {
            todo_id: id,
            team_id: TeamId::new(),
            author: UserId::new(),
            title: title("Buy milk"),
            description: Description::default(),
            notes: InternalNotes::default(),
        }))
        .unwrap();
    let todo = replay(&events).unwrap();
    assert_eq!(todo.id, id);
    assert_eq!(todo.status, TodoStatus::Draft);
    assert_eq!(todo.version, Version::new(1));
}

#[test]
fn creating_a_todo_twice_is_refused() {
    let Some(TodoEvent::Created(first)) = history(TodoStatus::Draft).pop() else {
        unreachable!()
    };
    let again = TodoCommand::Create(first);
    assert_eq!(
        given(history(TodoStatus::Draft)).when(again),
        Err(TodoError::AlreadyExists)
    );
}

#[test]
fn any_command_but_create_on_a_missing_todo_is_not_found() {
    for action in [
        TodoAction::Activate,
        TodoAction::Update,
        TodoAction::Complete,
        TodoAction::Reopen,
        TodoAction::Archive,
    ] {
        assert_eq!(
            given(vec![]).when(command_for(action)),
            Err(TodoError::NotFound)
        );
    }
}

#[test]
fn activating_a_draft_makes_it_active() {
    assert_eq!(
        given(history(TodoStatus::Draft)).when(TodoCommand::Activate),
        Ok(vec![TodoEvent::Activated])
    );
}

#[test]
fn completing_an_active_todo_makes_it_completed() {
    assert_eq!(
        given(history(TodoStatus::Active)).when(TodoCommand::Complete),
        Ok(vec![TodoEvent::Completed])
    );
}

#[test]
fn reopening_a_completed_todo_makes_it_active_again() {
    let mut events = history(TodoStatus::Completed);
    let decided = given(events.clone()).when(TodoCommand::Reopen).unwrap();
    assert_eq!(decided, vec![TodoEvent::Reopened]);
    events.extend(decided);
    assert_eq!(replay(&events).unwrap().status, TodoStatus::Active);
}

#[test]
fn draft_active_and_completed_todos_can_be_archived() {
    for status in [TodoStatus::Draft, TodoStatus::Active, TodoStatus::Completed] {
        assert_eq!(
            given(history(status)).when(TodoCommand::Archive),
            Ok(vec![TodoEvent::Archived]),
            "archiving a {status} todo"
        );
    }
}

#[test]
fn drafts_and_active_todos_can_be_edited() {
    for status in [TodoStatus::Draft, TodoStatus::Active] {
        let mut events = history(status);
        let decided = given(events.clone()).when(update()).unwrap();
        assert!(matches!(decided.as_slice(), [TodoEvent::Updated(_)]));
        events.extend(decided);
        let todo = replay(&events).unwrap();
        assert_eq!(todo.title.as_str(), "Write the final report");
        assert_eq!(todo.status, status, "an edit keeps the status");
    }
}

#[test]
fn an_edit_that_changes_nothing_records_nothing() {
    let events = history(TodoStatus::Active);
    let todo = replay(&events).unwrap();
    let same = TodoCommand::Update {
        by: todo.author,
        title: todo.title,
        description: todo.description,
        notes: Some(todo.notes),
    };
    assert_eq!(given(events).when(same), Ok(vec![]));
}

/// The author's edit of `todo` that keeps its title and description and sets `notes`.
fn notes_edit(todo: &Todo, notes: &str) -> TodoCommand {
    TodoCommand::Update {
        by: todo.author,
        title: todo.title.clone(),
        description: todo.description.clone(),
        notes: Some(InternalNotes::parse(notes).unwrap()),
    }
}

#[test]
fn the_author_edits_the_internal_notes_alone_in_a_private_event() {
    let mut events = history(TodoStatus::Active);
    let before = replay(&events).unwrap();
    let decided = given(events.clone())
        .when(notes_edit(&before, "call Sam on Monday"))
        .unwrap();
    let [TodoEvent::NotesChanged(changed)] = decided.as_slice() else {
        panic!("expected one notes change, got {decided:?}");
    };
    assert_eq!(changed.notes.as_str(), "call Sam on Monday");
    assert!(decided[0].is_private());
    events.extend(decided);
    let after = replay(&events).unwrap();
    assert_eq!(after.notes.as_str(), "call Sam on Monday");
    assert_eq!(after.version, before.version.next(), "the version advances");
    assert_eq!(
        after.shared_version, before.version,
        "the team's version does not"
    );
    assert_eq!(after.version_for(after.author), after.version);
    assert_eq!(after.version_for(UserId::new()), before.version);
}

#[test]
fn the_author_clears_the_internal_notes_with_an_empty_text() {
    let events = history(TodoStatus::Draft);
    let todo = replay(&events).unwrap();
    assert_eq!(todo.notes.as_str(), "ask Sam");
    assert_eq!(
        given(events).when(notes_edit(&todo, "")),
        Ok(vec![TodoEvent::NotesChanged(TodoNotesChanged {
            notes: InternalNotes::default()
        })])
    );
}

#[test]
fn an_edit_of_the_title_and_the_notes_is_one_update_the_team_sees() {
    let events = history(TodoStatus::Active);
    let todo = replay(&events).unwrap();
    let edit = TodoCommand::Update {
        by: todo.author,
        title: title("Write the final report"),
        description: todo.description.clone(),
        notes: Some(InternalNotes::default()),
    };
    let decided = given(events).when(edit).unwrap();
    let [TodoEvent::Updated(updated)] = decided.as_slice() else {
        panic!("expected one update, got {decided:?}");
    };
    assert_eq!(updated.notes, InternalNotes::default());
    assert!(!decided[0].is_private());
}

#[test]
fn a_notes_edit_since_leaves_other_commands_current_but_not_another_notes_edit() {
    let mut events = history(TodoStatus::Active);
    let seen = replay(&events).unwrap();
    events.extend(given(events.clone()).when(notes_edit(&seen, "v2")).unwrap());
    let todo = replay(&events).unwrap();
    let rename = TodoCommand::Update {
        by: UserId::new(),
        title: title("Renamed"),
        description: seen.description.clone(),
        notes: None,
    };
    for command in [TodoCommand::Complete, rename] {
        assert_eq!(todo.check_seen(seen.version, &command), Ok(()));
        assert_eq!(todo.check_seen(todo.version, &command), Ok(()));
    }
    assert_eq!(
        todo.check_seen(seen.version, &notes_edit(&seen, "v3")),
        Err(todo.version),
        "the author's form from before would overwrite the newer notes"
    );
    assert_eq!(
        todo.check_seen(todo.version, &notes_edit(&seen, "v3")),
        Ok(())
    );
}

#[test]
fn a_shared_change_since_makes_any_command_stale() {
    let mut events = history(TodoStatus::Draft);
    let seen = replay(&events).unwrap();
    events.push(TodoEvent::Activated);
    let todo = replay(&events).unwrap();
    assert_eq!(
        todo.check_seen(seen.version, &TodoCommand::Archive),
        Err(todo.version)
    );
    assert_eq!(
        todo.check_seen(seen.version, &notes_edit(&seen, "new")),
        Err(todo.version)
    );
    assert_eq!(
        todo.check_seen(todo.version.next(), &TodoCommand::Archive),
        Err(todo.version),
        "a version from the future is refused too"
    );
}

#[test]
fn another_member_cannot_touch_the_internal_notes() {
    let events = history(TodoStatus::Active);
    let edit = TodoCommand::Update {
        by: UserId::new(),
        title: title("Renamed"),
        description: Description::default(),
        notes: Some(InternalNotes::default()),
    };
    assert_eq!(given(events).when(edit), Err(TodoError::NotesArePrivate));
}

#[test]
fn another_members_edit_keeps_the_authors_notes() {
    let events = history(TodoStatus::Draft);
    let decided = given(events.clone()).when(update()).unwrap();
    let [TodoEvent::Updated(updated)] = decided.as_slice() else {
        panic!("expected one update, got {decided:?}");
    };
    assert_eq!(updated.notes, replay(&events).unwrap().notes);
    assert_eq!(updated.title.as_str(), "Write the final report");
}

#[test]
fn every_illegal_move_is_refused_with_a_readable_message() {
    let actions = [
        TodoAction::Activate,
        TodoAction::Update,
        TodoAction::Complete,
        TodoAction::Reopen,
        TodoAction::Archive,
    ];
    let mut refused = 0;
    for status in TodoStatus::ALL {
        for action in actions {
            if status.after(action).is_some() {
                continue;
            }
            let outcome = given(history(status)).when(command_for(action));
            assert_eq!(
                outcome,
                Err(TodoError::IllegalTransition {
                    action,
                    from: status
                })
            );
            let message = outcome.unwrap_err().to_string();
            assert!(message.ends_with('.'), "{message}");
            assert!(!message.contains("{"), "{message}");
            refused += 1;
        }
    }
    assert_eq!(refused, 12, "the table has 8 legal moves out of 20");
}

#[test]
fn refusals_tell_the_person_what_to_do_instead() {
    let complete_draft = given(history(TodoStatus::Draft)).when(TodoCommand::Complete);
    assert_eq!(
        complete_draft.unwrap_err().to_string(),
        "A draft cannot be completed; activate it first."
    );
    let edit_completed = given(history(TodoStatus::Completed)).when(update());
    assert_eq!(
        edit_completed.unwrap_err().to_string(),
        "A completed todo cannot be edited; reopen it first."
    );
    let reopen_archived = given(history(TodoStatus::Archived)).when(TodoCommand::Reopen);
    assert_eq!(
        reopen_archived.unwrap_err().to_string(),
        "An archived todo cannot be reopened."
    );
}

#[test]
fn every_event_survives_encoding_and_decoding() {
    let mut events = history(TodoStatus::Completed);
    events.extend([
        TodoEvent::Reopened,
        TodoEvent::Archived,
        TodoEvent::Updated(TodoUpdated {
            title: title("t"),
            description: Description::default(),
            notes: InternalNotes::default(),
        }),
        TodoEvent::NotesChanged(TodoNotesChanged {
            notes: InternalNotes::parse("n").unwrap(),
        }),
    ]);
    for event in events {
        let decoded = TodoEvent::decode(
            event.event_type(),
            TodoEvent::SCHEMA_VERSION,
            &event.payload(),
        )
        .unwrap();
        assert_eq!(decoded, event);
    }
}

#[test]
fn an_unknown_event_type_or_schema_is_a_decode_error() {
    assert!(matches!(
        TodoEvent::decode("TodoExploded", 1, &serde_json::json!({})),
        Err(DecodeError::UnknownType(_))
    ));
    assert!(matches!(
        TodoEvent::decode("TodoActivated", 9, &serde_json::json!({})),
        Err(DecodeError::UnknownSchema { .. })
    ));
    assert!(matches!(
        TodoEvent::decode("TodoCreated", 1, &serde_json::json!({"title": 3})),
        Err(DecodeError::Payload { .. })
    ));
}
