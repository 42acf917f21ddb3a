// End to end with real tabs: one session across the tabs of an origin, over BroadcastChannel
// and over the storage-event fallback (BroadcastChannel removed from the page).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { signedIn, sid, open, state, sleep, useServerAndBrowser, portal, dialog, LOGIN, landsOn, logoutsArrived } from './helpers.mjs';

const env = useServerAndBrowser();


async function session(transport) {
  const context = await signedIn(env.browser, env.server);
  if (transport === 'storage') {
    await context.addInitScript(() => {
      delete window.BroadcastChannel;
    });
  }
  return context;
}

async function tabs(context, n, query) {
  const pages = [];
  for (let i = 0; i < n; i++) {
    const page = await open(context, portal(query));
    // Started (any state: a slow browser may open the last tabs close to the shared deadline).
    await page.waitForFunction(() => document.documentElement.dataset.autologoffState !== undefined);
    pages.push(page);
  }
  return pages;
}

const remaining = (page) => page.evaluate(() => window.autologoff.ready.then((s) => s.remainingMs));

for (const transport of ['broadcast', 'storage']) {
  test(`[${transport}] activity only in tab A keeps tab B alive; both warn together once it stops`, async () => {
    const context = await session(transport);
    try {
      // Activity in A for longer than B's own timeout; 3 s from input to warning, so a busy
      // machine's stalls (CI runs browsers side by side on two cores) are not mistaken for idleness.
      const [a, b] = await tabs(context, 2, { timeout: '5s', warning: '2s' });
      const until = Date.now() + 6_500;
      for (let i = 0; Date.now() < until; i++) {
        await a.mouse.move(50 + (i % 40) * 9, 80 + (i % 2) * 3);
        await sleep(200);
      }
      assert.equal(await state(b), 'active', 'B kept alive by A');
      assert.equal(await dialog(b).count(), 0);
      await dialog(a).waitFor({ state: 'visible', timeout: 10_000 });
      await dialog(b).waitFor({ state: 'visible', timeout: 1_500 });
      assert.equal(await state(b), 'warning');
      assert.deepEqual([...a.problems(), ...b.problems()], []);
    } finally {
      await context.close();
    }
  });

  test(`[${transport}] "Stay signed in" in tab A closes tab B's warning within a second`, async () => {
    const context = await session(transport);
    try {
      const [a, b] = await tabs(context, 2, { timeout: '4s', warning: '3s' });
      await dialog(a).waitFor({ state: 'visible', timeout: 10_000 });
      await dialog(b).waitFor({ state: 'visible', timeout: 2_000 });
      await a.getByRole('button', { name: 'Stay signed in' }).click();
      const clicked = Date.now();
      await dialog(b).waitFor({ state: 'detached', timeout: 2_000 });
      assert.ok(Date.now() - clicked < 1_000 + 500, 'B closed within about a second');
      assert.equal(await state(b), 'active');
      assert.deepEqual(b.recorded.filter((e) => e.name === 'autologoff:extend').map((e) => e.detail.how), ['peer']);
      assert.ok((await remaining(b)) > 3_000, 'B has a full timeout again');
    } finally {
      await context.close();
    }
  });

  for (const n of [2, 8]) {
    test(`[${transport}] expiry with ${n} tabs: exactly one logout request, every tab at the login page`, async () => {
      const context = await session(transport);
      try {
        const cookie = await sid(context);
        // Long enough for a slow browser to open all tabs before the shared deadline.
        const pages = await tabs(context, n, { timeout: n > 2 ? '12s' : '4s', warning: '1s' });
        await Promise.all(pages.map((p) => landsOn(p, LOGIN, 30_000)));
        await sleep(500); // any straggling request would have arrived by now
        const requests = env.server.state.logouts.filter((l) => l.sid === cookie);
        assert.equal(requests.length, 1, 'one logout request for ' + n + ' tabs');
        assert.equal(requests[0].known, true);
        const reasons = pages.map((p) => p.recorded.find((e) => e.name === 'autologoff:logout')?.detail.reason);
        assert.ok(reasons.every((r) => r === 'idle' || r === 'peer'), reasons.join());
      } finally {
        await context.close();
      }
    });
  }

  test(`[${transport}] "Log out now" in one tab logs out every tab (reason 'peer' in the others), one request`, async () => {
    const context = await session(transport);
    try {
      const cookie = await sid(context);
      const [a, b, c] = await tabs(context, 3, { timeout: '1m', warning: '30s' });
      await a.evaluate(() => window.autologoff.ready.then((s) => s.logout()));
      await Promise.all([a, b, c].map((p) => landsOn(p, LOGIN, 10_000)));
      assert.deepEqual(
        [a, b, c].map((p) => p.recorded.find((e) => e.name === 'autologoff:logout')?.detail.reason),
        ['user', 'peer', 'peer'],
      );
      const arrived = await logoutsArrived(env.server, cookie);
      // (What arrived at all, and what the tabs saw, for the report if none came with the cookie.)
      const seen = () => JSON.stringify({ logouts: env.server.state.logouts.slice(-4).map((l) => ({ ...l, sid: l.sid?.slice(0, 8) })), tabs: [a, b, c].map((p) => p.recorded.map((e) => e.name)), console: [a, b, c].map((p) => p.consoleMessages.filter((m) => m.type === 'error').map((m) => m.text)), audit: env.server.state.audit.filter((e) => e.sid === cookie).map((e) => [e.tab, e.type, e.reason || e.status || e.what || '']) });
      assert.equal(arrived.length, 1, seen());
    } finally {
      await context.close();
    }
  });

  test(`[${transport}] a tab opened late inherits the deadline instead of starting a fresh one`, async () => {
    const context = await session(transport);
    try {
      const [a] = await tabs(context, 1, { timeout: '6s', warning: '2s' });
      await sleep(2_500);
      const [b] = await tabs(context, 1, { timeout: '6s', warning: '2s' });
      const left = await remaining(b);
      assert.ok(left <= 3_700, 'B inherited the running deadline: ' + left + ' ms left');
      await dialog(a).waitFor({ state: 'visible', timeout: 10_000 });
      await dialog(b).waitFor({ state: 'visible', timeout: 1_000 });
    } finally {
      await context.close();
    }
  });

  test(`[${transport}] closing a tab mid-session changes nothing for the others`, async () => {
    const context = await session(transport);
    try {
      const cookie = await sid(context);
      const [a, b] = await tabs(context, 2, { timeout: '4s', warning: '1500ms' });
      await a.mouse.move(10, 10);
      await a.close();
      await b.mouse.move(20, 20);
      assert.equal(await state(b), 'active');
      await dialog(b).waitFor({ state: 'visible', timeout: 10_000 });
      await landsOn(b, LOGIN, 10_000);
      assert.equal(env.server.state.logouts.filter((l) => l.sid === cookie).length, 1);
    } finally {
      await context.close();
    }
  });
}

