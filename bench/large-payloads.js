'use strict';
/**
 * bench/large-payloads.js — what capturing a large argument costs the caller,
 * at the default serialization limits (1 Mi chars per string, depth 64,
 * 10 000 items, 4 MiB per field: what LLM code passes around, recorded whole).
 *
 *   npm run build
 *   node bench/large-payloads.js
 *
 * Capture is a deep copy made on the caller's path ("inputs as at call time"),
 * so a large payload is paid for there. Each row times a traced sync call
 * taking the payload (tracing on, a no-op exporter, flushed between rounds so
 * nothing piles up), beside its floor measured in the same run: one
 * `JSON.stringify` of the same payload, the least any tracer that records it
 * must do. Medians of 7 rounds of 10 calls (3 for the payloads past the
 * limits), after 3 warm-up calls. The exporter reads what was recorded: a run
 * of a payload within the limits whose inputs carry a limit's marker (the
 * payload was cut), or one past them whose inputs carry none, fails the run
 * (exit 1), as a dropped span does.
 *
 * Past the limits (a text over 1 Mi chars, an error's message): what is kept
 * is a megabyte whatever the size, and so should the cost be — the rows whose
 * floor (the whole payload's `JSON.stringify`) grows with the payload.
 *
 *   node bench/large-payloads.js --against=<a built checkout>   adds its traced call, measured in the same rounds
 */
const path = require('node:path');
const { ROOT, machine, loadavg } = require('./support/machine');
const { printTable } = require('./support/table');
const { median } = require('./support/stats');
const { entryOf, distMissing } = require('./support/dist');

const ROUNDS = 7;
const CALLS = 10;

/** A log's text of about `chars` characters, a connection string with its password on every line. */
const logText = (chars) => 'GET /orders 200 postgres://app:hunter2@db.internal:5432/orders\n'.repeat(Math.ceil(chars / 64));

/** [label, payload, past the limits (recorded cut)]; an Error payload is thrown by the traced call, not returned. */
const PAYLOADS = [
  ['a 240 000-character prompt', () => ({ messages: [{ role: 'user', content: 'ctx '.repeat(60_000) }] }), false],
  ['a 1 MB string', () => 'x'.repeat(1_000_000), false],
  ['a 3 072-number embedding', () => Array.from({ length: 3_072 }, (_, i) => i / 3_072), false],
  ['40 documents of 8 KB', () => Array.from({ length: 40 }, (_, i) => ({ pageContent: `doc${i} ` + 'w'.repeat(8_000), metadata: { i } })), false],
  ['400 documents of 10 KB (≈ 4 MB)', () => Array.from({ length: 400 }, (_, i) => ({ pageContent: 'w'.repeat(10_000), metadata: { i, source: 'kb' } })), false],
  ['past the limits: a 1.2 MB string', () => 'x'.repeat(1_200_000), true],
  ['past the limits: a 16 MB string', () => 'x'.repeat(16_000_000), true],
  ['past the limits: a 16 MB log with connection strings', () => logText(16_000_000), true],
  ['past the limits: an 8 MB error message with them, thrown', () => new Error(logText(8_000_000)), true],
];

const msPer = (fn, calls) => {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < calls; i++) fn();
  return Number(process.hrtime.bigint() - t0) / 1e6 / calls;
};

/** A traced sync call taking `payload` (throwing it, if an Error), on `tw`'s `client`. */
function tracedTake(tw, client) {
  const take = tw.traceable(function take(payload) {
    if (payload instanceof Error) throw payload;
    return payload === undefined;
  }, { client });
  return (payload) => {
    try {
      take(payload);
    } catch {
      // the payload, thrown: the cost measured is recording it
    }
  };
}

async function main() {
  if (distMissing()) return;
  const tw = require(entryOf(ROOT));
  const m = machine();
  console.log('tracewire large-payload capture benchmark');
  console.log(`node ${m.node} (V8 ${m.v8}) | ${m.platform} ${m.release} ${m.arch} | cpu: ${m.cpuModel} | cores: ${m.cores} | loadavg: ${loadavg()}`);
  console.log(`date: ${new Date().toISOString()} | default serializeLimits ${JSON.stringify(tw.DEFAULT_SERIALIZE_LIMITS ?? {})}`);
  const againstArg = process.argv.find((a) => a.startsWith('--against='));
  // The exporter checks what the runs recorded: a limit's marker in the inputs means a payload was cut.
  const CUT = /(?:…|\.\.\.)\[truncated \d+ chars\]|\[Truncated: over \d+ bytes\]|more items\]|\[Depth limit\]/;
  let expectCut = false;
  let wrongRuns = 0;
  let checkedRuns = 0;
  const exporter = {
    export(batch) {
      for (const run of batch.post) {
        checkedRuns++;
        if (CUT.test(JSON.stringify(run.inputs)) !== expectCut) wrongRuns++;
      }
      return Promise.resolve({ ok: true });
    },
  };
  const builds = [{ name: 'this build', tw }];
  if (againstArg) builds.push({ name: `--against ${path.basename(againstArg.slice(10))}`, tw: require(entryOf(path.resolve(againstArg.slice(10)))) });
  for (const build of builds) {
    build.client = new build.tw.TracingClient({ exporter });
    build.traced = tracedTake(build.tw, build.client);
  }
  const rows = [];
  for (const [label, make, pastLimits] of PAYLOADS) {
    const payload = make();
    expectCut = pastLimits;
    const calls = pastLimits ? 3 : CALLS;
    const floorOf = payload instanceof Error ? () => JSON.stringify(payload.stack) : () => JSON.stringify(payload);
    const bytes = Buffer.byteLength(floorOf());
    for (const { traced } of builds) for (let i = 0; i < 3; i++) traced(payload);
    const tracedMs = builds.map(() => []);
    const floorMs = [];
    for (let round = 0; round < ROUNDS; round++) {
      for (const [i, { traced, client }] of builds.entries()) {
        tracedMs[i].push(msPer(() => traced(payload), calls));
        await client.flush();
      }
      floorMs.push(msPer(floorOf, calls));
    }
    const [t, f] = [median(tracedMs[0]), median(floorMs)];
    const row = { label, bytes: (bytes / 1e6).toFixed(2), traced: t.toFixed(2), floor: f.toFixed(2), ratio: (t / f).toFixed(2) };
    if (builds.length > 1) row.against = median(tracedMs[1]).toFixed(2);
    rows.push(row);
  }
  console.log('');
  printTable(
    [
      { key: 'label', title: 'payload (one argument of a traced sync call)' },
      { key: 'bytes', title: 'JSON MB', right: true },
      { key: 'traced', title: 'traced call ms', right: true },
      ...(builds.length > 1 ? [{ key: 'against', title: `${builds[1].name} ms`, right: true }] : []),
      { key: 'floor', title: 'floor: JSON.stringify ms', right: true },
      { key: 'ratio', title: '× floor', right: true },
    ],
    rows,
  );
  const dropped = builds.reduce((sum, { client }) => sum + client.stats().dropped.total, 0);
  console.log(`\nspans dropped ${dropped}; runs whose inputs were cut, or not, against the payload's row: ${wrongRuns} of ${checkedRuns}`);
  if (dropped > 0 || wrongRuns > 0 || checkedRuns === 0) process.exitCode = 1;
  for (const { client } of builds) await client.shutdown();
}

main();
