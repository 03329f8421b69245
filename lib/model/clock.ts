import { flat } from '../serialize/text.js';
import { subMilliTable } from './sub-milli-table.js';
import { hostHrtime, hostPerformanceNow } from '../host-timers.js';

/**
 * Wall-clock time in microseconds since the epoch, strictly increasing within
 * the process — but across a step of the wall clock back by more than
 * {@link STEP_BACK_MICROS}.
 *
 * Why not `Date.now()` alone: siblings started in the same millisecond must
 * still sort by start in `dotted_order`, and durations deserve microseconds,
 * so time comes from the high-resolution clock. Why not a monotonic clock
 * alone: it drifts from the wall clock (NTP slews, a frozen serverless
 * sandbox). So once per elapsed millisecond the result is checked against
 * `Date.now()` and the anchor moved whenever it left the wall clock's
 * current millisecond — cheaper than reading both clocks on every call.
 */
// Node's (and Deno's, Bun's) only: Next.js's edge sandbox has a `process.hrtime` that throws (see nodeProcess). Elsewhere
// `performance.now` as it was at load. Both the ones `hostMillis` reads: see `lastMonotonicMillis`.
const hrtime = hostHrtime;
const performanceNow = hostPerformanceNow;
// Where the monotonic clock's zero lies on the wall clock, to the millisecond: set by the first call below and
// kept there by the check in `nowMicros`.
let anchorMicros = 0;
let lastMicros = 0;
let checkedAtMicros = -Infinity;
// The monotonic clock as last read, in µs, before any anchor or clamp (see lastMonotonicMillis). In a typed array, not
// a `let`: a double written to a module's variable on every call was boxed, 16 bytes each (bench/alloc-per-call.js).
const lastMonotonic = new Float64Array(1);

/**
 * Whole microseconds from hrtime's seconds and nanoseconds: exact, where
 * going through fractional milliseconds could round. A function of its own,
 * though a call: read in `nowMicros` itself, the `[seconds, nanoseconds]`
 * array hrtime returns was no longer optimised away — 32 bytes more per
 * call, twice per traced call (measured: 65 against 33 B per nowMicros()
 * in a loop of 200 000, --max-semi-space-size=256).
 */
function hrtimeMicros(time: [number, number]): number {
  return time[0] * 1e6 + Math.floor(time[1] / 1000);
}

/**
 * Monotonic time, on Node from `process.hrtime()`: the first read of the
 * `performance` global loads `perf_hooks` (a dozen internal modules, ~2.5 ms
 * of a cold start, a tenth of a one-function bundle's load), and the clock
 * is all tracewire needs of it. Elsewhere (edge runtimes, browsers),
 * `performance`.
 */
export function nowMicros(): number {
  const monotonic = typeof hrtime === 'function' ? hrtimeMicros(hrtime()) : Math.floor(performanceNow!() * 1000);
  lastMonotonic[0] = monotonic;
  let micros = anchorMicros + monotonic;
  // The correction added, not the corrected time assigned: a call's result flowing straight into `micros` made V8
  // box every call's time as a heap number (16 bytes per call, measured: bench/alloc-per-call.js).
  if (micros - checkedAtMicros >= 1000) micros += wallClockCorrection(micros);
  // Two calls in one µs clamped with Math.max rather than a branch: a branch not taken while V8 optimizes
  // deoptimizes the function the first time it is.
  micros = Math.max(micros, lastMicros + 1);
  lastMicros = micros;
  return micros;
}

/**
 * @internal The host's monotonic clock (`hostMillis` in host-timers.ts, in ms) at the last {@link nowMicros} call: what
 * the export watchdog compares its deadlines with on each span event, whose time was just read, without a clock read
 * of its own. The reading itself, not a time derived from a run's: those are anchored on the wall clock and clamped
 * (never before the parent's start, never the same µs twice), so a step of the wall clock back with a run open, or a
 * frozen fake `Date` under busy code, put them ahead of the monotonic clock, and an export in flight was abandoned
 * and sent again (a review: `jest.useFakeTimers({ now: new Date('2024-01-01') })` inside an open run).
 */
export function lastMonotonicMillis(): number {
  return lastMonotonic[0]! / 1000;
}

/**
 * What keeps `micros` within the wall clock's current millisecond; the anchor
 * is moved by it. Out of line: taken once per elapsed millisecond, so V8
 * does not inline it into `nowMicros`, nor into each of its callers (every
 * copy is TurboFan work in a fresh process). Clamped, not branched, for the
 * same reason as there.
 */
