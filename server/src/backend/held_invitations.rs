//! Invite links made by a form posted without JavaScript, held for the page that the browser
//! is sent back to. The answer to such a post is a redirect, which cannot carry the link;
//! and the link may reach neither a URL (anyone could write one showing a link of their own
//! choosing) nor the database (which keeps only its hash). So it waits here, in this
//! process's memory, until its session loads the team's members page once, for at most
//! five minutes; a restart loses it, as a page closed too soon would.

use app::{api::NewInvitation, domain::TeamId};
use std::{
    collections::HashMap,
    sync::Mutex,
    time::{Duration, Instant},
};

/// How long a held link waits for its page: the redirect is followed at once.
const HELD_FOR: Duration = Duration::from_secs(300);

/// Links waiting for their session's next members page, by session id and team. A
/// `std::sync::Mutex`: each access is a map operation, never held across an await.
#[derive(Default)]
pub struct HeldInvitations {
    held: Mutex<HashMap<(String, TeamId), (NewInvitation, Instant)>>,
}

impl HeldInvitations {
    /// Holds `made` for `session`'s next members page of `team`, and drops the links whose
    /// time is up, so that links nobody came back for do not pile up.
    pub fn hold(&self, session: String, team: TeamId, made: NewInvitation, now: Instant) {
        let mut held = self.held.lock().expect("no holder panics");
        held.retain(|_, (_, since)| now.duration_since(*since) < HELD_FOR);
        held.insert((session, team), (made, now));
    }

    /// The link held for `session` and `team`, once, if its time is not up.
    pub fn take(&self, session: &str, team: TeamId, now: Instant) -> Option<NewInvitation> {
        let mut held = self.held.lock().expect("no holder panics");
        let (made, since) = held.remove(&(session.to_owned(), team))?;
        (now.duration_since(since) < HELD_FOR).then_some(made)
    }
}

#[cfg(test)]
mod tests {
    use super::{HELD_FOR, HeldInvitations};
    use app::{
        api::NewInvitation,
        domain::{InvitationId, TeamId},
    };
    use std::time::{Duration, Instant};

    fn link() -> NewInvitation {
        NewInvitation {
            id: InvitationId::new(),
            path: "/join/abc".into(),
            single_use: true,
            expires_at: chrono::Utc::now(),
        }
    }

    #[test]
    fn a_held_link_is_taken_once_by_its_session_for_its_team() {
        let (held, now, team, made) = (
            HeldInvitations::default(),
            Instant::now(),
            TeamId::new(),
            link(),
        );
        held.hold("s1".into(), team, made.clone(), now);
        assert_eq!(held.take("s2", team, now), None);
        assert_eq!(held.take("s1", TeamId::new(), now), None);
        assert_eq!(held.take("s1", team, now), Some(made));
        assert_eq!(held.take("s1", team, now), None);
    }

    #[test]
    fn a_link_nobody_came_back_for_expires() {
        let (held, now, team) = (HeldInvitations::default(), Instant::now(), TeamId::new());
        held.hold("s1".into(), team, link(), now);
        assert_eq!(held.take("s1", team, now + HELD_FOR), None);
    }

    #[test]
    fn holding_a_link_drops_the_expired_ones() {
        let (held, now) = (HeldInvitations::default(), Instant::now());
        held.hold("old".into(), TeamId::new(), link(), now);
        held.hold(
            "new".into(),
            TeamId::new(),
            link(),
            now + HELD_FOR + Duration::from_secs(1),
        );
        assert_eq!(held.held.lock().unwrap().len(), 1);
    }
}
