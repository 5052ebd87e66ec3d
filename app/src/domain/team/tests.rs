//! Given/when/then for every legal and every illegal move of a team.

use super::*;
use crate::domain::{InvitationId, TeamId, TeamName, UserId};
use chrono::{DateTime, Duration, TimeZone, Utc};

struct Given(Vec<TeamEvent>);

fn given(events: Vec<TeamEvent>) -> Given {
    Given(events)
}

impl Given {
    fn when(self, command: TeamCommand) -> Result<Vec<TeamEvent>, TeamError> {
        decide(replay(&self.0).as_ref(), command)
    }
}

fn noon() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 27, 12, 0, 0).unwrap()
}

fn hash() -> TokenHash {
    TokenHash::parse(&"0f".repeat(32)).unwrap()
}

struct World {
    team: TeamId,
    ada: UserId,
    bob: UserId,
    link: InvitationId,
}

fn world() -> World {
    World {
        team: TeamId::new(),
        ada: UserId::new(),
        bob: UserId::new(),
        link: InvitationId::new(),
    }
}

impl World {
    fn created(&self) -> Vec<TeamEvent> {
        decide(
            None,
            TeamCommand::Create {
                team_id: self.team,
                name: TeamName::parse("Ops").unwrap(),
                creator: self.ada,
            },
        )
        .unwrap()
    }

    fn invited(&self, single_use: bool) -> Vec<TeamEvent> {
        let mut events = self.created();
        events.push(TeamEvent::InvitationCreated(InvitationCreated {
            invitation_id: self.link,
            token_hash: hash(),
            single_use,
            expires_at: noon(),
            created_by: Some(self.ada),
        }));
        events
    }

    fn joined(&self, single_use: bool) -> Vec<TeamEvent> {
        let mut events = self.invited(single_use);
        events.push(TeamEvent::MemberJoined(MemberJoined {
            user_id: self.bob,
            invitation_id: Some(self.link),
        }));
        events
    }

    fn join(&self, user: UserId, now: DateTime<Utc>) -> TeamCommand {
        TeamCommand::Join {
            user,
            invitation_id: self.link,
            now,
        }
    }
}

/// `history` and then what `command` decides, which must be allowed.
fn then(mut history: Vec<TeamEvent>, command: TeamCommand) -> Vec<TeamEvent> {
    let decided = given(history.clone()).when(command).unwrap();
    history.extend(decided);
    history
}

/// A reusable link, valid until noon, made by `by`.
fn invite(link: InvitationId, by: UserId) -> TeamCommand {
    TeamCommand::Invite {
        invitation_id: link,
        token_hash: hash(),
        single_use: false,
        expires_at: noon(),
        by,
    }
}

fn join_through(link: InvitationId, user: UserId) -> TeamCommand {
    TeamCommand::Join {
        user,
        invitation_id: link,
        now: noon() - Duration::hours(1),
    }
}

#[test]
fn creating_a_team_makes_its_creator_the_first_member() {
    let w = world();
    let team = replay(&w.created()).unwrap();
    assert_eq!(team.owner(), Some(w.ada));
    assert_eq!(team.members.into_keys().collect::<Vec<_>>(), vec![w.ada]);
    assert_eq!(team.version.get(), 2);
}

#[test]
fn a_team_cannot_be_created_twice() {
    let w = world();
    let again = TeamCommand::Create {
        team_id: w.team,
        name: TeamName::parse("Ops").unwrap(),
        creator: w.bob,
    };
    assert_eq!(
        given(w.created()).when(again),
        Err(TeamError::AlreadyExists)
    );
}

#[test]
fn nothing_but_create_works_on_a_team_that_does_not_exist() {
    let w = world();
    assert_eq!(
        given(vec![]).when(TeamCommand::Leave { user: w.ada }),
        Err(TeamError::NotFound)
    );
    assert_eq!(
        given(vec![]).when(w.join(w.bob, noon())),
        Err(TeamError::NotFound)
    );
}

#[test]
fn a_member_makes_an_invite_link() {
    let w = world();
    let invite = TeamCommand::Invite {
        invitation_id: w.link,
        token_hash: hash(),
        single_use: true,
        expires_at: noon(),
        by: w.ada,
    };
    let events = given(w.created()).when(invite).unwrap();
    assert_eq!(events, w.invited(true)[2..].to_vec());
}

#[test]
fn a_stranger_can_neither_invite_nor_revoke() {
    let w = world();
    let invite = TeamCommand::Invite {
        invitation_id: InvitationId::new(),
        token_hash: hash(),
        single_use: false,
        expires_at: noon(),
        by: w.bob,
    };
    assert_eq!(given(w.created()).when(invite), Err(TeamError::NotAMember));
    let revoke = TeamCommand::Revoke {
        invitation_id: w.link,
        by: w.bob,
    };
    assert_eq!(
        given(w.invited(false)).when(revoke),
        Err(TeamError::NotAMember)
    );
}

