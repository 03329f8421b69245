'use strict';
/**
 * bench/pipeline.js — the delivery pipeline end to end: from traced calls to
 * runs arriving at a (loopback) LangSmith-compatible server.
 *
 *   npm run build   (tsc alone does not make dist/tracewire.cjs, the entry this loads)
 *   node bench/pipeline.js
 *
 * bench/overhead.js times the tracer on the caller's path with a no-op
 * exporter. This one times what happens AFTER the calls: batching, JSON
 * serialization, HTTP delivery, and the memory held while spans wait. Why:
 * a user awaiting `awaitPendingTraceBatches()` at the end of a serverless
 * handler pays the flush time, the queue is what an outage fills, and "no
 * span lost" is the product's promise. Targets for tracewire, with DEFAULT
 * delivery settings (maxBatchSize 100 runs — a span whose start and end
 * share a batch is one run —, flushIntervalMillis 1000, maxConcurrentExports
 * 4, maxQueueSize 100 000 events):
 *   - nothing lost: sink received 20 000 distinct run ids, FlushResult
 *     delivered === 20 000, stats().dropped.total === 0;
 *   - flush of 20 000 spans < 250 ms (last call returned → awaitPending resolved);
 *   - requests ≤ ceil(2 × spans ÷ 100) + 2 = 402 (a span is 2 events: start, end);
 *   - peak RSS < 150 MB (judged on the kernel's high-water mark of the child's
 *     own image, Linux's VmHWM; see bench/support/peak-rss.js);
 *   - dead exporter, no leak while the exporter is down (both must hold):
 *       heapUsed after a forced full gc at 1M spans ≤ heapUsed at 250k + 10 MB, and
 *       RSS at 1M ≤ median(RSS at 500k, RSS at 750k) + 30 MB;
 *     and the accounting identity spansEnded === delivered + dropped.total +
 *     pending at every snapshot.
 *     Why these two and not "RSS at 1M ≤ RSS at 250k + 30 MB" (the old
 *     criterion): RSS almost never shrinks (freed heap pages stay mapped, and
 *     the 250k sample is taken right after the start-up transient — queue
 *     filling to maxQueueSize, first retries — so it tends to BE the peak);
 *     comparing to it lets real growth hide under the early high-water mark.
 *     heapUsed is measured right after global.gc() (full, the child runs
 *     with --expose-gc), so it is the live JS heap: what a leak of spans,
 *     events, closures or timers retains. 250k is past the transient (the
 *     queue is full after 50k spans: 100 000 events = 50 000 spans), so
 *     heapUsed there is the steady state; +10 MB over the next 750k spans
 *     catches any leak above ~14 B/span. RSS is kept for what the heap does
 *     not see (Buffers / sockets / native memory); its reference is the
 *     median of the 500k and 750k samples — both well inside the steady
 *     state, so neither is the start-up peak — and a linear leak puts 1M
 *     375k spans above their midpoint: +30 MB catches ≥ ~84 B/span off-heap.
 *     (With two samples the median is their mean; written as the median so
 *     adding checkpoints keeps it robust to one outlier.)
 * MB here = 2^20 bytes.
 *
 * Cost per span against the floor (issue 17), the first rows run:
 *   the floor is a hand-rolled tracer (bench/floor/floor-tracer.js: AsyncLocalStorage,
 *   a run object with a UUIDv7 and timestamps, one JSON.stringify per run, one
 *   keep-alive POST /runs/batch per 100 runs). Per rep (×TW_REPS, interleaved so
 *   drift hits all alike): for tight-loop and concurrent, the floor, then tracewire
 *   with LangSmith multipart (default), LangSmith batch and OTLP http/json; then the
 *   "held" rows: 100 000 sync spans held unsent (floor: its run texts; tracewire:
 *   manual mode, no-op exporter), live heap after gc ÷ spans. Printed: CPU µs per
 *   span (child process.cpuUsage(), first call → flush resolved) and its ratio to
 *   the floor of the same rep (median of the per-rep ratios), the system part of that
 *   CPU, the same CPU by thread (main thread, where JavaScript runs, and the others: mostly V8's
 *   background compilation and GC; bench/support/thread-cpu.js, Linux) and the minor page faults over the same span (process.resourceUsage(): first
 *   touches of new memory, the heap-growth share of a fresh process), the ArrayBuffer bytes held when the last call
 *   returned (process.memoryUsage().arrayBuffers: in a sequential row, every request body made so far) and the child's
 *   full collections (mark-compacts, counted from node --trace-gc on its stdout), heap bytes per queued
 *   span; judged: ≤ 1.2× the floor with nothing lost, ≤ 400 B per queued span.
 *   Padded floors (not judged), in the same reps: after each rep's exporters, the floor
 *   again once per judged exporter, each run's text followed by spaces so that it sends
 *   that exporter's bytes per run as measured in the rep (FloorTracer's padBytes): what
 *   moving a wire format's bytes costs by itself. Printed: the exporter's CPU ÷ its padded
 *   floor's ("× floor at its bytes/run"), what is left once both send the same bytes.
 *   Steady-state rows (not judged), in the same reps: the floor and each exporter again,
 *   each in a fresh child that first runs the same calls and flush once unmeasured
 *   (BENCH_STEADY=1), then measures a second round: per-span cost apart from the
 *   one-off warm-up (lazy compilation, JIT tiers, first sockets, heap growth) that the
 *   judged fresh-process figure includes.
 *
 * Options (none needed for the normal run):
 *   --cost               only the cost rows above (≈ 1 min on an idle 2-core machine).
 *   --cpu-prof           tracewire and floor tight-loop/concurrent children run under
 *                        V8's profiler; prints the top functions by self time
 *                        in the "calls" and "flush" phases (timings inflated).
 *   --against=DIR        also runs the judged cost rows (LangSmith multipart, batch, OTLP;
 *                        fresh and steady) with DIR/dist, another built checkout, in the
 *                        same reps: a before/after whose ratios share their floor.
 *   --node-flags="F …"   every child (floor and tracewire alike) runs with these node/V8
 *                        flags. `--node-flags=--single-threaded` puts all of V8's work
 *                        (TurboFan compilation, GC) on the main thread: CPU per span is
 *                        then the total work, not spread over V8's background threads;
 *                        add `--no-opt` to see what the optimizing compiler buys each.
 *   --only=a,b           run only the rows whose "client scenario" contains a
 *                        or b (e.g. --only=tracewire, --only=dead).
 *   BENCH_NO_INFO=1      the sink answers GET /info with 404 (langsmith then
 *                        logs a warning, asks /info a few more times and uses
 *                        its defaults — still multipart, 100 ops per request,
 *                        uncompressed: same numbers as with /info). Not for
 *                        the "langsmith tight-loop batch" row, which needs /info.
 *                        Row names for --only: "tracewire tight-loop otlp",
 *                        "langsmith tight-loop batch", … (see "Exporter rows").
 *
 * How:
 * - The PARENT process runs the sink (node:http on 127.0.0.1, random port,
 *   a fresh one per scenario run) and prints the tables. Every scenario runs
 *   in a fresh CHILD (this script forked with `--child <client> <scenario>`),
 *   so RSS is clean and the sink never shares the child's event loop or
 *   heap. Children report one JSON message over IPC, then must exit on their
 *   own (a child still alive 5 s later exits with code 3, reported).
 * - The sink speaks enough LangSmith (and OTLP/HTTP) for every row:
 *     GET  /info            → 200 {"version":"0.0.0","batch_ingest_config":
 *                             {"size_limit":100,"size_limit_bytes":20971520}}
 *     POST /runs/batch      → 200 {}; JSON {post:[run], patch:[run]}
 *     POST /runs/multipart  → 202 {}; multipart/form-data
 *     POST /v1/traces       → 200 {}; OTLP/HTTP JSON, resourceSpans[].scopeSpans[].spans[]
 *                             (a run = a distinct spanId; "ended" = has endTimeUnixNano)
 *     any other request     → 200 {} (counted as "other", paths listed)
 *   It only buffers and answers; bodies are parsed after the child has
 *   exited, so parsing never competes with the child for a core while it is
 *   timed. Counting: distinct run ids from post[]/patch[] (batch) or from the
 *   part names `post.<id>` / `patch.<id>` (multipart); "ended" ids are those
 *   whose record (the JSON of that part) has end_time.
 *   Compression: Content-Encoding gzip is gunzipped. zstd is not decodable
 *   in Node 20 (zlib has no zstd before 22.15), so such a body would count as
 *   a request and bytes with its ids "undecodable". langsmith compresses
 *   only when /info advertises instance_flags (gzip_body_enabled /
 *   zstd_compression_enabled); the /info above has none, so it sends plain
 *   multipart — the per-run detail lines show 0 gzip/zstd bodies.
 *   "bytes/run" = request-body bytes as received (compressed if compressed),
 *   over all ingest requests, ÷ distinct run ids received.
 * - Scenarios (20 000 spans each):
 *     tight-loop  20 000 calls of traced sync f(a, b) in a plain for loop, no
 *                 awaits; then awaitPendingTraceBatches(). langsmith's
 *                 traceable() returns a Promise even for a sync fn: the loop
 *                 collects the promises without awaiting (that is the tight
 *                 loop), then awaits them all ("settle ms"), and only then
 *                 does the flush timing start.
 *     concurrent  await Promise.all(20 000 × g(i)), g = traced async
 *                 function g(i) { await null; return i; }; then
 *                 awaitPendingTraceBatches(). ns/call = (Promise.all resolved −
 *                 start) ÷ calls, i.e. including settling.
 *   flush ms = last call returned (tight-loop; langsmith: all promises
 *   settled) or Promise.all resolved (concurrent) → awaitPendingTraceBatches()
 *   resolved. tracewire's runs use its default flush deadline (5 s).
 *   langsmith: `new Client({ apiUrl: sink, apiKey: 'bench', autoBatchTracing:
 *   true })` passed as traceable(fn, { name, client, tracingEnabled: true }),
 *   LANGSMITH_TRACING=true in its child; killed after 120 s ("timeout").
 *   tracewire scenarios run TW_REPS times (fresh child each); every run is a row.
 * - RSS: process.memoryUsage.rss() read before and after the calls and at
 *   the end ("RSS read MB": the largest of the three); the judged peak is
 *   the kernel's high-water mark of the whole child, start-up included
 *   (bench/support/peak-rss.js: Linux's VmHWM; process.resourceUsage().maxRSS
 *   would also count this parent's RSS when the child was forked). No interval samples RSS any more: its reads
 *   (≈ 0.1 ms each on a loaded machine, every 5 ms) were counted in the
 *   child's CPU per span, and more for the rows whose flush takes longer.
 * - Exporter rows (bytes per run on the wire per exporter): tight-loop, one
 *   fresh child each, after the rows above (whose tracewire tight-loop ×3 and
 *   langsmith tight-loop are the default-exporter entries of that table):
 *     tracewire batch      LangSmithExporter({ endpoint, apiKey, mode: 'batch' }) → POST /runs/batch
 *     tracewire gzip       LangSmithExporter({ endpoint, apiKey, gzip: true }) → multipart, gzip;
 *                          bytes counted compressed, as received
 *     tracewire otlp       OtlpHttpExporter({ endpoint: sink }) → POST /v1/traces, http/json
 *                          (OTEL_* variables are removed from every child's environment)
 *     tracewire jsonl      JsonlFileExporter({ path }) in a fresh temp dir: no HTTP; after the
 *                          child exits the parent reads the file: bytes/run = file size ÷
 *                          distinct ids in it ("runs recv"); the file is then deleted
 *     langsmith batch      the same Client, but this row's sink serves /info with
 *                          batch_ingest_config.use_multipart_endpoint: false, which is how
 *                          langsmith's Client picks POST /runs/batch (it has no option for it)
 *   The tracewire ones are judged on the same targets as the default row
 *   (requests: not for the file). Then the issue's comparison: tracewire's
 *   bytes/run must be ≤ langsmith's, multipart vs multipart and batch vs
 *   batch, as measured here (the issue's reference for a no-op run —
 *   langsmith ≈ 1 370 B/run multipart, 534 B/run batch JSON — is printed
 *   alongside, not judged; it stands in only if a langsmith row is missing).
 * - dead-exporter (tracewire only): the sink answers 503 to everything.
 *   1 000 000 calls of traced sync f, yielding one macrotask every 10 000 so
 *   exports and retries run. At 100k/250k/500k/750k/1M spans: global.gc()
 *   (child forked with --expose-gc), then RSS, heapUsed and stats(). At the
 *   end stats() at once (retries still running), then again after
 *   shutdown({ timeoutMillis: 2000 }); the identity is checked at each point.
 */

