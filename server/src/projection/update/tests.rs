use super::*;
use crate::store::StreamId;
use app::domain::{
    CommandId, Description, InternalNotes, TodoTitle,
    team::{MemberJoined, TeamEvent},
    todo::{TodoCreated, TodoEvent, TodoNotesChanged, TodoStatus, TodoUpdated},
};
use chrono::TimeZone;

fn at(second: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 2, 9, 0, second).unwrap()
}

fn recorded(
    stream: StreamId,
    position: u64,
    version: u64,
    kind: &str,
    payload: serde_json::Value,
    actor: UserId,
) -> RecordedEvent {
    RecordedEvent {
        position: Position::new(position),
        stream,
        version: Version::new(version),
        event_type: kind.to_owned(),
        schema_version: 1,
        payload,
        actor,
        command_id: CommandId::new(),
        recorded_at: at(position as u32),
    }
}

fn todo_event(todo: TodoId, position: u64, version: u64, event: TodoEvent) -> RecordedEvent {
    let actor = UserId::new();
    let stream = StreamId::for_todo(todo);
    recorded(
        stream,
        position,
        version,
        event.event_type(),
        event.payload(),
        actor,
    )
}

fn created(todo: TodoId, team: TeamId, author: UserId) -> TodoEvent {
    TodoEvent::Created(TodoCreated {
        todo_id: todo,
        team_id: team,
        author,
        title: TodoTitle::parse("Water the plants").unwrap(),
        description: Description::parse("").unwrap(),
        notes: InternalNotes::parse("").unwrap(),
    })
}

#[test]
fn a_batch_that_creates_and_edits_a_todo_leaves_one_row_and_a_line_per_event() {
    let (todo, team, author) = (TodoId::new(), TeamId::new(), UserId::new());
    let events = [
        todo_event(todo, 1, 1, created(todo, team, author)),
        todo_event(todo, 2, 2, TodoEvent::Activated),
        todo_event(
            todo,
            3,
            3,
            TodoEvent::Updated(TodoUpdated {
                title: TodoTitle::parse("Water the garden").unwrap(),
                description: Description::parse("").unwrap(),
                notes: InternalNotes::parse("").unwrap(),
            }),
        ),
    ];
    let update = fold(&events, HashMap::new()).unwrap();
    let row = &update.todos[&todo];
    assert_eq!(row.todo.title.as_str(), "Water the garden");
    assert_eq!(row.todo.status, TodoStatus::Active);
    assert_eq!((row.created_at, row.updated_at), (at(1), at(3)));
    assert_eq!(row.last_position, Position::new(3));
    let summaries: Vec<&str> = update.timeline.iter().map(|l| l.summary.as_str()).collect();
    assert_eq!(
        summaries,
        [
            "Created “Water the plants”",
            "Activated",
            "Renamed it to “Water the garden”"
        ]
    );
    assert_eq!(
        update.team_log,
        (1..=3)
            .map(|p| (team, Position::new(p)))
            .collect::<Vec<_>>()
    );
    assert_eq!(update.reached, Some(Position::new(3)));
}

#[test]
fn a_change_of_the_notes_alone_is_the_authors_line_and_leaves_what_the_team_sees() {
    let (todo, team, author) = (TodoId::new(), TeamId::new(), UserId::new());
    let before = fold(
        &[todo_event(todo, 1, 1, created(todo, team, author))],
        HashMap::new(),
    )
    .unwrap()
    .todos;
    let notes = TodoEvent::NotesChanged(TodoNotesChanged {
        notes: InternalNotes::parse("call first").unwrap(),
    });
    let update = fold(
        &[todo_event(todo, 5, 2, notes)],
        before.into_iter().collect(),
    )
    .unwrap();
    let row = &update.todos[&todo];
    assert_eq!(row.todo.notes.as_str(), "call first");
    assert_eq!(row.updated_at, at(1));
    assert_eq!(row.todo.shared_version, Version::new(1));
    assert_eq!(update.timeline[0].visible_to, Some(author));
}

#[test]
fn an_event_before_its_todos_creation_cannot_be_projected() {
    let todo = TodoId::new();
    let folded = fold(
        &[todo_event(todo, 1, 1, TodoEvent::Completed)],
        HashMap::new(),
    );
    assert!(
        matches!(folded, Err(ProjectionError::Corrupt(_))),
        "{folded:?}"
    );
}

#[test]
fn joining_through_a_link_adds_the_member_then_uses_the_link() {
    let (team, user, invitation) = (TeamId::new(), UserId::new(), InvitationId::new());
    let joined = TeamEvent::MemberJoined(MemberJoined {
        user_id: user,
        invitation_id: Some(invitation),
    });
    let event = recorded(
        StreamId::for_team(team),
        7,
        3,
        joined.event_type(),
        joined.payload(),
        user,
    );
    let update = fold(&[event], HashMap::new()).unwrap();
    assert_eq!(
        update.teams,
        [
            TeamChange::MemberJoined {
                team,
                user,
                joined_at: at(7),
                joined_position: Position::new(7),
            },
            TeamChange::InvitationUsed(invitation),
        ]
    );
    assert_eq!(update.team_log, [(team, Position::new(7))]);
}
