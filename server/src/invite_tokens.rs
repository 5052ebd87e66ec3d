//! Making invite tokens and hashing them. A token is 32 bytes from the operating system's
//! random source; only its SHA-256 is stored.

use app::domain::team::{InviteToken, TokenHash};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use sha2::{Digest, Sha256};

pub fn generate() -> Result<InviteToken, getrandom::Error> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)?;
    Ok(InviteToken::parse(&URL_SAFE_NO_PAD.encode(bytes)).expect("43 URL-safe characters"))
}

pub fn hash(token: &InviteToken) -> TokenHash {
    let digest = Sha256::digest(token.as_str().as_bytes());
    let hex: String = digest.iter().map(|byte| format!("{byte:02x}")).collect();
    TokenHash::parse(&hex).expect("64 lower-case hex digits")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_fresh_and_hash_to_the_same_value_every_time() {
        let (a, b) = (generate().unwrap(), generate().unwrap());
        assert_ne!(a.as_str(), b.as_str());
        assert_eq!(hash(&a), hash(&a));
        assert_ne!(hash(&a), hash(&b));
    }
}
