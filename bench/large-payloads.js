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
 * must do. Medians of 7 rounds of 10 calls, after 3 warm-up calls. The
 * exporter reads what was recorded: a run whose inputs carry a limit's marker
 * (the payload was cut) fails the run (exit 1), as a dropped span does.
 */
const { ROOT, machine, loadavg } = require('./support/machine');
const { printTable } = require('./support/table');
const { median } = require('./support/stats');
const { entryOf, distMissing } = require('./support/dist');

const ROUNDS = 7;
const CALLS = 10;

const PAYLOADS = [
  ['a 240 000-character prompt', () => ({ messages: [{ role: 'user', content: 'ctx '.repeat(60_000) }] })],
  ['a 1 MB string', () => 'x'.repeat(1_000_000)],
  ['a 3 072-number embedding', () => Array.from({ length: 3_072 }, (_, i) => i / 3_072)],
  ['40 documents of 8 KB', () => Array.from({ length: 40 }, (_, i) => ({ pageContent: `doc${i} ` + 'w'.repeat(8_000), metadata: { i } }))],
  ['400 documents of 10 KB (≈ 4 MB)', () => Array.from({ length: 400 }, (_, i) => ({ pageContent: 'w'.repeat(10_000), metadata: { i, source: 'kb' } }))],
];

const msPer = (fn) => {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < CALLS; i++) fn();
  return Number(process.hrtime.bigint() - t0) / 1e6 / CALLS;
};

async function main() {
  if (distMissing()) return;
  const tw = require(entryOf(ROOT));
  const m = machine();
  console.log('tracewire large-payload capture benchmark');
  console.log(`node ${m.node} (V8 ${m.v8}) | ${m.platform} ${m.release} ${m.arch} | cpu: ${m.cpuModel} | cores: ${m.cores} | loadavg: ${loadavg()}`);
  console.log(`date: ${new Date().toISOString()} | default serializeLimits ${JSON.stringify(tw.DEFAULT_SERIALIZE_LIMITS ?? {})}`);
  // The exporter checks what the runs recorded: a limit's marker in the inputs means a payload was cut.
  const CUT = /…\[truncated \d+ chars\]|\[Truncated: over \d+ bytes\]|more items\]|\[Depth limit\]/;
  let cutRuns = 0;
  let checkedRuns = 0;
  const exporter = {
    export(batch) {
      for (const run of batch.post) {
        checkedRuns++;
        if (CUT.test(JSON.stringify(run.inputs))) cutRuns++;
      }
      return Promise.resolve({ ok: true });
    },
  };
  const client = new tw.TracingClient({ exporter });
  const traced = tw.traceable(function take(payload) { return payload === undefined; }, { client });
  const rows = [];
  for (const [label, make] of PAYLOADS) {
    const payload = make();
    const bytes = Buffer.byteLength(JSON.stringify(payload));
    for (let i = 0; i < 3; i++) traced(payload);
    const tracedMs = [];
    const floorMs = [];
    for (let round = 0; round < ROUNDS; round++) {
      tracedMs.push(msPer(() => traced(payload)));
      floorMs.push(msPer(() => JSON.stringify(payload)));
      await client.flush();
    }
    const [t, f] = [median(tracedMs), median(floorMs)];
    rows.push({ label, bytes: (bytes / 1e6).toFixed(2), traced: t.toFixed(2), floor: f.toFixed(2), ratio: (t / f).toFixed(2) });
  }
  const { delivered, dropped } = client.stats();
  console.log('');
  printTable(
    [
      { key: 'label', title: 'payload (one argument of a traced sync call)' },
      { key: 'bytes', title: 'JSON MB', right: true },
      { key: 'traced', title: 'traced call ms', right: true },
      { key: 'floor', title: 'floor: JSON.stringify ms', right: true },
      { key: 'ratio', title: '× floor', right: true },
    ],
    rows,
  );
  console.log(`\nspans delivered ${delivered}, dropped ${dropped.total}; runs whose inputs carry a limit's marker (cut): ${cutRuns} of ${checkedRuns}`);
  if (dropped.total > 0 || cutRuns > 0 || checkedRuns === 0) process.exitCode = 1;
  await client.shutdown();
}

main();