test('without Web Locks (and without BroadcastChannel) a claim in localStorage still sends exactly one request', async () => {
  const context = await session('storage');
  await context.addInitScript(() => {
    Object.defineProperty(Navigator.prototype, 'locks', { get: () => undefined, configurable: true });
  });
  try {
    const cookie = await sid(context);
    const pages = await tabs(context, 4, { timeout: '4s', warning: '1s' });
    assert.equal(await pages[0].evaluate(() => navigator.locks), undefined);
    await Promise.all(pages.map((p) => landsOn(p, LOGIN, 20_000)));
    await sleep(500);
    assert.equal(env.server.state.logouts.filter((l) => l.sid === cookie).length, 1, JSON.stringify(env.server.state.logouts.filter((l) => l.sid === cookie)));
  } finally {
    await context.close();
  }
});

test('a garbled or hostile message changes nothing', async () => {
  const context = await session('broadcast');
  try {
    const [a, b] = await tabs(context, 2, { timeout: '3s', warning: '1s' });
    // Another script of the origin posts junk, future-dated activity, and another version.
    await a.evaluate(() => {
      const ch = new BroadcastChannel('autologoff:default');
      for (const m of ['', 'hello', '1;a;zz;99999999999999', '2;l;zz;1', '1;l;ZZ;1', { kind: 'logout' }, '1;a;zz;1'.repeat(10)]) ch.postMessage(m);
      ch.close();
    });
    await sleep(300);
    assert.equal(await state(b), 'active', 'no logout from a malformed message');
    const after = await remaining(b);
    assert.ok(after <= 3_000, 'a future timestamp is clamped to now, never beyond the timeout: ' + after);
  } finally {
    await context.close();
  }
});

test('separate channels keep separate sessions on one origin', async () => {
  const context = await session('broadcast');
  try {
    const a = await open(context, portal({ timeout: '3s', warning: '1s', channel: 'billing' }));
    const b = await open(context, portal({ timeout: '1m', warning: '20s', channel: 'records' }));
    await landsOn(a, LOGIN, 10_000);
    assert.equal(await state(b), 'active', 'the other portal was not logged out by the message');
  } finally {
    await context.close();
  }
});
