//! One subscriber socket: connect from its loopback source address, read the socket id,
//! have `/broadcasting/auth` sign the team channel, subscribe; then read frames, answering
//! pings, until the socket ends.

use super::tally::Tally;
use crate::{
    api,
    clock::unix_micros,
    frame::{self, Incoming},
    job::Job,
    plan::source_address,
};
use anyhow::{Context, bail};
use futures_util::{SinkExt, StreamExt};
use std::net::SocketAddr;
use tokio::net::{TcpSocket, TcpStream};
use tokio_tungstenite::{
    WebSocketStream, client_async_with_config,
    tungstenite::{Message, client::IntoClientRequest, protocol::WebSocketConfig},
};

pub type Socket = WebSocketStream<TcpStream>;

/// Small buffers: a subscriber reads frames of a few hundred bytes, and thousands of them
/// share this process.
fn config() -> WebSocketConfig {
    WebSocketConfig::default()
        .read_buffer_size(4 * 1024)
        .write_buffer_size(0)
}

/// Subscriber `index` (run-wide) of `job`, connected and subscribed to the team channel.
pub async fn subscribe(job: &Job, index: usize, http: &reqwest::Client) -> anyhow::Result<Socket> {
    let from = source_address(index, job.addresses);
    let mut socket = connect(job, from.into())
        .await
        .with_context(|| format!("connecting from {from}"))?;
    let hello = next_text(&mut socket).await?;
    let socket_id = frame::socket_id(&hello)?;
    let channel = frame::team_channel(&job.team_id);
    let auth = api::authorize(
        http,
        job.server,
        job.cookie_for(index),
        &socket_id,
        &channel,
    )
    .await?;
    socket
        .send(Message::text(frame::subscribe(&channel, &auth)))
        .await?;
    while !frame::subscription_result(&next_text(&mut socket).await?)? {}
    Ok(socket)
}

/// Pusher-js in Node connects without the page's cookie; the signed channel data names the
/// user, so the server counts the socket against that user when it subscribes.
async fn connect(job: &Job, from: std::net::IpAddr) -> anyhow::Result<Socket> {
    let tcp = TcpSocket::new_v4()?;
    tcp.bind(SocketAddr::new(from, 0))?;
    let stream = tcp.connect(job.server).await?;
    stream.set_nodelay(true)?;
    let url = format!("ws://{}/app/{}?protocol=7", job.server, job.app_key);
    let (socket, _) = client_async_with_config(url.into_client_request()?, stream, Some(config()))
        .await
        .context("the WebSocket upgrade")?;
    Ok(socket)
}

async fn next_text(socket: &mut Socket) -> anyhow::Result<String> {
    loop {
        match socket.next().await {
            Some(Ok(Message::Text(text))) => return Ok(text.as_str().to_owned()),
            Some(Ok(Message::Close(frame))) => bail!("the server closed the socket: {frame:?}"),
            Some(Ok(_)) => continue,
            Some(Err(error)) => return Err(error.into()),
            None => bail!("the socket ended"),
        }
    }
}

/// Reads until the socket ends, counting deliveries as `socket` (this worker's numbering).
pub async fn listen(mut socket: Socket, number: usize, tally: &Tally) {
    while let Some(Ok(message)) = socket.next().await {
        let Message::Text(text) = message else {
            if message.is_close() {
                break;
            }
            continue;
        };
        match frame::classify(text.as_str()) {
            Incoming::Delivery { sent_micros } => {
                tally.delivered(number, sent_micros, unix_micros())
            }
            Incoming::Foreign => tally.foreign_frame(),
            Incoming::Ping => {
                if socket.send(Message::text(frame::PONG)).await.is_err() {
                    break;
                }
            }
            Incoming::Other => {}
        }
    }
    tally.socket_closed();
}
