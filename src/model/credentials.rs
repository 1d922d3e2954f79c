//! Secrets of authentication as types: `SessionToken` and `SetPasswordToken` (the
//! bearer secrets handed to a member once), `TokenHash` (all a store ever keeps of
//! them), and the records a store keeps for sessions, set-password tickets and
//! failed-login counters.
//!
//! Owns token format, generation and hashing. A token's `Debug` never shows it, so
//! a stray `{:?}` can not put a secret in a log.

use super::error::{MembersError, MembersResult};
use super::ids::{random_bytes, MemberId};
use super::timestamp::Timestamp;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use sha2::{Digest, Sha256};
use std::fmt;

/// Bytes of randomness in a token: 256 bits.
const TOKEN_BYTES: usize = 32;
/// Length of a token in base64url without padding.
const TOKEN_CHARS: usize = 43;

/// A random 256-bit secret in base64url, shown to its holder once.
fn generate_secret() -> MembersResult<String> {
    let mut bytes = [0u8; TOKEN_BYTES];
    random_bytes(&mut bytes)?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

/// True when `text` has the shape of a token (so junk is refused before any lookup).
fn is_token(text: &str) -> bool {
    text.len() == TOKEN_CHARS
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

macro_rules! secret_token {
    ($name:ident, $what:literal) => {
        #[doc = concat!("A ", $what, ": 256 random bits in base64url. Stored only as its `TokenHash`.")]
        #[derive(Clone, PartialEq, Eq)]
        pub struct $name(String);

        impl $name {
            /// A new random token.
            pub fn generate() -> MembersResult<Self> {
                Ok($name(generate_secret()?))
            }

            /// A token presented by a caller, or `None` when it can not be one.
            pub fn parse(text: &str) -> Option<Self> {
                is_token(text).then(|| $name(text.to_string()))
            }

            /// The token itself, to hand to its holder.
            pub fn reveal(&self) -> &str {
                &self.0
            }

            /// What a store keeps: a hash that can not be turned back into the token.
            pub fn hash(&self) -> TokenHash {
                TokenHash::of(&self.0)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(concat!(stringify!($name), "(…)"))
            }
        }
    };
}

secret_token!(SessionToken, "member's session token");
secret_token!(SetPasswordToken, "single-use set-password token");
secret_token!(VerifyEmailToken, "single-use email-verification link token");
secret_token!(
    AdminToken,
    "page admin's sign-in token (the `members_admin` cookie)"
);

/// A 6-digit email-verification code, shown to its holder once (SPEC §10).
#[derive(Clone, PartialEq, Eq)]
pub struct VerificationCode(String);

impl VerificationCode {
    /// A new code, uniform over 000000..=999999.
    pub fn generate() -> MembersResult<Self> {
        loop {
            let mut bytes = [0u8; 4];
            random_bytes(&mut bytes)?;
            let n = u32::from_le_bytes(bytes);
            // Rejection sampling: the top partial range would bias low digits.
            if n < 4_294_000_000 {
                return Ok(VerificationCode(format!("{:06}", n % 1_000_000)));
            }
        }
    }

    /// A code presented by a caller (surrounding spaces allowed), or `None`.
    pub fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        (text.len() == 6 && text.bytes().all(|b| b.is_ascii_digit()))
            .then(|| VerificationCode(text.to_string()))
    }

    /// The code itself, for the mail.
    pub fn reveal(&self) -> &str {
        &self.0
    }

    /// What a store keeps. Salted with the member's id, so equal codes of two
    /// members hash apart and a table of all million hashes serves no one.
    pub fn hash_for(&self, member: &MemberId) -> TokenHash {
        TokenHash::of(&format!("{}:{}", member.as_str(), self.0))
    }
}

impl fmt::Debug for VerificationCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("VerificationCode(…)")
    }
}

/// The SHA-256 of a token, in hex. A token is 256 random bits, so a fast hash is
/// enough: nobody can guess a token from its hash, and a stolen hash is not a token.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TokenHash(String);

impl TokenHash {
    fn of(token: &str) -> TokenHash {
        let digest = Sha256::digest(token.as_bytes());
        TokenHash(digest.iter().map(|b| format!("{b:02x}")).collect())
    }

    /// A hash read back from a store.
    pub fn from_stored(hex: String) -> TokenHash {
        TokenHash(hex)
    }

