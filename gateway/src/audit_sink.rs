//! The audit trail's default sink: a file of JSON lines, opened for appending only (the gateway
//! never rewrites or deletes a line). Writes go through one thread, so lines never interleave and
//! a slow disk never holds a request.

use std::fs::OpenOptions;
use std::io::Write;
use std::path::Path;
use std::sync::mpsc;

/// Where audit lines go.
#[derive(Clone)]
pub struct AuditSink {
    lines: mpsc::Sender<String>,
}

impl AuditSink {
    /// Opens `path` for appending (creating it) and starts the writer thread.
    pub fn open(path: &Path) -> std::io::Result<AuditSink> {
        let mut file = OpenOptions::new().create(true).append(true).open(path)?;
        let (lines, rx) = mpsc::channel::<String>();
        let shown = path.display().to_string();
        std::thread::Builder::new().name("audit".into()).spawn(move || {
            for mut line in rx.iter() {
                line.push('\n');
                // Batch what is already queued into one write.
                while let Ok(mut more) = rx.try_recv() {
                    more.push('\n');
                    line.push_str(&more);
                }
                if let Err(e) = file.write_all(line.as_bytes()).and_then(|()| file.flush()) {
                    eprintln!("autologoff-gateway: cannot append to the audit trail {shown}: {e}");
                }
            }
        })?;
        Ok(AuditSink { lines })
    }

    /// Appends one line (without its newline).
    pub fn write(&self, line: String) {
        // The thread ends only when every sender is gone.
        let _ = self.lines.send(line);
    }
}
