'use strict';
/**
 * bench/flush.js — what @FlushOnExit costs a serverless handler: the latency
 * it ADDS to each invocation so that the invocation's spans are delivered
 * before the handler's promise settles, per delivery strategy, against a
 * loopback LangSmith-compatible sink.
 *
 *   npm run build   (tsc alone does not make dist/tracewire.cjs, the entry this loads)
 *   node bench/flush.js               (--cpu-prof: profile the tracewire children, see below)
 *
 * Why: a serverless platform may freeze the sandbox the moment the handler
 * settles, so @FlushOnExit holds the handler's promise until its spans are
 * delivered. That wait is paid by every request's latency. Target (tracewire,
 * each strategy): median added latency < 5 ms for a 50-span invocation.
 *
 * The invocation (the shape of test/fixtures/freeze/invocation.js): a handler
 * method whose body runs 7 × item(i) concurrently, each running 6 ×
 * lookup(i, part) concurrently, lookup = `await setImmediate; return string`
 * — 1 + 7 + 42 = 50 async spans per invocation, one trace.
 *
 * Rows (each in a FRESH child process: this script forked with
 * `--child <row>`, so rows never share a heap, a JIT or an event loop):
 *
 *   tracewire background   TracingClient({ mode: 'background' }), handler =
 *                          @Traceable + @FlushOnExit (FlushOnExit outermost).
 *                          @FlushOnExit → client.awaitPendingTraceBatches().
 *     baseline B = median wall time of the SAME handler with @Traceable
 *                  only (no @FlushOnExit), same process, same client; its
 *                  spans are then delivered OUTSIDE the timed region
 *                  (awaitPendingTraceBatches(), untimed), so every
 *                  invocation starts with an empty pipeline.
 *   tracewire manual       the same with mode: 'manual'; @FlushOnExit →
 *                          client.flush(). Baseline as above (drained by an
 *                          untimed client.flush()).
 *   tracewire blocking     mode: 'blocking', handler = @Traceable only: the
 *                          traced root call itself settles only after its
 *                          trace was delivered, so there is no "traced but
 *                          not delivered" handler to compare with.
 *     baseline B = median wall time of the UNTRACED handler (the same tree
 *                  of plain async functions, no tracewire wrapper at all),
 *                  same process. So this row's "added" = tracing overhead
 *                  of 50 spans + delivery, i.e. the total price of tracing.
 *   langsmith (peer)       langsmith's traceable() on the same tree with
 *                          `new Client({ apiUrl: sink, apiKey: 'bench',
 *                          autoBatchTracing: true })`; handler = run the
 *                          traced tree, then `await client.awaitPendingTraceBatches()`.
 *     added = the duration of that await, per invocation (its own
 *             measurement, not a difference of medians); the row also shows
 *             the whole handler's time, and as B the median of the traced
 *             tree's part of it (F wall − the await). Its await costs
 *             0.1–0.3 s (it waits for langsmith's auto-batch timer,
 *             autoBatchAggregationDelayMs = 250 ms by default, unless a
 *             batch fills first), so this row runs LS_INVOCATIONS measured
 *             + LS_WARMUP warm-up invocations and has no T handler.
 *
 * In every child up to three handlers are interleaved, one invocation of
 * each per iteration, rotating their order (so drift hits all alike):
 *   U  untraced handler (plain async functions)            — every row
 *   T  traced handler without delivery wait (then drained, untimed) —
 *      tracewire background and manual only
 *   F  the row's subject (with @FlushOnExit / blocking / with the await)
 * WARMUP iterations first (not reported), then INVOCATIONS measured ones.
 * Each invocation is awaited on its own (sequential), and one macrotask
 * (setImmediate) passes between invocations, untimed. Times are
 * process.hrtime around `await handler.handle(event)`.
 *   added (per invocation) = F wall − median(B wall)   (langsmith: the await)
 *   "tail" = handler body returned → caller resumed (root span end + the
 *   flush wait + promise hops): a direct per-invocation measure of the wait.
 * Reported: median and p99 (nearest rank) over the INVOCATIONS F calls.
 *
 * The sink (the PARENT process, node:http on 127.0.0.1, random port, a fresh
 * one per row): 200 `{}` to POST /runs/batch, POST /runs/multipart,
 * GET /info, and anything else (counted as "other"). It only buffers bodies
 * while the child runs; they are parsed after the child exited: distinct run
 * ids from `post.<id>` / `patch.<id>` parts (multipart) or post[] / patch[]
 * (batch). "ended" = ids seen with end_time. "dup" = repeated operations:
 * an id posted more than once plus an id patched more than once (a post
 * then a patch of the same id is normal — start and end sent apart).
 * Expected ids = 50 × every traced invocation of the row, warm-up included.
 * tracewire's exporter runs with its defaults (multipart, GET /info once).
 *
 * --only=a,b: run only the rows whose id contains a or b (ids: tw-background,
 * tw-manual, tw-blocking, langsmith), e.g. --only=tw- for tracewire only.
 *
 * --cpu-prof: the tracewire children run under V8's profiler; the parent
 * prints the top functions by self time over the measured loop (all three
 * handlers and the untimed drains). Timings are inflated while profiling.
 */

