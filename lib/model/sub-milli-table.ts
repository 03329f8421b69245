/**
 * @internal The three digits of a time's part below the millisecond (`7` →
 * `'007'`) followed by `suffix`: one shared string per value, made on its
 * first use. Formatting a number per timestamp cost more than the rest of
 * it, and a shared piece keeps each result one concatenation. Made lazily
 * because building all 1 000 at import cost ~0.5 ms of a cold start, and a
 * process meets most of them only after hundreds of spans.
 *
 * The lookup returns `undefined` for anything but a whole number 0–999 (a
 * fractional time, never one of tracewire's), for the caller to write out.
 */
export function subMilliTable(suffix: string): (sub: number) => string | undefined {
  const table: (string | undefined)[] = new Array(1000);
  return (sub) => {
    const made = table[sub];
    if (made !== undefined || !Number.isInteger(sub) || sub < 0 || sub > 999) return made;
    return (table[sub] = (sub < 10 ? '00' : sub < 100 ? '0' : '') + sub + suffix);
  };
}
