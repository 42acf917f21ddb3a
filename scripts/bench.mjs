// `npm run bench`: autologoff against the idle-timeout libraries people use today, in one
// headless Chromium run on this machine. Not a test: it measures and reports, it never fails
// because the machine was slow.
//
// Subjects, each bundled for the browser the way its users ship it (esbuild, minified):
// autologoff (the script-tag bundle + .wasm), react-idle-timer (with React on the page),
// idle-timeout, activity-detector, idle-js, @vueuse/core useIdle (with Vue), and a page with no
// library (the baseline). Rounds are interleaved; medians are reported. The parts:
//   startup   script start to armed, in a Chromium with no DevTools Protocol attached (startup.mjs)
//   events    script time per mousemove, moves back to back and at a hand's pace (input.mjs)
//   profile   a CPU profile of autologoff with the demo's settings at a hand's pace (profile.mjs)
//   timing    deadline accuracy and timer wakeups
//   heap      heap growth over 20,000 events after a 2,000-event warm-up
//   crosstab  a second tab kept alive; a logout reaching 8 tabs
//
// Writes target/bench/results.json (raw), docs/bench.md (table, machine, method) and
// docs/bench.svg (chart); a partial run (BENCH_ONLY, BENCH_PHASES) prints its table and leaves
// docs/ alone. Settings (environment): BENCH_ROUNDS (5), BENCH_EVENTS (back-to-back moves per
// round, 4,000), BENCH_PACED (moves per round at a hand's pace, 3,000), BENCH_PROFILE_ROUNDS (3)
// and BENCH_PROFILE_EVENTS (2,000), BENCH_PROFILE_ALSO=idle-timeout (peers profiled too),
// BENCH_HEAP_EVENTS (20,000), BENCH_ONLY=autologoff,idle-js (those and the baseline),
// BENCH_PHASES=events,profile (those parts only), CHROMIUM (/usr/bin/chromium).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { backToBack, delivered, paced, scriptTime } from './bench/input.mjs';
import { DEMO_PAGE, PORTAL, SUBJECTS, TIMEOUT, WARNING, measure, writePages } from './bench/pages.mjs';
import { attribute, perEvent, pool, profilePaced } from './bench/profile.mjs';
import { markdown, svg, NOTES_MARKER } from './bench/report.mjs';
import { startServer } from './bench/server.mjs';
import { onStartupReport, startupWithoutDevTools, stopStartupBrowser } from './bench/startup.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.join(root, 'target', 'bench');
const env = (name, fallback) => Number(process.env[name] || fallback);
const ROUNDS = env('BENCH_ROUNDS', 5);
const EVENTS = env('BENCH_EVENTS', 4_000);
const PACED = env('BENCH_PACED', 3_000);
const PROFILE_ROUNDS = env('BENCH_PROFILE_ROUNDS', 3);
const PROFILE_EVENTS = env('BENCH_PROFILE_EVENTS', 2_000);
const PROFILE_WARMUP = 200;
// BENCH_PROFILE_ALSO=idle-timeout,react-idle-timer profiles those peers too, beside autologoff.
const PROFILE_ALSO = process.env.BENCH_PROFILE_ALSO ? process.env.BENCH_PROFILE_ALSO.split(',') : [];
const WARMUP_EVENTS = 250;
const HEAP_WARMUP = 2_000;
const HEAP_EVENTS = env('BENCH_HEAP_EVENTS', 20_000);
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const ARGS = ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const PHASE_NAMES = ['startup', 'events', 'profile', 'timing', 'heap', 'crosstab'];

