//! The connections opened with each session, so that signing out ends them: a socket must
//! not outlive the session that let it in.

use super::mailbox::{End, Mailbox};
use std::{
    collections::HashMap,
    sync::{Arc, Mutex, MutexGuard, Weak},
};
use tower_sessions::session::Id;

#[derive(Default)]
pub struct SignedIn {
    by_session: Mutex<HashMap<Id, Vec<Weak<Mailbox>>>>,
}

/// One connection's place under its session, left when dropped.
pub struct Entry {
    signed_in: Arc<SignedIn>,
    session: Id,
    mailbox: Weak<Mailbox>,
}

impl SignedIn {
    /// Counts the connection whose mailbox is `mailbox` under `session`.
    pub fn enter(self: &Arc<Self>, session: Id, mailbox: &Arc<Mailbox>) -> Entry {
        let mailbox = Arc::downgrade(mailbox);
        self.lock()
            .entry(session)
            .or_default()
            .push(mailbox.clone());
        Entry {
            signed_in: Arc::clone(self),
            session,
            mailbox,
        }
    }

    /// `session` signed out: each of its connections ends.
    pub fn sign_out(&self, session: Id) {
        let mailboxes = self.lock().remove(&session).unwrap_or_default();
        for mailbox in mailboxes.iter().filter_map(Weak::upgrade) {
            mailbox.end(End::SignedOut);
        }
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<Id, Vec<Weak<Mailbox>>>> {
        self.by_session
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl Drop for Entry {
    fn drop(&mut self) {
        let mut by_session = self.signed_in.lock();
        if let Some(mailboxes) = by_session.get_mut(&self.session) {
            mailboxes.retain(|m| !Weak::ptr_eq(m, &self.mailbox));
            if mailboxes.is_empty() {
                by_session.remove(&self.session);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn signing_out_ends_every_connection_of_the_session_and_no_other() {
        let signed_in = Arc::new(SignedIn::default());
        let (mine, other) = (Id::default(), Id(7));
        let (a, b, c) = (Mailbox::new(1), Mailbox::new(1), Mailbox::new(1));
        let _a = signed_in.enter(mine, &a);
        let _b = signed_in.enter(mine, &b);
        let _c = signed_in.enter(other, &c);
        signed_in.sign_out(mine);
        assert_eq!(a.ended().await, End::SignedOut);
        assert_eq!(b.ended().await, End::SignedOut);
        let untouched = tokio::time::timeout(std::time::Duration::from_millis(20), c.ended()).await;
        assert!(untouched.is_err(), "another session's connection ended");
    }

    #[test]
    fn a_connection_that_ended_leaves_its_session() {
        let signed_in = Arc::new(SignedIn::default());
        let session = Id(1);
        drop(signed_in.enter(session, &Mailbox::new(1)));
        assert!(signed_in.lock().is_empty());
    }
}