const os = require('node:os');
const fs = require('node:fs');
const path = require('node:path');
const { performance } = require('node:perf_hooks');
const { ROOT, nodeLine, cpuLine, loadavg, versionOf } = require('./support/machine');
const { printTable: printAligned, printTargets, targetCounts } = require('./support/table');
const { median, percentile: pct } = require('./support/stats');
const { startSink } = require('./support/loopback-sink');
const { childEnv, forkChild, reportToParent, exitProblem, printChildStderr } = require('./support/child-process');
const { profileSelfTimes, printProfile, marksToUs } = require('./support/cpu-profile');
const { decorateMethod } = require('./support/decorate');

const { DIST, distMissing } = require('./support/dist');

// ---- sizes and targets ------------------------------------------------------
const INVOCATIONS = 1_000;
const WARMUP = 50;
// langsmith's awaitPendingTraceBatches() waits for its auto-batch timer (autoBatchAggregationDelayMs, 250 ms by
// default) unless a batch fills first: 0.1–0.3 s per invocation, so its row runs fewer invocations and no T
// handler, to keep the whole run under ~2 min.
const LS_INVOCATIONS = 150;
const LS_WARMUP = 5;
const SPANS_PER_INVOCATION = 50; // 1 handler + 7 items + 42 lookups
const TARGET_ADDED_MS = 5; // median added latency, each tracewire strategy
const FLUSH_TIMEOUT_MS = 5_000; // @FlushOnExit({ timeoutMillis })
const CHILD_TIMEOUT_MS = 90_000;
const PROFILE_TOP = 15;

const ROWS = [
  { id: 'tw-background', client: 'tracewire', mode: 'background', label: 'tracewire background + @FlushOnExit', baseline: 'T: same handler, @Traceable only (drained untimed)' },
  { id: 'tw-manual', client: 'tracewire', mode: 'manual', label: 'tracewire manual + @FlushOnExit', baseline: 'T: same handler, @Traceable only (drained untimed)' },
  { id: 'tw-blocking', client: 'tracewire', mode: 'blocking', label: 'tracewire blocking (@Traceable only)', baseline: 'U: untraced handler (plain functions)' },
  { id: 'langsmith', client: 'langsmith', mode: 'await', label: 'langsmith traceable + awaitPendingTraceBatches', baseline: 'added = the await itself; B = F wall − await' },
];

const hr = process.hrtime.bigint;
const nsToMs = (ns) => Number(ns) / 1e6;
const macrotask = () => new Promise((resolve) => setImmediate(resolve));
const printTable = (columns, rows) => printAligned(columns, rows, { trimEnd: true });

// =============================================================================
// Parent: one row = one child
// =============================================================================

