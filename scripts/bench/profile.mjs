// Where the time of an input goes: a CPU profile (CDP Profiler, sampling every 100 µs) over a
// paced run, its self time attributed to
// - the input listeners themselves: the library's (autologoff: tap.js `listener`), and the
//   harness's probe, which every page runs; found as the functions registered for input events
//   on window, document, <html> and <body> (DOMDebugger.getEventListeners gives their script
//   positions, which are the positions the profile names);
// - calls into the module: WebAssembly functions;
// - JS glue: the library's other JavaScript (wasm-bindgen's import and export shims, closures,
//   timer callbacks) and V8's JS<->wasm call stubs;
// - browser calls the library makes, by name (setItem, postMessage, setTimeout, ...): native
//   functions whose nearest JavaScript or wasm caller is the library's;
// - the garbage collector; other script (the page's own inline script); and, not script at all,
//   the browser's own main-thread work ("(program)") and idle time.
// Sampling gives self time to the function on top of the stack at each sample, and each sample
// counts for the profile's mean interval (its length over its samples): the sampler is asked for
// 100 µs and takes about 200-300 µs between samples here. Not for the time until the next sample,
// as DevTools does: when the machine is busy the sampler is late by milliseconds now and then,
// and that time would all go to whatever was sampled before it (how many samples came late is
// reported). A sample is then about 0.1-0.15 µs per event over 2,000 events, so figures under
// about 0.2 µs per event are noise, and several rounds are pooled.
import { paced, scriptTime } from './input.mjs';

export const SAMPLING_US = 100;
const INPUT_EVENT = /^(pointer|mouse|key|touch|wheel|click|dblclick|auxclick|contextmenu|scroll)/;

export const CATEGORIES = {
  listener: "the library's input listener(s)",
  probe: "the harness's probe listener (on every page)",
  module: 'calls into the module (wasm functions)',
  glue: "the library's other JS (autologoff: wasm-bindgen glue, JS<->wasm stubs)",
  browser: 'browser calls made by the library',
  gc: 'garbage collector',
  other: "other script (the page's own inline script, the harness's timer wrappers where present)",
};

/** Input-event listeners on window, document, <html> and <body>, by `scriptId:line:column`. */
async function inputListeners(cdp) {
  const found = new Map();
  for (const expression of ['window', 'document', 'document.documentElement', 'document.body']) {
    const { result } = await cdp.send('Runtime.evaluate', { expression });
    const { listeners } = await cdp.send('DOMDebugger.getEventListeners', { objectId: result.objectId });
    await cdp.send('Runtime.releaseObject', { objectId: result.objectId });
    for (const l of listeners) {
      if (!INPUT_EVENT.test(l.type)) continue;
      const key = l.scriptId + ':' + l.lineNumber + ':' + l.columnNumber;
      if (!found.has(key)) found.set(key, new Set());
      found.get(key).add(l.type);
    }
  }
  return found;
}

/** Profiles `n` paced moves on a page (Performance already enabled with threadTicks). Returns
 * the raw profile, the input listeners and the ScriptDuration of the same moves (µs). */
export async function profilePaced(cdp, n, at) {
  const listeners = await inputListeners(cdp);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: SAMPLING_US });
  const s0 = await scriptTime(cdp);
  await cdp.send('Profiler.start');
  const rate = await paced(cdp, n, at);
  const { profile } = await cdp.send('Profiler.stop');
  const s1 = await scriptTime(cdp);
  await cdp.send('Profiler.disable');
  return { profile, listeners, scriptUs: (s1 - s0) * 1e6, rate };
}

