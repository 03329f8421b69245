'use strict';
/**
 * bench/encode.js — CPU per run of each exporter's encoding alone, in one
 * process: the part of bench/pipeline.js's "CPU per span" that the
 * exporters' own code decides, without calls, batching, sockets or a sink.
 *
 *   npm run build && node bench/encode.js [--against=<other checkout>]
 *
 * Runs: 20 000 real records (traced sync f(i, 1) through a TracingClient
 * whose exporter only keeps the batches: 200 batches of 100). Each path then
 * encodes all 200 batches into request bodies, exactly as its exporter does:
 *   multipart   recordOp × 100 + buildBody (LangSmithExporter, default; a build
 *               without recordOp: textsOfRecord + serializeOp, as its exporter did)
 *   batch       the same in mode 'batch' (POST /runs/batch)
 *   otlp        recordSpanJson × 100 into one OtlpJsonRequest + encodeUtf8 (OtlpHttpExporter,
 *               http/json; a build without OtlpJsonRequest: otlpRequestJson of the texts, as its exporter did)
 *   floor       JSON.stringify of each Run, joined, one Buffer: the floor tracer's encoding
 * (an --against build without run records encodes Run objects, as its exporters did).
 * CPU is process.cpuUsage() (user + system) per path per round; paths are
 * interleaved within each round (rotating order) and the minimum over
 * ROUNDS rounds is kept — the least disturbed round on a shared machine.
 * `--against=DIR` also loads DIR/dist (another checkout, built) and runs
 * its paths in the same rounds, on the same records, for a before/after.
 *
 * "Fresh" column (`--fresh=N`, default 5; 0 skips it): each path also runs
 * once in its own fresh child, N children per path, interleaved with the
 * other paths (and the --against build's): the child makes the 20 000
 * records with its own build, then encodes them all once and reports the
 * CPU of that one pass, per run. This is the exporters' cost in a fresh
 * process (bench/pipeline.js --cost's flush): their code runs in V8's
 * interpreter and baseline tiers before it is optimised, where the warm
 * rounds above measure it optimised. Median of the N children.
 */
const path = require('node:path');
const { ROOT, nodeLine, cpuLine } = require('./support/machine');
const { printTable } = require('./support/table');
const { distMissing } = require('./support/dist');

const { execFileSync } = require('node:child_process');

const SPANS = 20_000;
const ROUNDS = 15;
const FRESH = Number((process.argv.find((a) => a.startsWith('--fresh=')) ?? '--fresh=5').slice(8));

/**
 * The encoding paths of the build in `root`. A build with run records (issue 17:
 * `textsOfRecord`, `recordSpanJson`) encodes the pipeline's compact records, as its
 * exporters do; an older build encodes Run objects, as its exporters did.
 */