    /// The hex text, for storing.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A stored session: whose it is, until when it is valid, and what the member
/// sees of it in `listMySessions` (an id that is not the token, the browser,
/// when it was last used).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRecord {
    pub token_hash: TokenHash,
    /// A UUID naming the session to its member; knowing it opens nothing.
    pub id: String,
    pub member_id: MemberId,
    pub created: Timestamp,
    pub expires: Timestamp,
    pub last_used: Timestamp,
    /// The `User-Agent` it was started with, at most 255 characters.
    pub user_agent: Option<String>,
}

/// A pending email verification (SPEC §10): one per member, for `email` (its
/// login email, or the new address of a change it asked for), with the hashes
/// of its code and link token. A newer one replaces it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailVerification {
    pub member_id: MemberId,
    /// The address verified (as the member wrote it).
    pub email: String,
    /// The member's login email when it was asked for: `email` itself, or the
    /// address a change moves away from. It proves nothing once the login
    /// email is something else.
    pub from_email: String,
    pub code_hash: TokenHash,
    pub link_hash: TokenHash,
    pub expires: Timestamp,
    /// Wrong codes tried so far; carried over to a newer mail for the same
    /// member, so resending never buys more guesses.
    pub wrong_codes: u32,
}

/// A stored set-password ticket: a token hash, its member, and its deadline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasswordTicket {
    pub token_hash: TokenHash,
    pub member_id: MemberId,
    pub expires: Timestamp,
}

/// Failed logins counted under one key (an email or a client address) since the
/// start of the current window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Failures {
    pub count: u32,
    pub window_start: Timestamp,
}

/// A stored password: an Argon2id PHC string. Its `Debug` hides it too.
#[derive(Clone, PartialEq, Eq)]
pub struct PasswordHash(String);

impl PasswordHash {
    /// Wraps a PHC string (made by the hasher or read back from a store).
    pub fn from_phc(phc: String) -> PasswordHash {
        PasswordHash(phc)
    }

    /// The PHC string.
    pub fn as_phc(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for PasswordHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PasswordHash(…)")
    }
}

/// A secret argument in transit (a password, a token): compared and cloned like
/// text, but its `Debug` is `Secret(…)`, so an operation can be logged safely.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Secret(pub String);

impl Secret {
    /// The secret itself.
    pub fn reveal(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(…)")
    }
}

/// `INVALID_ARGUMENT` for a set-password token that is malformed, unknown, used or
/// expired: one error for all, so a caller learns nothing about which.
pub fn invalid_set_password_token() -> MembersError {
    let mut error = MembersError::invalid_field(
        "token",
        "INVALID_TOKEN",
        "is not a valid set-password token: it may have been used already or have expired",
    );
    error.application_code = "INVALID_TOKEN".to_string();
    error
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_256_bit_base64url_and_differ() {
        let a = SessionToken::generate().unwrap();
        let b = SessionToken::generate().unwrap();
        assert_eq!(a.reveal().len(), TOKEN_CHARS);
        assert_ne!(a, b);
        assert_eq!(SessionToken::parse(a.reveal()), Some(a.clone()));
    }

    #[test]
    fn a_hash_is_not_the_token_and_is_stable() {
        let token = SessionToken::generate().unwrap();
        assert_eq!(token.hash(), token.hash());
        assert_eq!(token.hash().as_str().len(), 64);
        assert_ne!(token.hash().as_str(), token.reveal());
        // The hash does not parse as a token, so it can not be presented as one.
        assert_eq!(SessionToken::parse(token.hash().as_str()), None);
    }

    #[test]
    fn debug_output_never_shows_a_secret() {
        let token = SessionToken::generate().unwrap();
        assert!(!format!("{token:?}").contains(token.reveal()));
        let hash = PasswordHash::from_phc("$argon2id$secret".into());
        assert!(!format!("{hash:?}").contains("secret"));
    }

    #[test]
    fn junk_is_not_a_token() {
        assert_eq!(SessionToken::parse(""), None);
        assert_eq!(SessionToken::parse("short"), None);
        assert_eq!(SessionToken::parse(&"a".repeat(42)), None);
        assert_eq!(SessionToken::parse(&format!("{}=", "a".repeat(42))), None);
    }
}
