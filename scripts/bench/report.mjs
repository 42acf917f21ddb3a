// docs/bench.md (the table, autologoff against its bars, the CPU profile, the machine and the
// method) and docs/bench.svg (the chart), from one run's summary.
import { CATEGORIES } from './profile.mjs';
import { DEMO_PAGE, STARTUP_LOADS } from './pages.mjs';

const f = (v, d = 1) => (v == null || Number.isNaN(v) ? '—' : v.toFixed(d));
const kb = (n) => (n == null ? '—' : (n / 1024).toFixed(1));
const n = (x) => x.toLocaleString('en-US');
const withRatio = (us, ratio) => (us == null ? '—' : f(us, 2) + ' (' + f(ratio) + '×)');

// The bars of "Performance, round 2".
export const BARS = { gzipKB: 32, beyondListenerUs: 1, startupCachedMs: 10, startupColdMs: 25, heapKB: 1, lateMs: 10 };

function table(summary, settings) {
  let md = `| library | gzip KB | brotli KB | µs per mousemove above baseline, one move per frame (ratio) | µs per mousemove above baseline, back to back (ratio) | wakeups/min idle | wakeups/s in warning | warning late (ms) | expiry late (ms) | start-up cold / first reload / later reloads (ms) | heap growth over ${n(settings.HEAP_EVENTS)} events after ${n(settings.HEAP_WARMUP)} (KB) |\n`;
  md += '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n';
  for (const [name, s] of Object.entries(summary)) {
    if (name === 'baseline') continue;
    md += `| ${s.label} | ${kb(s.size?.gzip)} | ${kb(s.size?.brotli)} | ${withRatio(s.pacedUsAboveBaseline, s.pacedRatioToBaseline)} | ${withRatio(s.perEventUsAboveBaseline, s.perEventRatioToBaseline)} | ${f(s.idleWakeupsPerMin, 0)} | ${f(s.warningWakeupsPerSec, 1)} | ${f(s.warnLateMs, 0)} | ${f(s.idleLateMs, 0)} | ${f(s.startupColdMs)} / ${f(s.startupFirstReloadMs)} / ${f(s.startupLaterReloadsMs)} | ${f(s.heapGrowthKBAboveBaseline)} |\n`;
  }
  return md;
}

/** "within the bar (≤ 32 KB)" or "over the bar (≤ 32 KB)". A report, never a failure. */
const verdict = (value, bar, unit) => (value == null || !Number.isFinite(value) ? 'not measured' : (value <= bar ? 'within' : 'over') + ` the bar (≤ ${bar} ${unit})`);

