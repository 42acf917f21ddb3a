// Importing the npm package in Node (server-side rendering) must not throw; start() there
// rejects with a message that says what to do.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';

test('the npm package imports in Node without side effects, and start() explains SSR', async () => {
  const mod = await import('../../pkg/index.js');
  assert.equal(typeof mod.start, 'function');
  assert.equal(typeof mod.Session, 'function');
  await assert.rejects(mod.start({ timeout: '15m' }), /autologoff: start\(\) needs a browser page/);
  const manifest = JSON.parse(fs.readFileSync(new URL('../../pkg/package.json', import.meta.url)));
  assert.equal(manifest.name, 'autologoff');
  for (const f of manifest.files) assert.ok(fs.existsSync(new URL('../../pkg/' + f, import.meta.url)), f + ' is packed');
});
