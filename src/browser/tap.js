// The per-event hot path, in plain JavaScript: one small listener per input event type that
// filters the input, records when it happened and returns. Crossing into WebAssembly for every
// mousemove would cost several JS<->wasm calls per event and keep a dozen glue functions hot (their
// optimized code alone is several KB of heap); here the module is called only when an input is
// due now (`quiet` has passed: see `Engine::input_quiet_until`), which is at most a couple of
// times a second. Everything else reads `last` when it next needs it.
//
// What counts is decided here (see activity.rs for why): trusted input only, not a key's
// auto-repeat, and a pointer move to the same screen coordinates (a phantom move some systems
// send) does not count.

import { listen, unlisten } from './calls.js';

const INPUTS = ['pointerdown', 'keydown', 'wheel', 'touchstart', 'touchmove', 'pointermove'];

/** One session's input record, shared by the listeners of the window and its frames. */
export class Tap {
  /**
   * `wake(before)` is called for an input at or after `quiet`, with the time of the input
   * recorded before it (ms since the epoch, 0 if none); the input's own time is then `last`.
   */
  constructor(wake) {
    this.wake = wake;
    /** When the last counted input happened (ms since the epoch), 0 before any. */
    this.last = 0;
    /** Inputs before this time are only recorded; the first at or after it calls `wake`. */
    this.quiet = 0;
    // Screen coordinates are the same in every frame, so frames share the last position.
    this.x = NaN;
    this.y = NaN;
  }

  /**
   * Listens in the capture phase on `win` (so a page that stops propagation cannot hide
   * input; these events are passive by default on a window). Returns the function that removes
   * the listeners again.
   */
  watch(win) {
    const listener = (e) => {
      // A held key repeats (something resting on the keyboard): only its first press counts.
      if (!e.isTrusted || e.repeat) return;
      if (e.type === 'pointermove') {
        if (e.screenX === this.x && e.screenY === this.y) return;
        this.x = e.screenX;
        this.y = e.screenY;
      }
      const now = Date.now();
      const before = this.last;
      this.last = now;
      // `before` may be an input only recorded (before `quiet`) that no timer has handed over
      // yet: the driver hands it over first, so this one is not judged without it.
      if (now >= this.quiet) this.wake(before);
    };
    for (const type of INPUTS) listen(win, type, listener, true);
    return () => {
      for (const type of INPUTS) unlisten(win, type, listener, true);
    };
  }
}