function bars(summary, profiles, shippedFiles, settings) {
  const a = summary.autologoff;
  if (!a) return '';
  const p = profiles[DEMO_PAGE];
  const lines = [];
  const js = shippedFiles['autologoff.js'];
  const wasm = shippedFiles['autologoff_bg.wasm'];
  lines.push(`- **Size**: ${kb(a.size?.gzip)} KB gzip (dist JS ${kb(js.gzip)} + .wasm ${kb(wasm.gzip)}, each gzip -9), ${verdict(a.size && a.size.gzip / 1024, BARS.gzipKB, 'KB')}. \`npm run size -- --breakdown\` shows where the bytes are.`);
  if (p) {
    lines.push(`- **Per event at a hand's pace, beyond the listener call** (CPU profile, demo settings): ${f(p.beyondListener, 2)} µs per mousemove, ${verdict(p.beyondListener, BARS.beyondListenerUs, 'µs')}; the listener call itself ${f(p.listeners - profiles.baseline.listeners, 1)} µs (the page's input listeners together, above the no-library page's probe); the garbage collector ${f(p.categories.gc - (profiles.baseline?.categories.gc ?? 0), 1)} µs more than on the no-library page. Whole cost above the no-library page (ScriptDuration, one move per frame): ${f(a.pacedUsAboveBaseline, 1)} µs.`);
  } else if (a.pacedUsAboveBaseline != null) {
    lines.push(`- **Per event at a hand's pace**: ${f(a.pacedUsAboveBaseline, 1)} µs per mousemove above the no-library page (ScriptDuration), the listener call included; the profile, which splits the two, did not run.`);
  }
  if (a.startupColdMs != null) {
    lines.push(`- **Start-up** (script start to armed, no DevTools Protocol, median of ${settings.ROUNDS} rounds): cold ${f(a.startupColdMs)} ms, ${verdict(a.startupColdMs, BARS.startupColdMs, 'ms')}; cached reload: first ${f(a.startupFirstReloadMs)} ms, later ${f(a.startupLaterReloadsMs)} ms, ${verdict(Math.max(a.startupFirstReloadMs ?? Infinity, a.startupLaterReloadsMs ?? Infinity), BARS.startupCachedMs, 'ms')}.`);
  }
  if (a.heapGrowthKB != null) {
    lines.push(`- **Heap**: ${f(a.heapGrowthKB)} KB over ${n(settings.HEAP_EVENTS)} events after ${n(settings.HEAP_WARMUP)} at a hand's pace (the no-library page: ${f(summary.baseline?.heapGrowthKB)} KB; growth during those first ${n(settings.HEAP_WARMUP)}, one-time state: ${f(a.heapWarmupKB)} KB), ${verdict(a.heapGrowthKB, BARS.heapKB, 'KB')}.`);
  }
  if (a.idleWakeupsPerMin != null) {
    const early = [a.warnLateMs, a.idleLateMs].some((x) => x != null && x < 0);
    lines.push(`- **Timers**: ${f(a.idleWakeupsPerMin, 0)} wakeups a minute while idle (bar 0); warning ${f(a.warnLateMs, 0)} ms and expiry ${f(a.idleLateMs, 0)} ms late, ${early ? 'EARLY: over the bar (never early)' : verdict(Math.max(a.warnLateMs ?? 0, a.idleLateMs ?? 0), BARS.lateMs, 'ms late, never early')}.`);
  }
  if (a.secondTabAlive != null) {
    lines.push(`- **Cross-tab**: second tab kept alive by the first: ${a.secondTabAlive ? 'yes' : 'no'}; a logout reached all 8 tabs in ${f(a.logoutToAllTabsMs, 0)} ms.`);
  }
  return '\n### autologoff against the bars\n\n' + lines.join('\n') + '\n';
}

function profileTable(profiles, settings, subjects) {
  const p = profiles[DEMO_PAGE];
  const b = profiles.baseline;
  if (!p || !b) return '';
  // The baseline, autologoff with the demo's settings, and any peer profiled (BENCH_PROFILE_ALSO).
  const pages = ['baseline', DEMO_PAGE, ...Object.keys(profiles).filter((n) => n !== 'baseline' && n !== DEMO_PAGE)];
  const label = (n) => (n === 'baseline' ? 'no library' : n === DEMO_PAGE ? 'autologoff, demo settings' : subjects[n]?.label ?? n);
  const row = (text, value, libraryOnly = true) => `| ${text} | ${pages.map((n) => (libraryOnly && n === 'baseline') || value(profiles[n]) == null ? '—' : f(value(profiles[n]), 2)).join(' | ')} |\n`;
  let md = `\n### Where the time of a mousemove goes (CPU profile, one move per frame)\n\n| µs per mousemove | ${pages.map(label).join(' | ')} |\n| --- |${pages.map(() => ' ---: |').join('')}\n`;
  md += row(CATEGORIES.listener + ' (autologoff: tap.js `listener`)', (x) => x.categories.listener);
  md += row(CATEGORIES.probe, (x) => x.categories.probe, false);
  md += row('the input listeners together, above the no-library page', (x) => x.listeners - b.listeners);
  md += row(CATEGORIES.module, (x) => x.categories.module);
  md += row(CATEGORIES.glue, (x) => x.categories.glue);
  md += row(CATEGORIES.browser, (x) => x.categories.browser);
  const calls = new Map();
  for (const n of pages) for (const [name, us] of Object.entries(profiles[n].browserCalls)) calls.set(name, Math.max(calls.get(name) ?? 0, us));
  for (const [name, us] of [...calls].sort((x, y) => y[1] - x[1])) if (us >= 0.005) md += row('&nbsp;&nbsp;' + name, (x) => x.browserCalls[name] ?? 0);
  md += row('**everything beyond the listener call** (the three above)', (x) => x.beyondListener);
  md += row(CATEGORIES.gc, (x) => x.categories.gc, false);
  md += row(CATEGORIES.other, (x) => x.categories.other, false);
  md += row('all script in the profile', (x) => x.script, false);
  md += row('ScriptDuration of the same moves (CDP Performance)', (x) => x.scriptDurationUs, false);
  const perSample = p.sampleUs / (settings.PROFILE_ROUNDS * settings.PROFILE_EVENTS);
  md += `\nSelf time from CDP \`Profiler\` asked to sample every 100 µs (it took ${f(p.sampleUs, 0)} µs between samples on average, and each sample counts for that), ${settings.PROFILE_ROUNDS} runs of ${n(settings.PROFILE_EVENTS)} moves per page pooled (${f(p.rate, 1)} moves/s, after ${settings.PROFILE_WARMUP} that are not counted); one sample is ${f(perSample, 2)} µs per mousemove here, so differences under about ${f(2 * perSample, 1)} µs are noise. Which of two listeners of one event pays for entering script varies (the probe, registered first, usually does), so the two listener rows are best read together. The demo-like page starts autologoff from its script tag with the demo portal's standard preset (15 min, warned 60 s before, keepalive every 5 min, its server URLs and session id); the demo's own page script is left out. Browser calls are native functions the library's code called. Profiling itself slows script down, so the sum is above the ScriptDuration of an unprofiled run. Samples more than 1 ms late (the machine busy): ${pages.map((n) => label(n) + ' ' + f(profiles[n].lateSamples * 100, 1) + ' %').join(', ')}. Profiles: \`target/bench/*.cpuprofile\` (DevTools, Performance panel).\n`;
  return md;
}

