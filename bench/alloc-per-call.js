'use strict';
/**
 * bench/alloc-per-call.js — bytes a traced call allocates above the same untraced call.
 *
 *   npm run build
 *   node bench/alloc-per-call.js                              (this checkout)
 *   node bench/alloc-per-call.js --against=<a built checkout>  (before/after, same run)
 *
 * Why beside overhead-steps.js: on a shared machine CPU figures of a whole
 * call move by ±200 ns between runs of the same build, while what a call
 * allocates moves by ±40 bytes; the garbage collection it causes is 13–22 % of a
 * traced call's CPU. So a change that only trims allocation shows here.
 *
 * Method: a fresh child process per build and case, with a young generation
 * large enough (256 MiB) that no scavenge runs while measuring. Three warm-up
 * rounds; then, REPEATS times (the median is reported): `gc()`, CALLS calls
 * of f(number, string) and — for traced rows — the flush that closes their
 * batches (a manual-mode client, so runs are made but nothing is sent),
 * heapUsed after minus before, ÷ CALLS. The untraced row is the same
 * function, not wrapped. Cases: sync and async, with an exporter of your own
 * (runs built at batch close) and with the built-in exporters' path (JSON
 * text capture, compact records).
 */

const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { ROOT, nodeLine, cpuLine } = require('./support/machine');
const { printTable } = require('./support/table');
const { median } = require('./support/stats');

const CALLS = 40_000;
const REPEATS = 3; // measurements per process; the median is reported
const CASES = ['sync', 'async', 'sync records', 'async records'];

async function child(root, kase) {
  const tw = require(path.join(root, 'dist/index.js'));
  const { takesRecords } = require(path.join(root, 'dist/lib/exporters/record-batch.js'));
  const sync = kase.startsWith('sync');
  const exporter = { export: () => Promise.resolve({ ok: true }) };
  if (kase.endsWith('records')) takesRecords(exporter);
  const client = new tw.TracingClient({ exporter, projectName: 'bench', mode: 'manual' });
  tw.setGlobalTracingClient(client);
  const plain = sync ? (a, b) => a + b : async (a, b) => a + b;
  const traced = tw.traceable(sync ? (a, b) => a + b : async (a, b) => a + b, { name: 'm' });
  // One loop per function, so neither shares call-site feedback with the other.
  const makeLoop = () =>
    sync
      ? new Function('f', 'n', 'let acc = 0; for (let i = 0; i < n; i++) acc += f(i & 1023, "ab").length; return acc;')
      : new (async () => {}).constructor('f', 'n', 'let acc = 0; for (let i = 0; i < n; i++) acc += (await f(i & 1023, "ab")).length; return acc;');
  const measure = async (loop, f, flush) => {
    for (let k = 0; k < 3; k++) {
      await loop(f, CALLS);
      if (flush) await client.flush();
    }
    const samples = [];
    for (let k = 0; k < REPEATS; k++) {
      global.gc();
      const before = process.memoryUsage().heapUsed;
      await loop(f, CALLS);
      if (flush) await client.flush();
      samples.push((process.memoryUsage().heapUsed - before) / CALLS);
    }
    return median(samples);
  };
  const untraced = await measure(makeLoop(), plain, false);
  const tracedBytes = await measure(makeLoop(), traced, true);
  await client.shutdown();
  process.stdout.write(JSON.stringify({ untraced, traced: tracedBytes }) + '\n');
}

function main() {
  const against = process.argv.find((a) => a.startsWith('--against='));
  const builds = [{ name: 'this', root: ROOT }];
  if (against) builds.push({ name: 'other', root: path.resolve(against.slice(10)) });
  console.log('tracewire: bytes allocated per traced call, above the same call untraced');
  console.log(nodeLine());
  console.log(cpuLine());
  console.log(`date: ${new Date().toISOString()} | ${CALLS} calls per measurement, median of ${REPEATS}, fresh process per build and case, manual mode, batch close included`);
  for (const b of builds) console.log(`${b.name}: ${b.root}`);
  const rows = [];
  for (const kase of CASES) {
    const row = { case: kase.replace('records', '(built-in exporter path)') };
    for (const b of builds) {
      const out = execFileSync(process.execPath, ['--expose-gc', '--min-semi-space-size=256', '--max-semi-space-size=256', __filename, '--child', b.root, kase], { encoding: 'utf8' });
      const { untraced, traced } = JSON.parse(out.trim().split('\n').pop());
      row[b.name] = (traced - untraced).toFixed(0);
    }
    rows.push(row);
  }
  printTable([{ key: 'case', title: 'call' }, ...builds.map((b) => ({ key: b.name, title: `${b.name}, B above untraced`, right: true }))], rows);
}

if (process.argv[2] === '--child') {
  child(process.argv[3], process.argv[4]).catch((error) => {
    console.error(error);
    process.exit(1);
  });
} else {
  main();
}
