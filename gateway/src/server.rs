//! Starting an instance: the assets, the audit file, the store and the listener, each checked
//! before the first request, so a gateway that cannot protect does not start.

use crate::audit_sink::AuditSink;
use crate::config::{Config, StoreUrl};
use crate::proxy::{Assets, Clock, Gateway};
use crate::store::memory::MemoryStore;
use crate::store::redis::RedisStore;
use crate::store::{AnyStore, Store};
use autologoff_protocol::Moment;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};
use tokio::net::TcpListener;

/// Why an instance did not start; each names the field to fix.
#[derive(Debug)]
pub struct StartError(pub String);

impl std::fmt::Display for StartError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The system clock.
pub fn system_clock() -> Clock {
    Arc::new(|| Moment::from_epoch_ms(SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64)))
}

fn read_assets(config: &Config) -> Result<Assets, StartError> {
    let read = |name: &str| {
        let path = config.assets.join(name);
        std::fs::read(&path).map(Into::into).map_err(|e| {
            StartError(format!(
                "`client.assets`: cannot read {} ({e}); build the page script with `node scripts/build.mjs` and point client.assets at its dist/ folder",
                path.display()
            ))
        })
    };
    Ok(Assets { js: read("autologoff.js")?, wasm: read("autologoff_bg.wasm")? })
}

/// The store the configuration names, connected.
pub async fn open_store(config: &Config, clock: Clock) -> Result<AnyStore, StartError> {
    match &config.store {
        StoreUrl::Memory => Ok(AnyStore::Memory(MemoryStore::new(clock))),
        StoreUrl::Redis(url) => RedisStore::connect(url, &config.store_prefix)
            .await
            .map(AnyStore::Redis)
            .map_err(|e| StartError(format!("`store.url`: {e}"))),
    }
}

/// A running instance.
pub struct Running {
    /// Where it listens.
    pub addr: SocketAddr,
    /// Its accept loop; abort it to stop.
    pub task: tokio::task::JoinHandle<()>,
}

/// Starts an instance on the current tokio runtime with `clock` (tests pass a fake one).
pub async fn start(config: Config, clock: Clock) -> Result<Running, StartError> {
    let assets = read_assets(&config)?;
    let audit = AuditSink::open(&config.audit_file).map_err(|e| {
        StartError(format!(
            "`audit.file`: cannot append to {} ({e}); give a writable path",
            config.audit_file.display()
        ))
    })?;
    let store = open_store(&config, clock.clone()).await?;
    let listener = TcpListener::bind(config.listen)
        .await
        .map_err(|e| StartError(format!("`listen`: cannot listen on {} ({e})", config.listen)))?;
    let addr = listener.local_addr().map_err(|e| StartError(format!("`listen`: {e}")))?;
    let gateway = Arc::new(Gateway::new(config, store, audit, assets, clock));
    if let AnyStore::Memory(_) = gateway.store {
        let g = gateway.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(std::time::Duration::from_secs(30));
            loop {
                tick.tick().await;
                if let AnyStore::Memory(m) = &g.store {
                    m.sweep();
                }
            }
        });
    }
    let task = tokio::spawn(serve(listener, gateway));
    Ok(Running { addr, task })
}

async fn serve<S: Store>(listener: TcpListener, gateway: Arc<Gateway<S>>) {
    loop {
        let (stream, peer) = match listener.accept().await {
            Ok(c) => c,
            Err(e) => {
                // Out of file descriptors and the like: wait a little rather than spin.
                eprintln!("autologoff-gateway: accept failed: {e}");
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let gateway = gateway.clone();
        tokio::spawn(async move {
            let service = service_fn(move |req| {
                let gateway = gateway.clone();
                async move { Ok::<_, std::convert::Infallible>(gateway.handle(req, peer).await) }
            });
            let _ = http1::Builder::new().keep_alive(true).serve_connection(TokioIo::new(stream), service).await;
        });
    }
}