/** Everything in docs/bench.md from this line on is written by hand and kept by each run. */
export const NOTES_MARKER = '<!-- notes: written by hand; npm run bench keeps everything from this line on -->';

export function markdown({ summary, profiles, machine, settings, shippedFiles, missingLoads, subjects }) {
  let md = table(summary, settings);
  md += bars(summary, profiles, shippedFiles, settings);
  md += profileTable(profiles, settings, subjects);
  const paced = summary.autologoff ?? summary.baseline;
  md += `\n### Machine and method\n\nMachine: ${machine.cores} cores (${machine.cpu}), ${machine.memoryGB} GB, ${machine.chromium} (headless), Node ${machine.node}, ${machine.date}; the whole run took ${Math.round(machine.minutes)} min; the 1-minute load average as each part started: ${Object.entries(machine.loadAverage).map(([k, v]) => k + ' ' + v).join(', ')}.\n\n`;
  md += `Per-event cost: main-thread script time (CDP \`Performance.getMetrics\` ScriptDuration, thread time) per trusted mousemove (CDP \`Input.dispatchMouseEvent\`) above the no-library page measured in the same round, the median of ${settings.ROUNDS} interleaved rounds, and the ratio to that page's (which runs the harness's one probe listener). *One move per frame*: ${n(settings.PACED)} moves per round, each sent when Chromium has answered the one before, which it does at the frame that delivered it (${f(paced?.pacedMovesPerSec, 1)} moves/s, ${f((paced?.pacedDeliveredPerMove ?? NaN) * 100, 0)} % reaching the page as an event of its own): the pace of a hand on a mouse, where every move costs one listener call, about 15 µs on this machine for any JavaScript listener. *Back to back*: ${n(settings.EVENTS)} moves per round sent in batches, as the bench first measured it; Chromium coalesces moves that arrive within one frame, so only ${f((paced?.deliveredPerMove ?? NaN) * 100, 0)} % reached a listener, each in a run of them with the code warm, hence the small figures. Both after 250 moves that are not counted.\n\n`;
  md += `Timers: callbacks that actually ran while idle (a 60 s timeout watched for 10 s) and during a warning; how late the warning and the expiry came after the last input (as the page first saw it) against the ideal, with a 3 s timeout. Start-up: from script start to armed, with a portal's usual settings, in a Chromium the bench starts on the page itself with no DevTools Protocol attached (${settings.ROUNDS} rounds of a cold load, a first reload and ${STARTUP_LOADS - 2} later reloads, each round in a new browser${missingLoads ? '; ' + missingLoads + ' loads that never armed are left out' : ''}); by the later reloads Chromium also has the scripts' compiled code cached. Heap: JS heap used (after a forced GC) once the page has seen ${n(settings.HEAP_WARMUP)} mousemoves at a hand's pace (one-time state such as optimised code is in by then) and again ${n(settings.HEAP_EVENTS)} later, above the no-library page's. Sizes are what a page downloads for the library alone, each file compressed alone (autologoff: JS + .wasm, everything included; the others: their library code, minified, framework excluded). Cross-tab: two tabs with a 3 s timeout, moves in the first only (one every 100 ms for 4.5 s), is the second still active; then 8 tabs with a portal's settings, a logout in the first, until the last tab's logout event (median of 3). Start-up, per-event cost and heap use a portal's usual settings (15 min, warned 2 min before). No page has Playwright's injected script (its capture listeners would run on every move).\n`;
  return md;
}