async function runRow(row, profileDir) {
  // The sink: 200 `{}` to everything (GET /info included), so the exporters run with their defaults.
  const sink = await startSink({ multipartStatus: 200 });
  const execArgv = [];
  const profile = profileDir && row.client === 'tracewire' ? path.join(profileDir, `${row.id}.cpuprofile`) : undefined;
  if (profile) execArgv.push('--cpu-prof', `--cpu-prof-dir=${profileDir}`, `--cpu-prof-name=${path.basename(profile)}`);
  const env = childEnv(sink.url, { langsmith: row.client === 'langsmith' });
  const outcome = await forkChild(__filename, ['--child', row.id], { env, execArgv, timeoutMs: CHILD_TIMEOUT_MS });
  const sinkCounts = await sink.close();
  return { row, profile, ...outcome, sink: sinkCounts };
}


// =============================================================================
// Child: the handlers
// =============================================================================

/** The 50-span tree from plain functions; `wrap(fn, name)` makes a traced version (identity = untraced). */
function makeTree(wrap) {
  const lookup = wrap(async function lookup(item, part) {
    await macrotask();
    return `${item}.${part}`;
  }, 'lookup');
  const item = wrap(async function item(i) {
    const parts = await Promise.all([0, 1, 2, 3, 4, 5].map((part) => lookup(i, part)));
    return parts.length;
  }, 'item');
  return async function tree(event) {
    const counts = await Promise.all(Array.from({ length: 7 }, (_, i) => item(i))); // 1 + 7 + 42 = 50 spans
    return { invocationId: event.invocationId, items: counts.length };
  };
}

/** A handler class whose body runs `tree` and notes when it returned (for the tail). */
function makeHandlerClass(tree) {
  return class Handler {
    constructor() {
      this.bodyDone = 0n;
    }
    async handle(event) {
      const result = await tree(event);
      this.bodyDone = hr();
      return result;
    }
  };
}


async function childTracewire(row, sinkUrl) {
  const tw = require(DIST);
  const client = new tw.TracingClient({
    exporter: new tw.LangSmithExporter({ endpoint: sinkUrl, apiKey: 'bench' }),
    mode: row.mode,
    logger: { warn() {} },
  });
  tw.setGlobalTracingClient(client);

  const untraced = makeTree((fn) => fn);
  const traced = makeTree((fn, name) => tw.traceable(fn, { name }));
  const U = makeHandlerClass(untraced);
  const T = makeHandlerClass(traced);
  decorateMethod(tw.Traceable({ name: 'handler' }), T, 'handle');
  const flushes = [];
  let F;
  if (row.mode === 'blocking') {
    F = T; // the traced root call waits for delivery by itself
  } else {
    F = makeHandlerClass(traced);
    decorateMethod(tw.Traceable({ name: 'handler' }), F, 'handle');
    decorateMethod(tw.FlushOnExit({ timeoutMillis: FLUSH_TIMEOUT_MS, onFlushResult: (r) => flushes.push(r) }), F, 'handle');
  }
  const drain = row.mode === 'manual' ? () => client.flush({ timeoutMillis: 10_000 }) : () => client.awaitPendingTraceBatches({ timeoutMillis: 10_000 });
  const kinds = { U: { Class: U }, F: { Class: F } };
  if (row.mode !== 'blocking') kinds.T = { Class: T, after: drain };
  const out = await runLoop(kinds, () => flushes.length = 0);
  const stats = client.stats();
  const shutdownResult = await client.shutdown({ timeoutMillis: 5000 });
  return { ...out, flushes: summarizeFlushes(flushes), stats, shutdownResult, statsAfterShutdown: client.stats() };
}

