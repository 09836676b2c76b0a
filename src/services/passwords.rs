//! Password hashing with argon2id, off the async runtime.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

use crate::config::PasswordParams;
use crate::error::{Error, Result};

fn hasher(params: PasswordParams) -> Result<Argon2<'static>> {
    let params = Params::new(
        params.memory_kib,
        params.iterations,
        params.parallelism,
        None,
    )
    .map_err(|e| Error::Internal(anyhow::anyhow!("argon2 parameters: {e}")))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// Hashes a password into a PHC string (`$argon2id$v=19$m=...`).
pub async fn hash(password: String, params: PasswordParams) -> Result<String> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::encode_b64(&rand::random::<[u8; 16]>())
            .map_err(|e| Error::Internal(anyhow::anyhow!("salt encoding failed: {e}")))?;
        let hash = hasher(params)?
            .hash_password(password.as_bytes(), &salt)
            .map_err(|e| Error::Internal(anyhow::anyhow!("hashing failed: {e}")))?;
        Ok(hash.to_string())
    })
    .await
    .map_err(|e| Error::Internal(anyhow::anyhow!("hashing task failed: {e}")))?
}

/// Checks a password against a stored PHC string; `false` for a wrong password or a bad hash.
pub async fn verify(password: String, stored: String) -> Result<bool> {
    tokio::task::spawn_blocking(move || {
        let Ok(parsed) = PasswordHash::new(&stored) else {
            return false;
        };
        Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    })
    .await
    .map_err(|e| Error::Internal(anyhow::anyhow!("verify task failed: {e}")))
}

/// Whether a stored hash was made with other parameters (or another algorithm) than `params`.
pub fn needs_rehash(stored: &str, params: PasswordParams) -> bool {
    let Ok(parsed) = PasswordHash::new(stored) else {
        return false;
    };
    let Ok(current) = Params::try_from(&parsed) else {
        return true;
    };
    parsed.algorithm.as_str() != "argon2id"
        || current.m_cost() != params.memory_kib
        || current.t_cost() != params.iterations
        || current.p_cost() != params.parallelism
}

/// A random password for generated accounts: 20 characters without look-alikes (0/O, 1/l/I).
pub fn generate() -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rng();
    (0..20)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_with_argon2id_and_verifies() {
        let stored = hash("mật khẩu dài đủ".to_owned(), PasswordParams::FOR_TESTS)
            .await
            .unwrap();
        assert!(stored.starts_with("$argon2id$"));
        assert!(
            verify("mật khẩu dài đủ".to_owned(), stored.clone())
                .await
                .unwrap()
        );
        assert!(
            !verify("mat khau dai du".to_owned(), stored.clone())
                .await
                .unwrap()
        );
        assert!(!needs_rehash(&stored, PasswordParams::FOR_TESTS));
        assert!(needs_rehash(&stored, PasswordParams::OWASP));
    }
}
