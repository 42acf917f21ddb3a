//! The Redis store: several gateway instances share one Redis (docs/protocol.md section 7).
//!
//! A session is a hash at `<prefix>s:<sha-256 of the cookie, hex>`: `st` (`l` live, `e` ended),
//! `pid`, `csrf`, `user`, `c` (created, ms), `la` (last activity, ms), `r` (why it ended). The
//! public id points to it from `<prefix>p:<public id>`, with the same expiry. Each write is one Lua script, so it is
//! atomic: a touch only updates a live session, a create never overwrites, an end leaves a
//! tombstone. Redis must run with `maxmemory-policy noeviction`: an evicted tombstone could let
//! a session come back (checked at start).

use super::{Store, StoreError, StoreResult};
use crate::core::session::{Entry, Found, Record, SessionKey, Tombstone};
use autologoff_protocol::{Duration, Ended, Moment};
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::Script;
use std::collections::HashMap;

const CREATE: &str = r"
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 'st', 'l', 'pid', ARGV[1], 'csrf', ARGV[2], 'user', ARGV[3], 'c', ARGV[4], 'la', ARGV[5])
redis.call('PEXPIRE', KEYS[1], ARGV[6])
redis.call('SET', KEYS[2], ARGV[7], 'PX', ARGV[8])
return 1";

const TOUCH: &str = r"
if redis.call('HGET', KEYS[1], 'st') ~= 'l' then return 0 end
if tonumber(ARGV[1]) > tonumber(redis.call('HGET', KEYS[1], 'la')) then
  redis.call('HSET', KEYS[1], 'la', ARGV[1])
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  redis.call('PEXPIRE', ARGV[3] .. redis.call('HGET', KEYS[1], 'pid'), ARGV[2])
end
return 1";

const END: &str = r"
if redis.call('HGET', KEYS[1], 'st') == 'e' then return 0 end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'st', 'e', 'r', ARGV[1], 'pid', ARGV[2], 'user', ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
redis.call('SET', KEYS[2], ARGV[5], 'PX', ARGV[4])
return 1";

/// Sessions in Redis.
pub struct RedisStore {
    conn: ConnectionManager,
    prefix: String,
    create: Script,
    touch: Script,
    end: Script,
}

fn err(e: redis::RedisError) -> StoreError {
    StoreError(format!("redis: {e}"))
}

/// How long any store operation may take before the request fails closed.
const STORE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(3);

/// `op`, or an error once it took [`STORE_TIMEOUT`] (the client's own timeouts cover one
/// attempt; reconnection with backoff could take longer).
async fn bounded<T>(op: impl std::future::Future<Output = StoreResult<T>>) -> StoreResult<T> {
    tokio::time::timeout(STORE_TIMEOUT, op)
        .await
        .unwrap_or_else(|_| Err(StoreError(format!("redis did not answer in {} s", STORE_TIMEOUT.as_secs()))))
}

impl RedisStore {
    /// Connects to `url` (`redis://host:port/db`) and checks that Redis never evicts keys.
    pub async fn connect(url: &str, prefix: &str) -> StoreResult<RedisStore> {
        let client = redis::Client::open(url).map_err(err)?;
        // Bounded waits: a Redis that hangs must fail a request (closed, 503), not hold it.
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(std::time::Duration::from_secs(2))
            .set_response_timeout(std::time::Duration::from_secs(2))
            .set_number_of_retries(2)
            .set_factor(100)
            .set_max_delay(1_000);
        let mut conn = bounded(async { ConnectionManager::new_with_config(client, config).await.map_err(err) }).await?;
        let policy: Vec<String> = bounded(async {
            redis::cmd("CONFIG").arg("GET").arg("maxmemory-policy").query_async(&mut conn).await.map_err(err)
        })
        .await?;
        if let Some(p) = policy.get(1) {
            if p != "noeviction" {
                return Err(StoreError(format!(
                    "Redis at {url} runs with maxmemory-policy {p}; an evicted tombstone could bring an ended session back. Run it with `maxmemory-policy noeviction`"
                )));
            }
        }
        Ok(RedisStore {
            conn,
            prefix: prefix.to_owned(),
            create: Script::new(CREATE),
            touch: Script::new(TOUCH),
            end: Script::new(END),
        })
    }

    fn session_key(&self, key: &SessionKey) -> String {
        format!("{}s:{}", self.prefix, key.hex())
    }

    fn public_key(&self, public_id: &str) -> String {
        format!("{}p:{public_id}", self.prefix)
    }