// BENCH_ONLY=autologoff,idle-js measures those (and the baseline) only, and BENCH_PHASES=… only
// those parts, for a quick look while working; such a partial run leaves docs/ alone.
const ONLY = process.env.BENCH_ONLY ? new Set(['baseline', ...process.env.BENCH_ONLY.split(',')]) : null;
const PHASES = new Set(process.env.BENCH_PHASES ? process.env.BENCH_PHASES.split(',') : PHASE_NAMES);
const partial = !!ONLY || PHASES.size < PHASE_NAMES.length;
const subjects = { ...SUBJECTS };
for (const [what, names, known] of [['BENCH_ONLY', ONLY, Object.keys(subjects)], ['BENCH_PHASES', PHASES, PHASE_NAMES]]) {
  const unknown = [...(names ?? [])].filter((name) => !known.includes(name));
  if (unknown.length) {
    console.error(`bench: ${what} names ${unknown.join(', ')}, which it does not know; it knows ${known.join(', ')}`);
    process.exit(2);
  }
}
if (ONLY) for (const name of Object.keys(subjects)) if (!ONLY.has(name)) delete subjects[name];
for (const name of PROFILE_ALSO) {
  if (!subjects[name] || subjects[name].startupOnly || name === 'baseline') {
    console.error(`bench: BENCH_PROFILE_ALSO names ${name}, which is not a measured peer of this run`);
    process.exit(2);
  }
}
// Subjects measured beyond start-up (a start-up-only variant is the same library again).
const measured = Object.keys(subjects).filter((name) => !subjects[name].startupOnly);
const say = (text) => console.error('bench: ' + text);
// The machine's 1-minute load average as each part starts: the figures assume nothing else runs.
const loads = {};
const part = (name) => (loads[name] = Math.round(os.loadavg()[0] * 100) / 100);
const started = Date.now();

fs.rmSync(out, { recursive: true, force: true });
fs.mkdirSync(out, { recursive: true });
const sizes = await writePages(root, out, subjects);
const shippedFiles = Object.fromEntries(['autologoff.js', 'autologoff_bg.wasm'].map((f) => [f, measure([fs.readFileSync(path.join(out, f))])]));
const server = await startServer(out, onStartupReport);

const results = {};
for (const name of Object.keys(subjects)) {
  results[name] = {
    size: sizes[name] ?? null, perEventUs: [], deliveredPerMove: [], pacedUs: [], pacedRate: [], pacedDeliveredPerMove: [],
    startupCold: [], startupFirstReload: [], startupLaterReloads: [],
    idleWakeupsPerMin: null, warningWakeupsPerSec: null, warnLateMs: null, idleLateMs: null, heapWarmupKB: null, heapGrowthKB: null,
  };
}
const profiles = {};

// Moves over the page, never twice at the same spot in a row.
const spot = (row) => (i) => ({ x: 10 + (i % 500), y: row + ((i / 500) | 0) });

/** A new page of `name`, once its subject is armed (waited for through the harness's promise,
 * not with Playwright's waitForFunction: see HARNESS). */
async function openPage(context, name, query = '') {
  const page = await context.newPage();
  await page.goto(server.base + name + '.html' + query);
  await within(10_000, page.evaluate(() => window.__bench.whenArmed), name + ' did not arm');
  return page;
}
function within(ms, promise, what) {
  let timer;
  return Promise.race([promise, new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(what + ' within ' + ms + ' ms')), ms)))]).finally(() => clearTimeout(timer));
}

/** A fresh context with the page of `name` and a CDP session with Performance enabled (thread
 * time); `fn(page, cdp)` runs on it, and the context is closed whatever happens. */
async function onPage(browser, name, query, fn) {
  const context = await browser.newContext();
  try {
    const page = await openPage(context, name, query);
    const cdp = await context.newCDPSession(page);
    await cdp.send('Performance.enable', { timeDomain: 'threadTicks' });
    return await fn(page, cdp);
  } finally {
    await context.close();
  }
}

/** Script time per move of `n` moves sent by `send`, and how many of them reached the page
 * (counted outside the timed span: reading the count runs script in the page). */
async function perMove(page, cdp, n, send) {
  const d0 = await delivered(page);
  const s0 = await scriptTime(cdp);
  const rate = await send();
  const s1 = await scriptTime(cdp);
  const d1 = await delivered(page);
  return { us: ((s1 - s0) / n) * 1e6, deliveredPerMove: (d1 - d0) / n, rate };
}

