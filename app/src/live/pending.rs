//! Commands this tab sent that no broadcast has confirmed yet.
//!
//! A click is shown as done not when its server function answers but when the broadcast
//! carrying its command id arrives, so the screen never shows a state that the log does not
//! have. Until then its todo (or the create form) shows that it is saving. A command that
//! wrote nothing (an edit that changed nothing) has no broadcast: it is confirmed when its
//! answer's position is already on screen. A refused command is dropped; its error shows.

use crate::{
    api::{AppError, CommandReceipt},
    domain::{Position, TodoId},
};
use leptos::prelude::*;
use server_fn::ServerFn;

/// The commands waiting for their broadcast.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Pending {
    commands: Vec<Sent>,
}

/// One command: its id, and the todo it changes (none for a create: its id is not known).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Sent {
    command_id: String,
    todo: Option<TodoId>,
}

impl Pending {
    pub fn sent(&mut self, command_id: String, todo: Option<TodoId>) {
        self.commands.push(Sent { command_id, todo });
    }

    /// The broadcast carrying `command_id` arrived.
    pub fn confirmed(&mut self, command_id: &str) {
        self.commands.retain(|sent| sent.command_id != command_id);
    }

    /// The command was answered at `position`; `shown` is the position on screen.
    pub fn answered(&mut self, command_id: &str, position: Position, shown: Position) {
        if position <= shown {
            self.confirmed(command_id);
        }
    }

    pub fn refused(&mut self, command_id: &str) {
        self.confirmed(command_id);
    }

    /// Whether a command on `todo` waits for its broadcast.
    pub fn waits_for(&self, todo: TodoId) -> bool {
        self.commands.iter().any(|sent| sent.todo == Some(todo))
    }

    /// Whether a create waits for its broadcast.
    pub fn creating(&self) -> bool {
        self.commands.iter().any(|sent| sent.todo.is_none())
    }
}

/// Whether a command on `todo` waits for its broadcast, for a view to show. It reads with
/// `try_with`: a view being torn down may still ask once, after the page let go of `pending`.
pub fn saving(
    pending: RwSignal<Pending>,
    todo: TodoId,
) -> impl Fn() -> bool + Copy + Send + Sync + 'static {
    move || {
        pending
            .try_with(|pending| pending.waits_for(todo))
            .unwrap_or(false)
    }
}

/// Whether a create waits for its broadcast (see [`saving`]).
pub fn creating(pending: RwSignal<Pending>) -> impl Fn() -> bool + Copy + Send + Sync + 'static {
    move || pending.try_with(Pending::creating).unwrap_or(false)
}

/// Follows `action`'s commands in `pending`: each is added when dispatched (`command` reads
/// its id and todo from the input), and dropped when refused or when its answer is already
/// on screen (`shown`). The broadcast's handler confirms the rest.
pub fn track_commands<S>(
    action: ServerAction<S>,
    pending: RwSignal<Pending>,
    command: impl Fn(&S) -> (String, Option<TodoId>) + Send + Sync + 'static,
    shown: impl Fn() -> Position + Send + Sync + 'static,
) where
    S: ServerFn<Output = CommandReceipt, Error = AppError> + Clone + Send + Sync + 'static,
{
    let last = StoredValue::new(None::<String>);
    Effect::new(move |_| {
        if let Some(input) = action.input().get() {
            let (command_id, todo) = command(&input);
            last.try_set_value(Some(command_id.clone()));
            pending.try_update(|pending| pending.sent(command_id, todo));
        }
    });
    Effect::new(move |_| {
        let Some(result) = action.value().get() else {
            return;
        };
        let Some(Some(command_id)) = last.try_get_value() else {
            return;
        };
        match result {
            Ok(receipt) => {
                let shown = untrack(&shown);
                pending
                    .try_update(|pending| pending.answered(&command_id, receipt.position, shown));
            }
            Err(_) => {
                pending.try_update(|pending| pending.refused(&command_id));
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(position: u64) -> Position {
        Position::new(position)
    }

    #[test]
    fn a_sent_command_waits_until_its_broadcast_confirms_it() {
        let todo = TodoId::new();
        let mut pending = Pending::default();
        pending.sent("c1".into(), Some(todo));
        assert!(pending.waits_for(todo));
        pending.confirmed("another command");
        assert!(pending.waits_for(todo));
        pending.confirmed("c1");
        assert!(!pending.waits_for(todo));
    }

    #[test]
    fn an_answer_alone_does_not_confirm_a_change_the_screen_lacks() {
        let todo = TodoId::new();
        let mut pending = Pending::default();
        pending.sent("c1".into(), Some(todo));
        pending.answered("c1", at(8), at(7));
        assert!(pending.waits_for(todo));
    }

    #[test]
    fn an_answer_already_on_screen_confirms_a_command_that_wrote_nothing() {
        let todo = TodoId::new();
        let mut pending = Pending::default();
        pending.sent("c1".into(), Some(todo));
        pending.answered("c1", at(7), at(7));
        assert_eq!(pending, Pending::default());
    }

    #[test]
    fn a_refused_command_stops_waiting() {
        let mut pending = Pending::default();
        pending.sent("c1".into(), None);
        assert!(pending.creating());
        pending.refused("c1");
        assert!(!pending.creating());
    }

    #[test]
    fn a_create_waits_without_marking_any_todo() {
        let mut pending = Pending::default();
        pending.sent("c1".into(), None);
        assert!(pending.creating());
        assert!(!pending.waits_for(TodoId::new()));
    }
}
