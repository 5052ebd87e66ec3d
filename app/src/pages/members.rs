//! `/teams/:team_id/members`: who is in the team (its owner may remove the others), its
//! invite links (make, revoke), and leaving it. A new link is shown once: from the form's
//! answer, or, when the form was posted without JavaScript, on the page it comes back to.

use crate::{
    api::{
        AppError, CreateInvitation, InvitationStatus, InvitationView, LeaveTeam, MemberView,
        NewInvitation, RemoveMember, RevokeInvitation, TeamMembers, fetch_team_members,
    },
    components::{
        ActionNotice, ErrorNotice, Loaded, Moment, fresh_command_id, go_to_when_done, site_origin,
    },
    live::load_latest,
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

#[component]
pub fn MembersPage() -> impl IntoView {
    let params = use_params_map();
    let team_id = move || params.read().get("team_id").unwrap_or_default();
    let team = Resource::new(team_id, fetch_team_members);
    view! {
        <Loaded
            resource=team
            render=move |team: TeamMembers| {
                view! {
                    <Title text=format!("Members of {} · Tidings", team.team.name) />
                    <LiveMembers team />
                }
            }
        />
    }
}

/// The page as the server rendered it; in the browser, loaded again after each of its
/// forms is answered.
#[island]
fn LiveMembers(team: TeamMembers) -> impl IntoView {
    let invite = ServerAction::<CreateInvitation>::new();
    let revoke = ServerAction::<RevokeInvitation>::new();
    let remove = ServerAction::<RemoveMember>::new();
    let team_id = team.team.id.to_string();
    let shown = RwSignal::new(Ok::<_, AppError>(team));
    Effect::new(move |answered_before: Option<()>| {
        invite.version().track();
        revoke.version().track();
        remove.version().track();
        if answered_before.is_some() {
            load_latest(shown, fetch_team_members(team_id.clone()));
        }
    });
    move || match shown.get() {
        Ok(team) => view! { <Members team invite revoke remove /> }.into_any(),
        Err(error) => view! { <ErrorNotice error /> }.into_any(),
    }
}

#[component]
fn Members(
    team: TeamMembers,
    invite: ServerAction<CreateInvitation>,
    revoke: ServerAction<RevokeInvitation>,
    remove: ServerAction<RemoveMember>,
) -> impl IntoView {
    let team_id = team.team.id.to_string();
    let viewer = team.viewer;
    let viewer_is_owner = team.members.iter().any(|m| m.owner && m.id == viewer);
    let members = team
        .members
        .into_iter()
        .map(|member| {
            let removable = viewer_is_owner && member.id != viewer;
            let team_id = team_id.clone();
            view! { <Member member team_id removable remove /> }
        })
        .collect_view();
    let invitations = team
        .invitations
        .into_iter()
        .map(|invitation| view! { <Invitation invitation team_id=team_id.clone() revoke /> })
        .collect_view();
    view! {
        <div class="members-page" data-position=team.position.get()>
            <nav class="crumbs" aria-label="Breadcrumb">
                <a href=format!("/teams/{}", team.team.id)>{format!("← {}", team.team.name)}</a>
            </nav>
            <h1>{format!("Members of {}", team.team.name)}</h1>
            <section class="card">
                <h2>"Members"</h2>
                <ActionNotice action=remove />
                <ul class="member-list">{members}</ul>
            </section>
            <InviteForm team_id=team_id.clone() invite held=team.held_invitation />
            <section class="card">
                <h2>"Invite links"</h2>
                <ActionNotice action=revoke />
                <table class="invitations">
                    <thead>
                        <tr>
                            <th>"Status"</th>
                            <th>"Kind"</th>
                            <th>"Made by"</th>
                            <th>"Expires"</th>
                            <th>
                                <span class="visually-hidden">"Actions"</span>
                            </th>
                        </tr>
                    </thead>
                    <tbody>{invitations}</tbody>
                </table>
            </section>
            <LeaveForm team_id />
        </div>
    }
}

/// One member; with `removable`, a form for the owner to remove them.
#[component]
fn Member(
    member: MemberView,
    team_id: String,
    removable: bool,
    remove: ServerAction<RemoveMember>,
) -> impl IntoView {
    let id = member.id.to_string();
    let removing = id.clone();
    let label = format!("Remove {}", member.display_name);
    let remove_form = removable.then(move || {
        view! {
            <ActionForm action=remove attr:class="inline-form">
                <input type="hidden" name="team_id" value=team_id />
                <input type="hidden" name="user_id" value=removing />
                <input type="hidden" name="command_id" value=fresh_command_id() />
                <button type="submit" class="button button-danger" aria-label=label>
                    "Remove"
                </button>
            </ActionForm>
        }
    });
    view! {
        <li data-user-id=id>
            <span class="member-name">{member.display_name}</span>
            {member.owner.then(|| view! { <span class="badge badge-owner">"owner"</span> })}
            <span class="muted small">" joined " <Moment at=member.joined_at /></span>
            {remove_form}
        </li>
    }
}

#[component]
fn InviteForm(
    team_id: String,
    invite: ServerAction<CreateInvitation>,
    held: Option<NewInvitation>,
) -> impl IntoView {
    let made = move || {
        let answer = invite.value().get().and_then(Result::ok);
        answer.or_else(|| held.clone()).map(|made| {
            let link = format!("{}{}", site_origin(), made.path);
            view! {
                <div class="field invite-made">
                    <label for="invite-link">"Share this link; it is shown only now."</label>
                    <input id="invite-link" readonly value=link />
                    <p class="hint">
                        {if made.single_use { "One person" } else { "Anyone with the link" }}
                        " · expires "
                        <Moment at=made.expires_at />
                    </p>
                </div>
            }
        })
    };
    view! {
        <section class="card">
            <h2>"Invite someone"</h2>
            <ActionForm action=invite attr:class="inline-fields">
                <input type="hidden" name="team_id" value=team_id />
                <input
                    type="hidden"
                    name="command_id"
                    value=move || {
                        invite.version().track();
                        fresh_command_id()
                    }
                />
                <div class="field">
                    <label for="invite-kind">"Who may use it"</label>
                    <select id="invite-kind" name="kind">
                        <option value="single" selected>"One person (single use)"</option>
                        <option value="reusable">"Anyone with the link"</option>
                    </select>
                    <p class="hint">"Either way, the link expires in 7 days."</p>
                </div>
                <button type="submit" class="button button-primary">"Make an invite link"</button>
            </ActionForm>
            <ActionNotice action=invite />
            {made}
        </section>
    }
}

#[component]
fn Invitation(
    invitation: InvitationView,
    team_id: String,
    revoke: ServerAction<RevokeInvitation>,
) -> impl IntoView {
    let id = invitation.id.to_string();
    let revoking = id.clone();
    let revoke_form = (invitation.status == InvitationStatus::Open).then(move || {
        view! {
            <ActionForm action=revoke attr:class="inline-form">
                <input type="hidden" name="team_id" value=team_id />
                <input type="hidden" name="invitation_id" value=revoking />
                <input type="hidden" name="command_id" value=fresh_command_id() />
                <button type="submit" class="button">"Revoke"</button>
            </ActionForm>
        }
    });
    view! {
        <tr data-invitation-id=id data-status=invitation.status.label()>
            <td>
                <span class=format!("badge badge-invite-{}", invitation.status.label())>
                    {invitation.status.label()}
                </span>
            </td>
            <td>{if invitation.single_use { "single use" } else { "reusable" }}</td>
            <td>{invitation.created_by}</td>
            <td>
                <Moment at=invitation.expires_at />
            </td>
            <td>{revoke_form}</td>
        </tr>
    }
}

#[component]
fn LeaveForm(team_id: String) -> impl IntoView {
    let leave = ServerAction::<LeaveTeam>::new();
    go_to_when_done(leave, |_| "/".to_owned());
    view! {
        <section class="card danger-zone">
            <h2>"Leave the team"</h2>
            <p class="muted">"You will no longer see its todos. A member can invite you back."</p>
            <ActionForm action=leave>
                <input type="hidden" name="team_id" value=team_id />
                <input type="hidden" name="command_id" value=fresh_command_id() />
                <button type="submit" class="button button-danger">"Leave this team"</button>
            </ActionForm>
            <ActionNotice action=leave />
        </section>
    }
}
