// The bench's pages: one per subject (each library bundled the way its users ship it), the
// harness every page runs first, the demo-like autologoff page the CPU profile uses, and the
// shipped size of each library.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import * as esbuild from 'esbuild';

// Every subject is configured alike: idle after TIMEOUT ms, warned WARNING ms before where the
// library has a warning. Each calls window.__bench.warned() / .idle() / .armed().
export const TIMEOUT = 3_000;
export const WARNING = 1_000;
// Start-up, per-event cost and heap growth are measured with a portal's usual settings (15 min,
// warned 2 min before): with the short ones above autologoff prints its WCAG 2.2.1 advice (a
// warning under 20 s) on the console at start, which no well-configured portal does.
export const PORTAL = '?t=900000&w=120000';
// Start-up loads per round: a cold load, a first reload and the reloads after it.
export const STARTUP_LOADS = 4;

export const SUBJECTS = {
  baseline: { label: 'no library', entry: `window.__bench.armed();`, sizeEntry: null },
  autologoff: { label: 'autologoff', script: true },
  // The same page with the README's optional <link rel="preload"> for the .wasm; start-up only.
  'autologoff-preload': { label: 'autologoff, with the preload hint', script: true, preload: true, startupOnly: true },
  'react-idle-timer': {
    label: 'react-idle-timer',
    entry: `import React from 'react'; import { createRoot } from 'react-dom/client'; import { useIdleTimer } from 'react-idle-timer';
      function App() { useIdleTimer({ timeout: window.__T, promptBeforeIdle: window.__W, onPrompt: () => window.__bench.warned(), onIdle: () => window.__bench.idle() }); React.useEffect(() => window.__bench.armed(), []); return null; }
      createRoot(document.getElementById('app')).render(React.createElement(App));`,
    sizeEntry: `export * from 'react-idle-timer';`,
    external: ['react', 'react-dom'],
  },
  'idle-timeout': {
    label: 'idle-timeout',
    entry: `import idleTimeout from 'idle-timeout'; idleTimeout(() => window.__bench.idle(), { timeout: window.__T }); window.__bench.armed();`,
    sizeEntry: `export { default } from 'idle-timeout';`,
  },
  'activity-detector': {
    label: 'activity-detector',
    entry: `import createActivityDetector from 'activity-detector'; const d = createActivityDetector({ timeToIdle: window.__T }); d.on('idle', () => window.__bench.idle()); window.__bench.armed();`,
    sizeEntry: `export { default } from 'activity-detector';`,
  },
  'idle-js': {
    label: 'idle-js',
    entry: `import IdleJs from 'idle-js'; new IdleJs({ idle: window.__T, onIdle: () => window.__bench.idle(), events: ['mousemove', 'keydown', 'mousedown', 'touchstart'] }).start(); window.__bench.armed();`,
    sizeEntry: `export { default } from 'idle-js';`,
  },
  useIdle: {
    label: '@vueuse/core useIdle',
    entry: `import { effectScope, watch } from 'vue'; import { useIdle } from '@vueuse/core';
      effectScope().run(() => { const { idle } = useIdle(window.__T); watch(idle, (v) => v && window.__bench.idle()); }); window.__bench.armed();`,
    sizeEntry: `export { useIdle } from '@vueuse/core';`,
    external: ['vue'],
  },
};

// The page the CPU profile runs on: autologoff as the demo portal (www/server.mjs) starts it,
// from the script tag's data-* attributes with the demo's standard preset (15 min, warned 60 s
// before, keepalive every 5 min) and its server URLs, session start and session id. The bench
// server answers /keepalive, /audit and /logout as the demo's would. The demo's own page script
// (portal.js, which polls the session once a second to show the time left) is not the library's
// and is left out.
export const DEMO_PAGE = 'autologoff-demo';
const DEMO_ATTRS = {
  timeout: '15m', warning: '60s', 'keepalive-interval': '5m', 'keepalive-url': '/keepalive', 'audit-url': '/audit',
  'logout-url': '/logout', 'redirect-url': '/login?reason=timeout', 'session-id': 'bench-session',
};

