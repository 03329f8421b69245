'use strict';
/**
 * bench/calls-per-span.js — JavaScript function calls per traced span, counted
 * (not timed): on the caller's path, and in the flush that encodes and sends.
 *
 *   npm run build
 *   node bench/calls-per-span.js                              (this checkout)
 *   node bench/calls-per-span.js --against=<a built checkout>  (before/after, same run)
 *
 * Why: bench/pipeline.js judges CPU per span in a FRESH process, where most of
 * tracewire's excess over the floor is code running before V8 has optimized it
 * (a fresh child is 2–3× its own steady state; the floor, whose heavy work is
 * native JSON.stringify and node:http, barely changes). Before optimization,
 * each JavaScript call costs tens to hundreds of nanoseconds on its own, so the
 * number of calls a span makes is what the fresh figure follows. Counting them
 * is exact on a busy machine, where timings of that figure move by ±20 %.
 *
 * How: a fresh child per build and exporter; V8's precise coverage
 * (inspector `Profiler.startPreciseCoverage({ callCount: true })`) counts
 * every function call; SPANS traced sync calls `f(i, 1)` in a plain loop (the
 * "sequential" row of bench/pipeline.js), then `awaitPendingTraceBatches()`
 * against a loopback LangSmith/OTLP sink (bench/support/loopback-sink.js, in
 * this parent process, so its own calls are not counted). Counts are split by
 * where the function lives: tracewire (dist/), rxjs, Node's own modules
 * (node:…), and shown per span. The floor (bench/floor/floor-tracer.js) is
 * counted the same way, for scale.
 */
const path = require('node:path');
const { childEnv, forkChild, reportToParent } = require('./support/child-process');
const { ROOT, nodeLine, cpuLine } = require('./support/machine');
const { printTable } = require('./support/table');
const { entryOf, distMissing } = require('./support/dist');
const { startSink } = require('./support/loopback-sink');

const SPANS = 10_000;
const TOP = 12;
const INFO = { version: '0.0.0', batch_ingest_config: { size_limit: 100, size_limit_bytes: 20971520 } };

function origin(url) {
  if (url.startsWith('node:')) return 'node';
  if (url.includes('/node_modules/rxjs/')) return 'rxjs';
  if (url.includes('/dist/')) return 'tracewire';
  if (url.includes('/bench/floor/')) return 'floor';
  return 'other';
}

