/**
 * Wall-clock time in microseconds since the epoch, strictly increasing within
 * the process.
 *
 * Why not `Date.now()` alone: siblings started in the same millisecond must
 * still sort by start in `dotted_order`, so the sub-millisecond part comes
 * from the high-resolution clock. Why not `performance.now()` alone: it
 * drifts from the wall clock (NTP slews, a frozen serverless sandbox). So the
 * result is kept inside the wall clock's current millisecond, and the
 * high-resolution anchor is moved whenever it strays out of it.
 */
let anchorMicros = Math.round(performance.timeOrigin * 1000);
let lastMicros = 0;

export function nowMicros(): number {
  const floorMicros = Date.now() * 1000;
  let micros = anchorMicros + Math.floor(performance.now() * 1000);
  if (micros < floorMicros) {
    anchorMicros += floorMicros - micros;
    micros = floorMicros;
  } else if (micros > floorMicros + 999) {
    anchorMicros -= micros - (floorMicros + 999);
    micros = floorMicros + 999;
  }
  if (micros <= lastMicros) micros = lastMicros + 1;
  lastMicros = micros;
  return micros;
}

/** `2026-11-24T04:10:03.123456Z`: ISO 8601 with microseconds, as LangSmith accepts. */
export function toIsoMicros(micros: number): string {
  const iso = new Date(Math.floor(micros / 1000)).toISOString();
  return iso.slice(0, 23) + padMicros(micros) + 'Z';
}

let cachedMillis = -1;
let cachedCompactPrefix = '';

/**
 * `20261124T041003123456Z`: the timestamp part of a LangSmith `dotted_order`
 * segment. The per-millisecond prefix is cached because spans cluster in time.
 */
export function toCompactMicros(micros: number): string {
  const millis = Math.floor(micros / 1000);
  if (millis !== cachedMillis) {
    const iso = new Date(millis).toISOString();
    cachedCompactPrefix =
      iso.slice(0, 4) + iso.slice(5, 7) + iso.slice(8, 10) + 'T' +
      iso.slice(11, 13) + iso.slice(14, 16) + iso.slice(17, 19) + iso.slice(20, 23);
    cachedMillis = millis;
  }
  return cachedCompactPrefix + padMicros(micros) + 'Z';
}

function padMicros(micros: number): string {
  const sub = micros % 1000;
  return sub < 10 ? '00' + sub : sub < 100 ? '0' + sub : String(sub);
}
