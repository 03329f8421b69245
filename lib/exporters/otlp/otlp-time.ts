import { subMilliTable } from '../../model/sub-milli-table.js';

/** The last three digits of a microsecond time as nanoseconds (`123000`). */
const SUB_MILLI_NANOS = subMilliTable('000');

let cachedMillis = -1;
let cachedMillisText = '';

/**
 * @internal Epoch microseconds (a safe integer) as OTLP's decimal
 * nanoseconds: exact, text only. The milliseconds are written once per
 * distinct millisecond (spans cluster in time; `String` of a 16-digit number
 * cost about as much as the rest of a span's fields), then the last three
 * digits and `000` come from a table. Anything else (zero, fractions, times
 * before 1970-01-01T00:00:00.001Z) is written the plain way.
 */
export function microsToUnixNano(micros: number): string {
  const millis = Math.floor(micros / 1000);
  if (millis !== cachedMillis) {
    if (!(millis >= 1 && Number.isSafeInteger(micros))) return plainUnixNano(micros);
    cachedMillis = millis;
    cachedMillisText = String(millis);
  }
  // The table's strings are read first: a call only on a miss (in a fresh process each call runs unoptimised).
  const rest = micros - millis * 1000;
  const sub = SUB_MILLI_NANOS.made[rest] ?? SUB_MILLI_NANOS(rest);
  return sub === undefined ? plainUnixNano(micros) : cachedMillisText + sub;
}

function plainUnixNano(micros: number): string {
  return micros === 0 ? '0' : String(micros) + '000';
}

/** @internal Thrown for a run without an end: every encoder sends ended runs only. */
export function notEnded(id: string): Error {
  return new Error(`Run ${id} has not ended: OTLP spans are immutable, only ended runs are sent`);
}
