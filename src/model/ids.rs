//! Identifiers: `MemberId` and `ContactId`, both UUIDs.
//!
//! Owns their format and generation. Randomness comes from `getrandom` (the OS
//! natively, `crypto.getRandomValues` in wasm), so ids can not be guessed.

use super::error::{MembersError, MembersResult};
use serde::{Deserialize, Serialize};
use std::fmt;

/// Fills `buf` with cryptographically secure random bytes.
pub fn random_bytes(buf: &mut [u8]) -> MembersResult<()> {
    #[cfg(target_arch = "wasm32")]
    if buf.len() <= pool::TAKE_MAX {
        return pool::take(buf);
    }
    os_random(buf)
}

fn os_random(buf: &mut [u8]) -> MembersResult<()> {
    getrandom::getrandom(buf)
        .map_err(|e| MembersError::internal(format!("no random source available: {e}")))
}

/// In wasm every `getrandom` call is a call out to `crypto.getRandomValues`
/// (about 7 µs in Node, a fifth of an imported member's cost), so small
/// requests are served from 4 KiB fetched at once. Each byte is handed out once
/// and the pool is wiped as it is used; wasm has one thread and no `fork`.
// Compiled everywhere so its tests run natively; used only in wasm.
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
mod pool {
    use super::{os_random, MembersResult};
    use std::cell::RefCell;

    const SIZE: usize = 4096;
    /// Larger requests go to the OS directly.
    pub const TAKE_MAX: usize = 64;

    struct Pool {
        bytes: [u8; SIZE],
        used: usize,
    }

    thread_local! {
        static POOL: RefCell<Pool> = const { RefCell::new(Pool { bytes: [0; SIZE], used: SIZE }) };
    }

    pub fn take(buf: &mut [u8]) -> MembersResult<()> {
        POOL.with_borrow_mut(|pool| {
            if SIZE - pool.used < buf.len() {
                os_random(&mut pool.bytes)?;
                pool.used = 0;
            }
            let taken = &mut pool.bytes[pool.used..pool.used + buf.len()];
            buf.copy_from_slice(taken);
            taken.fill(0);
            pool.used += buf.len();
            Ok(())
        })
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn hands_out_each_byte_once_and_refills() {
            // More than one pool's worth: the refill path runs too.
            let mut seen = std::collections::HashSet::new();
            for _ in 0..(2 * SIZE / 16 + 3) {
                let mut id = [0u8; 16];
                take(&mut id).unwrap();
                assert!(seen.insert(id), "a 16-byte draw repeated");
            }
            POOL.with_borrow(|pool| {
                assert!(
                    pool.bytes[..pool.used].iter().all(|b| *b == 0),
                    "handed-out bytes are wiped"
                );
            });
        }
    }
}

/// A random version-4 UUID in its canonical lower-case form.
pub fn new_uuid() -> MembersResult<String> {
    let mut bytes = [0u8; 16];
    random_bytes(&mut bytes)?;
    bytes[6] = (bytes[6] & 0x0f) | 0x40; // version 4
    bytes[8] = (bytes[8] & 0x3f) | 0x80; // RFC 4122 variant
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut text = String::with_capacity(36);
    for (i, byte) in bytes.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            text.push('-');
        }
        text.push(HEX[usize::from(byte >> 4)] as char);
        text.push(HEX[usize::from(byte & 0x0f)] as char);
    }
    Ok(text)
}

/// True for a UUID in 8-4-4-4-12 hex form (any version, either case).
pub fn is_uuid(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.len() == 36
        && bytes.iter().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => *b == b'-',
            _ => b.is_ascii_hexdigit(),
        })
}

macro_rules! uuid_id {
    ($name:ident, $what:literal) => {
        #[doc = concat!("The id of a ", $what, ": a UUID, stored lower-case.")]
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// A new random id.
            pub fn generate() -> MembersResult<Self> {
                Ok($name(new_uuid()?))
            }

            /// Parses an id given by a caller; `field` names it in the error.
            pub fn parse(text: &str, field: &str) -> MembersResult<Self> {
                if is_uuid(text) {
                    Ok($name(text.to_ascii_lowercase()))
                } else {
                    Err(MembersError::invalid_field(
                        field,
                        "FORMAT",
                        format!("{text:?} is not a valid {} id (a UUID)", $what),
                    ))
                }
            }

            /// The smallest id, for the start of an index range.
            pub fn min() -> Self {
                $name(String::new())
            }

            /// The id as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

uuid_id!(MemberId, "member");
uuid_id!(ContactId, "contact");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_ids_are_distinct_v4_uuids() {
        let a = new_uuid().unwrap();
        let b = new_uuid().unwrap();
        assert!(is_uuid(&a) && is_uuid(&b));
        assert_ne!(a, b);
        assert_eq!(&a[14..15], "4");
    }

    #[test]
    fn a_malformed_member_id_is_invalid_argument_naming_the_field() {
        let error = MemberId::parse("not-a-uuid", "_id").unwrap_err();
        assert!(error.message.contains("_id"));
        assert!(error.message.contains("not-a-uuid"));
    }

    #[test]
    fn ids_are_stored_lower_case() {
        let id = MemberId::parse("A0B1C2D3-0000-4000-8000-00000000000F", "_id").unwrap();
        assert_eq!(id.as_str(), "a0b1c2d3-0000-4000-8000-00000000000f");
    }
}
