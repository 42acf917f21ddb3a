//! The public-id hash: how a page names its session in cross-tab messages and its shared
//! record (the client's "identity"), a short, stable form of the public id the server rendered.
//!
//! FNV-1a, 64 bits, written in base 36 least significant digit first: at most 13 of `[0-9a-z]`.
//! Not a secret and not for security (the public id is not secret either): it keeps what a
//! server renders short and safe to put in localStorage.

/// The hash of a public id (see [`public_id_hash`]): at most 13 ASCII characters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IdHash {
    bytes: [u8; 13],
    len: u8,
}

impl IdHash {
    /// The text, 1 to 13 of `[0-9a-z]`.
    pub fn as_str(&self) -> &str {
        // Only ASCII digits and lowercase letters are ever written.
        core::str::from_utf8(self.as_bytes()).unwrap_or("")
    }

    /// The text as ASCII bytes (for a caller that appends them without UTF-8 validation, which
    /// the page's size budget counts).
    pub fn as_bytes(&self) -> &[u8] {
        self.bytes.get(..usize::from(self.len)).unwrap_or(&[])
    }
}

/// The hash of `text` (a public id exactly as rendered).
pub fn public_id_hash(text: &str) -> IdHash {
    let mut out = IdHash { bytes: [0; 13], len: 0 };
    write_public_id_hash(text, |b| {
        if let Some(slot) = out.bytes.get_mut(usize::from(out.len)) {
            *slot = b;
            out.len += 1;
        }
    });
    out
}

/// The hash of `text`, one ASCII byte at a time to `push` (1 to 13 calls): for a caller that
/// builds its own string (the page's module, whose size budget counts every copy).
pub fn write_public_id_hash(text: &str, mut push: impl FnMut(u8)) {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    loop {
        let d = (h % 36) as u8;
        push(if d < 10 { b'0' + d } else { b'a' + d - 10 });
        h /= 36;
        if h == 0 {
            return;
        }
    }
}

/// Whether `id` has the form of a public id a server issues: 8 to 64 of `[0-9A-Za-z_-]`. A
/// server MAY issue other forms; this is the form the gateway and `autologoff-server` issue and
/// the form they accept in a request's `session` field.
pub fn valid_public_id(id: &str) -> bool {
    (8..=64).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}
