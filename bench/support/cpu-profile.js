'use strict';
/** Summaries of V8 .cpuprofile files (written by children run with --cpu-prof). */
const fs = require('node:fs');
const path = require('node:path');
const { ROOT } = require('./machine');
const { printTable } = require('./table');

/** "dist/lib/pipeline/send-batch.js:23" for tracewire, "node:internal/…" and "rxjs/…" shortened. */
function shortUrl(url, line) {
  if (!url) return '';
  let u = url.replace(/^file:\/\//, '');
  if (u.startsWith(ROOT + path.sep)) u = path.relative(ROOT, u);
  const nm = u.lastIndexOf('node_modules/');
  if (nm >= 0) u = u.slice(nm + 13);
  u = u.replace(/^(rxjs)\/dist\/cjs\/internal\//, '$1/');
  return `${u}:${line + 1}`;
}

/**
 * Self time per function (and per file) inside [fromUs, toUs], from a V8
 * .cpuprofile; the top `top` of each. V8's profile clock and process.hrtime
 * are both CLOCK_MONOTONIC on Linux, so a child's hrtime marks (ns) ÷ 1000
 * are profile timestamps.
 */
function profileSelfTimes(file, fromUs, toUs, top) {
  const prof = JSON.parse(fs.readFileSync(file, 'utf8'));
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const byFn = new Map();
  const byFile = new Map();
  let total = 0;
  let t = prof.startTime;
  for (let i = 0; i < prof.samples.length; i++) {
    t += prof.timeDeltas[i];
    const dt = i + 1 < prof.timeDeltas.length ? prof.timeDeltas[i + 1] : 0; // DevTools' convention
    if (t < fromUs || t >= toUs) continue;
    const { callFrame } = byId.get(prof.samples[i]);
    const name = callFrame.functionName || '(anonymous)';
    const where = shortUrl(callFrame.url, callFrame.lineNumber);
    const fnKey = where ? `${name}  ${where}` : name;
    byFn.set(fnKey, (byFn.get(fnKey) || 0) + dt);
    const fileKey = callFrame.url ? shortUrl(callFrame.url, 0).replace(/:1$/, '') : name;
    byFile.set(fileKey, (byFile.get(fileKey) || 0) + dt);
    total += dt;
  }
  const best = (m) => [...m].sort((a, b) => b[1] - a[1]).slice(0, top).map(([k, us]) => ({ k, ms: us / 1000, pct: total ? (100 * us) / total : 0 }));
  return { totalMs: total / 1000, fns: best(byFn), files: best(byFile), inRange: prof.startTime <= fromUs && toUs <= prof.endTime };
}

/** Prints a profileSelfTimes() summary: the functions table, then the top 8 files on one line. */
function printProfile(p) {
  printTable(
    [
      { key: 'ms', title: 'self ms', right: true },
      { key: 'pct', title: '%', right: true },
      { key: 'k', title: 'function  location' },
    ],
    p.fns.map((x) => ({ ms: x.ms.toFixed(1), pct: x.pct.toFixed(1), k: x.k })),
    { trimEnd: true },
  );
  console.log(`  by file: ${p.files.slice(0, 8).map((x) => `${x.k} ${x.pct.toFixed(0)}%`).join(', ')}`);
}

/** hrtime marks (ns, as strings) → profile timestamps (µs). */
const marksToUs = (x) => Number(BigInt(x) / 1000n);

module.exports = { shortUrl, profileSelfTimes, printProfile, marksToUs };
