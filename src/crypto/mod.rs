//! App passwords at rest: AES-256-GCM with a key derived (HKDF-SHA256) from the admin's
//! generated encryption key, a fresh random 96-bit nonce per encryption, and the user id
//! as associated data (a sealed password copied to another user does not open).
//!
//! Randomness comes from the host's cryptographic source: WASI `random_get`, which the Go
//! host backs with `crypto/rand` (wazero's default source is deterministic). The tests
//! check that two encryptions of one password differ.

use std::fmt;

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use hkdf::Hkdf;
use serde::{Deserialize, Serialize};
use sha2::Sha256;

const SALT: &[u8] = b"yandex-calendar for mattermost";
const INFO_KEY: &[u8] = b"v1 aes-256-gcm app password";
const INFO_KID: &[u8] = b"v1 key id";

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CryptoError {
    #[error("no encryption key is configured")]
    NoKey,
    #[error("the secret was sealed with another encryption key")]
    KeyChanged,
    #[error("the sealed secret is damaged or belongs to someone else")]
    Corrupt,
    #[error("the host gave no random bytes")]
    NoRandomness,
}

/// A sealed secret as stored: which key sealed it, the nonce and the ciphertext (hex).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sealed {
    /// 8 hex digits derived from the key, to tell "key changed" from "damaged".
    pub kid: String,
    pub nonce: String,
    pub ct: String,
}

impl fmt::Debug for Sealed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Sealed(kid {})", self.kid)
    }
}

/// A secret in the clear: kept out of `Debug` and `Display`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Secret {
        Secret(s.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

struct Keys {
    cipher: Aes256Gcm,
    kid: String,
}

fn derive(admin_key: &str) -> Result<Keys, CryptoError> {
    let admin_key = admin_key.trim();
    if admin_key.is_empty() {
        return Err(CryptoError::NoKey);
    }
    let hk = Hkdf::<Sha256>::new(Some(SALT), admin_key.as_bytes());
    let mut key = [0u8; 32];
    let mut kid = [0u8; 4];
    // 32 and 4 bytes are far below HKDF-SHA256's 8160-byte limit: these cannot fail.
    hk.expand(INFO_KEY, &mut key)
        .map_err(|_| CryptoError::NoKey)?;
    hk.expand(INFO_KID, &mut kid)
        .map_err(|_| CryptoError::NoKey)?;
    let cipher = Aes256Gcm::new_from_slice(&key).map_err(|_| CryptoError::NoKey)?;
    Ok(Keys {
        cipher,
        kid: hex(&kid),
    })
}

fn aad(user_id: &str) -> Vec<u8> {
    format!("v1|{user_id}").into_bytes()
}

/// Random bytes from the host's cryptographic source.
pub fn random<const N: usize>() -> Result<[u8; N], CryptoError> {
    let mut out = [0u8; N];
    getrandom::getrandom(&mut out).map_err(|_| CryptoError::NoRandomness)?;
    Ok(out)
}

pub fn seal(admin_key: &str, user_id: &str, secret: &Secret) -> Result<Sealed, CryptoError> {
    let keys = derive(admin_key)?;
    let nonce: [u8; 12] = random()?;
    let ct = keys
        .cipher
        .encrypt(
            Nonce::from_slice(&nonce),
            Payload {
                msg: secret.0.as_bytes(),
                aad: &aad(user_id),
            },
        )
        .map_err(|_| CryptoError::Corrupt)?;
    Ok(Sealed {
        kid: keys.kid,
        nonce: hex(&nonce),
        ct: hex(&ct),
    })
}

pub fn open(admin_key: &str, user_id: &str, sealed: &Sealed) -> Result<Secret, CryptoError> {
    let keys = derive(admin_key)?;
    if keys.kid != sealed.kid {
        return Err(CryptoError::KeyChanged);
    }
    let nonce = unhex(&sealed.nonce).filter(|n| n.len() == 12);
    let (Some(nonce), Some(ct)) = (nonce, unhex(&sealed.ct)) else {
        return Err(CryptoError::Corrupt);
    };
    let plain = keys
        .cipher
        .decrypt(
            Nonce::from_slice(&nonce),
            Payload {
                msg: &ct,
                aad: &aad(user_id),
            },
        )
        .map_err(|_| CryptoError::Corrupt)?;
    String::from_utf8(plain)
        .map(Secret)
        .map_err(|_| CryptoError::Corrupt)
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    if s.len() % 2 != 0 {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seals_and_opens() {
        let pw = Secret::new("abcd efgh ijkl mnop");
        let s = seal("admin-key", "u1", &pw).unwrap();
        assert_eq!(open("admin-key", "u1", &s).unwrap(), pw);
        assert!(!s.ct.contains("abcd"));
        assert!(!format!("{s:?} {pw:?}").contains("abcd"));
    }

    #[test]
    fn two_encryptions_differ() {
        let pw = Secret::new("same password");
        let a = seal("k", "u1", &pw).unwrap();
        let b = seal("k", "u1", &pw).unwrap();
        assert_ne!(a.nonce, b.nonce);
        assert_ne!(a.ct, b.ct);
    }

    #[test]
    fn wrong_key_other_user_damage_and_no_key() {
        let s = seal("k1", "u1", &Secret::new("pw")).unwrap();
        assert_eq!(open("k2", "u1", &s), Err(CryptoError::KeyChanged));
        assert_eq!(open("k1", "u2", &s), Err(CryptoError::Corrupt));
        let mut bad = s.clone();
        bad.ct
            .replace_range(0..2, if &s.ct[0..2] == "00" { "01" } else { "00" });
        assert_eq!(open("k1", "u1", &bad), Err(CryptoError::Corrupt));
        bad.nonce = "zz".into();
        assert_eq!(open("k1", "u1", &bad), Err(CryptoError::Corrupt));
        assert_eq!(
            seal("  ", "u1", &Secret::new("pw")),
            Err(CryptoError::NoKey)
        );
        assert_eq!(open("", "u1", &s), Err(CryptoError::NoKey));
    }
}
