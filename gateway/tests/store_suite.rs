//! One suite, every store (as tower-sessions and oauth2-proxy do): the memory store and the
//! Redis store must answer alike, write for write.

mod redis_server;
use autologoff_gateway::core::session::{Entry, Found, Record, SessionKey, Tombstone};
use autologoff_gateway::store::memory::MemoryStore;
use autologoff_gateway::store::redis::RedisStore;
use autologoff_gateway::store::Store;
use autologoff_protocol::{Duration, Ended, Moment};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

fn record(pid: &str, created: u64) -> Record {
    Record {
        public_id: pid.into(),
        csrf: format!("csrf-{pid}"),
        user: Some("j.doe".into()),
        created: Moment::from_epoch_ms(created),
        last_active: Moment::from_epoch_ms(created),
    }
}

fn tombstone(pid: &str, reason: Ended) -> Tombstone {
    Tombstone { reason, public_id: pid.into(), user: Some("j.doe".into()) }
}

const TTL: Duration = Duration::from_ms(60_000);

async fn suite<S: Store>(store: &S, prefix: &str) {
    let key = SessionKey::of_cookie(&format!("{prefix}cookie-a"));
    let other = SessionKey::of_cookie(&format!("{prefix}cookie-b"));
    let pid = format!("{prefix}pid-a");
    let rec = record(&pid, 1_000);

    // Nothing is stored yet.
    assert_eq!(store.load(&key).await.unwrap(), None);
    assert_eq!(store.find(&pid).await.unwrap(), None);
    assert!(!store.touch(&key, Moment::from_epoch_ms(2_000), TTL).await.unwrap(), "no touch of nothing");
    assert_eq!(store.load(&key).await.unwrap(), None, "a touch creates nothing");

    // Create once; never over what is there.
    assert!(store.create(&key, &rec, TTL).await.unwrap());
    assert!(!store.create(&key, &record("x", 5), TTL).await.unwrap());
    assert_eq!(store.load(&key).await.unwrap(), Some(Entry::Live(rec.clone())));
    assert_eq!(store.find(&pid).await.unwrap(), Some(Found { key, entry: Entry::Live(rec.clone()) }));

    // Touch moves last activity forward only; created never moves.
    assert!(store.touch(&key, Moment::from_epoch_ms(3_000), TTL).await.unwrap());
    assert!(store.touch(&key, Moment::from_epoch_ms(2_500), TTL).await.unwrap());
    let Some(Entry::Live(now)) = store.load(&key).await.unwrap() else { panic!("live") };
    assert_eq!((now.created, now.last_active), (rec.created, Moment::from_epoch_ms(3_000)));

    // End leaves a tombstone; a second end keeps the first reason.
    assert!(store.end(&key, &tombstone(&pid, Ended::Idle), TTL).await.unwrap());
    assert!(!store.end(&key, &tombstone(&pid, Ended::Logout), TTL).await.unwrap());
    assert_eq!(store.load(&key).await.unwrap(), Some(Entry::Ended(tombstone(&pid, Ended::Idle))));
    assert_eq!(store.find(&pid).await.unwrap().map(|f| f.entry), Some(Entry::Ended(tombstone(&pid, Ended::Idle))));

    // Nothing brings it back: not a touch in flight, not a create.
    assert!(!store.touch(&key, Moment::from_epoch_ms(9_000), TTL).await.unwrap());
    assert!(!store.create(&key, &rec, TTL).await.unwrap());
    assert!(matches!(store.load(&key).await.unwrap(), Some(Entry::Ended(_))));

    // A renewed cookie: the old key ended, the same public id now names the new key.
    let pid_b = format!("{prefix}pid-b");
    let rec_b = record(&pid_b, 4_000);
    assert!(store.create(&other, &rec_b, TTL).await.unwrap());
    let renewed = SessionKey::of_cookie(&format!("{prefix}cookie-c"));
    assert!(store.end(&other, &tombstone(&pid_b, Ended::Logout), TTL).await.unwrap());
    assert!(store.create(&renewed, &rec_b, TTL).await.unwrap());
    assert_eq!(store.find(&pid_b).await.unwrap().map(|f| f.key), Some(renewed));

    // Ending what was never stored still leaves a tombstone (a logout racing a sign-in).
    let never = SessionKey::of_cookie(&format!("{prefix}cookie-d"));
    assert!(store.end(&never, &tombstone(&format!("{prefix}pid-d"), Ended::Logout), TTL).await.unwrap());
    assert!(!store.create(&never, &record("y", 1), TTL).await.unwrap());
}

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap()
}

#[test]
fn memory_store_passes_the_suite() {
    let clock = Arc::new(AtomicU64::new(0));
    let c = clock.clone();
    let store = MemoryStore::new(Arc::new(move || Moment::from_epoch_ms(c.load(Ordering::SeqCst))));
    rt().block_on(suite(&store, "m:"));
}

#[test]
fn memory_store_forgets_at_the_expiry_and_sweeps() {
    let clock = Arc::new(AtomicU64::new(0));
    let c = clock.clone();
    let store = MemoryStore::new(Arc::new(move || Moment::from_epoch_ms(c.load(Ordering::SeqCst))));
    let key = SessionKey::of_cookie("a");
    rt().block_on(async {
        assert!(store.create(&key, &record("p", 0), Duration::from_ms(100)).await.unwrap());
        clock.store(99, Ordering::SeqCst);
        assert!(store.load(&key).await.unwrap().is_some());
        assert_eq!(store.sweep(), 1);
        clock.store(100, Ordering::SeqCst);
        assert_eq!(store.load(&key).await.unwrap(), None);
        assert_eq!(store.find("p").await.unwrap(), None);
        assert_eq!(store.sweep(), 0);
    });
}

#[test]
fn redis_store_passes_the_suite() {
    let server = redis_server::RedisServer::start();
    rt().block_on(async {
        let store = RedisStore::connect(&server.url, "suite:").await.unwrap();
        suite(&store, "r:").await;
    });
}

#[test]
fn redis_that_may_evict_is_refused() {
    let server = redis_server::RedisServer::start();
    rt().block_on(async {
        let client = redis::Client::open(server.url.as_str()).unwrap();
        let mut c = client.get_multiplexed_async_connection().await.unwrap();
        let _: () = redis::cmd("CONFIG")
            .arg("SET")
            .arg("maxmemory-policy")
            .arg("allkeys-lru")
            .query_async(&mut c)
            .await
            .unwrap();
        let Err(e) = RedisStore::connect(&server.url, "x:").await else { panic!("accepted an evicting Redis") };
        assert!(e.0.contains("noeviction"), "{e}");
    });
}

#[test]
fn an_unreachable_redis_is_an_error_not_a_hang() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    rt().block_on(async {
        let started = std::time::Instant::now();
        assert!(RedisStore::connect(&format!("redis://127.0.0.1:{port}/0"), "x:").await.is_err());
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
    });
}
