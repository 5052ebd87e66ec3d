//! Commands this tab sent that no broadcast has confirmed yet.
//!
//! A click is shown as done not when its server function answers but when the broadcast
//! carrying its command id arrives, so the screen never shows a state that the log does not
//! have. Until then its todo (or the create form) shows that it is saving. A command that
//! has no broadcast (an edit that changed nothing, or only the author's internal notes) is
//! confirmed by its answer, and the page is loaded again as of the answer's position. A
//! refused command is dropped; its error shows.

use super::{LiveStatus, use_live_status};
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

/// One command: its id, the todo it changes (none for a create: its id is not known yet),
/// and whether the server accepted it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Sent {
    command_id: String,
    todo: Option<TodoId>,
    accepted: bool,
}

impl Pending {
    pub fn sent(&mut self, command_id: String, todo: Option<TodoId>) {
        self.commands.push(Sent {
            command_id,
            todo,
            accepted: false,
        });
    }

    /// The broadcast carrying `command_id` arrived.
    pub fn confirmed(&mut self, command_id: &str) {
        self.commands.retain(|sent| sent.command_id != command_id);
    }

    /// The server accepted the command, at `receipt.position`; `shown` is the position on
    /// screen.
    pub fn accepted(&mut self, receipt: &CommandReceipt, shown: Position) {
        let command_id = receipt.command_id.to_string();
        if receipt.position <= shown {
            self.confirmed(&command_id);
        } else if let Some(sent) = self.find(&command_id) {
            sent.accepted = true;
        }
    }

    /// None of `sent` is in flight any more: those the server did not accept were refused.
    pub fn settled<'a>(&mut self, sent: impl IntoIterator<Item = &'a String>) {
        for command_id in sent {
            if self.find(command_id).is_some_and(|sent| !sent.accepted) {
                self.confirmed(command_id);
            }
        }
    }

    /// Whether a command on `todo` waits for its broadcast.
    pub fn waits_for(&self, todo: TodoId) -> bool {
        self.commands.iter().any(|sent| sent.todo == Some(todo))
    }

    /// Whether a create waits for its broadcast.
    pub fn creating(&self) -> bool {
        self.commands.iter().any(|sent| sent.todo.is_none())
    }

    fn find(&mut self, command_id: &str) -> Option<&mut Sent> {
        self.commands
            .iter_mut()
            .find(|sent| sent.command_id == command_id)
    }
}

/// A command on an existing todo, as `track_commands` reads it from a form's fields.
pub fn on_todo(command_id: &str, todo_id: &str) -> (String, Option<TodoId>) {
    (command_id.to_owned(), TodoId::parse(todo_id).ok())
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
/// its id and todo from the input), marked accepted by its answer (or confirmed at once when
/// the answer is already on screen, `shown`), and dropped when the action has nothing in
/// flight and the command was not accepted. The broadcast's handler confirms the rest. An
/// answer that no broadcast will follow (the command has none, or the socket is not live)
/// confirms its command, and `reload` loads the page as of the answer's position.
pub fn track_commands<S>(
    action: ServerAction<S>,
    pending: RwSignal<Pending>,
    command: impl Fn(&S) -> (String, Option<TodoId>) + Send + Sync + 'static,
    shown: impl Fn() -> Position + Send + Sync + 'static,
    reload: impl Fn(Position) + Send + Sync + 'static,
) where
    S: ServerFn<Output = CommandReceipt, Error = AppError> + Clone + Send + Sync + 'static,
{
    // The commands of this action that are, or were until they settled, in flight.
    let in_flight = StoredValue::new(Vec::<String>::new());
    Effect::new(move |_| match action.input().get() {
        Some(input) => {
            let (command_id, todo) = command(&input);
            in_flight.try_update_value(|ids| ids.push(command_id.clone()));
            pending.try_update(|pending| pending.sent(command_id, todo));
        }
        None => {
            let settled = in_flight
                .try_update_value(std::mem::take)
                .unwrap_or_default();
            pending.try_update(|pending| pending.settled(&settled));
        }
    });
    let status = use_live_status();
    Effect::new(move |_| {
        if let Some(Ok(receipt)) = action.value().get() {
            if receipt.broadcast && status.get_untracked() == LiveStatus::Live {
                let shown = untrack(&shown);
                pending.try_update(|pending| pending.accepted(&receipt, shown));
            } else {
                pending.try_update(|pending| pending.confirmed(&receipt.command_id.to_string()));
                reload(receipt.position);
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{CommandId, Version};

    fn receipt(command_id: &str, position: u64) -> CommandReceipt {
        CommandReceipt {
            command_id: CommandId::parse(command_id).unwrap(),
            todo_id: TodoId::new(),
            position: Position::new(position),
            version: Version::new(1),
            duplicate: false,
            broadcast: true,
        }
    }

    fn id() -> String {
        CommandId::new().to_string()
    }

    #[test]
    fn a_sent_command_waits_until_its_broadcast_confirms_it() {
        let (todo, command) = (TodoId::new(), id());
        let mut pending = Pending::default();
        pending.sent(command.clone(), Some(todo));
        assert!(pending.waits_for(todo));
        pending.confirmed(&id());
        assert!(pending.waits_for(todo));
        pending.confirmed(&command);
        assert!(!pending.waits_for(todo));
    }

    #[test]
    fn an_accepted_command_still_waits_for_a_change_the_screen_lacks() {
        let (todo, command) = (TodoId::new(), id());
        let mut pending = Pending::default();
        pending.sent(command.clone(), Some(todo));
        pending.accepted(&receipt(&command, 8), Position::new(7));
        pending.settled(&[command]);
        assert!(
            pending.waits_for(todo),
            "accepted, so not dropped when settled"
        );
    }

    #[test]
    fn an_answer_already_on_screen_confirms_a_command_that_wrote_nothing() {
        let command = id();
        let mut pending = Pending::default();
        pending.sent(command.clone(), Some(TodoId::new()));
        pending.accepted(&receipt(&command, 7), Position::new(7));
        assert_eq!(pending, Pending::default());
    }

    #[test]
    fn a_command_settled_without_being_accepted_was_refused_and_stops_waiting() {
        let command = id();
        let mut pending = Pending::default();
        pending.sent(command.clone(), None);
        assert!(pending.creating());
        pending.settled(&[command]);
        assert!(!pending.creating());
    }

    #[test]
    fn answers_that_come_back_out_of_order_each_settle_their_own_command() {
        let (first, second) = (id(), id());
        let (a, b) = (TodoId::new(), TodoId::new());
        let mut pending = Pending::default();
        pending.sent(first.clone(), Some(a));
        pending.sent(second.clone(), Some(b));
        pending.accepted(&receipt(&second, 9), Position::new(5));
        pending.accepted(&receipt(&first, 8), Position::new(8));
        assert!(!pending.waits_for(a), "the first is on screen already");
        assert!(
            pending.waits_for(b),
            "the second still waits for its broadcast"
        );
    }

    #[test]
    fn a_create_waits_without_marking_any_todo() {
        let mut pending = Pending::default();
        pending.sent(id(), None);
        assert!(pending.creating());
        assert!(!pending.waits_for(TodoId::new()));
    }
}
