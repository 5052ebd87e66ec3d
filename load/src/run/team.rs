//! The people of a run: users who sign up; the first makes a team and a reusable invite
//! link, and the others join through it. Sign-ups run a few at once, since each hashes a
//! password (slow by design) and a run may have hundreds of users; joins run one at a
//! time, since each appends to the team's stream and concurrent ones lose races (the server
//! retries a race only a few times, then answers 409).

use crate::api::User;
use anyhow::Context;
use futures_util::{StreamExt, TryStreamExt, stream};
use std::net::SocketAddr;

const PASSWORD: &str = "load test password";
/// Sign-ups in flight at once: enough to keep both of the server's cores hashing.
const SIGN_UPS_AT_ONCE: usize = 4;

pub struct Team {
    pub id: String,
    pub users: Vec<User>,
}

impl Team {
    pub async fn assemble(server: SocketAddr, size: usize) -> anyhow::Result<Self> {
        let run = uuid::Uuid::now_v7().simple().to_string();
        let users: Vec<User> = stream::iter(0..size.max(1))
            .map(|number| sign_up(server, number, &run))
            .buffered(SIGN_UPS_AT_ONCE)
            .try_collect()
            .await?;
        let founder = &users[0];
        let id = founder.create_team("Load").await?.team_id;
        let invitation = founder.create_reusable_invitation(&id).await?;
        for user in &users[1..] {
            user.join(&invitation.path).await?;
        }
        Ok(Self { id, users })
    }

    /// Every user's session cookie, in order.
    pub fn cookies(&self) -> anyhow::Result<Vec<String>> {
        self.users
            .iter()
            .map(|user| {
                user.session_cookie()
                    .context("a user has no session cookie")
            })
            .collect()
    }
}

async fn sign_up(server: SocketAddr, number: usize, run: &str) -> anyhow::Result<User> {
    let user = User::new(server)?;
    let email = format!("load-{number}-{run}@example.com");
    user.sign_up(&email, &format!("Load user {number}"), PASSWORD)
        .await
        .with_context(|| format!("signing up {email}"))?;
    Ok(user)
}