function shortName(url, name) {
  const file = url.startsWith('node:') ? url : url.replace(/^.*\/(dist|node_modules|bench)\//, '');
  return `${name || '(anonymous)'}  ${file}`;
}

/** Child: counts the calls of each phase; what it returns goes to the parent over IPC. */
async function child(build, exporterName, sinkUrl) {
  const inspector = require('node:inspector');
  const session = new inspector.Session();
  session.connect();
  const post = (method, params = {}) => new Promise((resolve, reject) => session.post(method, params, (error, value) => (error ? reject(error) : resolve(value))));
  let f;
  let flush;
  let close;
  if (exporterName === 'floor') {
    const { FloorTracer } = require(path.join(ROOT, 'bench', 'floor', 'floor-tracer.js'));
    const tracer = new FloorTracer({ url: sinkUrl });
    f = tracer.traceable(function f(a, b) { return a + b; });
    flush = () => tracer.flush();
    close = () => tracer.agent.destroy();
  } else {
    const tw = require(entryOf(build));
    const exporter =
      exporterName === 'otlp' ? new tw.OtlpHttpExporter({ endpoint: sinkUrl }) : new tw.LangSmithExporter({ endpoint: sinkUrl, apiKey: 'bench', mode: exporterName });
    const client = new tw.TracingClient({ exporter });
    tw.setGlobalTracingClient(client);
    f = tw.traceable(function f(a, b) { return a + b; });
    flush = () => client.awaitPendingTraceBatches();
    close = () => client.shutdown();
  }
  await post('Profiler.enable');
  await post('Profiler.startPreciseCoverage', { callCount: true, detailed: false });
  const take = async () => {
    const { result } = await post('Profiler.takePreciseCoverage'); // counts since the last take
    const counts = {};
    for (const script of result) {
      const where = origin(script.url);
      if (where === 'other') continue;
      for (const fn of script.functions) {
        const calls = fn.ranges[0].count;
        if (calls === 0) continue;
        const key = `${where}\t${shortName(script.url, fn.functionName)}`;
        counts[key] = (counts[key] || 0) + calls;
      }
    }
    return counts;
  };
  await take();
  let acc = 0;
  for (let i = 0; i < SPANS; i++) acc += f(i, 1);
  const calls = await take();
  await flush();
  const flushed = await take();
  await post('Profiler.stopPreciseCoverage');
  session.disconnect();
  await close(); // sockets closed, so the child exits on its own
  return { calls, flush: flushed, check: acc };
}

async function run(build, exporterName, sinkUrl) {
  const outcome = await forkChild(__filename, ['--child', build, exporterName, sinkUrl], { env: childEnv(sinkUrl), timeoutMs: 120_000 });
  if (outcome.result === undefined || outcome.result.error !== undefined) {
    throw new Error(`child ${exporterName}: ${outcome.result?.error ?? `no report (code ${outcome.code}, signal ${outcome.signal})`}\n${outcome.stderr}`);
  }
  return outcome.result;
}

function summarize(counts) {
  const by = { tracewire: 0, rxjs: 0, node: 0, floor: 0 };
  let functions = 0;
  for (const [key, calls] of Object.entries(counts)) {
    const where = key.split('\t')[0];
    by[where] += calls;
    if (where !== 'node') functions++;
  }
  return { ...by, own: by.tracewire + by.rxjs + by.floor, functions };
}

async function main() {
  if (process.argv[2] === '--child') return reportToParent(() => child(process.argv[3], process.argv[4], process.argv[5]));
  if (distMissing()) return;
  const againstArg = process.argv.find((a) => a.startsWith('--against='));
  const builds = [{ label: 'this', root: ROOT }];
  if (againstArg) builds.push({ label: 'other', root: path.resolve(againstArg.slice('--against='.length)) });
  console.log('tracewire: JavaScript function calls per traced span (bench/calls-per-span.js)');
  console.log(nodeLine());
  console.log(cpuLine());
  console.log(`${SPANS} traced sync calls f(i, 1) in a loop, then the flush; a fresh child per row; V8 precise coverage call counts ÷ spans`);
  const rows = [];
  const tops = [];
  const cases = [{ build: builds[0], exporter: 'floor' }];
  for (const exporter of ['multipart', 'batch', 'otlp']) for (const build of builds) cases.push({ build, exporter });
  for (const { build, exporter } of cases) {
    const sink = await startSink({ info: INFO });
    const report = await run(build.root, exporter, sink.url);
    const counts = await sink.close();
    if (report.check !== SPANS * (SPANS + 1) / 2) throw new Error(`${exporter}: traced calls returned the wrong sum`);
    const label = exporter === 'floor' ? 'floor (hand-rolled tracer)' : builds.length > 1 ? `${build.label}: ${exporter}` : exporter;
    const calls = summarize(report.calls);
    const flush = summarize(report.flush);
    const per = (n) => (n / SPANS).toFixed(1);
    rows.push({
      label,
      callsOwn: per(calls.own), callsNode: per(calls.node), callsFns: calls.functions,
      flushOwn: per(flush.own), flushNode: per(flush.node), flushFns: flush.functions,
      total: per(calls.own + calls.node + flush.own + flush.node),
      runs: counts.runs === undefined ? '' : counts.runs,
    });
    tops.push({ label, calls: report.calls, flush: report.flush });
  }
  printTable(
    [
      { key: 'label', title: 'tracer / exporter' },
      { key: 'callsOwn', title: 'calls: own JS/span', right: true },
      { key: 'callsNode', title: 'calls: node:/span', right: true },
      { key: 'callsFns', title: 'calls: own fns', right: true },
      { key: 'flushOwn', title: 'flush: own JS/span', right: true },
      { key: 'flushNode', title: 'flush: node:/span', right: true },
      { key: 'flushFns', title: 'flush: own fns', right: true },
      { key: 'total', title: 'all calls/span', right: true },
    ],
    rows,
    { trimEnd: true },
  );
  console.log('own = the tracer\'s code (tracewire dist/ and rxjs, or the floor\'s file); node: = Node\'s own JavaScript (http, streams, async_hooks …); fns = distinct functions called.');
  for (const { label, calls, flush } of tops) {
    for (const [phase, counts] of [['calls', calls], ['flush', flush]]) {
      const top = Object.entries(counts).filter(([key]) => !key.startsWith('node\t')).sort((a, b) => b[1] - a[1]).slice(0, TOP);
      console.log(`\n${label}, ${phase}: top ${top.length} own functions by calls per span`);
      for (const [key, n] of top) console.log(`  ${(n / SPANS).toFixed(2).padStart(6)}  ${key.split('\t')[1]}`);
    }
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
