//! The people of a run: users who sign up; the first makes a team and a reusable invite
//! link, and the others join through it.

use crate::api::User;
use anyhow::Context;
use std::net::SocketAddr;

const PASSWORD: &str = "load test password";

pub struct Team {
    pub id: String,
    pub users: Vec<User>,
}

impl Team {
    pub async fn assemble(server: SocketAddr, size: usize) -> anyhow::Result<Self> {
        let run = uuid::Uuid::now_v7().simple().to_string();
        let mut users = Vec::with_capacity(size.max(1));
        for number in 0..size.max(1) {
            let user = User::new(server)?;
            let email = format!("load-{number}-{run}@example.com");
            user.sign_up(&email, &format!("Load user {number}"), PASSWORD)
                .await
                .with_context(|| format!("signing up {email}"))?;
            users.push(user);
        }
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
