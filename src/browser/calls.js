// A generic host-call layer for autologoff's cold paths (the dialog, the cover, clearing storage,
// the requests): a handful of small functions the module calls with a property or method name,
// instead of one wasm-bindgen shim per distinct browser call. It decides nothing; the module
// says what to read, write or call. The hot path (input) is tap.js.
//
// A browser call that throws (storage disabled in a sandboxed frame, a method the browser lacks)
// gives `undefined` here rather than an exception through the module.

/** `o[k]`. */
export function get(o, k) {
  try {
    return o[k];
  } catch {
    return undefined;
  }
}

/** `o[k] = v`. */
export function set(o, k, v) {
  try {
    o[k] = v;
  } catch {
    // Read-only, or refused: nothing to do.
  }
}

/** `o[m]()`. */
export function call0(o, m) {
  try {
    return o[m]();
  } catch {
    return undefined;
  }
}

/** `o[m](a)`. */
export function call1(o, m, a) {
  try {
    return o[m](a);
  } catch {
    return undefined;
  }
}

/** `o[m](a, b)`. */
export function call2(o, m, a, b) {
  try {
    return o[m](a, b);
  } catch {
    return undefined;
  }
}

/** `new globalThis[c](a)`, or undefined where there is no such constructor or it throws. */
export function construct(c, a) {
  try {
    return new globalThis[c](a);
  } catch {
    return undefined;
  }
}

/**
 * An element `tag` with attributes (`name=value` lines; the module passes only its own
 * constants here, never a value that came from a page), CSS declarations and text. The
 * declarations are set through CSSOM (`style.cssText`), which a strict `style-src` allows (it
 * governs style sheets and `style="…"` markup); the text is `textContent`, never markup.
 */
export function el(tag, attrs, css, text) {
  const e = document.createElement(tag);
  for (const line of attrs ? attrs.split('\n') : []) {
    const i = line.indexOf('=');
    e.setAttribute(line.slice(0, i), line.slice(i + 1));
  }
  if (css) e.style.cssText = css;
  if (text) e.textContent = text;
  return e;
}

/** Calls method `m` of every element `selector` matches in `root`. */
export function each(root, selector, m) {
  try {
    for (const e of root.querySelectorAll(selector)) e[m]();
  } catch {
    // An invalid selector where the feature is missing (`:popover-open`): none match.
  }
}

/** Dispatches `name` as a CustomEvent on `document` with `detail`. */
export function emit(name, detail) {
  document.dispatchEvent(new CustomEvent(name, { detail }));
}