const fileOf = (url) => url.replace(/[?#].*$/, '').split('/').pop();

/** Self time (µs) of a profile by category, by browser call, and by function. `isLibrary(file)`
 * says whether a script (its file name) is the library's. */
export function attribute({ profile, listeners }, isLibrary) {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

  const category = new Map(); // node id -> category, filled lazily (natives look at their callers)
  const classify = (id) => {
    if (category.has(id)) return category.get(id);
    const { callFrame: cf } = nodes.get(id);
    const file = fileOf(cf.url);
    const key = cf.scriptId + ':' + cf.lineNumber + ':' + cf.columnNumber;
    let c;
    if (cf.functionName === '(idle)') c = 'idle';
    else if (cf.functionName === '(program)' || cf.functionName === '(root)') c = 'program';
    else if (cf.functionName === '(garbage collector)') c = 'gc';
    else if (listeners.has(key)) c = file.endsWith('-harness.js') ? 'probe' : isLibrary(file) ? 'listener' : 'other';
    else if (cf.functionName.startsWith('js-to-wasm') || cf.functionName.startsWith('wasm-to-js')) c = 'glue';
    else if (cf.url.startsWith('wasm://') || file.endsWith('.wasm')) c = 'module';
    else if (file && isLibrary(file)) c = 'glue';
    else if (!cf.url && cf.lineNumber < 0) {
      // A native function: the library's call if its nearest caller with code is the library's.
      // The harness's timer wrappers (they count wakeups) are looked through: the library's
      // setTimeout calls go through them.
      let p = parent.get(id);
      while (p != null && ['browser', 'other-native', 'harness'].includes(classify(p))) p = parent.get(p);
      c = p != null && ['listener', 'module', 'glue'].includes(classify(p)) ? 'browser' : 'other-native';
    } else if (file.endsWith('-harness.js')) c = 'harness';
    else c = 'other';
    category.set(id, c);
    return c;
  };

  const totals = { listener: 0, probe: 0, module: 0, glue: 0, browser: 0, gc: 0, other: 0, program: 0, idle: 0 };
  const browserCalls = {};
  const functions = new Map();
  const us = (profile.endTime - profile.startTime) / profile.samples.length;
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i];
    const raw = classify(id);
    const c = raw === 'other-native' || raw === 'harness' ? 'other' : raw;
    totals[c] += us;
    const { callFrame: cf } = nodes.get(id);
    if (c === 'browser') browserCalls[cf.functionName] = (browserCalls[cf.functionName] ?? 0) + us;
    if (c !== 'idle' && c !== 'program') {
      const name = (cf.functionName || '(anonymous)') + (cf.url ? ' ' + fileOf(cf.url) + ':' + (cf.lineNumber + 1) + ':' + (cf.columnNumber + 1) : '');
      const f = functions.get(name) ?? { name, category: c, us: 0 };
      f.us += us;
      functions.set(name, f);
    }
  }
  const late = profile.timeDeltas.filter((d) => d > 10 * SAMPLING_US).length;
  return { totals, browserCalls, functions: [...functions.values()], samples: profile.samples.length, late, sampleUs: us };
}

/** Adds attribution `b` into `a` (pooling rounds: samples add up). */
export function pool(a, b) {
  if (!a) return structuredClone(b);
  a.sampleUs = (a.sampleUs * a.samples + b.sampleUs * b.samples) / (a.samples + b.samples);
  a.samples += b.samples;
  a.late += b.late;
  for (const k of Object.keys(b.totals)) a.totals[k] += b.totals[k];
  for (const [k, v] of Object.entries(b.browserCalls)) a.browserCalls[k] = (a.browserCalls[k] ?? 0) + v;
  const byName = new Map(a.functions.map((f) => [f.name, f]));
  for (const f of b.functions) {
    if (byName.has(f.name)) byName.get(f.name).us += f.us;
    else a.functions.push({ ...f });
  }
  return a;
}

/** µs per event of a pooled attribution over `events` moves. */
export function perEvent(pooled, events) {
  const per = (us) => us / events;
  const categories = Object.fromEntries(Object.entries(pooled.totals).map(([k, v]) => [k, per(v)]));
  const browserCalls = Object.fromEntries(Object.entries(pooled.browserCalls).sort((x, y) => y[1] - x[1]).map(([k, v]) => [k, per(v)]));
  const functions = pooled.functions.sort((x, y) => y.us - x.us).slice(0, 30).map((f) => ({ name: f.name, category: f.category, us: per(f.us) }));
  return {
    categories,
    browserCalls,
    // Everything the library does besides its listener call: the figure the per-event budget
    // is set against.
    beyondListener: categories.module + categories.glue + categories.browser,
    listeners: categories.listener + categories.probe,
    script: ['listener', 'probe', 'module', 'glue', 'browser', 'gc', 'other'].reduce((s, k) => s + categories[k], 0),
    functions,
    // Samples that came more than 1 ms after the one before (the sampler was not scheduled in
    // time: the machine was busy), as a share of all.
    lateSamples: pooled.late / pooled.samples,
    sampleUs: pooled.sampleUs,
  };
}