const os = require('node:os');
const fs = require('node:fs');
const path = require('node:path');
const { performance } = require('node:perf_hooks');
const { ROOT, nodeLine, cpuLine, versionOf } = require('./support/machine');
const { printTable: printAligned, printTargets, targetCounts } = require('./support/table');
const { median } = require('./support/stats');
const { startSink } = require('./support/loopback-sink');
const { childEnv, forkChild, reportToParent, exitProblem, printChildStderr } = require('./support/child-process');
const { profileSelfTimes, printProfile, marksToUs } = require('./support/cpu-profile');
const { threadCpu, threadCpuPerSpan } = require('./support/thread-cpu');

const { DIST, entryOf, distMissing } = require('./support/dist');
const { childFloor, childHeld } = require('./floor/children');
const { peakRssKb } = require('./support/peak-rss');
const { printCostTables } = require('./floor/cost-report');

// ---- sizes and targets ------------------------------------------------------
// BENCH_SPANS: a child's span count (bench/instructions.js runs children of 0 spans, to count a process without any).
const SPANS = process.env.BENCH_SPANS === undefined ? 20_000 : Number(process.env.BENCH_SPANS);
const TW_REPS = Number(process.env.TW_REPS) || 3; // fresh child per run, tracewire tight-loop and concurrent (TW_REPS=1 for a quick look while developing)
const DEAD_SPANS = 1_000_000;
const DEAD_YIELD_EVERY = 10_000;
const DEAD_CHECKPOINTS = [100_000, 250_000, 500_000, 750_000, 1_000_000];
const DEFAULT_MAX_BATCH_SIZE = 100; // the target's divisor: events per request (tracewire's default maxBatchSize is 100 runs, lib/config.ts)
const TARGET_FLUSH_MS = 250;
const TARGET_REQUESTS = Math.ceil((2 * SPANS) / DEFAULT_MAX_BATCH_SIZE) + 2; // 402
const TARGET_PEAK_RSS_MB = 150;
const TARGET_FLAT_MB = 30; // RSS at 1M vs median(RSS at 500k, 750k)
const TARGET_HEAP_GROWTH_MB = 10; // heapUsed after gc, 1M vs 250k
const DEAD_RSS_REF_AT = [500_000, 750_000]; // RSS reference = median of these samples
const CHILD_TIMEOUT_MS = 120_000;
const PROFILE_TOP = 12;
const AGAINST = ((a) => (a ? path.resolve(a.slice('--against='.length)) : undefined))(process.argv.find((a) => a.startsWith('--against=')));
/** --node-flags="…": node/V8 flags for every child (see the header). */
const NODE_FLAGS = (process.argv.find((a) => a.startsWith('--node-flags='))?.slice('--node-flags='.length) ?? '').split(' ').filter(Boolean);
let PROFILE_DIR; // set by --cpu-prof: tracewire tight-loop/concurrent children write .cpuprofile files here
const SERVER_INFO = { version: '0.0.0', batch_ingest_config: { size_limit: 100, size_limit_bytes: 20_971_520 } };
// The /info served for the "langsmith batch" row: langsmith's Client posts to /runs/batch when use_multipart_endpoint is false
// (Client._processBatch in node_modules/langsmith/lib/client.js; the Client has no constructor option for it).
const SERVER_INFO_NO_MULTIPART = { ...SERVER_INFO, batch_ingest_config: { ...SERVER_INFO.batch_ingest_config, use_multipart_endpoint: false } };
// Exporter rows: tight-loop, one run each, bytes per run on the wire per exporter. `undefined` variant = the default rows.
const TW_EXPORTER_VARIANTS = ['batch', 'gzip', 'otlp', 'jsonl'];
// Cost rows (CPU per span vs the floor): undefined = the default exporter (LangSmith multipart).
// 'fetch' = the same multipart exporter on the fetch transport (the edge entry's), for node:http vs fetch on Node (issue 10).
const COST_VARIANTS = [undefined, 'batch', 'otlp', 'fetch'];
const EXPORTER_LABEL = {
  'tracewire multipart': "tracewire LangSmithExporter (default: multipart)",
  'tracewire batch': "tracewire LangSmithExporter mode 'batch'",
  'tracewire gzip': 'tracewire LangSmithExporter gzip: true (multipart)',
  'tracewire fetch': 'tracewire LangSmithExporter multipart over fetch (edge transport)',
  'tracewire otlp': 'tracewire OtlpHttpExporter (http/json)',
  'tracewire jsonl': 'tracewire JsonlFileExporter (a file, no HTTP)',
  'langsmith multipart': 'langsmith Client (multipart)',
  'langsmith batch': 'langsmith Client (batch: /info use_multipart_endpoint false)',
  'floor batch': 'floor (hand-rolled tracer, bench/floor/)',
  'floor batch at multipart': "floor padded to multipart's bytes/run (not judged)",
  'floor batch at batch': "floor padded to tracewire batch's bytes/run (not judged)",
  'floor batch at otlp': "floor padded to OTLP's bytes/run (not judged)",
};
const EXPORTER_WIRE = {
  multipart: 'POST /runs/multipart',
  batch: 'POST /runs/batch',
  gzip: 'POST /runs/multipart, gzip',
  otlp: 'POST /v1/traces',
  fetch: 'POST /runs/multipart (fetch)',
  jsonl: 'appends to a .jsonl file',
};
// The issue's reference: what langsmith sends for a no-op run (bytes per run).
const ISSUE_REF_BYTES_PER_RUN = { multipart: 1_370, batch: 534 };

