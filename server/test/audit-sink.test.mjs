// The audit sinks append and do nothing else (ASVS 5 16.4.2): no API rewrites or removes a line,
// and the file is opened O_APPEND, so a line lands at the end even after someone else wrote.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { jsonLinesFile, memorySink } from '../src/audit-sink.js';
import { envelope } from '../src/core/index.js';

test('jsonLinesFile appends one JSON object a line, only appends, and is private to its owner', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'autologoff-audit-'));
  const file = path.join(dir, 'audit.jsonl');
  try {
    fs.writeFileSync(file, '{"earlier":"line"}\n');
    const sink = jsonLinesFile(file);
    assert.deepEqual(Object.keys(sink).sort(), ['close', 'write'], 'nothing but write and close');
    sink.write(envelope(0, { user: 'ann', publicId: 'p1' }, 'client', { type: 'expired', at: 1 }));
    fs.appendFileSync(file, '{"another":"writer"}\n'); // a second process writing the same file
    sink.write(envelope(1, null, 'client', { type: 'logged-out', at: 2 }));
    sink.close();
    const lines = fs.readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(lines.map((l) => l.earlier ?? l.another ?? l.event.type), ['line', 'expired', 'writer', 'logged-out']);
    assert.equal(lines[1].receivedAt, '1970-01-01T00:00:00.000Z');
    assert.equal(fs.statSync(file).mode & 0o777, 0o644, 'an existing file keeps its mode');
    const fresh = path.join(dir, 'new.jsonl');
    jsonLinesFile(fresh).close();
    assert.equal(fs.statSync(fresh).mode & 0o077, 0, 'a new file is readable by its owner only');
    assert.throws(() => sink.write({}), /closed/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('memorySink hands out copies: what was written cannot be changed through it', () => {
  const sink = memorySink();
  sink.write(envelope(0, { user: 'ann', publicId: 'p1' }, 'client', { type: 'expired', at: 1 }));
  const [r] = sink.records();
  r.user = 'mallory';
  assert.equal(sink.records()[0].user, 'ann');
});
