// Where the audit trail goes. A sink is any object with write(record); these write one JSON object
// a line and offer no way to change or remove a line once written (ASVS 5 16.4.2). Records come
// only from the core's envelopes: receivedAt, user, session, via, event; never a cookie, a token,
// a header or a URL.
import fs from 'node:fs';

/** Appends JSON lines to the file at `path` (opened O_APPEND, mode 0600; created if missing). */
export function jsonLinesFile(path) {
  const fd = fs.openSync(path, 'a', 0o600);
  let closed = false;
  return {
    write(record) {
      if (closed) throw new Error('autologoff-server: the audit file ' + path + ' was closed');
      // One write(2) a line on an O_APPEND descriptor: lines from several processes never interleave.
      fs.writeSync(fd, JSON.stringify(record) + '\n');
    },
    close() {
      if (!closed) fs.closeSync(fd);
      closed = true;
    },
  };
}

/** Writes JSON lines to a writable stream (the default: process.stdout). */
export function jsonLinesStream(stream = process.stdout) {
  return { write: (record) => void stream.write(JSON.stringify(record) + '\n') };
}

/** Keeps records in memory (tests, demos): read them with records(); nothing can change them. */
export function memorySink() {
  const lines = [];
  return {
    write(record) {
      lines.push(JSON.stringify(record));
    },
    records: () => lines.map((l) => JSON.parse(l)),
  };
}
