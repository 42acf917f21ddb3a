//! Which `document.cookie` writes expire the cookies a page can see.
//!
//! A cookie is replaced (here: expired) only by a write with its own name, domain and path, and
//! script cannot read those back; so each visible name is expired for every path and domain it
//! could have been set with:
//! - every path that path-matches the page (RFC 6265 section 5.1.4): `/`, and each directory of
//!   the page's path both without and with its trailing slash (`/app` and `/app/`), and the
//!   page's path itself;
//! - host-only (no `Domain`), and each parent domain of the host (not for IP addresses or
//!   single-label hosts such as `localhost`);
//! - on https, with `Secure`, which `__Secure-` and `__Host-` cookies need (and which any cookie
//!   accepts there): <https://datatracker.ietf.org/doc/html/draft-ietf-httpbis-rfc6265bis#section-4.1.3>.
//!
//! HttpOnly cookies (where a session cookie belongs) are invisible to script: the server's
//! logout response must expire them.

use crate::num::{before_any, split, split_once};
use crate::prelude::*;

/// The writes that expire every cookie in `cookies` (what `document.cookie` reads) for a page
/// at `path` on `host`; `secure` when the page is on https.
pub fn expiring_writes(cookies: &str, path: &str, host: &str, secure: bool) -> Vec<String> {
    let names: Vec<&str> =
        split(cookies, b';').map(|pair| before_any(pair, b"=").trim()).filter(|n| !n.is_empty()).collect();
    if names.is_empty() {
        return Vec::new();
    }
    let mut paths = vec!["/"];
    for (i, c) in path.char_indices() {
        if c == '/' && i > 0 {
            paths.push(path.get(..i).unwrap_or("/"));
            paths.push(path.get(..=i).unwrap_or("/"));
        }
    }
    if !path.is_empty() {
        paths.push(path);
    }
    paths.dedup();
    let mut domains = vec![""];
    let labels: Vec<&str> = split(host, b'.').collect();
    // Not for IP addresses (numeric labels) or single-label hosts such as localhost.
    let ip = labels.iter().all(|l| l.bytes().all(|b| b.is_ascii_digit())) || host.bytes().any(|b| b == b':');
    if labels.len() > 1 && !ip {
        let mut rest = host;
        while let Some((_, parent)) = split_once(rest, b'.') {
            domains.push(rest);
            rest = parent;
        }
    }
    let mut writes = Vec::with_capacity(names.len() * paths.len() * domains.len());
    for name in &names {
        for p in &paths {
            for d in &domains {
                let mut c = String::from(*name);
                c.push_str("=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=");
                c.push_str(p);
                if !d.is_empty() {
                    c.push_str("; Domain=");
                    c.push_str(d);
                }
                if secure {
                    c.push_str("; Secure");
                }
                writes.push(c);
            }
        }
    }
    writes
}
