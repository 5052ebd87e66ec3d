//! Channel signatures, the Pusher way: `<key>:<hex HMAC-SHA256(secret, message)>`, where the
//! message is `socket_id:channel`, or `socket_id:channel:channel_data` when the
//! authorisation also names its user (as Pusher's presence channels do; we do it for every
//! channel, so a socket without the session cookie, such as pusher-js in Node, still says
//! who subscribes). `/broadcasting/auth` signs; `pusher:subscribe` verifies, in constant
//! time.

use app::live::{Channel, SocketId};
use hmac::{Hmac, Mac};
use sha2::Sha256;

#[derive(Clone)]
pub struct Signer {
    key: String,
    secret: Vec<u8>,
}

impl Signer {
    pub fn new(key: String, secret: Vec<u8>) -> Self {
        Self { key, secret }
    }

    pub fn key(&self) -> &str {
        &self.key
    }

    fn mac(&self, socket_id: SocketId, channel: Channel, data: Option<&str>) -> Hmac<Sha256> {
        let mut mac =
            Hmac::<Sha256>::new_from_slice(&self.secret).expect("HMAC takes a key of any length");
        mac.update(format!("{socket_id}:{channel}").as_bytes());
        if let Some(data) = data {
            mac.update(b":");
            mac.update(data.as_bytes());
        }
        mac
    }

    /// The `auth` value that lets `socket_id` subscribe to `channel` (with `data`, the
    /// channel data it names).
    pub fn sign(&self, socket_id: SocketId, channel: Channel, data: Option<&str>) -> String {
        let digest = self.mac(socket_id, channel, data).finalize().into_bytes();
        let hex: String = digest.iter().map(|byte| format!("{byte:02x}")).collect();
        format!("{}:{hex}", self.key)
    }

    /// Whether `auth` is this server's signature for `socket_id`, `channel` and `data`.
    pub fn verify(
        &self,
        socket_id: SocketId,
        channel: Channel,
        data: Option<&str>,
        auth: &str,
    ) -> bool {
        let Some(hex) = auth
            .strip_prefix(self.key.as_str())
            .and_then(|rest| rest.strip_prefix(':'))
        else {
            return false;
        };
        let Some(bytes) = decode_hex(hex) else {
            return false;
        };
        self.mac(socket_id, channel, data)
            .verify_slice(&bytes)
            .is_ok()
    }
}

fn decode_hex(hex: &str) -> Option<Vec<u8>> {
    if hex.len() != 64 {
        return None;
    }
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::domain::TeamId;

    fn signer() -> Signer {
        Signer::new("tidings".into(), b"a secret".to_vec())
    }

    #[test]
    fn a_signature_verifies_for_its_socket_and_channel_only() {
        let (socket, channel) = (SocketId::new(1, 2), Channel::Team(TeamId::new()));
        let auth = signer().sign(socket, channel, None);
        assert!(auth.starts_with("tidings:"));
        assert!(signer().verify(socket, channel, None, &auth));
        assert!(!signer().verify(SocketId::new(1, 3), channel, None, &auth));
        assert!(!signer().verify(socket, Channel::Team(TeamId::new()), None, &auth));
        assert!(!signer().verify(socket, channel, Some("{}"), &auth));
        let with_data = signer().sign(socket, channel, Some(r#"{"user_id":"u"}"#));
        assert!(signer().verify(socket, channel, Some(r#"{"user_id":"u"}"#), &with_data));
        assert!(!signer().verify(socket, channel, Some(r#"{"user_id":"v"}"#), &with_data));
    }

    #[test]
    fn forged_or_malformed_signatures_fail() {
        let (socket, channel) = (SocketId::new(1, 2), Channel::Team(TeamId::new()));
        let other = Signer::new("tidings".into(), b"another secret".to_vec());
        assert!(!signer().verify(socket, channel, None, &other.sign(socket, channel, None)));
        let auth = signer().sign(socket, channel, None);
        for bad in [
            auth.replacen("tidings", "other", 1),
            auth.trim_end_matches(|c| c != ':').to_owned(),
            format!("{auth}00"),
            "tidings:zz".to_owned(),
            String::new(),
        ] {
            assert!(!signer().verify(socket, channel, None, &bad), "{bad:?}");
        }
    }
}