// Runs first on every page, before any library code: counts timer callbacks that actually run
// (where asked), records the subject's moments, and watches input with one probe listener. Promises
// (whenArmed, whenWarned, whenIdle) let the bench wait without polling the page: Playwright's
// waitForFunction would add its own injected script, whose capture listeners (mousemove among
// them) would then run on every measured input.
export const HARNESS = `
window.__t0 = performance.now();
{ const q = new URLSearchParams(location.search); window.__T = Number(q.get('t') || ${TIMEOUT}); window.__W = Number(q.get('w') || ${WARNING}); }
window.__wakeups = 0;
(() => {
  const q = new URLSearchParams(location.search);
  const setTimeout0 = window.setTimeout; // before it is wrapped below
  // Timer callbacks are counted on the pages that count wakeups (?wakeups) only: the wrapper is a
  // JS call of its own, and a library that resets its timer on every input would pay for it in
  // the per-event figures.
  const wrap = (name) => { const orig = window[name]; window[name] = function (fn, ...rest) {
    if (typeof fn !== 'function') return orig.call(window, fn, ...rest);
    return orig.call(window, function (...a) { window.__wakeups++; return fn.apply(this, a); }, ...rest); }; };
  if (q.has('wakeups')) { wrap('setTimeout'); wrap('setInterval'); wrap('requestAnimationFrame'); }
  // Start-up runs (?load=N) report to the bench server and load the page again (cached), in a
  // browser with no DevTools Protocol attached; the report is sent with the unwrapped timer, after
  // the subject is armed, so it is not part of start-up.
  const load = q.get('load') === null ? null : Number(q.get('load'));
  const report = () => fetch('/report?' + q, { method: 'POST', body: String(window.__bench.armedAt - window.__t0) }).then(() => {
    if (load + 1 < ${STARTUP_LOADS}) { q.set('load', load + 1); location.replace('?' + q); }
  });
  const settled = {};
  const when = (name) => new Promise((resolve) => (settled[name] = resolve));
  window.__bench = { lastInput: 0, warnedAt: 0, idleAt: 0, armedAt: 0, moves: 0,
    whenArmed: when('armed'), whenWarned: when('warned'), whenIdle: when('idle'),
    warned() { if (!this.warnedAt) { this.warnedAt = Date.now(); settled.warned(); } },
    idle() { if (!this.idleAt) { this.idleAt = Date.now(); settled.idle(); } },
    armed() { if (!this.armedAt) { this.armedAt = performance.now(); settled.armed(); if (load !== null) setTimeout0.call(window, report, 0); } } };
  // The probe: when the page first sees an input, and how many trusted moves reached the page
  // (moves sent back to back are coalesced by the browser into one per frame). One capture
  // listener on window, registered before any library's: a mouse's pointermove comes before its
  // mousemove, so a library that handles pointermove is not judged against the later mousemove.
  // (The time the browser took to deliver the input, before any page script, is nobody's
  // deadline error.)
  addEventListener('pointermove', (e) => {
    if (e.isTrusted) { window.__bench.moves++; window.__bench.lastInput = Date.now(); }
  }, true);
  document.addEventListener('autologoff:warning', () => window.__bench.warned());
  document.addEventListener('autologoff:logout', () => window.__bench.idle());
})();`;

/** Raw, gzip -9 and brotli -q 11 bytes of each buffer compressed alone, summed (the files a
 * page downloads are compressed one by one). */
export function measure(buffers) {
  const sum = { raw: 0, gzip: 0, brotli: 0 };
  for (const data of buffers) {
    sum.raw += data.length;
    sum.gzip += zlib.gzipSync(data, { level: 9 }).length;
    sum.brotli += zlib.brotliCompressSync(data, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
  }
  return sum;
}

async function bundle(root, contents, external = []) {
  const r = await esbuild.build({
    stdin: { contents, resolveDir: root, loader: 'js' },
    bundle: true, minify: true, format: 'iife', write: false, target: ['es2020'], external,
    define: { 'process.env.NODE_ENV': '"production"' }, logLevel: 'silent', legalComments: 'none',
  });
  return Buffer.from(r.outputFiles[0].contents);
}

const html = (name, head, body) => `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${name}</title>
${head}<script src="${name}-harness.js"></script></head><body><div id="app"></div><main style="height:2000px">bench</main>${body}</body></html>`;

/** Writes every page into `out` (with dist/ copied beside them) and returns the shipped size of
 * each subject that has one. */
export async function writePages(root, out, subjects) {
  const sizes = {};
  for (const f of ['autologoff.js', 'autologoff_bg.wasm']) fs.copyFileSync(path.join(root, 'dist', f), path.join(out, f));
  const shipped = ['autologoff.js', 'autologoff_bg.wasm'].map((f) => fs.readFileSync(path.join(out, f)));
  for (const [name, s] of Object.entries(subjects)) {
    fs.writeFileSync(path.join(out, name + '-harness.js'), HARNESS);
    let body;
    if (s.script) {
      // Inline, as a portal would write it: a second script file would add a fetch to
      // autologoff's cold start-up that no other subject has.
      body = `<script src="autologoff.js" data-autostart="false"></script>
<script>window.autologoff.start({ timeout: window.__T, warning: window.__W, channel: 'bench' }).then(() => window.__bench.armed());</script>`;
      sizes[name] = measure(shipped);
    } else {
      fs.writeFileSync(path.join(out, name + '.js'), await bundle(root, s.entry));
      body = `<script src="${name}.js"></script>`;
      if (s.sizeEntry) sizes[name] = measure([await bundle(root, s.sizeEntry, s.external)]);
    }
    const hint = s.preload ? '<link rel="preload" href="autologoff_bg.wasm" as="fetch" crossorigin>\n' : '';
    fs.writeFileSync(path.join(out, name + '.html'), html(name, hint, body));
  }
  if (subjects.autologoff) {
    fs.writeFileSync(path.join(out, DEMO_PAGE + '-harness.js'), HARNESS);
    const attrs = { ...DEMO_ATTRS, 'session-start': String(Date.now()) };
    const data = Object.entries(attrs).map(([k, v]) => ` data-${k}="${v}"`).join('');
    fs.writeFileSync(path.join(out, DEMO_PAGE + '.html'), html(DEMO_PAGE, '<meta name="csrf-token" content="bench-csrf">\n',
      `<script src="autologoff.js"${data}></script>\n<script>window.autologoff.ready.then(() => window.__bench.armed());</script>`));
  }
  // Where a start-up run begins: a page of the same origin that waits for the new browser to
  // settle (its own start-up competes for the 2 cores), then goes to the subject's page.
  fs.writeFileSync(path.join(out, 'settle.html'), `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>settle</title></head><body>
<script>setTimeout(() => { const q = new URLSearchParams(location.search); const to = q.get('to'); q.delete('to'); location.replace(to + '?' + q); }, 1000);</script></body></html>`);
  return sizes;
}