#[test]
fn someone_joins_through_an_open_link_before_it_expires() {
    let w = world();
    let events = given(w.invited(true))
        .when(w.join(w.bob, noon() - Duration::seconds(1)))
        .unwrap();
    assert_eq!(events, w.joined(true)[3..].to_vec());
}

#[test]
fn a_link_is_refused_at_and_after_its_expiry() {
    let w = world();
    assert_eq!(
        given(w.invited(false)).when(w.join(w.bob, noon())),
        Err(TeamError::InvitationExpired)
    );
}

#[test]
fn a_single_use_link_lets_in_one_person_only() {
    let w = world();
    let carol = UserId::new();
    assert_eq!(
        given(w.joined(true)).when(w.join(carol, noon() - Duration::hours(1))),
        Err(TeamError::InvitationUsed)
    );
}

#[test]
fn a_reusable_link_lets_in_several_people() {
    let w = world();
    let carol = UserId::new();
    let events = given(w.joined(false))
        .when(w.join(carol, noon() - Duration::hours(1)))
        .unwrap();
    assert_eq!(events.len(), 1);
}

#[test]
fn a_revoked_link_lets_nobody_in() {
    let w = world();
    let mut history = w.invited(false);
    history.extend(
        given(w.invited(false))
            .when(TeamCommand::Revoke {
                invitation_id: w.link,
                by: w.ada,
            })
            .unwrap(),
    );
    assert_eq!(
        given(history).when(w.join(w.bob, noon() - Duration::hours(1))),
        Err(TeamError::InvitationRevoked)
    );
}

#[test]
fn revoking_twice_changes_nothing_and_a_used_link_cannot_be_revoked() {
    let w = world();
    let mut history = w.invited(false);
    history.push(TeamEvent::InvitationRevoked {
        invitation_id: w.link,
    });
    let revoke = TeamCommand::Revoke {
        invitation_id: w.link,
        by: w.ada,
    };
    assert_eq!(given(history).when(revoke.clone()), Ok(vec![]));
    assert_eq!(
        given(w.joined(true)).when(revoke),
        Err(TeamError::InvitationUsed)
    );
}

#[test]
fn an_unknown_link_is_refused() {
    let w = world();
    assert_eq!(
        given(w.created()).when(w.join(w.bob, noon())),
        Err(TeamError::InvitationNotFound)
    );
    let revoke = TeamCommand::Revoke {
        invitation_id: w.link,
        by: w.ada,
    };
    assert_eq!(
        given(w.created()).when(revoke),
        Err(TeamError::InvitationNotFound)
    );
}

#[test]
fn joining_again_as_a_member_changes_nothing() {
    let w = world();
    assert_eq!(
        given(w.joined(true)).when(w.join(w.bob, noon() + Duration::days(9))),
        Ok(vec![])
    );
}

#[test]
fn a_member_leaves_but_the_last_one_cannot() {
    let w = world();
    let left = given(w.joined(false))
        .when(TeamCommand::Leave { user: w.bob })
        .unwrap();
    assert_eq!(left, vec![TeamEvent::MemberLeft { user_id: w.bob }]);
    assert_eq!(
        given(w.created()).when(TeamCommand::Leave { user: w.ada }),
        Err(TeamError::LastMember)
    );
}

#[test]
fn a_stranger_cannot_leave() {
    let w = world();
    assert_eq!(
        given(w.created()).when(TeamCommand::Leave { user: w.bob }),
        Err(TeamError::NotAMember)
    );
}

#[test]
fn the_creator_removes_another_member() {
    let w = world();
    let removed = given(w.joined(false))
        .when(TeamCommand::Remove {
            user: w.bob,
            by: w.ada,
        })
        .unwrap();
    assert_eq!(
        removed,
        vec![TeamEvent::MemberRemoved(MemberRemoved {
            user_id: w.bob,
            removed_by: w.ada,
        })]
    );
    let mut history = w.joined(false);
    history.extend(removed);
    let team = replay(&history).unwrap();
    assert!(!team.is_member(w.bob));
    assert!(team.is_member(w.ada));
}

#[test]
fn a_member_who_is_not_the_owner_cannot_remove_anyone() {
    let w = world();
    let carol = UserId::new();
    let mut history = w.joined(false);
    history.extend(
        given(w.joined(false))
            .when(w.join(carol, noon() - Duration::hours(1)))
            .unwrap(),
    );
    assert_eq!(
        given(history).when(TeamCommand::Remove {
            user: carol,
            by: w.bob,
        }),
        Err(TeamError::NotTheOwner)
    );
}