    async fn read(&self, key: &SessionKey) -> StoreResult<Option<Entry>> {
        let mut conn = self.conn.clone();
        let fields: HashMap<String, String> =
            redis::cmd("HGETALL").arg(self.session_key(key)).query_async(&mut conn).await.map_err(err)?;
        Ok(decode(&fields))
    }
}

fn decode(f: &HashMap<String, String>) -> Option<Entry> {
    let text = |k: &str| f.get(k).cloned().unwrap_or_default();
    let moment = |k: &str| f.get(k).and_then(|v| v.parse().ok()).map(Moment::from_epoch_ms);
    let user = f.get("user").filter(|u| !u.is_empty()).cloned();
    match f.get("st").map(String::as_str) {
        Some("l") => Some(Entry::Live(Record {
            public_id: text("pid"),
            csrf: text("csrf"),
            user,
            created: moment("c")?,
            last_active: moment("la")?,
        })),
        // A tombstone whose reason this build does not know still refuses the cookie.
        Some("e") => Some(Entry::Ended(Tombstone {
            reason: f.get("r").and_then(|r| Ended::parse(r)).unwrap_or(Ended::Logout),
            public_id: text("pid"),
            user,
        })),
        _ => None,
    }
}

/// A TTL for Redis: at least 1 ms (0 would be an error).
fn ms(d: Duration) -> u64 {
    d.ms().max(1)
}

impl Store for RedisStore {
    async fn load(&self, key: &SessionKey) -> StoreResult<Option<Entry>> {
        bounded(self.read(key)).await
    }

    async fn find(&self, public_id: &str) -> StoreResult<Option<Found>> {
        bounded(self.find_unbounded(public_id)).await
    }

    async fn create(&self, key: &SessionKey, record: &Record, ttl: Duration) -> StoreResult<bool> {
        bounded(self.create_unbounded(key, record, ttl)).await
    }

    async fn touch(&self, key: &SessionKey, at: Moment, ttl: Duration) -> StoreResult<bool> {
        bounded(self.touch_unbounded(key, at, ttl)).await
    }

    async fn end(&self, key: &SessionKey, tombstone: &Tombstone, ttl: Duration) -> StoreResult<bool> {
        bounded(self.end_unbounded(key, tombstone, ttl)).await
    }
}

impl RedisStore {
    async fn find_unbounded(&self, public_id: &str) -> StoreResult<Option<Found>> {
        let mut conn = self.conn.clone();
        let hex: Option<String> =
            redis::cmd("GET").arg(self.public_key(public_id)).query_async(&mut conn).await.map_err(err)?;
        let Some(key) = hex.as_deref().and_then(SessionKey::from_hex) else { return Ok(None) };
        Ok(self.read(&key).await?.map(|entry| Found { key, entry }))
    }

    async fn create_unbounded(&self, key: &SessionKey, record: &Record, ttl: Duration) -> StoreResult<bool> {
        let mut conn = self.conn.clone();
        let created: i64 = self
            .create
            .key(self.session_key(key))
            .key(self.public_key(&record.public_id))
            .arg(&record.public_id)
            .arg(&record.csrf)
            .arg(record.user.as_deref().unwrap_or(""))
            .arg(record.created.epoch_ms())
            .arg(record.last_active.epoch_ms())
            .arg(ms(ttl))
            .arg(key.hex())
            .arg(ms(ttl))
            .invoke_async(&mut conn)
            .await
            .map_err(err)?;
        Ok(created == 1)
    }

    async fn touch_unbounded(&self, key: &SessionKey, at: Moment, ttl: Duration) -> StoreResult<bool> {
        let mut conn = self.conn.clone();
        let touched: i64 = self
            .touch
            .key(self.session_key(key))
            .arg(at.epoch_ms())
            .arg(ms(ttl))
            // The public id's pointer lives as long as the session (the script builds its key).
            .arg(format!("{}p:", self.prefix))
            .invoke_async(&mut conn)
            .await
            .map_err(err)?;
        Ok(touched == 1)
    }

    async fn end_unbounded(&self, key: &SessionKey, tombstone: &Tombstone, ttl: Duration) -> StoreResult<bool> {
        let mut conn = self.conn.clone();
        let ended: i64 = self
            .end
            .key(self.session_key(key))
            .key(self.public_key(&tombstone.public_id))
            .arg(tombstone.reason.as_str())
            .arg(&tombstone.public_id)
            .arg(tombstone.user.as_deref().unwrap_or(""))
            .arg(ms(ttl))
            .arg(key.hex())
            .invoke_async(&mut conn)
            .await
            .map_err(err)?;
        Ok(ended == 1)
    }
}