const MB = 2 ** 20;
const hr = process.hrtime.bigint;
const msSince = (t) => Number(hr() - t) / 1e6;
const printTable = (columns, rows) => printAligned(columns, rows, { trimEnd: true });

// =============================================================================
// Parent: running one child
// =============================================================================

/** Forks this script as a child for one scenario; resolves with its result, the sink's counts and its stderr. */
async function runScenario(client, scenario, sinkMode, rep, variant, steady = false, against = undefined, padBytes = undefined) {
  const info = client === 'langsmith' && variant === 'batch' ? SERVER_INFO_NO_MULTIPART : SERVER_INFO;
  // BENCH_NO_INFO=1: GET /info answers 404 (see the header).
  const sink = await startSink({ mode: sinkMode, info, infoStatus: process.env.BENCH_NO_INFO === '1' ? 404 : 200 });
  const env = childEnv(sink.url, { langsmith: client === 'langsmith', alsoStrip: ['OTEL_'] });
  if (steady) env.BENCH_STEADY = '1'; // a warm-up round first, in the same process; only the second is measured
  if (against) env.BENCH_DIST = entryOf(against);
  if (padBytes !== undefined) env.BENCH_FLOOR_PAD_BYTES = String(padBytes);
  let jsonlDir;
  if (variant === 'jsonl') {
    jsonlDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tw-pipeline-jsonl-'));
    env.BENCH_JSONL_PATH = path.join(jsonlDir, 'runs.jsonl');
  }
  const profile = PROFILE_DIR && client !== 'langsmith' && scenario !== 'dead-exporter' && scenario !== 'held' ? path.join(PROFILE_DIR, `${client}-${scenario}-${variant || 'multipart'}${steady ? '-steady' : ''}-${rep}.cpuprofile`) : undefined;
  const execArgv = scenario === 'dead-exporter' || scenario === 'held' ? ['--expose-gc', ...NODE_FLAGS] : [...NODE_FLAGS];
  // The cost rows count the child's full (mark-compact) collections: one line per collection on stdout, parsed below.
  const countsGcs = client !== 'langsmith' && (scenario === 'tight-loop' || scenario === 'concurrent');
  if (countsGcs) execArgv.push('--trace-gc');
  if (profile) execArgv.push('--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`, `--cpu-prof-name=${path.basename(profile)}`);
  const outcome = await forkChild(__filename, ['--child', client, scenario, ...(variant ? [variant] : [])], { env, execArgv, timeoutMs: CHILD_TIMEOUT_MS });
  const counts = await sink.close();
  let file;
  if (jsonlDir) {
    file = readJsonlFile(env.BENCH_JSONL_PATH);
    fs.rmSync(jsonlDir, { recursive: true, force: true });
  }
  const fullGcs = countsGcs ? (outcome.stdout.match(/Mark-Compact/g) ?? []).length : undefined;
  return { client, scenario, variant, steady, against, padBytes, profile, ...outcome, fullGcs, file, sink: counts };
}


/** A JsonlFileExporter file, read after its child exited: size, lines, distinct run ids, ids seen with end_time. */
function readJsonlFile(file) {
  if (!fs.existsSync(file)) return { bytes: 0, lines: 0, distinctIds: 0, endedIds: 0, parseErrors: 0, missing: true };
  const text = fs.readFileSync(file, 'utf8');
  const ids = new Set();
  const ended = new Set();
  let lines = 0;
  let parseErrors = 0;
  for (const line of text.split('\n')) {
    if (!line) continue;
    lines++;
    let rec;
    try {
      rec = JSON.parse(line);
    } catch {
      parseErrors++;
      continue;
    }
    if (!rec || typeof rec.id !== 'string') continue;
    ids.add(rec.id);
    if (rec.end_time != null) ended.add(rec.id);
  }
  return { bytes: Buffer.byteLength(text), lines, distinctIds: ids.size, endedIds: ended.size, parseErrors };
}

// =============================================================================
// Child side
// =============================================================================

function startRssSampler() {
  let peak = process.memoryUsage.rss();
  const sample = () => {
    const rss = process.memoryUsage.rss();
    if (rss > peak) peak = rss;
    return rss;
  };
  return {
    sample,
    stop() {
      sample();
      return { peakSampledMB: peak / MB, maxRssMB: peakRssKb() / 1024 };
    },
  };
}

function tracewireExporter(tw, sinkUrl, variant) {
  const { OtlpHttpExporter, JsonlFileExporter, LangSmithExporter } = tw;
  switch (variant) {
    case undefined:
      return new LangSmithExporter({ endpoint: sinkUrl, apiKey: 'bench' });
    case 'batch':
      return new LangSmithExporter({ endpoint: sinkUrl, apiKey: 'bench', mode: 'batch' });
    case 'gzip':
      return new LangSmithExporter({ endpoint: sinkUrl, apiKey: 'bench', gzip: true });
    case 'otlp':
      return new OtlpHttpExporter({ endpoint: sinkUrl });
    case 'fetch': {
      // The edge entry's class (web fetch) run on Node, against the default's node:http.
      const edge = require(path.join(path.dirname(childDist()), 'lib/exporters/langsmith/langsmith-fetch-exporter.js'));
      return new edge.LangSmithExporter({ endpoint: sinkUrl, apiKey: 'bench' });
    }
    case 'jsonl':
      return new JsonlFileExporter({ path: process.env.BENCH_JSONL_PATH });
    default:
      throw new Error(`unknown exporter variant ${variant}`);
  }
}

/** The build a tracewire child loads: this checkout's dist/, or (--against) another checkout's. */
const childDist = () => process.env.BENCH_DIST || DIST;

async function childTracewire(scenario, sinkUrl, variant) {
  const tw = require(childDist());
  const client = new tw.TracingClient({ exporter: tracewireExporter(tw, sinkUrl, variant) });
  tw.setGlobalTracingClient(client);
  const rss = startRssSampler();
  const f = tw.traceable(function f(a, b) { return a + b; });
  const g = tw.traceable(async function g(i) { await null; return i; });
  // BENCH_STEADY: the steady-state rows. One round of the same calls and flush first, in this process, so what is
  // measured next is the per-span cost without the one-off warm-up (lazy compilation, JIT, first sockets, heap growth).
  if (process.env.BENCH_STEADY === '1') {
    await callsRound(scenario, f, g);
    await client.awaitPendingTraceBatches();
  }
  const rssBeforeMB = rss.sample() / MB;
  const threads0 = threadCpu();
  const cpu0 = process.cpuUsage();
  const faults0 = process.resourceUsage().minorPageFault;
  const { t0, callsDone, acc } = await callsRound(scenario, f, g);
  const threadsAfterCalls = threadCpu();
  const rssAfterCallsMB = rss.sample() / MB;
  const arrayBuffersAfterCallsMB = process.memoryUsage().arrayBuffers / MB;
  const flushResult = await client.awaitPendingTraceBatches();
  const flushDone = hr();
  const cpu = process.cpuUsage(cpu0);
  const threads = threadCpuPerSpan(threads0, threadCpu(), SPANS, threadsAfterCalls);
  const faults = process.resourceUsage().minorPageFault - faults0;
  const flushMs = Number(flushDone - callsDone) / 1e6;
  const mem = rss.stop();
  const stats = client.stats();
  const shutdownResult = await client.shutdown();
  return {
    nsPerCall: Number(callsDone - t0) / SPANS,
    settleMs: 0,
    flushMs,
    flushResult,
    stats,
    statsAfterShutdown: client.stats(),
    shutdownResult,
    rssBeforeMB,
    rssAfterCallsMB,
    arrayBuffersAfterCallsMB,
    ...mem,
    cpuUsPerSpan: (cpu.user + cpu.system) / SPANS,
    sysUsPerSpan: cpu.system / SPANS,
    ...threads,
    faultsPer100Spans: (faults * 100) / SPANS,
    marks: { t0: String(t0), callsDone: String(callsDone), flushDone: String(flushDone) },
    check: acc,
  };
}

/** SPANS traced calls: sync f in a plain loop (tight-loop) or async g all at once (concurrent). */
async function callsRound(scenario, f, g) {
  let acc = 0;
  let t0;
  if (scenario === 'tight-loop') {
    t0 = hr();
    for (let i = 0; i < SPANS; i++) acc += f(i, 1);
  } else {
    t0 = hr();
    const values = await Promise.all(Array.from({ length: SPANS }, (_, i) => g(i)));
    acc = values.length;
  }
  return { t0, callsDone: hr(), acc };
}

async function childLangsmith(scenario, sinkUrl) {
  const { Client } = require('langsmith');
  const { traceable } = require('langsmith/traceable');
  const version = versionOf('langsmith');
  const client = new Client({ apiUrl: sinkUrl, apiKey: 'bench', autoBatchTracing: true });
  const rss = startRssSampler();
  const rssBeforeMB = rss.sample() / MB;
  let acc = 0;
  let t0;
  let loopDone;
  let callsDone;
  if (scenario === 'tight-loop') {
    const f = traceable(function f(a, b) { return a + b; }, { name: 'f', client, tracingEnabled: true });
    const promises = new Array(SPANS);
    t0 = hr();
    for (let i = 0; i < SPANS; i++) promises[i] = f(i, 1);
    loopDone = hr();
    const values = await Promise.all(promises);
    callsDone = hr();
    for (const v of values) acc += v;
  } else {
    const g = traceable(async function g(i) { await null; return i; }, { name: 'g', client, tracingEnabled: true });
    t0 = hr();
    const values = await Promise.all(Array.from({ length: SPANS }, (_, i) => g(i)));
    loopDone = callsDone = hr();
    acc = values.length;
  }
  const rssAfterCallsMB = rss.sample() / MB;
  await client.awaitPendingTraceBatches();
  const flushMs = msSince(callsDone);
  const mem = rss.stop();
  return {
    version,
    nsPerCall: Number(loopDone - t0) / SPANS,
    settleMs: Number(callsDone - loopDone) / 1e6,
    flushMs,
    rssBeforeMB,
    rssAfterCallsMB,
    ...mem,
    check: acc,
  };
}

async function childDeadExporter(sinkUrl) {
  const tw = require(DIST);
  const client = new tw.TracingClient({ exporter: new tw.LangSmithExporter({ endpoint: sinkUrl, apiKey: 'bench' }) });
  tw.setGlobalTracingClient(client);
  const f = tw.traceable(function f(a, b) { return a + b; });
  const gc = typeof global.gc === 'function' ? global.gc : () => {};
  const samples = [];
  let acc = 0;
  const t0 = hr();
  for (let i = 1; i <= DEAD_SPANS; i++) {
    acc += f(i, 1);
    if (i % DEAD_YIELD_EVERY === 0) {
      await new Promise(setImmediate);
      if (DEAD_CHECKPOINTS.includes(i)) {
        gc();
        const m = process.memoryUsage();
        samples.push({ spans: i, rssMB: m.rss / MB, heapUsedMB: m.heapUsed / MB, heapTotalMB: m.heapTotal / MB, externalMB: m.external / MB, stats: client.stats(), atMs: msSince(t0) });
      }
    }
  }
  const loopMs = msSince(t0);
  const statsAtEnd = client.stats();
  const t1 = hr();
  const shutdownResult = await client.shutdown({ timeoutMillis: 2000 });
  const shutdownMs = msSince(t1);
  const statsAfterShutdown = client.stats();
  await new Promise((resolve) => setTimeout(resolve, 500));
  const statsLater = client.stats();
  return {
    gcAvailable: typeof global.gc === 'function',
    samples,
    loopMs,
    nsPerCall: (loopMs * 1e6) / DEAD_SPANS,
    statsAtEnd,
    shutdownResult,
    shutdownMs,
    statsAfterShutdown,
    statsLater,
    maxRssMB: peakRssKb() / 1024,
    check: acc,
  };
}

function childMain(client, scenario, variant) {
  const sinkUrl = process.env.BENCH_SINK_URL;
  reportToParent(() => {
    if (scenario === 'held') return childHeld(client, DIST, sinkUrl, variant);
    if (client === 'floor') return childFloor(scenario, sinkUrl, SPANS, startRssSampler(), process.env.BENCH_STEADY === '1', Number(process.env.BENCH_FLOOR_PAD_BYTES ?? 0));
    if (client === 'tracewire' && scenario === 'dead-exporter') return childDeadExporter(sinkUrl);
    if (client === 'tracewire') return childTracewire(scenario, sinkUrl, variant);
    return childLangsmith(scenario, sinkUrl);
  });
}

// =============================================================================
// Parent: --cpu-prof summaries
// =============================================================================

function printProfiles(runs) {
  for (const run of runs) {
    if (!run.profile || !run.result || !run.result.marks || !fs.existsSync(run.profile)) continue;
    const m = run.result.marks;
    for (const [phase, from, to] of [['calls', m.t0, m.callsDone], ['flush', m.callsDone, m.flushDone]]) {
      const p = profileSelfTimes(run.profile, marksToUs(from), marksToUs(to), PROFILE_TOP);
      console.log('');
      console.log(`cpu profile ${run.client} ${run.scenario} #${run.rep}, phase "${phase}": ${p.totalMs.toFixed(1)} ms of samples${p.inRange ? '' : ' (WARNING: marks outside the profile\'s time range)'}; top ${PROFILE_TOP} by self time`);
      printProfile(p);
    }
  }
  console.log(`\n(profiles kept in ${PROFILE_DIR}; open in Chrome DevTools → Performance, or VS Code)`);
}


// =============================================================================
// Parent: main and report
// =============================================================================

const runName = (p) => `${p.client} ${p.scenario}${p.variant ? ` ${p.variant}` : ''}${p.padFor ? ` at ${p.padFor} bytes` : ''}${p.steady ? ' steady' : ''}${p.against ? ' against' : ''} #${p.rep}`;
const exporterKey = (run) => (run.client === 'floor' ? `floor batch${run.padFor ? ` at ${run.padFor}` : ''}` : `${run.client} ${run.variant || 'multipart'}`);
const receivedIds = (run) => (run.file ? run.file.distinctIds : run.sink.distinctIds);
const endedIds = (run) => (run.file ? run.file.endedIds : run.sink.endedIds);
const bytesPerRun = (run) => {
  const n = receivedIds(run);
  return n ? (run.file ? run.file.bytes : run.sink.ingestBodyBytes) / n : NaN;
};
/**
 * Padding that brings the floor's runs to the bytes per run of `p.padFor`'s exporter, both as measured earlier in the
 * same rep and scenario (fresh processes); 0 if either is missing (a failed run, or --only left it out).
 */
function floorPadFor(runs, p) {
  const same = (r) => r.scenario === p.scenario && r.rep === p.rep && !r.steady && !r.against && r.result && !r.result.error;
  const exporter = runs.find((r) => same(r) && r.client === 'tracewire' && (r.variant ?? 'multipart') === p.padFor);
  const floor = runs.find((r) => same(r) && r.client === 'floor' && !r.padFor);
  if (!exporter || !floor) return 0;
  return Math.max(0, Math.round(bytesPerRun(exporter) - bytesPerRun(floor)));
}
const fmtFlush = (r) => (r ? `d=${r.delivered} f=${r.failed} x=${r.dropped} p=${r.pending}${r.timedOut ? ' TIMEOUT' : ''}` : '—');
const identity = (s) => s.spansEnded === s.delivered + s.dropped.total + s.pending;
const fmtStats = (s) =>
  `started ${s.spansStarted}, ended ${s.spansEnded}, delivered ${s.delivered}, failed ${s.failed}, pending ${s.pending}, ` +
  `dropped ${s.dropped.total} (queueFull ${s.dropped.queueFull}, exportFailed ${s.dropped.exportFailed}, afterShutdown ${s.dropped.afterShutdown}, sampledOut ${s.dropped.sampledOut}), exportRequests ${s.exportRequests}`;
const fmtIdentity = (s) =>
  `${s.spansEnded} ${identity(s) ? '===' : '!=='} ${s.delivered} + ${s.dropped.total} + ${s.pending}${identity(s) ? '' : ` (= ${s.delivered + s.dropped.total + s.pending})`}`;

async function main() {
  const started = performance.now();
  if (distMissing()) return;
  console.log('tracewire pipeline benchmark (batching + HTTP delivery to a loopback LangSmith sink)');
  console.log(nodeLine());
  console.log(cpuLine({ loadavg: true }));
  console.log(`date: ${new Date().toISOString()} | tracewire ${versionOf('tracewire')} (dist, default delivery settings) | langsmith ${versionOf('langsmith')}`);
  console.log(`${SPANS} spans per scenario; one fresh child process per row; tracewire rows ×${TW_REPS}; sink in the parent process; MB = 2^20 B`);
  if (NODE_FLAGS.length > 0) console.log(`--node-flags: every child runs with ${NODE_FLAGS.join(' ')}`);

  if (process.argv.includes('--cpu-prof')) {
    PROFILE_DIR = fs.mkdtempSync(path.join(os.tmpdir(), 'tw-pipeline-prof-'));
    console.log(`--cpu-prof: tracewire tight-loop/concurrent children run under the V8 profiler (timings inflated; see the profile tables at the end)`);
  }
  const plan = [];
  // Cost rows, interleaved: each rep runs the floor and every costed exporter back to back, so drift of the
  // shared machine hits them alike; ratios to the floor are taken within a rep, then the median over reps.
  for (let rep = 1; rep <= TW_REPS; rep++) {
    for (const scenario of ['tight-loop', 'concurrent']) {
      plan.push({ client: 'floor', scenario, rep, sink: 'ok' });
      for (const variant of COST_VARIANTS) plan.push({ client: 'tracewire', scenario, rep, sink: 'ok', variant });
      // The floor again at each judged exporter's bytes per run in this rep (not judged): what its wire format's size costs.
      for (const variant of COST_VARIANTS) if (variant !== 'fetch') plan.push({ client: 'floor', scenario, rep, sink: 'ok', padFor: variant ?? 'multipart' });
    }
    // Steady state: the same, measured in a second round in one process (not judged; it shows per-span cost apart from warm-up).
    for (const scenario of ['tight-loop', 'concurrent']) {
      plan.push({ client: 'floor', scenario, rep, sink: 'ok', steady: true });
      for (const variant of COST_VARIANTS) plan.push({ client: 'tracewire', scenario, rep, sink: 'ok', variant, steady: true });
    }
    // --against=DIR: the judged exporters of another built checkout, fresh and steady, in the same rep (before/after).
    if (AGAINST) {
      for (const steady of [false, true]) {
        for (const scenario of ['tight-loop', 'concurrent']) {
          for (const variant of COST_VARIANTS) if (variant !== 'fetch') plan.push({ client: 'tracewire', scenario, rep, sink: 'ok', variant, steady, against: AGAINST });
        }
      }
    }
    plan.push({ client: 'floor', scenario: 'held', rep, sink: 'ok' });
    plan.push({ client: 'tracewire', scenario: 'held', rep, sink: 'ok' });
    plan.push({ client: 'tracewire', scenario: 'held', rep, sink: 'ok', variant: 'custom' });
  }
  if (!process.argv.includes('--cost')) {
    for (const scenario of ['tight-loop', 'concurrent']) plan.push({ client: 'langsmith', scenario, rep: 1, sink: 'ok' });
    // bytes/run per exporter: tight-loop, one run each (the default tracewire and langsmith rows are above)
    for (const variant of TW_EXPORTER_VARIANTS) if (!COST_VARIANTS.includes(variant)) plan.push({ client: 'tracewire', scenario: 'tight-loop', rep: 1, sink: 'ok', variant });
    plan.push({ client: 'langsmith', scenario: 'tight-loop', rep: 1, sink: 'ok', variant: 'batch' });
    plan.push({ client: 'tracewire', scenario: 'dead-exporter', rep: 1, sink: '503' });
  }
  const only = process.argv.find((a) => a.startsWith('--only='));
  if (only) {
    const words = only.slice(7).split(',');
    const label = (p) => `${p.client} ${p.scenario}${p.variant ? ` ${p.variant}` : ''}${p.steady ? ' steady' : ''}`;
    for (let i = plan.length - 1; i >= 0; i--) if (!words.some((w) => label(plan[i]).includes(w))) plan.splice(i, 1);
    console.log(`--only: running ${plan.map(label).join(', ')}`);
  }

  const runs = [];
  for (const p of plan) {
    process.stderr.write(`  running ${runName(p)} …`);
    const run = await runScenario(p.client, p.scenario, p.sink, p.rep, p.variant, p.steady, p.against, p.padFor && floorPadFor(runs, p));
    run.rep = p.rep;
    run.padFor = p.padFor;
    process.stderr.write(` ${(run.wallMs / 1000).toFixed(1)} s\n`);
    runs.push(run);
  }

  // -- main table ------------------------------------------------------------------
  const problems = [];
  const noteProblems = (run) => {
    const r = run.result;
    if (run.timedOut) return problems.push(`${runName(run)}: timeout`);
    if (!r || r.error) return problems.push(`${runName(run)}: ${r && r.error ? r.error : `child exited ${run.code ?? run.signal} without a result`}`);
    if (run.code !== 0) problems.push(`${runName(run)}: ${exitProblem(run)}`);
  };
  const rowOf = (run) => {
    const r = run.result;
    const base = { client: run.client, scenario: run.scenario, rep: run.rep };
    noteProblems(run);
    if (run.timedOut) return { ...base, ns: 'timeout' };
    if (!r || r.error) return { ...base, ns: 'error' };
    const s = run.sink;
    return {
      ...base,
      ns: Math.round(r.nsPerCall).toLocaleString('en-US'),
      settle: r.settleMs.toFixed(1),
      flush: r.flushMs.toFixed(1),
      requests: s.requests,
      ingest: s.ingestRequests,
      ids: s.distinctIds,
      ended: s.endedIds,
      bpr: s.distinctIds ? Math.round(s.ingestBodyBytes / s.distinctIds) : '—',
      before: r.rssBeforeMB.toFixed(1),
      peak: r.peakSampledMB.toFixed(1),
      maxrss: r.maxRssMB.toFixed(1),
      flushResult: fmtFlush(r.flushResult),
    };
  };
  const deliveryRun = (r) => r.scenario !== 'dead-exporter' && r.scenario !== 'held' && !r.steady && !r.against;
  const mainRuns = runs.filter((r) => deliveryRun(r) && !r.variant && !r.padFor);
  const exporterOnlyRuns = runs.filter((r) => deliveryRun(r) && (r.variant || r.padFor));
  for (const run of exporterOnlyRuns) noteProblems(run);
  console.log('');
  printTable(
    [
      { key: 'client', title: 'client' },
      { key: 'scenario', title: 'scenario' },
      { key: 'rep', title: '#', right: true },
      { key: 'ns', title: 'ns/call', right: true },
      { key: 'settle', title: 'settle ms', right: true },
      { key: 'flush', title: 'flush ms', right: true },
      { key: 'requests', title: 'requests', right: true },
      { key: 'ingest', title: 'ingest req', right: true },
      { key: 'ids', title: 'runs recv', right: true },
      { key: 'ended', title: 'ended recv', right: true },
      { key: 'bpr', title: 'bytes/run on the wire', right: true },
      { key: 'before', title: 'RSS before MB', right: true },
      { key: 'peak', title: 'RSS read MB', right: true },
      { key: 'maxrss', title: 'maxRSS MB', right: true },
      { key: 'flushResult', title: 'FlushResult (delivered failed dropped pending)' },
    ],
    mainRuns.map(rowOf),
  );
  console.log('ns/call: tight-loop = loop time ÷ calls (langsmith: creating the promises only; awaiting them is "settle ms");');
  console.log('         concurrent = start → Promise.all resolved ÷ calls. flush ms: calls done (settled) → awaitPendingTraceBatches() resolved.');
  console.log('requests = every request the sink got (ingest + GET /info + other); runs recv = distinct run ids; ended recv = ids seen with end_time.');
  console.log('RSS read = the largest of process.memoryUsage.rss() before and after the calls and at the end (no interval: its reads would count in the CPU per span); maxRSS = the child\'s own peak RSS (Linux: VmHWM; maxRSS would count the parent\'s RSS at fork: bench/support/peak-rss.js) (judged).');
  for (const run of [...mainRuns, ...exporterOnlyRuns]) {
    const s = run.sink;
    const extras = [];
    if (run.file) extras.push(`file ${run.file.bytes} B, ${run.file.lines} lines, ${run.file.distinctIds} ids (${run.file.endedIds} ended), ${run.file.parseErrors} unparsable lines`);
    if (s.batchRequests) extras.push(`POST /runs/batch ×${s.batchRequests}`);
    if (s.multipartRequests) extras.push(`POST /runs/multipart ×${s.multipartRequests}`);
    if (s.otlpRequests) extras.push(`POST /v1/traces ×${s.otlpRequests}`);
    if (s.infoRequests) extras.push(`GET /info ×${s.infoRequests}`);
    if (s.otherRequests) extras.push(`other ×${s.otherRequests} (${[...s.otherPaths].join(', ')})`);
    const enc = `gzip bodies ${s.gzipBodies}, zstd bodies ${s.zstdBodies} (undecodable ${s.undecodable}), parse errors ${s.parseErrors}`;
    const ingestMB = (s.ingestBodyBytes / 1e6).toFixed(2);
    let tail = '';
    if (run.client === 'tracewire' && run.result && run.result.stats) {
      const st = run.result.stats;
      tail = ` | stats(): exportRequests ${st.exportRequests}, delivered ${st.delivered}, dropped ${st.dropped.total}, pending ${st.pending}`;
    }
    console.log(`  ${runName(run)}: ${extras.join(', ') || 'no requests'}; ingest bodies ${ingestMB} MB; ${enc}${tail}`);
  }

  // -- targets ---------------------------------------------------------------------
  const targetRows = [];
  for (const run of [...mainRuns, ...exporterOnlyRuns].filter((r) => r.client === 'tracewire')) {
    const r = run.result;
    const id = `${run.scenario}${run.variant ? ` ${run.variant}` : ''} #${run.rep}`;
    if (!r || r.error) {
      targetRows.push({ run: id, target: 'run completed', measured: run.timedOut ? 'timeout' : 'error', result: 'FAIL' });
      continue;
    }
    const where = run.file ? 'file' : 'sink';
    const lost = receivedIds(run) === SPANS && r.flushResult.delivered === SPANS && r.stats.dropped.total === 0;
    targetRows.push({
      run: id,
      target: `nothing lost (${where} ${SPANS} ids, delivered ${SPANS}, dropped 0)`,
      measured: `${where} ${receivedIds(run)} ids (${endedIds(run)} ended), delivered ${r.flushResult.delivered}, dropped ${r.stats.dropped.total}`,
      result: lost ? 'PASS' : 'FAIL',
    });
    targetRows.push({ run: id, target: `flush < ${TARGET_FLUSH_MS} ms`, measured: `${r.flushMs.toFixed(1)} ms`, result: r.flushMs < TARGET_FLUSH_MS ? 'PASS' : 'FAIL' });
    if (!run.file) targetRows.push({ run: id, target: `requests ≤ ${TARGET_REQUESTS}`, measured: String(run.sink.requests), result: run.sink.requests <= TARGET_REQUESTS ? 'PASS' : 'FAIL' });
    targetRows.push({ run: id, target: `peak RSS < ${TARGET_PEAK_RSS_MB} MB (maxRSS)`, measured: `${r.maxRssMB.toFixed(1)} MB`, result: r.maxRssMB < TARGET_PEAK_RSS_MB ? 'PASS' : 'FAIL' });
  }

  // -- bytes per run, per exporter (tight-loop) ---------------------------------------
  const exporterRuns = runs.filter((r) => r.scenario === 'tight-loop' && !r.steady && !r.against);
  if (exporterRuns.length) {
    console.log('');
    console.log(`bytes per run on the wire, per exporter (tight-loop, ${SPANS} spans; tracewire default ×${TW_REPS}: median [min–max]; the others one run each):`);
    const groups = new Map(Object.keys(EXPORTER_LABEL).map((k) => [k, []]));
    for (const run of exporterRuns) groups.get(exporterKey(run))?.push(run);
    const fmtMed = (xs, digits = 0) => {
      if (!xs.length) return '—';
      const f = (x) => (digits ? x.toFixed(digits) : Math.round(x).toLocaleString('en-US'));
      const lo = Math.min(...xs);
      const hi = Math.max(...xs);
      return xs.length > 1 && f(lo) !== f(hi) ? `${f(median(xs))} [${f(lo)}–${f(hi)}]` : f(median(xs));
    };
    const rows = [];
    for (const [k, group] of groups) {
      if (!group.length) continue;
      const ok = group.filter((run) => run.result && !run.result.error && !run.timedOut);
      const variant = k.split(' ')[1];
      const row = { exporter: EXPORTER_LABEL[k], wire: EXPORTER_WIRE[variant], n: group.length };
      if (!ok.length) {
        rows.push({ ...row, bpr: group[0].timedOut ? 'timeout' : 'error' });
        continue;
      }
      const isFile = ok.some((run) => run.file);
      rows.push({
        ...row,
        requests: isFile ? '— (file)' : fmtMed(ok.map((run) => run.sink.requests)),
        ingest: isFile ? '—' : fmtMed(ok.map((run) => run.sink.ingestRequests)),
        bpr: fmtMed(ok.map(bytesPerRun)),
        total: fmtMed(ok.map((run) => (run.file ? run.file.bytes : run.sink.ingestBodyBytes) / 1e6), 2),
        flush: fmtMed(ok.map((run) => run.result.flushMs), 1),
        recv: fmtMed(ok.map(receivedIds)),
        ended: fmtMed(ok.map(endedIds)),
        maxrss: fmtMed(ok.map((run) => run.result.maxRssMB), 1),
      });
    }
    printTable(
      [
        { key: 'exporter', title: 'exporter' },
        { key: 'wire', title: 'wire' },
        { key: 'n', title: 'runs', right: true },
        { key: 'requests', title: 'requests', right: true },
        { key: 'ingest', title: 'ingest req', right: true },
        { key: 'bpr', title: 'bytes/run', right: true },
        { key: 'total', title: 'body MB', right: true },
        { key: 'flush', title: 'flush ms', right: true },
        { key: 'recv', title: 'runs recv', right: true },
        { key: 'ended', title: 'ended recv', right: true },
        { key: 'maxrss', title: 'maxRSS MB', right: true },
      ],
      rows,
    );
    console.log('bytes/run = ingest request bodies as received (gzip: compressed) ÷ distinct run ids received; JsonlFileExporter: file size ÷ distinct ids in the file.');
    console.log('OtlpHttpExporter: runs recv = distinct spanId in resourceSpans[].scopeSpans[].spans[]; ended = spans with endTimeUnixNano. body MB = 10^6 B.');

    // The issue's comparison: tracewire is to send no more per run than langsmith.
    const bprOf = (k) => {
      const xs = (groups.get(k) || []).filter((run) => run.result && !run.result.error && !run.timedOut).map(bytesPerRun).filter(Number.isFinite);
      return xs.length ? median(xs) : NaN;
    };
    const b = (x) => (Number.isFinite(x) ? `${Math.round(x).toLocaleString('en-US')} B/run` : 'not measured');
    console.log('');
    console.log(`bytes/run, tracewire vs langsmith (no-op run; the issue's reference: langsmith ≈ ${ISSUE_REF_BYTES_PER_RUN.multipart} B/run multipart, ${ISSUE_REF_BYTES_PER_RUN.batch} B/run batch JSON):`);
    for (const mode of ['multipart', 'batch']) {
      const tw = bprOf(`tracewire ${mode}`);
      const ls = bprOf(`langsmith ${mode}`);
      const ref = ISSUE_REF_BYTES_PER_RUN[mode];
      if (!Number.isFinite(tw)) continue; // filtered out by --only, or the run failed (reported above)
      const against = Number.isFinite(ls) ? ls : ref;
      const pass = tw <= against;
      const vsRef = `${tw <= ref ? '≤' : '>'} the issue's ${ref} B/run`;
      console.log(`  ${mode.padEnd(9)} tracewire ${b(tw)} ≤ langsmith ${b(ls)}${Number.isFinite(ls) ? ' (measured here)' : ` (judged against the issue's ${ref} B/run)`}? ${pass ? 'PASS' : 'FAIL'}  (not judged: tracewire ${vsRef})`);
      targetRows.push({
        run: `bytes/run ${mode}`,
        target: `tracewire ${mode} ≤ langsmith ${mode}${Number.isFinite(ls) ? ' (measured here)' : ` (issue's ${ref} B)`}`,
        measured: `${b(tw)} vs ${b(against)} (${vsRef})`,
        result: pass ? 'PASS' : 'FAIL',
      });
    }
  }

  // -- dead exporter -----------------------------------------------------------------
  const dead = runs.find((r) => r.scenario === 'dead-exporter');
  if (dead) console.log('');
  if (dead) console.log(`dead-exporter: tracewire, sink answers 503 to everything; ${DEAD_SPANS.toLocaleString('en-US')} spans of sync f(a, b), one setImmediate yield per ${DEAD_YIELD_EVERY.toLocaleString('en-US')} calls`);
  if (!dead) {
    // filtered out by --only
  } else if (!dead.result || dead.result.error || dead.timedOut) {
    const why = dead.timedOut ? 'timeout' : dead.result && dead.result.error ? dead.result.error : `child exited ${dead.code ?? dead.signal} without a result`;
    console.log(`  FAILED: ${why}`);
    targetRows.push({ run: 'dead-exporter', target: 'run completed', measured: dead.timedOut ? 'timeout' : 'error', result: 'FAIL' });
  } else {
    const d = dead.result;
    if (dead.code !== 0) problems.push(`tracewire dead-exporter: ${exitProblem(dead)}`);
    const at250 = d.samples.find((s) => s.spans === 250_000);
    const at1m = d.samples.find((s) => s.spans === DEAD_SPANS);
    const refSamples = DEAD_RSS_REF_AT.map((n) => d.samples.find((s) => s.spans === n)).filter(Boolean);
    const rssRef = refSamples.length === DEAD_RSS_REF_AT.length ? median(refSamples.map((s) => s.rssMB)) : undefined;
    const sign = (x) => (x >= 0 ? '+' : '') + x.toFixed(1);
    console.log(`  gc before each sample: ${d.gcAvailable ? 'yes (--expose-gc)' : 'NO'}; loop ${(d.loopMs / 1000).toFixed(2)} s (${Math.round(d.nsPerCall)} ns/call incl. yields); maxRSS ${d.maxRssMB.toFixed(1)} MB`);
    printTable(
      [
        { key: 'spans', title: 'spans', right: true },
        { key: 'at', title: 'at s', right: true },
        { key: 'rss', title: 'RSS MB', right: true },
        { key: 'delta', title: 'RSS Δ vs ref MB', right: true },
        { key: 'heap', title: 'heapUsed MB', right: true },
        { key: 'heapDelta', title: 'heap Δ vs 250k MB', right: true },
        { key: 'heapTotal', title: 'heapTotal MB', right: true },
        { key: 'external', title: 'external MB', right: true },
        { key: 'delivered', title: 'delivered', right: true },
        { key: 'qf', title: 'queueFull', right: true },
        { key: 'ef', title: 'exportFailed', right: true },
        { key: 'pending', title: 'pending', right: true },
        { key: 'req', title: 'exportRequests', right: true },
        { key: 'identity', title: 'ended === delivered + dropped + pending' },
      ],
      d.samples.map((s) => ({
        spans: s.spans.toLocaleString('en-US'),
        at: (s.atMs / 1000).toFixed(2),
        rss: s.rssMB.toFixed(1),
        delta: rssRef !== undefined ? sign(s.rssMB - rssRef) : '—',
        heap: s.heapUsedMB.toFixed(1),
        heapDelta: at250 ? sign(s.heapUsedMB - at250.heapUsedMB) : '—',
        heapTotal: s.heapTotalMB.toFixed(1),
        external: s.externalMB.toFixed(1),
        delivered: s.stats.delivered,
        qf: s.stats.dropped.queueFull,
        ef: s.stats.dropped.exportFailed,
        pending: s.stats.pending,
        req: s.stats.exportRequests,
        identity: fmtIdentity(s.stats),
      })),
    );
    console.log(`  heapUsed/heapTotal/external/RSS sampled right after global.gc(); RSS ref = median RSS at ${DEAD_RSS_REF_AT.map((n) => `${n / 1000}k`).join('/')} = ${rssRef !== undefined ? rssRef.toFixed(1) + ' MB' : 'missing'}`);
    if (at250 && at1m) {
      console.log(`  (not judged: RSS 250k → 1M ${sign(at1m.rssMB - at250.rssMB)} MB; peak RSS sample ${Math.max(...d.samples.map((s) => s.rssMB)).toFixed(1)} MB at ${(d.samples.reduce((a, b) => (b.rssMB > a.rssMB ? b : a)).spans / 1000)}k)`);
    }
    console.log(`  stats() right after the loop:        ${fmtStats(d.statsAtEnd)}`);
    console.log(`    identity: ${fmtIdentity(d.statsAtEnd)} → ${identity(d.statsAtEnd) ? 'holds' : 'BROKEN'}`);
    console.log(`  shutdown({ timeoutMillis: 2000 }) took ${d.shutdownMs.toFixed(0)} ms → ${fmtFlush(d.shutdownResult)}`);
    console.log(`  stats() after shutdown:              ${fmtStats(d.statsAfterShutdown)}`);
    console.log(`    identity: ${fmtIdentity(d.statsAfterShutdown)} → ${identity(d.statsAfterShutdown) ? 'holds' : 'BROKEN'}`);
    console.log(`  stats() 500 ms after shutdown:       ${fmtStats(d.statsLater)}`);
    console.log(`    identity: ${fmtIdentity(d.statsLater)} → ${identity(d.statsLater) ? 'holds' : 'BROKEN'}`);
    console.log(`  sink: ${dead.sink.requests} requests, all answered 503; ${(dead.sink.bodyBytes / 1e6).toFixed(1)} MB of bodies`);
    const heapFlat = !!(at250 && at1m && at1m.heapUsedMB - at250.heapUsedMB <= TARGET_HEAP_GROWTH_MB);
    targetRows.push({
      run: 'dead-exporter',
      target: `heapUsed after gc flat (1M ≤ 250k + ${TARGET_HEAP_GROWTH_MB} MB)`,
      measured: at250 && at1m ? `${at250.heapUsedMB.toFixed(1)} → ${at1m.heapUsedMB.toFixed(1)} MB (${sign(at1m.heapUsedMB - at250.heapUsedMB)})` : 'missing samples',
      result: heapFlat ? 'PASS' : 'FAIL',
    });
    const rssFlat = !!(rssRef !== undefined && at1m && at1m.rssMB - rssRef <= TARGET_FLAT_MB);
    targetRows.push({
      run: 'dead-exporter',
      target: `RSS flat (1M ≤ median(500k, 750k) + ${TARGET_FLAT_MB} MB)`,
      measured: rssRef !== undefined && at1m ? `ref ${rssRef.toFixed(1)} → ${at1m.rssMB.toFixed(1)} MB (${sign(at1m.rssMB - rssRef)})` : 'missing samples',
      result: rssFlat ? 'PASS' : 'FAIL',
    });
    const allStats = [...d.samples.map((s) => s.stats), d.statsAtEnd, d.statsAfterShutdown, d.statsLater];
    const holds = allStats.every(identity);
    targetRows.push({
      run: 'dead-exporter',
      target: 'identity ended === delivered + dropped.total + pending',
      measured: `${allStats.filter(identity).length}/${allStats.length} snapshots hold (end: ${fmtIdentity(d.statsAtEnd)}; after shutdown: ${fmtIdentity(d.statsAfterShutdown)})`,
      result: holds ? 'PASS' : 'FAIL',
    });
  }

  const costLabel = (run) => EXPORTER_LABEL[exporterKey(run)] + (run.against ? ` — before (${path.basename(run.against)})` : '');
  printCostTables(runs, targetRows, { spans: SPANS, printTable, receivedIds, noteProblems, exporterLabel: costLabel });

  printTargets('targets (tracewire, default delivery settings):', { key: 'run', title: 'run' }, targetRows);

  // -- what the children said on stderr (tracewire's drop warnings, langsmith's errors) --
  printChildStderr(runs, runName, 'run');
  for (const p of problems) console.log(`problem: ${p}`);
  if (PROFILE_DIR) printProfiles(runs);
  console.log('');
  console.log(`${targetCounts(targetRows)} | total time ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

if (process.argv[2] === '--child') {
  childMain(process.argv[3], process.argv[4], process.argv[5]);
} else {
  main().catch((error) => {
    console.error(error);
    process.exitCode = 1;
  });
}