#[test]
fn removing_yourself_is_refused_even_for_the_owner() {
    let w = world();
    for who in [w.ada, w.bob] {
        assert_eq!(
            given(w.joined(false)).when(TeamCommand::Remove { user: who, by: who }),
            Err(TeamError::RemovingYourself)
        );
    }
}

#[test]
fn the_owner_cannot_be_removed_by_anyone_else() {
    let w = world();
    assert_eq!(
        given(w.joined(false)).when(TeamCommand::Remove {
            user: w.ada,
            by: w.bob,
        }),
        Err(TeamError::NotTheOwner)
    );
}

/// Ada makes the team, Bob then Carol join through a reusable link, and Ada leaves.
fn after_the_creator_left(w: &World, carol: UserId) -> Vec<TeamEvent> {
    let mut history = w.joined(false);
    let earlier = noon() - Duration::hours(1);
    history.extend(given(history.clone()).when(w.join(carol, earlier)).unwrap());
    history.extend(
        given(history.clone())
            .when(TeamCommand::Leave { user: w.ada })
            .unwrap(),
    );
    history
}

#[test]
fn when_the_creator_leaves_the_longest_standing_member_owns_the_team_and_removes_others() {
    let w = world();
    let carol = UserId::new();
    let history = after_the_creator_left(&w, carol);
    assert_eq!(replay(&history).unwrap().owner(), Some(w.bob));
    assert_eq!(
        given(history.clone()).when(TeamCommand::Remove {
            user: w.bob,
            by: carol,
        }),
        Err(TeamError::NotTheOwner)
    );
    assert_eq!(
        given(history).when(TeamCommand::Remove {
            user: carol,
            by: w.bob,
        }),
        Ok(vec![TeamEvent::MemberRemoved(MemberRemoved {
            user_id: carol,
            removed_by: w.bob,
        })])
    );
}

#[test]
fn a_creator_who_leaves_and_comes_back_joins_last_and_owns_nothing() {
    let w = world();
    let carol = UserId::new();
    let mut history = after_the_creator_left(&w, carol);
    let earlier = noon() - Duration::hours(1);
    history.extend(given(history.clone()).when(w.join(w.ada, earlier)).unwrap());
    let team = replay(&history).unwrap();
    assert!(team.is_member(w.ada));
    assert_eq!(team.owner(), Some(w.bob));
    assert_eq!(
        given(history).when(TeamCommand::Remove {
            user: carol,
            by: w.ada,
        }),
        Err(TeamError::NotTheOwner)
    );
}

#[test]
fn removing_someone_who_is_not_a_member_is_refused() {
    let w = world();
    assert_eq!(
        given(w.created()).when(TeamCommand::Remove {
            user: w.bob,
            by: w.ada,
        }),
        Err(TeamError::MemberNotFound)
    );
}

#[test]
fn a_stranger_cannot_remove_anyone() {
    let w = world();
    let mallory = UserId::new();
    assert_eq!(
        given(w.joined(false)).when(TeamCommand::Remove {
            user: w.bob,
            by: mallory,
        }),
        Err(TeamError::NotAMember)
    );
}

#[test]
fn every_event_round_trips_through_its_encoding() {
    let w = world();
    let mut events = w.joined(true);
    events.push(TeamEvent::InvitationRevoked {
        invitation_id: w.link,
    });
    events.push(TeamEvent::MemberLeft { user_id: w.bob });
    events.push(TeamEvent::MemberRemoved(MemberRemoved {
        user_id: w.bob,
        removed_by: w.ada,
    }));
    for event in events {
        let decoded = TeamEvent::decode(
            event.event_type(),
            TeamEvent::SCHEMA_VERSION,
            &event.payload(),
        );
        assert_eq!(decoded.unwrap(), event);
    }
}

#[test]
fn removing_a_member_revokes_the_open_links_he_made_and_no_others() {
    let w = world();
    let (bobs, bobs_used, adas) = (
        InvitationId::new(),
        InvitationId::new(),
        InvitationId::new(),
    );
    let carol = UserId::new();
    let mut history = then(w.joined(false), invite(bobs, w.bob));
    history = then(history, invite(adas, w.ada));
    history = then(
        history,
        TeamCommand::Invite {
            invitation_id: bobs_used,
            token_hash: hash(),
            single_use: true,
            expires_at: noon(),
            by: w.bob,
        },
    );
    history = then(history, join_through(bobs_used, carol));
    let removed = given(history.clone())
        .when(TeamCommand::Remove {
            user: w.bob,
            by: w.ada,
        })
        .unwrap();
    assert_eq!(
        removed,
        vec![
            TeamEvent::MemberRemoved(MemberRemoved {
                user_id: w.bob,
                removed_by: w.ada,
            }),
            TeamEvent::InvitationRevoked {
                invitation_id: bobs
            },
        ]
    );
    history.extend(removed);
    let team = replay(&history).unwrap();
    let state = |link| team.invitations[&link].state;
    assert_eq!(state(bobs), InvitationState::Revoked);
    assert_eq!(state(bobs_used), InvitationState::Used);
    assert_eq!(state(adas), InvitationState::Open);
    assert_eq!(state(w.link), InvitationState::Open);
}

