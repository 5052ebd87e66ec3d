//! One WebSocket connection at `/app/{key}`, with the same upgrade settings as Tidings'
//! (the read buffer given with `--read-buffer`, the same message and frame size limits) and
//! the same shape: one
//! task that reads the client, and writes whatever its bounded queue holds with one flush;
//! a full queue ends it. No key, protocol, session, signature or rate check, no
//! server-side ping: only what a fan-out needs.

use super::{
    Baseline,
    hub::{Frame, Outbox},
    protocol::{self, Request},
};
use axum::{
    extract::{
        State,
        ws::{Message, Utf8Bytes, WebSocket, WebSocketUpgrade},
    },
    response::Response,
};
use futures_util::{SinkExt, StreamExt, stream::SplitSink};
use tokio::sync::mpsc;

/// The largest frame or message read: four times Tidings' default frame limit, as there.
const MAX_MESSAGE_BYTES: usize = 4 * 10_000;
/// How many frames may wait for a slow connection, as Tidings' default.
const QUEUE_DEPTH: usize = 256;

pub async fn upgrade(State(baseline): State<Baseline>, ws: WebSocketUpgrade) -> Response {
    let read_buffer = baseline.read_buffer_bytes;
    ws.read_buffer_size(read_buffer)
        .max_message_size(MAX_MESSAGE_BYTES)
        .max_frame_size(MAX_MESSAGE_BYTES)
        .on_upgrade(move |socket| run(baseline, socket))
}

type Sink = SplitSink<WebSocket, Message>;

async fn run(baseline: Baseline, socket: WebSocket) {
    let (mut sink, mut stream) = socket.split();
    let id = baseline.hub.connection_id();
    let (outbox, mut frames) = Outbox::new(QUEUE_DEPTH);
    let hello = protocol::connection_established(&format!("{}.{id}", std::process::id()));
    if sink.send(Message::text(hello)).await.is_err() {
        return;
    }
    let _open = baseline.opened();
    let mut channels = Vec::new();
    loop {
        tokio::select! {
            incoming = stream.next() => {
                let Some(Ok(message)) = incoming else { break };
                let Message::Text(text) = message else {
                    if matches!(message, Message::Close(_)) { break }
                    continue;
                };
                let reply = match Request::parse(text.as_str()) {
                    Request::Ping => protocol::PONG.to_owned(),
                    Request::Subscribe { channel } => {
                        baseline.hub.subscribe(&channel, id, outbox.clone());
                        let reply = protocol::subscription_succeeded(&channel);
                        channels.push(channel);
                        reply
                    }
                    Request::Other => continue,
                };
                if sink.send(Message::text(reply)).await.is_err() {
                    break;
                }
            }
            Some(frame) = frames.recv() => {
                // A client that stops reading blocks this write; the overflow still ends it.
                tokio::select! {
                    flushed = flush_queue(&mut sink, frame, &mut frames) => {
                        if flushed.is_err() { break }
                    }
                    () = outbox.overflowed.notified() => break,
                }
            }
            () = outbox.overflowed.notified() => break,
        }
    }
    for channel in &channels {
        baseline.hub.unsubscribe(channel, id);
    }
}

/// Sends `first` and every frame already queued behind it, with one flush.
async fn flush_queue(
    sink: &mut Sink,
    first: Frame,
    frames: &mut mpsc::Receiver<Frame>,
) -> Result<(), axum::Error> {
    let mut next = Some(first);
    while let Some(frame) = next {
        sink.feed(Message::Text(Utf8Bytes::from(frame.as_ref())))
            .await?;
        next = frames.try_recv().ok();
    }
    sink.flush().await
}
