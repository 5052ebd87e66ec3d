//! The writing half of a connection. Every write has a deadline: a client that stops reading
//! fills the kernel's send buffer, after which a write waits for ever, and a connection
//! waiting on a write hears nothing else (not its ping deadline, not its frame limit). A
//! write that misses the deadline ends the connection as one that fell behind.

use super::Ending;
use app::live::{ErrorCode, ServerMessage};
use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket};
use futures_util::{
    SinkExt, StreamExt,
    stream::{SplitSink, SplitStream},
};
use std::time::Duration;

/// How long the server tries to deliver its last error and close frame.
const GOODBYE_TIMEOUT: Duration = Duration::from_secs(2);

/// Why a write did not complete.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("the socket failed: {0}")]
    Failed(#[from] axum::Error),
    #[error("the client read nothing for {0:?}")]
    Stalled(Duration),
}

pub struct Transport {
    sink: SplitSink<WebSocket, Message>,
    deadline: Duration,
}

impl Transport {
    /// Writes to `sink`, each write (or batch of writes) within `deadline`.
    pub fn new(sink: SplitSink<WebSocket, Message>, deadline: Duration) -> Self {
        Self { sink, deadline }
    }

    pub async fn send(&mut self, message: &ServerMessage) -> Result<(), WriteError> {
        self.send_texts([Utf8Bytes::from(message.to_json())]).await
    }

    /// Writes the texts with one flush, all within one deadline.
    pub async fn send_texts(
        &mut self,
        texts: impl IntoIterator<Item = Utf8Bytes>,
    ) -> Result<(), WriteError> {
        let sink = &mut self.sink;
        let write = async move {
            for text in texts {
                sink.feed(Message::Text(text)).await?;
            }
            sink.flush().await
        };
        match tokio::time::timeout(self.deadline, write).await {
            Ok(written) => Ok(written?),
            Err(_) => Err(WriteError::Stalled(self.deadline)),
        }
    }

    /// The server's end of a connection: the error and the close frame with its code, then
    /// the closing handshake: what the client still sends is read and dropped until its own
    /// close frame, so that no unread bytes reset the connection before the client has read
    /// why it ends. A client that does not read gets no goodbye: after a deadline the socket
    /// is dropped.
    pub async fn goodbye(&mut self, stream: &mut SplitStream<WebSocket>, ending: &Ending) {
        let error = ServerMessage::Error {
            code: Some(ending.code),
            message: ending.message.clone(),
        };
        let sink = &mut self.sink;
        let handshake = async move {
            sink.send(Message::Text(error.to_json().into())).await?;
            sink.send(close(ending.code, &ending.message)).await?;
            while let Some(Ok(message)) = stream.next().await {
                if let Message::Close(_) = message {
                    break;
                }
            }
            Ok::<(), axum::Error>(())
        };
        if let Ok(Err(error)) = tokio::time::timeout(GOODBYE_TIMEOUT, Box::pin(handshake)).await {
            tracing::debug!(%error, "the goodbye was not delivered");
        }
    }

    /// The client closed (or the socket failed): sends the close frame that answers it, if
    /// the socket still takes one.
    pub async fn answer_close(&mut self) {
        if let Ok(Err(error)) = tokio::time::timeout(GOODBYE_TIMEOUT, self.sink.close()).await {
            tracing::debug!(%error, "the closing handshake was not answered");
        }
    }
}

/// Refuses a connection at once: the error, the close frame, the closing handshake.
pub async fn refuse(socket: WebSocket, ending: Ending) {
    let (sink, mut stream) = socket.split();
    Transport::new(sink, GOODBYE_TIMEOUT)
        .goodbye(&mut stream, &ending)
        .await;
}

fn close(code: ErrorCode, reason: &str) -> Message {
    let reason: String = reason.chars().take(100).collect();
    Message::Close(Some(CloseFrame {
        code: code as u16,
        reason: Utf8Bytes::from(reason),
    }))
}
