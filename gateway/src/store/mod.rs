//! Where sessions live: one trait, a memory store (one instance) and a Redis store (several
//! instances), held to one shared test suite (tests/store_suite.rs), as tower-sessions and
//! oauth2-proxy do.
//!
//! Every write is conditional where the protocol needs it (docs/protocol.md section 7): a touch
//! only updates a live session, a create never overwrites anything (a tombstone included), and
//! an end always leaves a tombstone. Whatever order requests of several instances arrive in, an
//! ended session never comes back. Stores never decide a deadline: the TTL is a backstop.

pub mod memory;
pub mod redis;

use crate::core::session::{Entry, Found, Record, SessionKey, Tombstone};
use autologoff_protocol::{Duration, Moment};
use std::future::Future;

/// Why the store could not answer. The gateway then fails closed (503), never serving a portal
/// route without a session check.
#[derive(Debug)]
pub struct StoreError(pub String);

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "session store: {}", self.0)
    }
}

/// A result of a store operation.
pub type StoreResult<T> = Result<T, StoreError>;

/// A session store.
pub trait Store: Send + Sync + 'static {
    /// What is stored under `key`.
    fn load(&self, key: &SessionKey) -> impl Future<Output = StoreResult<Option<Entry>>> + Send;

    /// The session whose public id is `public_id`, live or ended.
    fn find(&self, public_id: &str) -> impl Future<Output = StoreResult<Option<Found>>> + Send;

    /// Stores a new session if nothing is stored under `key`; `false` if something was.
    fn create(
        &self,
        key: &SessionKey,
        record: &Record,
        ttl: Duration,
    ) -> impl Future<Output = StoreResult<bool>> + Send;

    /// `last_active` = max(stored, `at`) and the expiry `ttl`, only if the session is live;
    /// `false` if it is not (ended, expired or unknown).
    fn touch(&self, key: &SessionKey, at: Moment, ttl: Duration) -> impl Future<Output = StoreResult<bool>> + Send;

    /// Replaces a live session (or nothing) by `tombstone`, kept for `ttl`; a tombstone already
    /// there stays, with its reason. `false` if there was one.
    fn end(
        &self,
        key: &SessionKey,
        tombstone: &Tombstone,
        ttl: Duration,
    ) -> impl Future<Output = StoreResult<bool>> + Send;
}

/// The stores this build has, chosen by configuration.
pub enum AnyStore {
    /// In this process.
    Memory(memory::MemoryStore),
    /// In Redis, shared by instances.
    Redis(redis::RedisStore),
}

macro_rules! each {
    ($self:ident, $s:ident => $e:expr) => {
        match $self {
            AnyStore::Memory($s) => $e,
            AnyStore::Redis($s) => $e,
        }
    };
}

impl Store for AnyStore {
    async fn load(&self, key: &SessionKey) -> StoreResult<Option<Entry>> {
        each!(self, s => s.load(key).await)
    }
    async fn find(&self, public_id: &str) -> StoreResult<Option<Found>> {
        each!(self, s => s.find(public_id).await)
    }
    async fn create(&self, key: &SessionKey, record: &Record, ttl: Duration) -> StoreResult<bool> {
        each!(self, s => s.create(key, record, ttl).await)
    }
    async fn touch(&self, key: &SessionKey, at: Moment, ttl: Duration) -> StoreResult<bool> {
        each!(self, s => s.touch(key, at, ttl).await)
    }
    async fn end(&self, key: &SessionKey, tombstone: &Tombstone, ttl: Duration) -> StoreResult<bool> {
        each!(self, s => s.end(key, tombstone, ttl).await)
    }
}