async function childLangsmith(row, sinkUrl) {
  const { Client } = require('langsmith');
  const { traceable } = require('langsmith/traceable');
  const version = versionOf('langsmith');
  const client = new Client({ apiUrl: sinkUrl, apiKey: 'bench', autoBatchTracing: true });
  const wrap = (fn, name) => traceable(fn, { name, client, tracingEnabled: true });
  const untraced = makeTree((fn) => fn);
  const traced = makeTree(wrap);
  const U = makeHandlerClass(untraced);
  const tracedRoot = wrap(async function handler(event) {
    const result = await traced(event);
    return result;
  }, 'handler');
  let lastAwaitNs = 0n;
  class F {
    constructor() {
      this.bodyDone = 0n;
    }
    async handle(event) {
      const result = await tracedRoot(event);
      const a0 = hr();
      this.bodyDone = a0;
      await client.awaitPendingTraceBatches();
      lastAwaitNs = hr() - a0;
      return result;
    }
  }
  const kinds = { U: { Class: U }, F: { Class: F, sample: () => nsToMs(lastAwaitNs) } };
  const out = await runLoop(kinds, undefined, LS_WARMUP, LS_INVOCATIONS);
  await client.awaitPendingTraceBatches();
  return { ...out, version };
}

/**
 * WARMUP + INVOCATIONS iterations; each runs one invocation of every kind, in
 * rotating order. Per kind: wall ms, tail ms (body returned → caller resumed)
 * and, if the kind has one, its own `sample()` (langsmith's await).
 */
async function runLoop(kinds, onMeasureStart, warmup = WARMUP, invocations = INVOCATIONS) {
  const names = Object.keys(kinds);
  const res = {};
  for (const name of names) {
    kinds[name].handler = new kinds[name].Class();
    res[name] = { wall: [], tail: [], sample: [], bad: 0, invocations: 0 };
  }
  let marks;
  for (let i = 0; i < warmup + invocations; i++) {
    if (i === warmup) {
      onMeasureStart?.();
      marks = { t0: String(hr()) };
    }
    for (let k = 0; k < names.length; k++) {
      const name = names[(i + k) % names.length];
      const kind = kinds[name];
      const event = { invocationId: `${name}-${i}` };
      const t0 = hr();
      const result = await kind.handler.handle(event);
      const t1 = hr();
      const r = res[name];
      r.invocations++;
      if (!result || result.items !== 7 || result.invocationId !== event.invocationId) r.bad++;
      if (i >= warmup) {
        r.wall.push(nsToMs(t1 - t0));
        r.tail.push(nsToMs(t1 - kind.handler.bodyDone));
        if (kind.sample) r.sample.push(kind.sample());
      }
      if (kind.after) await kind.after();
      await macrotask();
    }
  }
  marks.t1 = String(hr());
  return { kinds: res, marks, warmup, invocations };
}

function summarizeFlushes(list) {
  if (list.length === 0) return undefined;
  const s = { count: list.length, timedOut: 0, delivered: 0, failed: 0, dropped: 0, pending: 0, actions: {}, deliveredMin: Infinity, deliveredMax: -Infinity, waited: [] };
  for (const r of list) {
    if (r.timedOut) s.timedOut++;
    s.delivered += r.delivered;
    s.failed += r.failed;
    s.dropped += r.dropped;
    s.pending += r.pending;
    s.deliveredMin = Math.min(s.deliveredMin, r.delivered);
    s.deliveredMax = Math.max(s.deliveredMax, r.delivered);
    s.actions[r.action] = (s.actions[r.action] || 0) + 1;
    s.waited.push(r.waitedMillis);
  }
  s.waitedMedian = median(s.waited);
  s.waitedP99 = pct(s.waited, 99);
  s.waitedMax = Math.max(...s.waited);
  delete s.waited;
  return s;
}

function childMain(rowId) {
  const row = ROWS.find((r) => r.id === rowId);
  const sinkUrl = process.env.BENCH_SINK_URL;
  reportToParent(() => (row.client === 'tracewire' ? childTracewire(row, sinkUrl) : childLangsmith(row, sinkUrl)));
}

// =============================================================================
// Parent: main and report
// =============================================================================

