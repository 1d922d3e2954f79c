//! Where passwords are hashed and checked. Argon2id is deliberately slow (tens of
//! milliseconds), so a server must not run it on the thread that answers every
//! other request: the engine hands the work to a `PasswordHasher`, which on Node
//! is a pool of worker threads (pkg/hasher.mjs); in process it is done inline.
//!
//! Also owns "no stored password": that is checked against a decoy hash, so an
//! unknown email takes as long as a wrong password.

use super::password::{decoy_hash, Password};
use crate::model::credentials::PasswordHash;
use crate::model::MembersResult;
use crate::service::Engine;
use crate::store::Store;
use std::future::Future;
use std::pin::Pin;

/// The future a hasher returns (not `Send`: the core is single-threaded).
pub type Hashing<'a, T> = Pin<Box<dyn Future<Output = MembersResult<T>> + 'a>>;

/// Hashes and checks passwords.
pub trait PasswordHasher {
    /// An Argon2id PHC string of `password` with a fresh salt.
    fn hash<'a>(&'a self, password: &'a Password) -> Hashing<'a, PasswordHash>;
    /// True when `password` is the one `phc` was made from.
    fn verify<'a>(&'a self, password: &'a Password, phc: &'a str) -> Hashing<'a, bool>;
}

/// Hashing on the calling thread (native tests, and where no pool is given).
pub struct InlineHasher;

impl PasswordHasher for InlineHasher {
    fn hash<'a>(&'a self, password: &'a Password) -> Hashing<'a, PasswordHash> {
        Box::pin(async move { password.hash() })
    }

    fn verify<'a>(&'a self, password: &'a Password, phc: &'a str) -> Hashing<'a, bool> {
        Box::pin(async move { Ok(password.verify(phc)) })
    }
}

impl<S: Store> Engine<S> {
    /// Hashes a new password.
    pub(crate) async fn hash_password(&self, password: &Password) -> MembersResult<PasswordHash> {
        self.hasher.hash(password).await
    }

    /// True when `password` is the stored one; with none stored it still spends a
    /// check's time (on a decoy) and is false.
    pub(crate) async fn password_matches(
        &self,
        password: &Password,
        stored: Option<&PasswordHash>,
    ) -> MembersResult<bool> {
        let phc = match stored {
            Some(stored) => stored.as_phc(),
            None => decoy_hash(),
        };
        let right = self.hasher.verify(password, phc).await?;
        Ok(right && stored.is_some())
    }
}