function pathsOf(root, label) {
  const lib = (p) => require(path.join(root, 'dist', 'lib', p));
  // Framing (newBoundary, serializeOp) moved to wire-op.js, and the record writer (recordOp, textsOfRecord) to
  // record-op.js; an older build has them in wire-body.js and to-langsmith-run.js.
  const libIfBuilt = (p) => (require('node:fs').existsSync(path.join(root, 'dist', 'lib', p)) ? lib(p) : {});
  const wb = { ...lib('exporters/langsmith/wire-body.js'), ...libIfBuilt('exporters/langsmith/wire-op.js') };
  const ls = { ...lib('exporters/langsmith/to-langsmith-run.js'), ...libIfBuilt('exporters/langsmith/record-op.js') };
  const { toOtlpSpan } = lib('exporters/otlp/to-otlp-span.js');
  const { toOtlpRequest } = lib('exporters/otlp/otlp-request.js');
  const records = typeof ls.textsOfRecord === 'function';
  const utf8 = new TextEncoder();
  // The OTLP exporter's body encoding: encodeUtf8 (a Buffer on Node) where the build has it, else TextEncoder.
  let encodeUtf8 = (text) => utf8.encode(text);
  try {
    encodeUtf8 = lib('exporters/http/utf8-body.js').encodeUtf8;
  } catch {
    // an older build
  }
  // A build whose bodies are reused once their request is closed: each body is given back after it is measured, as
  // the transport gives it back when its request closes (else every body would be a new rounded-up allocation).
  let pool;
  try {
    pool = lib('exporters/http/body-pool.js');
    // reusableUtf8Body in older builds; utf8BodyOf into a reusableBody since
    const { utf8BodyOf } = lib('exporters/http/utf8-body.js');
    encodeUtf8 = pool.reusableUtf8Body ?? ((text) => utf8BodyOf(text, undefined, undefined, pool.reusableBody));
  } catch {
    // an older build
  }
  const measured = (body) => {
    const bytes = body.length;
    pool?.releaseBody(body);
    return bytes;
  };
  // A build that seals a batch's records into one request body as it closes (seal-batch.js), as its pipeline does.
  const seal = libIfBuilt('exporters/langsmith/seal-batch.js');
  const langsmith = (mode) => (batch) => {
    const boundary = wb.newBoundary();
    if (typeof seal.sealRecords === 'function') return seal.sealRecords(batch, new wb.LangSmithFraming(mode, boundary)).body.length;
    const ops = [];
    if (typeof ls.recordOp === 'function') {
      // A build whose records go to their wire operation in one step, as its exporter does.
      for (const record of batch.postRecords) ops.push(ls.recordOp(record, 'post', mode, boundary));
      for (const record of batch.patchRecords) ops.push(ls.recordOp(record, 'patch', mode, boundary));
    } else if (records) {
      for (const record of batch.postRecords) ops.push(wb.serializeOp(ls.textsOfRecord(record), 'post', mode, boundary));
      for (const record of batch.patchRecords) ops.push(wb.serializeOp(ls.textsOfRecord(record), 'patch', mode, boundary));
    } else {
      const runs = batch.runs();
      for (const run of runs.post) ops.push(wb.serializeOp(run, 'post', mode, boundary));
      for (const run of runs.patch) ops.push(wb.serializeOp(run, 'patch', mode, boundary));
    }
    return measured(wb.buildBody(ops, mode, boundary).body);
  };
  const text = records ? lib('exporters/otlp/otlp-json-text.js') : undefined;
  const bareResource = () => {
    try {
      return lib('exporters/otlp/otlp-resource.js').BARE_RESOURCE;
    } catch {
      return undefined;
    }
  };
  const otlp = (batch) => {
    if (records && typeof text.OtlpJsonRequest === 'function') {
      // A build whose exporter adds each span's text straight into the request's, as it does.
      // The exporter's resource (a build before resources took none: the argument is ignored there).
      const request = new text.OtlpJsonRequest(bareResource());
      for (const record of batch.postRecords) request.add(record.projectName, text.recordSpanJson(record));
      for (const record of batch.patchRecords) request.add(record.projectName, text.recordSpanJson(record));
      return measured(encodeUtf8(request.text()));
    }
    if (records) {
      const spans = [...batch.postRecords, ...batch.patchRecords].map((record) => ({ serviceName: record.projectName, json: text.recordSpanJson(record) }));
      return encodeUtf8(text.otlpRequestJson(spans)).length;
    }
    const runs = batch.runs();
    const spans = [...runs.post, ...runs.patch].map((run) => ({ serviceName: run.session_name, span: toOtlpSpan(run) }));
    return Buffer.from(JSON.stringify(toOtlpRequest(spans))).length;
  };
  return [
    { name: `${label}multipart`, encode: langsmith('multipart') },
    { name: `${label}batch`, encode: langsmith('batch') },
    { name: `${label}otlp`, encode: otlp },
  ];
}

const floor = {
  name: 'floor (JSON.stringify per record)',
  encode: (batch) => Buffer.from(`{"post":[${batch.runs().post.map((run) => JSON.stringify(run)).join(',')}]}`).length,
};

/**
 * 20 000 real records: this build's batches as its built-in exporters receive them
 * (RecordBatch: compact records, with `runs()` for the Run objects other exporters get).
 */
async function records(root = ROOT, withRuns = true) {
  const tw = require(path.join(root, 'dist', 'index.js'));
  const { takesRecords } = require(path.join(root, 'dist', 'lib', 'exporters', 'record-batch.js'));
  const batches = [];
  const keeper = { export: (batch) => (batches.push(batch), Promise.resolve({ ok: true })) };
  takesRecords(keeper);
  const client = new tw.TracingClient({ exporter: keeper });
  tw.setGlobalTracingClient(client);
  const f = tw.traceable(function f(a, b) { return a + b; });
  for (let i = 0; i < SPANS; i++) f(i, 1);
  await client.awaitPendingTraceBatches();
  await client.shutdown();
  // Built once here, as for a custom exporter, not inside the timed rounds. A fresh child of a tracewire
  // path does not: making Run objects formats times and dotted orders, which would warm the encoders' code.
  if (withRuns) for (const batch of batches) batch.runs();
  return batches;
}

/** `--child=<root> --path=<kind>`: one fresh pass of one path; prints {us, bytes} per run as JSON. */
async function child(root, kind) {
  const batches = await records(root, kind === 'floor');
  const runs = batches.reduce((n, b) => n + b.postRecords.length + b.patchRecords.length, 0);
  const encode = kind === 'floor' ? floor.encode : pathsOf(root, '').find((p) => p.name === kind).encode;
  const c = process.cpuUsage();
  let bytes = 0;
  for (const batch of batches) bytes += encode(batch);
  const d = process.cpuUsage(c);
  process.stdout.write(JSON.stringify({ us: (d.user + d.system) / runs, sysUs: d.system / runs, bytes: bytes / runs }));
}