async function main() {
  const started = performance.now();
  if (distMissing()) return;
  const tw = require(DIST);
  if (typeof tw.FlushOnExit !== 'function') {
    console.error(`${DIST} has no FlushOnExit export: rebuild (npm run build).`);
    process.exitCode = 1;
    return;
  }
  console.log('tracewire flush benchmark (@FlushOnExit: latency added to a serverless handler, loopback LangSmith sink)');
  console.log(nodeLine());
  console.log(cpuLine({ loadavg: true }));
  console.log(`date: ${new Date().toISOString()} | tracewire ${versionOf('tracewire')} (dist, default delivery settings, LangSmithExporter defaults) | langsmith ${versionOf('langsmith')}`);
  console.log(`${INVOCATIONS} measured + ${WARMUP} warm-up invocations per handler (langsmith row: ${LS_INVOCATIONS} + ${LS_WARMUP}), ${SPANS_PER_INVOCATION} spans each (1 handler + 7 × (item + 6 × lookup), lookup awaits setImmediate);`);
  console.log(`one fresh child process per row; handlers U/T/F interleaved in rotating order; @FlushOnExit({ timeoutMillis: ${FLUSH_TIMEOUT_MS} }); sink in the parent; times in ms`);

  let profileDir;
  if (process.argv.includes('--cpu-prof')) {
    profileDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tw-flush-prof-'));
    console.log('--cpu-prof: tracewire children run under the V8 profiler (timings inflated; profile tables at the end)');
  }

  let rows = ROWS;
  const only = process.argv.find((a) => a.startsWith('--only='));
  if (only) {
    const words = only.slice(7).split(',').filter(Boolean);
    rows = ROWS.filter((row) => words.some((w) => row.id.includes(w)));
    console.log(`--only: running ${rows.map((row) => row.id).join(', ')}`);
  }
  const runs = [];
  for (const row of rows) {
    process.stderr.write(`  running ${row.label} …`);
    const run = await runRow(row, profileDir);
    process.stderr.write(` ${(run.wallMs / 1000).toFixed(1)} s\n`);
    runs.push(run);
  }

  const problems = [];
  const f3 = (x) => (Number.isFinite(x) ? x.toFixed(3) : '—');
  const sgn = (x) => (Number.isFinite(x) ? (x >= 0 ? '+' : '') + x.toFixed(3) : '—');
  const latencyRows = [];
  const targetRows = [];
  for (const run of runs) {
    const { row } = run;
    const r = run.result;
    if (!r || r.error || run.timedOut) {
      const why = run.timedOut ? 'timeout' : r && r.error ? r.error : `child exited ${run.code ?? run.signal} without a result`;
      problems.push(`${row.label}: ${why}`);
      latencyRows.push({ row: row.label, baseline: 'error' });
      if (row.client === 'tracewire') targetRows.push({ row: row.label, target: `median added < ${TARGET_ADDED_MS} ms`, measured: 'error', result: 'FAIL' });
      continue;
    }
    if (run.code !== 0) problems.push(`${row.label}: ${exitProblem(run)}`);
    const k = r.kinds;
    for (const [name, kind] of Object.entries(k)) if (kind.bad) problems.push(`${row.label}: ${kind.bad} invocation(s) of ${name} returned a wrong result`);
    const F = k.F;
    const uMed = median(k.U.wall);
    const tMed = k.T ? median(k.T.wall) : NaN;
    const baseMed = row.mode === 'blocking' ? uMed : row.client === 'langsmith' ? median(F.wall.map((w, i) => w - F.sample[i])) : tMed;
    const added = row.client === 'langsmith' ? F.sample : F.wall.map((w) => w - baseMed);
    const addedMed = median(added);
    latencyRows.push({
      row: row.label,
      n: `${r.invocations} + ${r.warmup}`,
      baseline: row.baseline,
      bMed: f3(baseMed),
      fMed: f3(median(F.wall)),
      fP99: f3(pct(F.wall, 99)),
      aMed: sgn(addedMed),
      aP99: sgn(pct(added, 99)),
      tail: `${f3(median(F.tail))} / ${f3(pct(F.tail, 99))}`,
      uMed: f3(uMed),
      tMed: f3(tMed),
      overU: sgn(median(F.wall) - uMed),
      target: row.client === 'tracewire' ? `< ${TARGET_ADDED_MS} ms` : '',
      result: row.client === 'tracewire' ? (addedMed < TARGET_ADDED_MS ? 'PASS' : 'FAIL') : '',
    });
    if (row.client === 'tracewire') {
      targetRows.push({ row: row.label, target: `median added < ${TARGET_ADDED_MS} ms`, measured: `${sgn(addedMed)} ms (p99 ${sgn(pct(added, 99))})`, result: addedMed < TARGET_ADDED_MS ? 'PASS' : 'FAIL' });
    }
  }

  console.log('');
  console.log('added latency per invocation (median / p99 over the measured F invocations):');
  printTable(
    [
      { key: 'row', title: 'row (F = handler measured)' },
      { key: 'n', title: 'F invocations + warm-up', right: true },
      { key: 'baseline', title: 'baseline B' },
      { key: 'bMed', title: 'B median', right: true },
      { key: 'fMed', title: 'F median', right: true },
      { key: 'fP99', title: 'F p99', right: true },
      { key: 'aMed', title: 'added median', right: true },
      { key: 'aP99', title: 'added p99', right: true },
      { key: 'tail', title: 'F tail med / p99', right: true },
      { key: 'uMed', title: 'U median', right: true },
      { key: 'tMed', title: 'T median', right: true },
      { key: 'overU', title: 'F med − U med', right: true },
      { key: 'target', title: 'target' },
      { key: 'result', title: 'result' },
    ],
    latencyRows,
  );
  console.log('F = the row\'s handler; U = untraced handler (plain async functions); T = traced handler without a delivery wait (spans drained untimed after it).');
  console.log('added = F wall − median(B wall) per invocation, B as stated per row (tracewire blocking: B = U, so it includes the 50 spans\' tracing overhead);');
  console.log('        langsmith: added = the duration of `await client.awaitPendingTraceBatches()` itself, per invocation (F wall = traced tree + that await;');
  console.log(`        B = median of F wall − await). The await waits for langsmith's auto-batch timer (250 ms autoBatchAggregationDelayMs) unless a batch fills first,`);
  console.log(`        hence ${LS_INVOCATIONS} + ${LS_WARMUP} invocations only.`);
  console.log('F tail = handler body returned → caller resumed (root span end + flush wait + promise hops), median / p99.');

  // -- delivery ---------------------------------------------------------------------
  const deliveryRows = [];
  for (const run of runs) {
    const { row } = run;
    const r = run.result;
    const s = run.sink;
    const traced = r && r.kinds ? (r.kinds.T ? r.kinds.T.invocations : 0) + r.kinds.F.invocations : NaN;
    const expected = traced * SPANS_PER_INVOCATION;
    const fl = r && r.flushes;
    deliveryRows.push({
      row: row.label,
      requests: s.requests,
      ingest: `${s.ingestRequests} (${s.multipartRequests ? `multipart ${s.multipartRequests}` : ''}${s.multipartRequests && s.batchRequests ? ', ' : ''}${s.batchRequests ? `batch ${s.batchRequests}` : ''})`,
      info: s.infoRequests,
      bpr: s.ingestRequests ? Math.round(s.ingestBodyBytes / s.ingestRequests).toLocaleString('en-US') : '—',
      ops: `${s.posts} / ${s.patches}`,
      ids: s.distinctIds,
      ended: s.endedIds,
      expected: Number.isFinite(expected) ? expected : '—',
      dup: s.duplicateOps,
      ok: s.distinctIds === expected && s.endedIds === expected ? 'yes' : 'NO',
      flush: fl ? `${fl.count} calls, timedOut ${fl.timedOut}, delivered ${fl.deliveredMin}–${fl.deliveredMax}/call, failed ${fl.failed}, dropped ${fl.dropped}, pending ${fl.pending}, ${Object.entries(fl.actions).map(([a, n]) => `${a}×${n}`).join(' ')}, waitedMillis med ${fl.waitedMedian} p99 ${fl.waitedP99} max ${fl.waitedMax}` : row.client === 'tracewire' ? '— (no @FlushOnExit)' : '—',
    });
    if (row.client === 'tracewire' && r && !r.error) {
      const idsOk = s.distinctIds === expected && s.endedIds === expected;
      targetRows.push({ row: row.label, target: `sink got every span (${expected} ids, all ended)`, measured: `${s.distinctIds} ids, ${s.endedIds} ended, dup ops ${s.duplicateOps}`, result: idsOk ? 'PASS' : 'FAIL' });
      if (fl) targetRows.push({ row: row.label, target: 'no @FlushOnExit timeout', measured: `timedOut ${fl.timedOut} of ${fl.count}`, result: fl.timedOut === 0 ? 'PASS' : 'FAIL' });
    }
    if (s.otherRequests) problems.push(`${row.label}: sink got other requests: ${s.otherPaths.join(', ')}`);
    if (s.parseErrors || s.undecodable) problems.push(`${row.label}: sink parse errors ${s.parseErrors}, undecodable bodies ${s.undecodable}`);
  }
  console.log('');
  console.log('delivery (sink counts include warm-up invocations and the drained T invocations):');
  printTable(
    [
      { key: 'row', title: 'row' },
      { key: 'requests', title: 'requests', right: true },
      { key: 'ingest', title: 'ingest requests' },
      { key: 'info', title: 'GET /info', right: true },
      { key: 'bpr', title: 'bytes/ingest req', right: true },
      { key: 'ops', title: 'post / patch ops', right: true },
      { key: 'ids', title: 'runs recv', right: true },
      { key: 'ended', title: 'ended recv', right: true },
      { key: 'expected', title: 'expected', right: true },
      { key: 'dup', title: 'dup ops', right: true },
      { key: 'ok', title: 'all recv' },
      { key: 'flush', title: 'FlushResult over the measured F invocations (onFlushResult)' },
    ],
    deliveryRows,
  );
  console.log(`expected = ${SPANS_PER_INVOCATION} × traced invocations (T + F, warm-up included); dup ops = an id posted more than once + an id patched more than once.`);
  for (const run of runs) {
    const st = run.result && run.result.stats;
    if (!st) continue;
    console.log(`  ${run.row.label}: stats() before shutdown: started ${st.spansStarted}, ended ${st.spansEnded}, delivered ${st.delivered}, failed ${st.failed}, pending ${st.pending}, dropped ${st.dropped.total}, exportRequests ${st.exportRequests}`);
  }

  printTargets('targets (tracewire):', { key: 'row', title: 'row' }, targetRows);

  printChildStderr(runs, (run) => run.row.label, 'row');
  for (const p of problems) console.log(`problem: ${p}`);

  if (profileDir) {
    for (const run of runs) {
      if (!run.profile || !run.result || !run.result.marks || !fs.existsSync(run.profile)) continue;
      const p = profileSelfTimes(run.profile, marksToUs(run.result.marks.t0), marksToUs(run.result.marks.t1), PROFILE_TOP);
      console.log('');
      console.log(`cpu profile ${run.row.label}, measured loop (U + T + F + drains): ${p.totalMs.toFixed(1)} ms of samples; top ${PROFILE_TOP} by self time`);
      printProfile(p);
    }
    console.log(`\n(profiles kept in ${profileDir})`);
  }

  console.log('');
  console.log(`${targetCounts(targetRows)} | total time ${((performance.now() - started) / 1000).toFixed(1)} s | loadavg now: ${loadavg()} (other load on ${os.cpus().length} cores inflates tails)`);
  if (problems.length) process.exitCode = 1;
}

if (process.argv[2] === '--child') {
  childMain(process.argv[3]);
} else {
  main().catch((error) => {
    console.error(error);
    process.exitCode = 1;
  });
}
