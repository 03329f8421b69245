'use strict';
/** Order statistics of samples. */

const sorted = (xs) => [...xs].sort((a, b) => a - b);

/** Median (mean of the middle two for an even count); NaN for no samples. */
function median(xs) {
  const s = sorted(xs);
  const m = s.length >> 1;
  return s.length === 0 ? NaN : s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** p-th percentile, nearest rank; NaN for no samples. */
function percentile(xs, p) {
  const s = sorted(xs);
  return s.length === 0 ? NaN : s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}

module.exports = { sorted, median, percentile };
