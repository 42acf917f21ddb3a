// Trusted mouse moves through the DevTools Protocol (`Input.dispatchMouseEvent`: isTrusted is
// true, as for a real mouse), back to back or at a hand's pace.
//
// Chromium hands continuous input such as mouse moves to the page once per frame (rAF-aligned
// input): moves that arrive within one frame are coalesced into one `pointermove`/`mousemove`
// (the rest are only in getCoalescedEvents()), unless neighbours differ, e.g. in their modifier
// keys (with Shift held on every other move, every move is an event of its own, many in a row
// at each frame). And it answers each dispatch only once the page has taken the move, at that
// frame.

const move = (cdp, at) => cdp.send('Input.dispatchMouseEvent', { type: 'mouseMoved', ...at });

/** Back to back, pipelined in batches of 250 (one at a time waits for a frame each): the
 * bench's first per-event figure. Most moves are coalesced: about one in six reaches a listener,
 * each as its own task but many in a row, with the page's code warm in the CPU's caches. */
export async function backToBack(cdp, n, at) {
  for (let i = 0; i < n; i += 250) {
    const batch = [];
    for (let j = i; j < Math.min(n, i + 250); j++) batch.push(move(cdp, at(j)));
    await Promise.all(batch);
  }
}

/** At a hand's pace: one move per frame, each its own event (about 60 a second). Paced by the
 * page's frames, not by a clock in Node: each move is sent when Chromium has answered the one
 * before, which it does at the frame that delivered it. A timer in Node (1 ms granularity, not
 * in step with the renderer's frames) would now and then put two moves into one frame, which are
 * then one event, and leave the next frame empty; a requestAnimationFrame loop in the page that
 * asks Node for each move would add a script callback (and a binding call) to every frame of
 * every page measured. Returns the moves per second achieved. */
export async function paced(cdp, n, at) {
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await move(cdp, at(i));
  return (n / (performance.now() - t0)) * 1000;
}

/** Main-thread script time of the page so far, in seconds (CDP Performance.getMetrics,
 * ScriptDuration; thread time once Performance.enable was called with timeDomain threadTicks). */
export async function scriptTime(cdp) {
  const { metrics } = await cdp.send('Performance.getMetrics');
  return metrics.find((m) => m.name === 'ScriptDuration').value;
}

/** Trusted pointer moves the page's probe listener has seen so far (see HARNESS). */
export const delivered = (page) => page.evaluate(() => window.__bench.moves);