let browser = null;
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    stopStartupBrowser('SIGKILL');
    process.exit(130); // Playwright closes its browser on the way out
  });
}

try {
  // Start-up first, in rounds of its own: a browser shutting down after its start-up run would
  // otherwise share the machine with the next measurement.
  if (PHASES.has('startup')) {
    part('startup');
    for (let round = 0; round < ROUNDS; round++) {
      say('start-up, round ' + (round + 1) + ' of ' + ROUNDS);
      for (const name of Object.keys(subjects)) {
        // Cold (empty cache), then cached (the loads after it), without DevTools.
        const [cold, ...cached] = await startupWithoutDevTools({ chromium: CHROMIUM, args: ARGS, base: server.base }, name, round);
        if ([cold, ...cached].includes(null)) say(name + ': a start-up load did not report within 30 s');
        results[name].startupCold.push(cold);
        results[name].startupFirstReload.push(cached[0]);
        results[name].startupLaterReloads.push(...cached.slice(1));
      }
    }
  }
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });

  if (PHASES.has('events')) {
    part('events');
    for (let round = 0; round < ROUNDS; round++) {
      // Back to back, as the bench first measured it: after 250 moves that are not counted (they
      // pay one-time costs such as compiling the listeners).
      say('per-event cost, moves back to back, round ' + (round + 1) + ' of ' + ROUNDS);
      for (const name of measured) {
        const r = await onPage(browser, name, PORTAL, async (page, cdp) => {
          await backToBack(cdp, WARMUP_EVENTS, spot(600));
          return perMove(page, cdp, EVENTS, () => backToBack(cdp, EVENTS, spot(10)));
        });
        results[name].perEventUs.push(r.us);
        results[name].deliveredPerMove.push(r.deliveredPerMove);
      }
      // At a hand's pace, one move per frame: after 250 such moves that are not counted.
      say(`per-event cost, moves at a hand's pace (${PACED} in about ${Math.round(PACED / 60)} s per page), round ${round + 1} of ${ROUNDS}`);
      for (const name of measured) {
        const r = await onPage(browser, name, PORTAL, async (page, cdp) => {
          await paced(cdp, WARMUP_EVENTS, spot(600));
          return perMove(page, cdp, PACED, () => paced(cdp, PACED, spot(10)));
        });
        results[name].pacedUs.push(r.us);
        results[name].pacedRate.push(r.rate);
        results[name].pacedDeliveredPerMove.push(r.deliveredPerMove);
        if (r.deliveredPerMove < 0.99) say(`${name}: only ${(r.deliveredPerMove * 100).toFixed(1)} % of the paced moves reached the page as events of their own`);
      }
    }
  }

  // The CPU profile: the demo-like autologoff page and, for comparison, the baseline, rounds
  // interleaved and pooled; PROFILE_WARMUP paced moves first, not counted.
  if (PHASES.has('profile') && subjects.autologoff) {
    part('profile');
    const pooled = {};
    const library = (name) => (name === DEMO_PAGE ? (file) => file === 'autologoff.js' || file === 'autologoff_bg.wasm' : (file) => file === name + '.js');
    for (let round = 0; round < PROFILE_ROUNDS; round++) {
      say(`CPU profile, ${PROFILE_EVENTS} moves at a hand's pace, round ${round + 1} of ${PROFILE_ROUNDS}`);
      for (const name of ['baseline', DEMO_PAGE, ...PROFILE_ALSO]) {
        const run = await onPage(browser, name, name === DEMO_PAGE ? '' : PORTAL, async (page, cdp) => {
          await paced(cdp, PROFILE_WARMUP, spot(600));
          const d0 = await delivered(page);
          const r = await profilePaced(cdp, PROFILE_EVENTS, spot(10));
          return { ...r, delivered: (await delivered(page)) - d0 };
        });
        if (round === 0) fs.writeFileSync(path.join(out, name + '.cpuprofile'), JSON.stringify(run.profile));
        const p = (pooled[name] ??= { attribution: null, scriptUs: 0, events: 0, delivered: 0, rates: [] });
        p.attribution = pool(p.attribution, attribute(run, library(name)));
        p.scriptUs += run.scriptUs;
        p.events += PROFILE_EVENTS;
        p.delivered += run.delivered;
        p.rates.push(run.rate);
      }
    }
    for (const [name, p] of Object.entries(pooled)) {
      profiles[name] = { ...perEvent(p.attribution, p.events), scriptDurationUs: p.scriptUs / p.events, events: p.events, deliveredPerMove: p.delivered / p.events, rate: median(p.rates) };
    }
  }

  if (PHASES.has('timing')) {
    part('timing');
    for (const name of measured.filter((n) => n !== 'baseline')) {
      say('deadline accuracy and wakeups of ' + name);
      const context = await browser.newContext();
      try {
        const page = await openPage(context, name);
        const cdp = await context.newCDPSession(page);
        // Deadline accuracy: one last input, then idle through warning and expiry.
        await cdp.send('Input.dispatchMouseEvent', { type: 'mouseMoved', x: 300, y: 300 });
        await within(TIMEOUT + 5_000, page.evaluate(() => window.__bench.whenIdle), name + ' did not expire').catch((error) => say(error.message));
        const b = await page.evaluate(() => ({ ...window.__bench }));
        if (b.idleAt) results[name].idleLateMs = b.idleAt - b.lastInput - TIMEOUT;
        if (b.warnedAt) results[name].warnLateMs = b.warnedAt - b.lastInput - (TIMEOUT - WARNING);
        await page.close();
        // Wakeups while idle: a 60 s timeout (warning at 40 s), watched for 10 s.
        const idlePage = await openPage(context, name, '?t=60000&w=20000&wakeups');
        await idlePage.evaluate(() => (window.__w0 = window.__wakeups));
        await idlePage.waitForTimeout(10_000);
        results[name].idleWakeupsPerMin = (await idlePage.evaluate(() => window.__wakeups - window.__w0)) * 6;
        await idlePage.close();
        // Wakeups during the warning: 3 s timeout, 2.5 s warning, watched for 2 s of it.
        if (b.warnedAt) {
          const warnPage = await openPage(context, name, '?t=3000&w=2500&wakeups');
          await within(10_000, warnPage.evaluate(() => window.__bench.whenWarned), name + ' did not warn');
          const w1 = await warnPage.evaluate(() => window.__wakeups);
          await warnPage.waitForTimeout(2_000);
          results[name].warningWakeupsPerSec = ((await warnPage.evaluate(() => window.__wakeups)) - w1) / 2;
          await warnPage.close();
        }
      } catch (error) {
        // One subject failing a measurement leaves a gap in the table, not a failed run.
        say(name + ': ' + error.message.split('\n')[0]);
      } finally {
        await context.close();
      }
    }
  }

  // Heap growth, in fresh contexts (a context of the timing part has a shared record, channel
  // 'bench', that says its session is in its warning): JS heap used after a forced GC once the
  // page has seen 2,000 events at a hand's pace (one-time state such as the listeners' optimised
  // code is in by then; autologoff's own work is paced by time, at most a couple of calls a
  // second, so fast input would warm it less), and again 20,000 events later. Every subject at
  // once, each page in its own context and renderer: heap does not depend on the machine's load,
  // and 22,000 moves at a hand's pace take six minutes. Nothing is evaluated in a page between
  // the two readings (Playwright's evaluate leaves compiled code behind).
  if (PHASES.has('heap')) {
    part('heap');
    say(`heap growth of ${measured.join(', ')}, all at once (${HEAP_WARMUP} + ${HEAP_EVENTS} moves at a hand's pace, about ${Math.round((HEAP_WARMUP + HEAP_EVENTS) / 60 / 60)} min)`);
    const at = (i) => ({ x: 10 + (i % 700), y: 10 + (((i / 700) | 0) % 500) });
    await Promise.all(measured.map(async (name) => {
      try {
        await onPage(browser, name, PORTAL, async (page, cdp) => {
          const heap = async () => {
            await cdp.send('HeapProfiler.collectGarbage');
            await cdp.send('HeapProfiler.collectGarbage');
            return (await cdp.send('Runtime.getHeapUsage')).usedSize;
          };
          const d0 = await delivered(page);
          const h0 = await heap();
          await paced(cdp, HEAP_WARMUP, at);
          const h1 = await heap();
          await paced(cdp, HEAP_EVENTS, (i) => at(i + HEAP_WARMUP));
          const h2 = await heap();
          results[name].heapWarmupKB = (h1 - h0) / 1024;
          results[name].heapGrowthKB = (h2 - h1) / 1024;
          results[name].heapEventsDelivered = (await delivered(page)) - d0;
        });
      } catch (error) {
        say(name + ': ' + error.message.split('\n')[0]);
      }
    }));
  }

  // Cross-tab (autologoff): a second tab stays alive while only the first is used (3 s
  // timeout), and how long a logout takes to reach every one of 8 tabs (a portal's settings in a
  // fresh context, so no tab expires on its own while the others open).
  if (PHASES.has('crosstab') && subjects.autologoff) {
    part('crosstab');
    say('cross-tab');
    const context = await browser.newContext();
    try {
      const a = await openPage(context, 'autologoff');
      const b = await openPage(context, 'autologoff');
      const cdp = await context.newCDPSession(a);
      const until = Date.now() + TIMEOUT + 1_500;
      for (let i = 0; Date.now() < until; i++) {
        await cdp.send('Input.dispatchMouseEvent', { type: 'mouseMoved', x: 10 + (i % 400), y: 20 });
        await new Promise((r) => setTimeout(r, 100));
      }
      results.autologoff.secondTabAlive = (await b.evaluate(() => document.documentElement.dataset.autologoffState)) === 'active';
    } catch (error) {
      say('cross-tab: ' + error.message.split('\n')[0]);
    } finally {
      await context.close();
    }
    // Three times; the median is reported (one logout's time varies with what else runs).
    results.autologoff.logoutToAllTabsMsEach = [];
    for (let round = 0; round < 3; round++) {
      const tabsContext = await browser.newContext();
      try {
        const tabs = [];
        for (let i = 0; i < 8; i++) tabs.push(await openPage(tabsContext, 'autologoff', PORTAL));
        const t0 = await tabs[0].evaluate(() => { const t = Date.now(); window.autologoff.ready.then((s) => s.logout()); return t; });
        await within(10_000, Promise.all(tabs.map((t) => t.evaluate(() => window.__bench.whenIdle))), 'the logout did not reach every tab');
        const reached = await Promise.all(tabs.map((t) => t.evaluate(() => window.__bench.idleAt)));
        results.autologoff.logoutToAllTabsMsEach.push(Math.max(...reached) - t0);
      } catch (error) {
        say('cross-tab: ' + error.message.split('\n')[0]);
      } finally {
        await tabsContext.close();
      }
    }
    results.autologoff.logoutToAllTabsMs = median(results.autologoff.logoutToAllTabsMsEach);
  }
} finally {
  await browser?.close();
  server.close();
}

