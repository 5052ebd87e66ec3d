//! `POST /broadcasting/auth`: the Pusher way of authorising a private channel. For the
//! session's user, answers `{"auth": "<key>:<signature>", "channel_data": "{\"user_id\":…}"}`
//! when they may subscribe, and 403 otherwise; a malformed socket id or channel name is
//! refused with 400. The signature covers the channel data, which names the user.

use super::{Live, access};
use crate::sessions;
use app::{
    domain::UserId,
    live::{Channel, SocketId},
};
use axum::{
    Extension, Form, Json,
    http::StatusCode,
    response::{IntoResponse, Response},
};
use serde::Deserialize;
use serde_json::json;
use tower_sessions::Session;

#[derive(Deserialize)]
pub struct AuthRequest {
    socket_id: String,
    channel_name: String,
}

pub async fn authorize(
    Extension(live): Extension<std::sync::Arc<Live>>,
    session: Session,
    Form(request): Form<AuthRequest>,
) -> Response {
    let socket_id = match SocketId::parse(&request.socket_id) {
        Ok(id) => id,
        Err(error) => return refuse(StatusCode::BAD_REQUEST, &error.to_string()),
    };
    let channel = match Channel::parse(&request.channel_name) {
        Ok(channel) => channel,
        Err(error) => return refuse(StatusCode::BAD_REQUEST, &error.to_string()),
    };
    let user: Option<UserId> = match sessions::user_of(&session).await {
        Ok(user) => user,
        Err(_) => return refuse(StatusCode::INTERNAL_SERVER_ERROR, "session store failed"),
    };
    let Some(user) = user else {
        return refuse(StatusCode::FORBIDDEN, "Please sign in to continue.");
    };
    match access::grant(live.read_models.as_ref(), user, channel).await {
        Ok(Some(_)) => {
            let data = json!({ "user_id": user.to_string() }).to_string();
            let auth = live.signer.sign(socket_id, channel, Some(&data));
            Json(json!({ "auth": auth, "channel_data": data })).into_response()
        }
        Ok(None) => refuse(
            StatusCode::FORBIDDEN,
            "You may not subscribe to this channel.",
        ),
        Err(error) => {
            tracing::error!(%error, "channel authorisation failed");
            refuse(
                StatusCode::INTERNAL_SERVER_ERROR,
                "Something went wrong on our side.",
            )
        }
    }
}

fn refuse(status: StatusCode, message: &str) -> Response {
    (status, Json(json!({ "error": message }))).into_response()
}
