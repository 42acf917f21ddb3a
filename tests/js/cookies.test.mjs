// Which document.cookie writes expire the cookies a page can see (src/browser/clear.js).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { expiringWrites } from '../../src/browser/clear.js';

const E = '=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=';

test('every path that can reach the page, with and without the trailing slash, host-only and each parent domain', () => {
  const writes = expiringWrites('a=1; b=2', '/portal/records/', 'app.portal.example', false);
  const paths = ['/', '/portal', '/portal/', '/portal/records', '/portal/records/'];
  const domains = ['', 'app.portal.example', 'portal.example'];
  const want = ['a', 'b'].flatMap((n) => paths.flatMap((p) => domains.map((d) => n + E + p + (d ? '; Domain=' + d : ''))));
  assert.deepEqual(writes, want);
});

test('no Domain for IP addresses and single-label hosts; Secure on https', () => {
  assert.deepEqual(expiringWrites('x=1', '/', '127.0.0.1', false), ['x' + E + '/']);
  assert.deepEqual(expiringWrites('x=1', '/', 'localhost', false), ['x' + E + '/']);
  assert.deepEqual(expiringWrites('__Host-x=1', '/a', 'localhost', true), ['__Host-x' + E + '/; Secure', '__Host-x' + E + '/a; Secure']);
  assert.deepEqual(expiringWrites('', '/', 'localhost', false), []);
  assert.deepEqual(expiringWrites(' ; =v', '/', 'localhost', false), []);
});
