// Durations as the page's settings write them: a whole number of ms ("900000"), or a number with
// a unit ms, s, m, h or d and at most three decimals ("15m", "1.5h", "0.001s"). The same grammar
// as the client and the gateway (protocol/vectors.json), so one policy can be written once.
const UNIT = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const FORM = /^(\d+)(?:\.(\d{1,3}))?(ms|s|m|h|d)?$/;

/** ms for `value` (a number of ms or a duration string), or null when it is not a duration. */
export function parseDuration(value) {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value >= 0 ? value : null;
  if (typeof value !== 'string') return null;
  const m = FORM.exec(value);
  if (!m) return null;
  const [, whole, fraction = '', unit] = m;
  if (!unit && fraction) return null; // "1.5" without a unit: ms have no fractions
  const scale = UNIT[unit ?? 'ms'];
  // Integer arithmetic: "0.001s" is exactly 1 ms, never 0.999…
  const thousandths = Number(whole) * 1000 + Number(fraction.padEnd(3, '0'));
  const ms = (thousandths * scale) / 1000;
  return Number.isSafeInteger(ms) ? ms : null;
}

/** "15 min", "90 s", "1200 ms": for messages. */
export function formatDuration(ms) {
  if (ms % 3_600_000 === 0 && ms > 0) return ms / 3_600_000 + ' h';
  if (ms % 60_000 === 0 && ms > 0) return ms / 60_000 + ' min';
  if (ms % 1_000 === 0 && ms > 0) return ms / 1_000 + ' s';
  return ms + ' ms';
}
