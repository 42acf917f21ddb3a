//! Puts the script tag into an HTML page as it streams from the portal (lol_html): at the end
//! of `<head>`, or at the start of `<body>` for a page without a head. Nothing is buffered
//! beyond what the rewriter holds for a tag.

use bytes::Bytes;
use lol_html::html_content::ContentType;
use lol_html::send::{HtmlRewriter, Settings};
use lol_html::{element, OutputSink};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

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
        let settings = Settings {
            element_content_handlers: vec![
                element!("head", move |el| {
                    if !head_done.swap(true, Ordering::Relaxed) {
                        el.append(&head_tag, ContentType::Html);
                    }
                    Ok(())
                }),
                element!("body", move |el| {
                    if !body_done.swap(true, Ordering::Relaxed) {
                        el.prepend(&body_tag, ContentType::Html);
                    }
                    Ok(())
                }),
            ],
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