export function svg({ summary, machine, subjects }) {
  const names = Object.keys(summary).filter((n) => n !== 'baseline' && !subjects[n].startupOnly);
  const bar = (x, y, w, h, color) => `<rect x="${x}" y="${y}" width="${Math.max(w, 1).toFixed(1)}" height="${h}" fill="${color}"/>`;
  const esc = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  const columns = [
    { x: 180, w: 200, value: (s) => (s.size?.gzip ?? 0) / 1024, text: (v) => f(v) + ' KB', title: 'gzip KB' },
    { x: 450, w: 170, value: (s) => s.pacedUsAboveBaseline, text: (v) => f(v, 1) + ' µs', title: 'µs per move, one per frame' },
    { x: 700, w: 150, value: (s) => s.perEventUsAboveBaseline, text: (v) => f(v, 2) + ' µs', title: 'µs per move, back to back' },
  ];
  const height = 100 + names.length * 40;
  let out = `<svg xmlns="http://www.w3.org/2000/svg" width="940" height="${height}" font-family="system-ui, sans-serif" font-size="12">\n<rect width="100%" height="100%" fill="#fff"/>\n`;
  out += `<text x="10" y="20" font-size="14" font-weight="600">Shipped size and main-thread script time per mousemove above a page with no library</text>\n`;
  for (const c of columns) out += `<text x="${c.x}" y="42" fill="#5b6775">${esc(c.title)}</text>\n`;
  for (const c of columns) c.max = Math.max(...names.map((n) => Math.max(0, c.value(summary[n]) ?? 0)));
  // The size bar of "Performance, round 2".
  const size = columns[0];
  if (size.max >= BARS.gzipKB) {
    const x = size.x + (BARS.gzipKB / size.max) * size.w;
    out += `<line x1="${x.toFixed(1)}" y1="48" x2="${x.toFixed(1)}" y2="${52 + names.length * 40}" stroke="#c0392b" stroke-dasharray="3 3"/><text x="${(x + 3).toFixed(1)}" y="${60 + names.length * 40}" fill="#c0392b" font-size="11">${BARS.gzipKB} KB bar</text>\n`;
  }
  names.forEach((n, i) => {
    const y = 52 + i * 40;
    const s = summary[n];
    const color = n === 'autologoff' ? '#0b5cad' : '#8a96a3';
    out += `<text x="10" y="${y + 14}">${esc(s.label)}</text>\n`;
    for (const c of columns) {
      const v = c.value(s);
      const w = c.max && v != null ? (Math.max(0, v) / c.max) * c.w : 0;
      out += bar(c.x, y + 2, w, 16, color) + `<text x="${c.x + w + 5}" y="${y + 14}">${v == null ? '—' : esc(c.text(v))}</text>\n`;
    }
  });
  out += `<text x="10" y="${height - 14}" fill="#5b6775" font-size="11">${esc(`${machine.cores} cores (${machine.cpu}), ${machine.chromium.replace(/ built on .*/, '')} headless, ${machine.date}; medians of ${machine.rounds} interleaved rounds (npm run bench)`)}</text>\n</svg>\n`;
  return out;
}