function wallClockCorrection(micros: number): number {
  const floorMicros = Date.now() * 1000;
  const correction = Math.min(Math.max(micros, floorMicros), floorMicros + 999) - micros;
  anchorMicros += correction;
  checkedAtMicros = micros + correction;
  // A step back (an NTP step, `date -s`, a restored VM): time follows it. Held at the last time given instead, every
  // time until the wall clock caught up was that time plus one µs per call: an hour's step, an hour of runs lasting
  // 1 µs (a report-only probe). Spans running across the step keep their order (see Span, endSpan).
  if (correction < -STEP_BACK_MICROS) lastMicros = checkedAtMicros - 1;
  return correction;
}

/**
 * How far back the wall clock must step for time to follow it, rather than be held until the wall clock catches up.
 * NTP slews offsets below 128 ms and steps larger ones; the monotonic clock's own drift is microseconds per check.
 */
const STEP_BACK_MICROS = 100_000;
// Anchors the clock: with the anchor at 0 the monotonic time lies far below the wall clock, so this first
// check moves the anchor by the whole difference (no second copy of the clock reading just for this).
nowMicros();

/**
 * The prefixes of the last two milliseconds formatted, most recent first. Two,
 * not one: a record's start and end often fall in different milliseconds (in
 * a concurrent burst every start comes early and every end later), and one
 * entry was replaced at each timestamp, formatting both on every run
 * (bench/pipeline.js --cost --cpu-prof, a concurrent flush: 34 ms of 360).
 */
let recentMillis = -1;
let recentIso = '';
let recentCompact = '';
let olderMillis = -1;
let olderIso = '';
let olderCompact = '';

/**
 * Makes `millis` (not the recent entry) the recent entry, formatting it only
 * if it is not the older one either: spans cluster in time. From the UTC fields rather than
 * `toISOString()`, whose first call in a process costs ~1.3 ms of CPU on
 * Node 20 (a tenth of a handler's first traced call); the fields cost
 * microseconds. Epoch microseconds are exact only within ±2^53 (years 1685
 * to 2255), so four-digit years are all there is to write.
 */
function cacheMillis(millis: number): void {
  // Called only when `millis` is not the recent entry: the callers check that first.
  let iso: string;
  let compact: string;
  if (millis === olderMillis) {
    // The older entry becomes the recent one: least recently used goes first.
    iso = olderIso;
    compact = olderCompact;
  } else {
    const date = new Date(millis);
    const year = String(date.getUTCFullYear());
    const month = two(date.getUTCMonth() + 1);
    const day = two(date.getUTCDate());
    const hours = two(date.getUTCHours());
    const minutes = two(date.getUTCMinutes());
    const seconds = two(date.getUTCSeconds());
    const ms = date.getUTCMilliseconds();
    const milli = (ms < 10 ? '00' : ms < 100 ? '0' : '') + ms;
    // Flat, not added (see flat()): every timestamp written from this millisecond repeats them.
    iso = flat(year, '-', month, '-', day, 'T', hours, ':', minutes, ':', seconds, '.', milli);
    compact = flat(year, month, day, 'T', hours, minutes, seconds, milli);
  }
  olderMillis = recentMillis;
  olderIso = recentIso;
  olderCompact = recentCompact;
  recentMillis = millis;
  recentIso = iso;
  recentCompact = compact;
}

function two(n: number): string {
  return n < 10 ? '0' + n : String(n);
}

/** The microseconds past the millisecond and the closing `Z`: `'123Z'`. */
const MICROS_Z = subMilliTable('Z');

/** `2026-11-24T04:10:03.123456Z`: ISO 8601 with microseconds, as LangSmith accepts. */
export function toIsoMicros(micros: number): string {
  const millis = Math.floor(micros / 1000);
  // The recent entry is checked here, not only in cacheMillis: in a fresh process each call runs unoptimised, and an
  // exporter formats two or three times per run (see microsZ for the table's).
  if (millis !== recentMillis) cacheMillis(millis);
  const sub = micros - millis * 1000;
  return recentIso + (MICROS_Z.made[sub] ?? microsZ(sub));
}

/** `20261124T041003123456Z`: the timestamp part of a LangSmith `dotted_order` segment. */
export function toCompactMicros(micros: number): string {
  const millis = Math.floor(micros / 1000);
  if (millis !== recentMillis) cacheMillis(millis);
  const sub = micros - millis * 1000;
  return recentCompact + (MICROS_Z.made[sub] ?? microsZ(sub));
}

/**
 * `123Z` for the microseconds 123 past the millisecond, the first time it is
 * asked for (later ones are read from `MICROS_Z.made` by the callers); a
 * fractional time (never one of ours) is written out as it is. The caller subtracts the
 * milliseconds rather than taking `micros % 1000`: an epoch time in µs is
 * past 2^31, where `%` is a call into C (≈ 20 ns) and the subtraction is
 * exact (integers below 2^53).
 */
function microsZ(sub: number): string {
  return MICROS_Z(sub) ?? String(sub).padStart(3, '0') + 'Z';
}
