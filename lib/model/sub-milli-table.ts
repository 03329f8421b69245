import { assign, isInteger } from '../natives.js';
/**
 * @internal The three digits of a time's part below the millisecond (`7` →
 * `'007'`) followed by `suffix`: one shared string per value, made on its
 * first use (with the nine others of its ten). Formatting a number per timestamp cost more than the rest of
 * it, and a shared piece keeps each result one concatenation. Made lazily
 * because building all 1 000 at import cost ~0.5 ms of a cold start, and a
 * process meets most of them only after hundreds of spans.
 *
 * The lookup returns `undefined` for anything but a whole number 0–999 (a
 * fractional time, never one of tracewire's), for the caller to write out.
 */
export function subMilliTable(suffix: string): SubMilliTable {
  const table: (string | undefined)[] = new Array(1000);
  const lookup = (sub: number): string | undefined => {
    const made = table[sub];
    if (made !== undefined || !isInteger(sub) || sub < 0 || sub > 999) return made;
    // Its ten made together: at most 100 misses a process, so the callers' miss calls stay rare and V8 does not
    // inline this into each of them (three times into the LangSmith encoder: TurboFan work in a fresh process).
    for (let s = sub - (sub % 10), to = s + 10; s < to; s++) table[s] = (s < 10 ? '00' : s < 100 ? '0' : '') + s + suffix;
    return table[sub];
  };
  return assign(lookup, { made: table as readonly (string | undefined)[] });
}

/**
 * @internal The lookup, and `made`: the strings made so far, by value, for a
 * caller on a hot path to index first and call the lookup only on a miss (in
 * a fresh process every call runs unoptimised, and most lookups hit).
 */
export interface SubMilliTable {
  (sub: number): string | undefined;
  readonly made: readonly (string | undefined)[];
}
