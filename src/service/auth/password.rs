//! Passwords (SPEC §10): 8..256 characters, hashed with Argon2id at OWASP's
//! parameters (19 MiB, 2 passes, 1 lane) into a PHC string.
//!
//! A `Password` never prints itself, and no error here ever holds one.

use crate::model::credentials::PasswordHash;
use crate::model::ids::random_bytes;
use crate::model::{MembersError, MembersResult};
use argon2::password_hash::phc;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, Version};
use base64::engine::general_purpose::STANDARD_NO_PAD;
use base64::Engine as _;
use std::fmt;
use std::sync::OnceLock;

/// Fewest characters in a password.
pub const MIN_PASSWORD_CHARS: usize = 8;
/// Most characters in a password (a bound on hashing work per request).
pub const MAX_PASSWORD_CHARS: usize = 256;

/// OWASP's Argon2id minimum: m = 19 MiB (in KiB), t = 2 passes, p = 1 lane.
const MEMORY_KIB: u32 = 19 * 1024;
const PASSES: u32 = 2;
const LANES: u32 = 1;
/// Bytes of Argon2 output in a PHC string (argon2's default).
const OUTPUT_BYTES: usize = 32;

fn hasher() -> MembersResult<Argon2<'static>> {
    let params = Params::new(MEMORY_KIB, PASSES, LANES, None)
        .map_err(|e| MembersError::internal(format!("argon2 parameters: {e}")))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// A password as a caller typed it, checked for length.
#[derive(Clone)]
pub struct Password(String);

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(…)")
    }
}

impl Password {
    /// Checks the length (in characters); the error names `field`, never the value.
    pub fn parse(text: &str, field: &str) -> MembersResult<Password> {
        let chars = text.chars().count();
        if !(MIN_PASSWORD_CHARS..=MAX_PASSWORD_CHARS).contains(&chars) {
            return Err(MembersError::invalid_field(
                field,
                "LENGTH",
                format!(
                    "must be {MIN_PASSWORD_CHARS} to {MAX_PASSWORD_CHARS} characters long, got {chars}"
                ),
            ));
        }
        Ok(Password(text.to_string()))
    }

    /// The password itself, for a hasher to work on (never to show).
    pub fn reveal(&self) -> &str {
        &self.0
    }

    /// Hashes with a fresh 16-byte salt.
    pub fn hash(&self) -> MembersResult<PasswordHash> {
        let mut salt = [0u8; 16];
        random_bytes(&mut salt)?;
        let hash = hasher()?
            .hash_password_with_salt(self.0.as_bytes(), &salt)
            .map_err(|e| MembersError::internal(format!("password hashing failed: {e}")))?;
        Ok(PasswordHash::from_phc(hash.to_string()))
    }

    /// True when this is the password of the PHC string `phc_text`.
    pub fn verify(&self, phc_text: &str) -> bool {
        let Ok(parsed) = phc::PasswordHash::new(phc_text) else {
            return false;
        };
        hasher()
            .map(|h| h.verify_password(self.0.as_bytes(), &parsed).is_ok())
            .unwrap_or(false)
    }
}

/// A PHC string with the real parameters, a random salt and a random output,
/// made once, to verify against when there is nothing to verify (so that takes
/// as long as a check; no password has that output). It is not hashed: that
/// would run Argon2 on the calling thread, and in a server that is the main
/// one, whose wasm memory would keep Argon2's 19 MiB for good.
pub fn decoy_hash() -> &'static str {
    static DECOY: OnceLock<String> = OnceLock::new();
    DECOY.get_or_init(|| {
        let mut salt = [0u8; 16];
        let mut output = [0u8; OUTPUT_BYTES];
        let _ = random_bytes(&mut salt);
        let _ = random_bytes(&mut output);
        format!(
            "$argon2id$v=19$m={MEMORY_KIB},t={PASSES},p={LANES}${}${}",
            STANDARD_NO_PAD.encode(salt),
            STANDARD_NO_PAD.encode(output)
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_argon2id_phc_with_owasp_parameters_and_salted() {
        let password = Password::parse("correct horse", "password").unwrap();
        let a = password.hash().unwrap();
        let b = password.hash().unwrap();
        assert!(
            a.as_phc().starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{}",
            a.as_phc()
        );
        assert_ne!(a, b, "each hash has its own salt");
        assert!(!a.as_phc().contains("correct horse"));
    }

    #[test]
    fn only_the_right_password_matches() {
        let password = Password::parse("correct horse", "password").unwrap();
        let stored = password.hash().unwrap();
        assert!(password.verify(stored.as_phc()));
        let wrong = Password::parse("correct horsf", "password").unwrap();
        assert!(!wrong.verify(stored.as_phc()));
        assert!(!password.verify(decoy_hash()));
        assert!(!password.verify("junk"));
    }

    #[test]
    fn the_decoy_is_checked_like_a_real_hash() {
        // Same parameters and lengths as a real hash, and it parses: checking a
        // password against it runs Argon2 in full, never an early "no".
        let real = Password::parse("correct horse", "password")
            .unwrap()
            .hash()
            .unwrap();
        let decoy = decoy_hash();
        let prefix = |phc: &str| phc.rsplitn(3, '$').nth(2).unwrap().to_string();
        assert_eq!(prefix(decoy), prefix(real.as_phc()));
        assert_eq!(decoy.len(), real.as_phc().len());
        let parsed = phc::PasswordHash::new(decoy).expect("the decoy parses");
        assert_eq!(parsed.hash.map(|h| h.len()), Some(OUTPUT_BYTES));
    }

    #[test]
    fn length_is_counted_in_characters_and_never_echoed() {
        assert!(Password::parse(&"é".repeat(8), "password").is_ok());
        assert!(Password::parse(&"x".repeat(256), "password").is_ok());
        for bad in ["seven77", &"x".repeat(257)] {
            let error = Password::parse(bad, "password").unwrap_err();
            assert_eq!(error.violations[0].field, "password");
            assert!(!error.message.contains(bad));
        }
    }
}
