// The host-call layer: every browser property and method the module and the fallback use goes
// through here, looked up in a way page markup cannot shadow, and never throws.
//
// The page we protect is hostile: clinical notes and messages put user markup on it, and a
// sanitizer keeps `id` and `name`. `document` has named properties that override its own
// members (WebIDL [LegacyOverrideBuiltIns], https://html.spec.whatwg.org/multipage/dom.html#dom-document-nameditem):
// `<img name="createElement">` makes `document.createElement` that image, in every engine. Forms
// do the same with their controls' names, and `window` has named properties too (on an object
// in its prototype chain, https://html.spec.whatwg.org/multipage/nav-history-apis.html#named-access-on-the-window-object).
// So a member is never read by name off such an object: it is looked up on the prototypes,
// skipping the named properties, and called on its receiver. Markup cannot change a prototype or
// these functions, which are taken when this module is evaluated.
//
// A browser call that throws (storage disabled in a sandboxed frame, a method the browser lacks,
// a page that broke something) gives `undefined` rather than an exception through the module: an
// exception crossing the module would leave it mid-step. Each failure is noted for the module to
// report (`failures`).

const { getPrototypeOf, getOwnPropertyDescriptor } = Object;
const { apply } = Reflect;
const tagOf = Object.prototype.toString;
const ObjectCtor = Object;
const consoleError = console.error;

// Objects whose own properties include named elements ([LegacyOverrideBuiltIns]): documents and
// forms. Known by their toStringTag (a symbol-keyed prototype property markup cannot set), not
// by `instanceof`, so a same-origin frame's document (another realm) counts too.
const OVERRIDDEN = new Set(['[object HTMLDocument]', '[object Document]', '[object XMLDocument]', '[object HTMLFormElement]']);
const NAMED = '[object WindowProperties]';

/** The property `k` of `o` as the browser defines it, ignoring named properties. */
function lookup(o, k, set) {
  let p = ObjectCtor(o);
  if (OVERRIDDEN.has(apply(tagOf, p, []))) p = getPrototypeOf(p);
  for (; p !== null; p = getPrototypeOf(p)) {
    if (apply(tagOf, p, []) === NAMED) continue;
    const d = getOwnPropertyDescriptor(p, k);
    if (d) return set ? d : d.get ? apply(d.get, o, []) : d.value;
  }
  return undefined;
}

/** What failed, by call, since the module last asked (see `failures`). */
let failed = [];

function fail(what, error) {
  if (failed.length < 20) failed.push(what);
  try {
    apply(consoleError, console, ['autologoff: a browser call failed (' + what + '):', error]);
  } catch {
    // console itself is gone: the module still reports it in the audit trail.
  }
}

/** The names of the calls that failed since the last time, comma-separated ('' if none). */
export function failures() {
  const list = failed.join(',');
  failed = [];
  return list;
}

/** `o[k]`, as the browser defines it. */
export function get(o, k) {
  try {
    return o == null ? undefined : lookup(o, k, false);
  } catch (error) {
    fail(k, error);
    return undefined;
  }
}

/** `o[k] = v`, through the browser's own setter where there is one. */
export function set(o, k, v) {
  if (o == null) return;
  try {
    const d = lookup(o, k, true);
    if (d && d.set) apply(d.set, o, [v]);
    else if (!d || !d.get) o[k] = v;
  } catch (error) {
    fail(k, error);
  }
}

/** `o[m](...args)`, with `o[m]` as the browser defines it. */
function invoke(o, m, args) {
  // Nothing to call on (an earlier call failed, and was reported then).
  if (o == null) return undefined;
  try {
    return apply(lookup(o, m, false), o, args);
  } catch (error) {
    fail(m, error);
    return undefined;
  }
}

/** `o[m]()`. */
export const call0 = (o, m) => invoke(o, m, []);
/** `o[m](a)`. */
export const call1 = (o, m, a) => invoke(o, m, [a]);
/** `o[m](a, b)`. */
export const call2 = (o, m, a, b) => invoke(o, m, [a, b]);

/** `new globalThis[c](...args)`, or undefined where there is no such constructor or it throws. */
function make(c, args) {
  try {
    // The global object's own members are its interfaces; named properties sit behind them.
    const C = getOwnPropertyDescriptor(globalThis, c)?.value;
    return C ? new C(...args) : undefined;
  } catch (error) {
    fail(c, error);
    return undefined;
  }
}

/** `new globalThis[c](a)`. */
export const construct = (c, a) => make(c, [a]);

/**
 * An element `tag` with attributes (`name=value` lines; the module passes only its own
 * constants here, never a value that came from a page), CSS declarations and text. The
 * declarations are set through CSSOM (`style.cssText`), which a strict `style-src` allows (it
 * governs style sheets and `style="…"` markup); the text is `textContent`, never markup.
 */
export function el(tag, attrs, css, text) {
  const e = call1(document, 'createElement', tag);
  if (e === undefined) return undefined;
  for (const line of attrs ? attrs.split('\n') : []) {
    const i = line.indexOf('=');
    call2(e, 'setAttribute', line.slice(0, i), line.slice(i + 1));
  }
  if (css) set(get(e, 'style'), 'cssText', css);
  if (text) set(e, 'textContent', text);
  return e;
}

/** Calls method `m` of every element `selector` matches in `root`. */
export function each(root, selector, m) {
  // An invalid selector where the feature is missing (`:popover-open`) matches nothing.
  const found = call1(root, 'querySelectorAll', selector);
  const count = get(found, 'length') || 0;
  for (let i = 0; i < count; i++) call0(call1(found, 'item', i), m);
}

/** Dispatches `name` as a CustomEvent on `document` with `detail`. */
export function emit(name, detail) {
  const event = make('CustomEvent', [name, { detail }]);
  if (event) call1(document, 'dispatchEvent', event);
}

/** `target.addEventListener(type, f, capture)`, with the browser's own method. */
export function listen(target, type, f, capture) {
  invoke(target, 'addEventListener', [type, f, capture]);
}

/** `target.removeEventListener(type, f, capture)`. */
export function unlisten(target, type, f, capture) {
  invoke(target, 'removeEventListener', [type, f, capture]);
}
