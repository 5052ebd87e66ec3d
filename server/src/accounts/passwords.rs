//! Password hashing: argon2id through `password-auth`, on the blocking pool, because one hash
//! takes tens of milliseconds of CPU and must not stall the async runtime.

use app::domain::Password;

#[derive(Debug, thiserror::Error)]
pub enum HashError {
    #[error("the hashing task failed: {0}")]
    Task(#[from] tokio::task::JoinError),
}

pub async fn hash(password: &Password) -> Result<String, HashError> {
    let password = password.clone();
    Ok(
        tokio::task::spawn_blocking(move || password_auth::generate_hash(password.expose()))
            .await?,
    )
}

/// Whether `password` matches `hash`. A hash that cannot be read matches nothing.
pub async fn verify(password: &Password, hash: String) -> Result<bool, HashError> {
    let password = password.clone();
    Ok(tokio::task::spawn_blocking(move || {
        password_auth::verify_password(password.expose(), &hash).is_ok()
    })
    .await?)
}

/// Checks `password` against a hash of no one's password. Run when an email is unknown, so
/// that a log-in takes as long whether or not the account exists.
pub async fn verify_decoy(password: &Password) -> Result<(), HashError> {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let password = password.clone();
    tokio::task::spawn_blocking(move || {
        let decoy =
            DECOY.get_or_init(|| password_auth::generate_hash("no account has this password"));
        let _ = password_auth::verify_password(password.expose(), decoy);
    })
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_password_verifies_against_its_own_hash_only() {
        let right = Password::parse("correct horse").unwrap();
        let wrong = Password::parse("correct horsf").unwrap();
        let hashed = hash(&right).await.unwrap();
        assert!(hashed.starts_with("$argon2id$"));
        assert!(verify(&right, hashed.clone()).await.unwrap());
        assert!(!verify(&wrong, hashed).await.unwrap());
    }

    #[tokio::test]
    async fn an_unreadable_hash_matches_nothing() {
        let password = Password::parse("correct horse").unwrap();
        assert!(!verify(&password, "not a hash".into()).await.unwrap());
    }
}
