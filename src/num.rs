//! Numbers as text, without `core::fmt` (whose machinery would otherwise be kept in the release
//! `.wasm`): decimal integers out and in, and the short hash that names an identity on the wire.

use crate::prelude::*;

/// Appends a decimal integer.
pub fn push_uint(out: &mut String, mut n: u64) {
    // Most significant digit first, without indexing (whose bounds check would bring in
    // formatting; see src/bug.rs).
    let mut unit = 1;
    while n / unit >= 10 {
        unit *= 10;
    }
    loop {
        out.push(char::from(b'0' + (n / unit) as u8));
        n %= unit;
        if unit == 1 {
            break;
        }
        unit /= 10;
    }
}

/// Parses 1 to 15 ASCII digits (every `Date.now()` for the next 30,000 years); `None` for
/// anything else, so a hostile string can neither overflow nor be long.
pub fn parse_uint(s: &str) -> Option<u64> {
    if s.is_empty() || s.len() > 15 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(s.bytes().fold(0, |acc, d| acc * 10 + u64::from(d - b'0')))
}

/// A short, stable name for `text`: the protocol's public-id hash (FNV-1a, 64 bits, base 36, at
/// most 13 of `[0-9a-z]`; `autologoff-protocol`, checked against `protocol/vectors.json`). Not a
/// secret and not for security: it keeps what the server renders (a session id, a channel written
/// wrong) short and safe to put in a record or a message.
pub fn short_hash(text: &str) -> String {
    let mut out = String::with_capacity(13);
    autologoff_protocol::identity::write_public_id_hash(text, |b| out.push(char::from(b)));
    out
}

/// `items` joined by `sep`, appended to `out` (`[T]::join` would bring formatting machinery in
/// through its overflow check's message).
pub fn push_joined(out: &mut String, items: &[String], sep: char) {
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push(sep);
        }
        out.push_str(item);
    }
}

/// The parts of `text` between the bytes `sep` (an ASCII separator), like `str::split` with a
/// `char`, but without the searcher behind it, whose index checks would bring the formatting
/// machinery into the release `.wasm`.
pub fn split(text: &str, sep: u8) -> impl Iterator<Item = &str> {
    let mut rest = Some(text);
    core::iter::from_fn(move || {
        let t = rest?;
        match t.bytes().position(|b| b == sep) {
            Some(i) => {
                rest = t.get(i + 1..);
                t.get(..i)
            }
            None => {
                rest = None;
                Some(t)
            }
        }
    })
}

/// `text` split at the first byte `sep` (ASCII), without it.
pub fn split_once(text: &str, sep: u8) -> Option<(&str, &str)> {
    let i = text.bytes().position(|b| b == sep)?;
    Some((text.get(..i)?, text.get(i + 1..)?))
}

/// The part of `text` before the first of the bytes `seps` (ASCII).
pub fn before_any<'a>(text: &'a str, seps: &[u8]) -> &'a str {
    let end = text.bytes().position(|b| seps.contains(&b)).unwrap_or(text.len());
    text.get(..end).unwrap_or(text)
}

/// The whole-number part of the JSON number at `"key":` in `json` (a flat object such as the
/// protocol's `{"remainingMs":1187000,…}`; whitespace allowed around the colon, a fraction cut
/// off); `None` when the key is missing, the value is not a non-negative number, or it is longer
/// than 15 digits. Not a JSON parser: one known key of one known shape, so no serde in the
/// `.wasm`.
pub fn json_uint(json: &str, key: &str) -> Option<u64> {
    let bytes = json.as_bytes();
    let mut from = 0;
    while let Some(at) = find(bytes.get(from..)?, key.as_bytes()).map(|i| i + from) {
        from = at + key.len();
        // The key must be a whole string: `"remainingMs"`, not a suffix of another. (No
        // indexing: a bounds check would bring formatting code into the `.wasm`.)
        let quoted = at > 0 && bytes.get(at - 1) == Some(&b'"') && bytes.get(from) == Some(&b'"');
        if !quoted {
            continue;
        }
        let rest = trim_ascii_start(json.get(from + 1..)?);
        let rest = trim_ascii_start(rest.strip_prefix(':')?);
        let digits = before_any(rest, b".,} \t\r\neE");
        return parse_uint(digits);
    }
    None
}

/// `text` without leading ASCII whitespace (`str::trim_start` would bring Unicode's whitespace
/// tables into the `.wasm`).
fn trim_ascii_start(text: &str) -> &str {
    let skip = text.bytes().take_while(u8::is_ascii_whitespace).count();
    text.get(skip..).unwrap_or("")
}

/// Whether `hay` contains `needle`, ignoring ASCII case (`str::contains` brings a general
/// substring searcher into the `.wasm`; headers are short).
pub fn contains_ignore_case(hay: &str, needle: &str) -> bool {
    let (hay, needle) = (hay.as_bytes(), needle.as_bytes());
    hay.len() >= needle.len()
        && (0..=hay.len() - needle.len())
            .any(|i| hay.get(i..i + needle.len()).is_some_and(|w| w.eq_ignore_ascii_case(needle)))
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || hay.len() < needle.len() {
        return None;
    }
    (0..=hay.len() - needle.len()).find(|&i| hay.get(i..).is_some_and(|h| h.starts_with(needle)))
}

/// Appends `value` form-encoded (application/x-www-form-urlencoded): letters, digits and
/// `*-._` as they are, a space as `+`, every other byte as `%XX`.
pub fn push_form_encoded(out: &mut String, value: &str) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for b in value.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'*' | b'-' | b'.' | b'_' => out.push(char::from(b)),
            b' ' => out.push('+'),
            _ => {
                out.push('%');
                for nibble in [b >> 4, b & 15] {
                    out.push(char::from(HEX.get(usize::from(nibble)).copied().unwrap_or(b'0')));
                }
            }
        }
    }
}