#[test]
fn a_removed_member_cannot_rejoin_through_a_link_he_made() {
    let w = world();
    let bobs = InvitationId::new();
    let history = then(w.joined(false), invite(bobs, w.bob));
    let history = then(
        history,
        TeamCommand::Remove {
            user: w.bob,
            by: w.ada,
        },
    );
    assert_eq!(
        given(history.clone()).when(join_through(bobs, w.bob)),
        Err(TeamError::InvitationRevoked)
    );
    assert_eq!(
        given(history).when(join_through(bobs, UserId::new())),
        Err(TeamError::InvitationRevoked),
        "nobody else gets in through it either"
    );
}

#[test]
fn a_removed_member_cannot_rejoin_through_a_link_made_before_his_removal() {
    let w = world();
    let history = then(
        w.joined(false),
        TeamCommand::Remove {
            user: w.bob,
            by: w.ada,
        },
    );
    assert_eq!(
        given(history.clone()).when(join_through(w.link, w.bob)),
        Err(TeamError::RemovedFromTeam),
        "the owner's own link, made before the removal"
    );
    let carol = UserId::new();
    assert_eq!(
        given(history)
            .when(join_through(w.link, carol))
            .unwrap()
            .len(),
        1,
        "the link still lets in someone who was never removed"
    );
}

#[test]
fn a_removed_member_cannot_rejoin_through_a_link_another_member_made_after_his_removal() {
    let w = world();
    let (carol, carols) = (UserId::new(), InvitationId::new());
    let history = then(w.joined(false), join_through(w.link, carol));
    let history = then(
        history,
        TeamCommand::Remove {
            user: w.bob,
            by: w.ada,
        },
    );
    let history = then(history, invite(carols, carol));
    assert_eq!(
        given(history).when(join_through(carols, w.bob)),
        Err(TeamError::RemovedFromTeam)
    );
}

#[test]
fn a_removed_member_rejoins_through_a_link_the_owner_made_after_his_removal() {
    let w = world();
    let fresh = InvitationId::new();
    let history = then(
        w.joined(false),
        TeamCommand::Remove {
            user: w.bob,
            by: w.ada,
        },
    );
    let history = then(history, invite(fresh, w.ada));
    let history = then(history, join_through(fresh, w.bob));
    let team = replay(&history).unwrap();
    assert!(team.is_member(w.bob));
    assert!(
        team.removed.is_empty(),
        "let back in, he is a member like any other"
    );
}

#[test]
fn a_link_made_by_a_member_who_owns_the_team_only_later_does_not_readmit() {
    let w = world();
    let (carol, carols) = (UserId::new(), InvitationId::new());
    let history = then(w.joined(false), join_through(w.link, carol));
    let history = then(
        history,
        TeamCommand::Remove {
            user: carol,
            by: w.ada,
        },
    );
    let history = then(history, invite(carols, w.bob));
    let history = then(history, TeamCommand::Leave { user: w.ada });
    assert_eq!(replay(&history).unwrap().owner(), Some(w.bob));
    assert_eq!(
        given(history).when(join_through(carols, carol)),
        Err(TeamError::RemovedFromTeam),
        "Bob made the link before he owned the team"
    );
}

#[test]
fn an_invite_link_recorded_without_its_maker_decodes_and_takes_its_actor() {
    let w = world();
    let payload = serde_json::json!({
        "invitation_id": w.link,
        "token_hash": hash(),
        "single_use": false,
        "expires_at": noon(),
    });
    let decoded = TeamEvent::decode("InvitationCreated", 1, &payload).unwrap();
    let TeamEvent::InvitationCreated(created) = &decoded else {
        panic!("expected an invitation, got {decoded:?}");
    };
    assert_eq!(created.created_by, None);
    let TeamEvent::InvitationCreated(created) = decoded.recorded_by(w.bob) else {
        unreachable!("recorded_by keeps the event's kind");
    };
    assert_eq!(created.created_by, Some(w.bob));
}
