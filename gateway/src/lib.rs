//! autologoff-gateway: automatic logoff (HIPAA 45 CFR 164.312(a)(2)(iii)) for any web portal, as
//! a reverse proxy in front of it, with no change to the portal.
//!
//! - [`core`]: every decision, pure (time and random ids are inputs), tested with a fake clock.
//! - [`store`]: where sessions live (memory, Redis), behind one trait and one shared suite.
//! - [`proxy`], [`inject`], [`audit_sink`], [`server`]: thin adapters that perform what the core
//!   decides (HTTP in and out, the script tag into pages, the audit file, the listener).
//! - [`config`]: the TOML file, refused at start when it cannot protect.
#![deny(missing_docs)]

pub mod audit_sink;
pub mod config;
pub mod core;
pub mod inject;
pub mod proxy;
pub mod server;
pub mod store;