/**
 * The fresh column: `FRESH` children per path, paths interleaved in rotating order
 * (this build's, then the other's), so drift of the machine's load falls on all alike.
 */
function freshRounds(builds) {
  const jobs = [{ key: 'floor (JSON.stringify per record)', root: ROOT, kind: 'floor' }];
  for (const { root, label } of builds) for (const kind of ['multipart', 'batch', 'otlp']) jobs.push({ key: label + kind, root, kind });
  const all = new Map(jobs.map((j) => [j.key, []]));
  for (let round = 0; round < FRESH; round++) {
    for (let k = 0; k < jobs.length; k++) {
      const job = jobs[(k + round) % jobs.length];
      const out = execFileSync(process.execPath, [__filename, `--child=${job.root}`, `--path=${job.kind}`], { encoding: 'utf8' });
      all.get(job.key).push(JSON.parse(out).us);
    }
  }
  return all;
}

async function main() {
  if (distMissing()) return;
  const childArg = process.argv.find((a) => a.startsWith('--child='));
  if (childArg) return child(childArg.slice(8), process.argv.find((a) => a.startsWith('--path=')).slice(7));
  const against = process.argv.find((a) => a.startsWith('--against='));
  const batches = await records();
  const runs = batches.reduce((n, b) => n + b.postRecords.length + b.patchRecords.length, 0);
  const paths = [floor, ...pathsOf(ROOT, against ? 'this: ' : '')];
  if (against) paths.push(...pathsOf(path.resolve(against.slice(10)), 'other: '));
  const builds = [{ root: ROOT, label: against ? 'this: ' : '' }];
  if (against) builds.push({ root: path.resolve(against.slice(10)), label: 'other: ' });
  const fresh = FRESH > 0 ? freshRounds(builds) : new Map();
  const best = new Map(paths.map((p) => [p.name, { us: Infinity, all: [], bytes: 0 }]));
  for (let round = 0; round < ROUNDS; round++) {
    for (let k = 0; k < paths.length; k++) {
      const p = paths[(k + round) % paths.length];
      const c = process.cpuUsage();
      let bytes = 0;
      for (const batch of batches) bytes += p.encode(batch);
      const d = process.cpuUsage(c);
      const b = best.get(p.name);
      b.us = Math.min(b.us, (d.user + d.system) / runs);
      b.all.push((d.user + d.system) / runs);
      b.bytes = bytes / runs;
    }
  }
  console.log('tracewire encoding per run (bench/encode.js)');
  console.log(nodeLine());
  console.log(cpuLine({ loadavg: true }));
  console.log(`${runs} records in ${batches.length} batches; min over ${ROUNDS} interleaved rounds of process.cpuUsage() per path`);
  console.log('(median: the median round, which also counts the collections and allocations a path causes; min: the least disturbed round)');
  if (FRESH > 0) console.log(`fresh: one pass in a fresh child after making the records, median of ${FRESH} children per path [range]; --fresh=N`);
  const floorUs = best.get(floor.name).us;
  const floorMedian = median(best.get(floor.name).all);
  printTable(
    [
      { key: 'name', title: 'path' },
      { key: 'us', title: 'CPU µs/run', right: true },
      { key: 'ratio', title: '× floor', right: true },
      { key: 'med', title: 'median µs/run', right: true },
      { key: 'medRatio', title: '× floor (median)', right: true },
      { key: 'fresh', title: 'fresh µs/run [range]', right: true },
      { key: 'freshRatio', title: '× floor (fresh)', right: true },
      { key: 'bytes', title: 'body B/run', right: true },
    ],
    paths.map((p) => {
      const b = best.get(p.name);
      const med = median(b.all);
      const f = fresh.get(p.name) ?? [];
      const freshCell = f.length === 0 ? '' : `${median(f).toFixed(2)} [${Math.min(...f).toFixed(2)}–${Math.max(...f).toFixed(2)}]`;
      const freshRatio = f.length === 0 ? '' : (median(f) / median(fresh.get(floor.name))).toFixed(2);
      return { name: p.name, us: b.us.toFixed(2), ratio: (b.us / floorUs).toFixed(2), med: med.toFixed(2), medRatio: (med / floorMedian).toFixed(2), fresh: freshCell, freshRatio, bytes: Math.round(b.bytes) };
    }),
    { trimEnd: true },
  );
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
