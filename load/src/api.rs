//! The server's HTTP side as a browser's JavaScript uses it: server functions (form-encoded
//! POSTs to `/api/<endpoint>` answering JSON) with a session cookie, and
//! `/broadcasting/auth`, which signs a channel subscription for a socket.

use crate::frame::ChannelAuth;
use reqwest::cookie::{CookieStore, Jar};
use serde::{Deserialize, de::DeserializeOwned};
use std::{net::SocketAddr, sync::Arc};

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "tidings_session";

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{endpoint}: the request failed: {source}")]
    Transport {
        endpoint: String,
        source: reqwest::Error,
    },
    #[error("{endpoint}: the server answered {status}: {body}")]
    Refused {
        endpoint: String,
        status: u16,
        body: String,
    },
    #[error("{endpoint}: the answer is not the expected JSON ({source}): {body}")]
    Decode {
        endpoint: String,
        source: serde_json::Error,
        body: String,
    },
}

#[derive(Debug, Deserialize)]
pub struct TeamReceipt {
    pub team_id: String,
}

#[derive(Debug, Deserialize)]
pub struct NewInvitation {
    pub path: String,
}

/// One person's browser: its own cookie jar. Cheap to clone (the client is shared).
#[derive(Clone)]
pub struct User {
    server: SocketAddr,
    client: reqwest::Client,
    jar: Arc<Jar>,
}

impl User {
    pub fn new(server: SocketAddr) -> Result<Self, ApiError> {
        let jar = Arc::new(Jar::default());
        let client = reqwest::Client::builder()
            .cookie_provider(jar.clone())
            .no_proxy()
            .build()
            .map_err(|source| ApiError::Transport {
                endpoint: "client".into(),
                source,
            })?;
        Ok(Self {
            server,
            client,
            jar,
        })
    }

    pub async fn sign_up(&self, email: &str, name: &str, password: &str) -> Result<(), ApiError> {
        let form = [
            ("email", email),
            ("display_name", name),
            ("password", password),
        ];
        self.call::<serde_json::Value>("sign_up", &form).await?;
        Ok(())
    }

    pub async fn create_team(&self, name: &str) -> Result<TeamReceipt, ApiError> {
        let command_id = command_id();
        self.call(
            "create_team",
            &[("name", name), ("command_id", &command_id)],
        )
        .await
    }

    pub async fn create_reusable_invitation(&self, team: &str) -> Result<NewInvitation, ApiError> {
        let command_id = command_id();
        let form = [
            ("team_id", team),
            ("kind", "reusable"),
            ("command_id", &command_id),
        ];
        self.call("create_invitation", &form).await
    }

    /// Joins through an invite link's path (`/join/<token>`).
    pub async fn join(&self, path: &str) -> Result<(), ApiError> {
        let token = path.trim_start_matches("/join/");
        let command_id = command_id();
        let form = [("token", token), ("command_id", command_id.as_str())];
        self.call::<serde_json::Value>("join_team", &form).await?;
        Ok(())
    }

    pub async fn create_todo(&self, team: &str, title: &str) -> Result<(), ApiError> {
        let command_id = command_id();
        let form = [
            ("team_id", team),
            ("title", title),
            ("description", ""),
            ("command_id", &command_id),
        ];
        self.call::<serde_json::Value>("create_todo", &form).await?;
        Ok(())
    }

    /// The session cookie's value, once signed up.
    pub fn session_cookie(&self) -> Option<String> {
        let url = format!("http://{}/", self.server).parse().ok()?;
        let header = self.jar.cookies(&url)?;
        let prefix = format!("{SESSION_COOKIE}=");
        header
            .to_str()
            .ok()?
            .split("; ")
            .find_map(|pair| pair.strip_prefix(&prefix).map(str::to_owned))
    }

    async fn call<T: DeserializeOwned>(
        &self,
        endpoint: &str,
        form: &[(&str, &str)],
    ) -> Result<T, ApiError> {
        let request = self
            .client
            .post(format!("http://{}/api/{endpoint}", self.server))
            .header("accept", "application/json")
            .form(form);
        json_answer(endpoint, request).await
    }
}

/// Asks `/broadcasting/auth` to sign `channel` for `socket_id`, as the user whose session
/// cookie is `session`.
pub async fn authorize(
    client: &reqwest::Client,
    server: SocketAddr,
    session: &str,
    socket_id: &str,
    channel: &str,
) -> Result<ChannelAuth, ApiError> {
    let request = client
        .post(format!("http://{server}/broadcasting/auth"))
        .header("cookie", format!("{SESSION_COOKIE}={session}"))
        .form(&[("socket_id", socket_id), ("channel_name", channel)]);
    json_answer("broadcasting/auth", request).await
}

async fn json_answer<T: DeserializeOwned>(
    endpoint: &str,
    request: reqwest::RequestBuilder,
) -> Result<T, ApiError> {
    let transport = |source| ApiError::Transport {
        endpoint: endpoint.to_owned(),
        source,
    };
    let response = request.send().await.map_err(transport)?;
    let status = response.status().as_u16();
    let body = response.text().await.map_err(transport)?;
    if !(200..300).contains(&status) {
        return Err(ApiError::Refused {
            endpoint: endpoint.to_owned(),
            status,
            body,
        });
    }
    serde_json::from_str(&body).map_err(|source| ApiError::Decode {
        endpoint: endpoint.to_owned(),
        source,
        body,
    })
}

/// A fresh command id: a UUIDv7, as the app's forms make.
fn command_id() -> String {
    uuid::Uuid::now_v7().to_string()
}
