// Each of issue 20's symptom tests (tests/symptoms.test.mjs) fails against the demo server as it
// was before the issue (tests/fixtures/faulty-demo-server.mjs): they test the reported faults,
// not something else. (They pass against today's demo: scripts/test.sh runs them too.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

test('every symptom test fails against the pre-issue-20 demo server', async () => {
  const output = await new Promise((resolve) => {
    const child = spawn(process.execPath, ['--test', path.join(here, 'symptoms.test.mjs')], {
      env: { ...process.env, NODE_TEST_CONTEXT: undefined, AUTOLOGOFF_SYMPTOMS_SERVER: path.join(here, 'fixtures', 'faulty-demo-server.mjs') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('exit', () => resolve(out));
  });
  const failed = [...output.matchAll(/^not ok \d+ - (.*)$/gm)].map((m) => m[1]);
  for (const symptom of ['Live session cookies are handed out', 'A URL sets the policy', 'The audit trail can be forged and broken', 'Fault switches and keepalive are open']) {
    assert.ok(failed.some((n) => n.includes(symptom)), `"${symptom}" passed against the faulty server:\n${output.slice(-2000)}`);
  }
});
