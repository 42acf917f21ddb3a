//! The memory store: one gateway instance. Entries expire at their TTL (checked on read, and
//! swept by [`MemoryStore::sweep`]); its clock is given, so tests move time by hand.

use super::{Store, StoreResult};
use crate::core::session::{Entry, Found, Record, SessionKey, Tombstone};
use autologoff_protocol::{Duration, Moment};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

/// Where the store reads the time.
pub type Clock = Arc<dyn Fn() -> Moment + Send + Sync>;

struct Slot {
    entry: Entry,
    expires: Moment,
}

#[derive(Default)]
struct Maps {
    sessions: HashMap<SessionKey, Slot>,
    /// Public id → key, for a logout that names its session.
    public: HashMap<Box<str>, SessionKey>,
}

/// Sessions in this process's memory.
pub struct MemoryStore {
    maps: Mutex<Maps>,
    clock: Clock,
}

impl MemoryStore {
    /// An empty store reading the time from `clock`.
    pub fn new(clock: Clock) -> MemoryStore {
        MemoryStore { maps: Mutex::new(Maps::default()), clock }
    }

    fn with<T>(&self, f: impl FnOnce(&mut Maps, Moment) -> T) -> T {
        let now = (self.clock)();
        // A panic while the lock was held left plain data behind, still consistent entry by
        // entry: go on with it rather than fail every request.
        let mut maps = self.maps.lock().unwrap_or_else(PoisonError::into_inner);
        f(&mut maps, now)
    }

    /// Drops every entry past its expiry; returns how many remain.
    pub fn sweep(&self) -> usize {
        self.with(|m, now| {
            m.sessions.retain(|_, slot| slot.expires > now);
            let sessions = &m.sessions;
            m.public.retain(|_, key| sessions.contains_key(key));
            m.sessions.len()
        })
    }
}

fn live<'a>(m: &'a mut Maps, key: &SessionKey, now: Moment) -> Option<&'a mut Slot> {
    m.sessions.get_mut(key).filter(|slot| slot.expires > now)
}

impl Store for MemoryStore {
    async fn load(&self, key: &SessionKey) -> StoreResult<Option<Entry>> {
        Ok(self.with(|m, now| live(m, key, now).map(|slot| slot.entry.clone())))
    }

    async fn find(&self, public_id: &str) -> StoreResult<Option<Found>> {
        Ok(self.with(|m, now| {
            let key = *m.public.get(public_id)?;
            live(m, &key, now).map(|slot| Found { key, entry: slot.entry.clone() })
        }))
    }

    async fn create(&self, key: &SessionKey, record: &Record, ttl: Duration) -> StoreResult<bool> {
        Ok(self.with(|m, now| {
            if live(m, key, now).is_some() {
                return false;
            }
            m.sessions.insert(*key, Slot { entry: Entry::Live(record.clone()), expires: now + ttl });
            m.public.insert(record.public_id.as_str().into(), *key);
            true
        }))
    }

    async fn touch(&self, key: &SessionKey, at: Moment, ttl: Duration) -> StoreResult<bool> {
        Ok(self.with(|m, now| match live(m, key, now) {
            Some(Slot { entry: Entry::Live(r), expires }) => {
                if at > r.last_active {
                    r.last_active = at;
                    *expires = now + ttl;
                }
                true
            }
            _ => false,
        }))
    }

    async fn end(&self, key: &SessionKey, tombstone: &Tombstone, ttl: Duration) -> StoreResult<bool> {
        Ok(self.with(|m, now| {
            if let Some(Slot { entry: Entry::Ended(_), .. }) = live(m, key, now) {
                return false;
            }
            m.sessions.insert(*key, Slot { entry: Entry::Ended(tombstone.clone()), expires: now + ttl });
            m.public.insert(tombstone.public_id.as_str().into(), *key);
            true
        }))
    }
}
