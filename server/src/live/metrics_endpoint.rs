//! `GET /metrics`: the Prometheus text format, for whom may read it. With a token configured
//! (`--metrics-token`), the request must carry it (`Authorization: Bearer <token>`), or it
//! gets 401. Without one, only a request from this machine (a loopback peer) that no proxy
//! forwarded gets an answer, and any other 403: a proxy on this machine would make every
//! client a loopback peer, and it says so with its forwarding headers.

use super::Live;
use crate::{config::MetricsToken, metrics::Snapshot};
use axum::{
    Extension,
    extract::ConnectInfo,
    http::{HeaderMap, StatusCode, header, request::Parts},
    response::{IntoResponse, Response},
};
use std::net::SocketAddr;

/// The headers with which a reverse proxy names the client it forwards for.
const FORWARDING_HEADERS: [&str; 3] = ["forwarded", "x-forwarded-for", "x-real-ip"];

/// Why a request may not read the metrics.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum MetricsRefusal {
    #[error("/metrics needs its bearer token")]
    NoToken,
    #[error("/metrics answers this machine only; set --metrics-token to read it from elsewhere")]
    NotLocal,
}

impl IntoResponse for MetricsRefusal {
    fn into_response(self) -> Response {
        match self {
            Self::NoToken => (
                StatusCode::UNAUTHORIZED,
                [(header::WWW_AUTHENTICATE, "Bearer")],
                self.to_string(),
            )
                .into_response(),
            Self::NotLocal => (StatusCode::FORBIDDEN, self.to_string()).into_response(),
        }
    }
}

pub async fn metrics(
    Extension(live): Extension<std::sync::Arc<Live>>,
    Extension(token): Extension<Option<MetricsToken>>,
    request: Parts,
) -> Result<impl IntoResponse, MetricsRefusal> {
    let peer = request
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|info| info.0);
    allowed(token.as_ref(), peer, &request.headers)?;
    let snapshot = Snapshot {
        head: *live.store.watch_head().borrow(),
        subscriptions: live.hub.subscriptions(),
        tail: live.tail.clone(),
    };
    Ok((
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        live.metrics.render(&snapshot),
    ))
}

/// Whether a request from `peer` with `headers` may read the metrics.
fn allowed(
    token: Option<&MetricsToken>,
    peer: Option<SocketAddr>,
    headers: &HeaderMap,
) -> Result<(), MetricsRefusal> {
    match token {
        Some(token) => {
            let presented = headers
                .get(header::AUTHORIZATION)
                .and_then(|value| value.to_str().ok())
                .and_then(|value| value.strip_prefix("Bearer "));
            match presented {
                Some(presented) if token.matches(presented) => Ok(()),
                _ => Err(MetricsRefusal::NoToken),
            }
        }
        None => {
            let local = peer.is_some_and(|peer| peer.ip().to_canonical().is_loopback());
            let forwarded = FORWARDING_HEADERS
                .iter()
                .any(|name| headers.contains_key(*name));
            if local && !forwarded {
                Ok(())
            } else {
                Err(MetricsRefusal::NotLocal)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn peer(address: &str) -> Option<SocketAddr> {
        Some(address.parse().unwrap())
    }

    #[test]
    fn without_a_token_only_a_loopback_peer_is_local() {
        let none = HeaderMap::new();
        for local in [
            "127.0.0.1:1",
            "127.9.9.9:1",
            "[::1]:1",
            "[::ffff:127.0.0.1]:1",
        ] {
            assert_eq!(allowed(None, peer(local), &none), Ok(()), "{local}");
        }
        for remote in ["192.0.2.7:1", "[2001:db8::1]:1", "[::ffff:192.0.2.7]:1"] {
            assert_eq!(
                allowed(None, peer(remote), &none),
                Err(MetricsRefusal::NotLocal),
                "{remote}"
            );
        }
        assert_eq!(allowed(None, None, &none), Err(MetricsRefusal::NotLocal));
    }
}
