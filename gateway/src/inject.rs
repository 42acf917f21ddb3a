//! Puts the script tag into an HTML page as it streams from the portal (lol_html): at the end
//! of `<head>`, or at the start of `<body>` for a page without a head. Nothing is buffered
//! beyond what the rewriter holds for a tag.

use bytes::Bytes;
use lol_html::html_content::ContentType;
use lol_html::send::{Element, ElementContentHandlers, HtmlRewriter, Settings};
use lol_html::{OutputSink, Selector};
use std::borrow::Cow;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, LazyLock};

// Parsed once, not for every page (a page's rewriter is built per response).
static HEAD: LazyLock<Selector> = LazyLock::new(|| "head".parse().expect("a constant selector (tests/inject.rs)"));
static BODY: LazyLock<Selector> = LazyLock::new(|| "body".parse().expect("a constant selector (tests/inject.rs)"));

/// A streaming rewriter that adds `tag` once.
pub struct Injector {
    rewriter: HtmlRewriter<'static, Collect>,
    out: Arc<std::sync::Mutex<Vec<u8>>>,
}

/// Gathers the rewriter's output between two chunks.
pub struct Collect(Arc<std::sync::Mutex<Vec<u8>>>);

impl OutputSink for Collect {
    fn handle_chunk(&mut self, chunk: &[u8]) {
        if let Ok(mut out) = self.0.lock() {
            out.extend_from_slice(chunk);
        }
    }
}

impl Injector {
    /// A rewriter for one page.
    pub fn new(tag: String) -> Injector {
        let done = Arc::new(AtomicBool::new(false));
        let (head_done, body_done) = (done.clone(), done);
        let (head_tag, body_tag) = (tag.clone(), tag);
        let head = ElementContentHandlers::default().element(move |el: &mut Element<'_, '_>| {
            if !head_done.swap(true, Ordering::Relaxed) {
                el.append(&head_tag, ContentType::Html);
            }
            Ok(())
        });
        let body = ElementContentHandlers::default().element(move |el: &mut Element<'_, '_>| {
            if !body_done.swap(true, Ordering::Relaxed) {
                el.prepend(&body_tag, ContentType::Html);
            }
            Ok(())
        });
        let settings = Settings {
            element_content_handlers: vec![(Cow::Borrowed(&*HEAD), head), (Cow::Borrowed(&*BODY), body)],
            ..Settings::new_send()
        };
        let out = Arc::new(std::sync::Mutex::new(Vec::new()));
        Injector { rewriter: HtmlRewriter::new(settings, Collect(out.clone())), out }
    }

    fn take(&self) -> Bytes {
        self.out.lock().map(|mut o| Bytes::from(std::mem::take(&mut *o))).unwrap_or_default()
    }

    /// Rewrites the next chunk of the page; returns what is ready to send.
    pub fn write(&mut self, chunk: &[u8]) -> Result<Bytes, lol_html::errors::RewritingError> {
        self.rewriter.write(chunk)?;
        Ok(self.take())
    }

    /// Ends the page; returns the rest.
    pub fn end(self) -> Result<Bytes, lol_html::errors::RewritingError> {
        let out = self.out.clone();
        self.rewriter.end()?;
        let rest = out.lock().map(|mut o| Bytes::from(std::mem::take(&mut *o))).unwrap_or_default();
        Ok(rest)
    }
}

/// The whole page `html` with `tag` added (a page small enough to hold: one write, and a
/// `Content-Length` instead of chunks).
pub fn rewrite_whole(html: &[u8], tag: String) -> Result<Bytes, lol_html::errors::RewritingError> {
    let mut injector = Injector::new(tag);
    let first = injector.write(html)?;
    let rest = injector.end()?;
    if first.is_empty() {
        return Ok(rest);
    }
    let mut out = Vec::with_capacity(first.len() + rest.len());
    out.extend_from_slice(&first);
    out.extend_from_slice(&rest);
    Ok(out.into())
}