function median(xs) {
  const s = xs.filter((x) => x != null).sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)] : null;
}

// Medians and ratios to the baseline. Per-event cost is paired with the baseline measured in the
// same round (rounds are interleaved, so a pair shares the machine's state at the time): the
// median of each round's difference, and of each round's ratio. The baseline page is not empty:
// the harness's probe listener runs there too, as on every page.
const paired = (xs, base, op) => median(xs.map((x, i) => (x == null || base[i] == null ? null : op(x, base[i]))));
const summary = {};
for (const [name, r] of Object.entries(results)) {
  const base = results.baseline;
  summary[name] = {
    label: subjects[name].label,
    size: r.size,
    perEventUs: median(r.perEventUs),
    perEventUsAboveBaseline: paired(r.perEventUs, base.perEventUs, (x, b) => x - b),
    perEventRatioToBaseline: paired(r.perEventUs, base.perEventUs, (x, b) => x / b),
    deliveredPerMove: median(r.deliveredPerMove),
    pacedUs: median(r.pacedUs),
    pacedUsAboveBaseline: paired(r.pacedUs, base.pacedUs, (x, b) => x - b),
    pacedRatioToBaseline: paired(r.pacedUs, base.pacedUs, (x, b) => x / b),
    pacedMovesPerSec: median(r.pacedRate),
    pacedDeliveredPerMove: median(r.pacedDeliveredPerMove),
    startupColdMs: median(r.startupCold),
    startupFirstReloadMs: median(r.startupFirstReload),
    startupLaterReloadsMs: median(r.startupLaterReloads),
    idleWakeupsPerMin: r.idleWakeupsPerMin,
    warningWakeupsPerSec: r.warningWakeupsPerSec,
    warnLateMs: r.warnLateMs,
    idleLateMs: r.idleLateMs,
    heapWarmupKB: r.heapWarmupKB,
    heapGrowthKB: r.heapGrowthKB,
    heapGrowthKBAboveBaseline: r.heapGrowthKB == null || base.heapGrowthKB == null ? null : r.heapGrowthKB - base.heapGrowthKB,
    secondTabAlive: r.secondTabAlive,
    logoutToAllTabsMs: r.logoutToAllTabsMs,
  };
}
const chromiumVersion = execFileSync(CHROMIUM, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
const machine = {
  cores: os.cpus().length, cpu: os.cpus()[0]?.model, memoryGB: Math.round(os.totalmem() / 2 ** 30), node: process.version,
  chromium: chromiumVersion, date: new Date().toISOString().slice(0, 10), rounds: ROUNDS, events: EVENTS, paced: PACED,
  profileRounds: PROFILE_ROUNDS, profileEvents: PROFILE_EVENTS, minutes: (Date.now() - started) / 60_000, loadAverage: loads,
};
const settings = { ROUNDS, EVENTS, PACED, PROFILE_ROUNDS, PROFILE_EVENTS, PROFILE_WARMUP, WARMUP_EVENTS, HEAP_WARMUP, HEAP_EVENTS, PHASES: [...PHASES] };
fs.writeFileSync(path.join(out, 'results.json'), JSON.stringify({ machine, settings, shippedFiles, raw: results, summary, profiles }, null, 2) + '\n');

const missingLoads = Object.values(results).flatMap((r) => [...r.startupCold, ...r.startupFirstReload, ...r.startupLaterReloads]).filter((t) => t == null).length;
const md = markdown({ summary, profiles, machine, settings, shippedFiles, missingLoads, subjects });
console.log(md);
say(`raw results: target/bench/results.json; CPU profiles (open in DevTools): target/bench/*.cpuprofile; ${machine.minutes.toFixed(1)} min`);
if (!partial) {
  // docs/bench.md: this run's report, then the notes written by hand (kept from the marker on).
  const benchMd = path.join(root, 'docs', 'bench.md');
  const before = fs.existsSync(benchMd) ? fs.readFileSync(benchMd, 'utf8') : '';
  const at = before.indexOf(NOTES_MARKER);
  fs.writeFileSync(benchMd, '# Benchmark\n\n' + md + '\n' + (at >= 0 ? before.slice(at) : NOTES_MARKER + '\n'));
  fs.writeFileSync(path.join(root, 'docs', 'bench.svg'), svg({ summary, machine, subjects }));
  // README states what a portal team needs (no dated table: it links here and to the chart);
  // the run's comparison table is docs/bench.md's.
  say('written: docs/bench.md, docs/bench.svg');
}
process.exit(0);
