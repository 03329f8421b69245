'use strict';
/**
 * bench/collector.js — how many spans per second the collector ingests
 * through LangSmith's `POST /runs/batch` (JSON) on loopback.
 *
 *   npx tsc -p collector/tsconfig.json   (or: npm run build:collector)
 *   node bench/collector.js [--seconds 5] [--db memory|file]
 *
 * The collector runs in a child process (`collector/dist/cli.js serve`), as
 * users run it: its own event loop and core, SQLite in WAL mode on a file in
 * the temp directory (default) or in memory. This process is the client:
 * batches of 100 runs (the size_limit /info announces), each run a whole
 * span (start and end in one `post`, as tracewire sends a finished run), 5
 * spans per trace, fresh ids every batch. Rows: 1 and 4 requests in flight
 * over keep-alive connections, first with UUIDv7 run ids — what LangSmith
 * clients send (tracewire's ids and langsmith's SDK are both v7), time-ordered
 * so inserts append to the id index — then with random UUIDv4 ids, the worst
 * case (every insert lands on a random index page; shown, not judged). A batch counts once the collector has
 * answered 2xx, i.e. committed it. After each row (file storage) the runs
 * in the SQLite file are counted: they must equal what was sent.
 *
 * Target: 50 000 spans/s. Machine: 2 cores, so the client shares the box.
 * `--baseline <cli.js>` adds rows for another build of the collector (e.g.
 * the one before schema validation) measured in the same run, as the peer.
 *
 * Then queries: a SQLite file is filled with `--query-spans` (default
 * 1 000 000) finished spans through the collector's own store, a collector
 * is started on it, and the read API is timed (median of 9 after a warm-up):
 * stats per span name with percentiles, histogram and timeline; the trace
 * list; a full-text search; one trace. Target: < 200 ms each.
 */
const { spawn } = require('node:child_process');
const { randomUUID } = require('node:crypto');
const http = require('node:http');
const { mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { machine } = require('./support/machine');
const { uuidv7 } = require('../dist/lib/model/ids.js'); // npm run build first

const args = process.argv.slice(2);
const option = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const SECONDS = Number(option('--seconds', 5));
const DB = option('--db', 'file');
const BATCH = 100;
const SPANS_PER_TRACE = 5;
const TARGET = 50_000;
const CLI = join(__dirname, '..', 'collector', 'dist', 'cli.js');
const BASELINE = option('--baseline', undefined);
const QUERY_SPANS = Number(option('--query-spans', 1_000_000));
const QUERY_TARGET_MS = 200;

function startCollector(dir, cli = CLI, file = join(dir, 'bench.sqlite')) {
  const storage = DB === 'memory' ? ['--memory'] : ['--db', file];
  const child = spawn(process.execPath, [cli, 'serve', '--port', '0', ...storage], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const match = /listening on (http:\/\/\S+)/.exec(out);
      if (match) resolve({ child, url: match[1] });
    });
    child.on('exit', (code) => reject(new Error(`collector exited with ${code}; build it first: npx tsc -p collector/tsconfig.json`)));
  });
}

/** Microsecond ISO time, as tracewire and langsmith send. */
function iso(ms) {
  return new Date(ms).toISOString().replace('Z', '123Z');
}

/** One /runs/batch body: BATCH finished runs in BATCH / SPANS_PER_TRACE traces. */
function batchBody(newId) {
  const now = Date.now();
  const post = [];
  for (let t = 0; t < BATCH / SPANS_PER_TRACE; t++) {
    const root = newId();
    for (let s = 0; s < SPANS_PER_TRACE; s++) {
      const id = s === 0 ? root : newId();
      post.push({
        id, trace_id: root, ...(s === 0 ? {} : { parent_run_id: root }),
        dotted_order: `20260101T000000000000Z${root}${s === 0 ? '' : `.20260101T000000000001Z${id}`}`,
        name: s === 0 ? 'handler' : `step-${s}`, run_type: s === 0 ? 'chain' : 'tool',
        start_time: iso(now), end_time: iso(now + 3),
        inputs: { orderId: `o-${t}`, items: ['apple', 'pear'] }, outputs: { ok: true, receipt: `rcpt-${t}-${s}` },
        tags: ['bench'], extra: { metadata: { region: 'eu' } }, events: [], session_name: 'bench',
      });
    }
  }
  return Buffer.from(JSON.stringify({ post, patch: [] }));
}

function send(agent, url, body) {
  return new Promise((resolve, reject) => {
    const req = http.request(`${url}/runs/batch`, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': body.length } }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode < 300 ? resolve() : reject(new Error(`answered ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Runs in the collector's file, read after it stopped: every acknowledged span must be there. */
function storedSpans(file) {
  const Database = require('better-sqlite3');
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare('SELECT count(*) AS n FROM runs').get().n;
  } finally {
    db.close();
  }
}

async function row(concurrency, newId, cli) {
  const dir = mkdtempSync(join(tmpdir(), 'tracewire-bench-'));
  const { child, url } = await startCollector(dir, cli);
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  try {
    // Warm-up: JIT, SQLite page cache, connections.
    const warmEnd = Date.now() + 1000;
    let warmSpans = 0;
    await Promise.all(Array.from({ length: concurrency }, async () => {
      while (Date.now() < warmEnd) {
        await send(agent, url, batchBody(newId));
        warmSpans += BATCH;
      }
    }));
    let spans = 0;
    const started = process.hrtime.bigint();
    const end = Date.now() + SECONDS * 1000;
    await Promise.all(Array.from({ length: concurrency }, async () => {
      while (Date.now() < end) {
        await send(agent, url, batchBody(newId));
        spans += BATCH;
      }
    }));
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    agent.destroy();
    child.kill('SIGINT');
    await new Promise((resolve) => child.once('exit', resolve));
    const stored = DB === 'memory' ? 'n/a' : storedSpans(join(dir, 'bench.sqlite')) - warmSpans;
    return { concurrency, spans, seconds, perSecond: spans / seconds, stored };
  } finally {
    if (child.exitCode === null) child.kill('SIGINT');
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main() {
  console.log(`node ${process.version}, ${machine().cores} cores, storage: ${DB === 'memory' ? 'memory' : 'SQLite file (WAL)'}, ${SECONDS} s per row, batches of ${BATCH} spans\n`);
  console.log('| collector | run ids | clients in flight | spans sent | spans stored | seconds | spans/s | target | result |');
  console.log('|---|---|---:|---:|---:|---:|---:|---:|---|');
  const builds = [['this one', CLI], ...(BASELINE === undefined ? [] : [['baseline', BASELINE]])];
  for (const [ids, newId, judged] of [['UUIDv7 (as clients send)', () => uuidv7(), true], ['UUIDv4 (random, worst case)', randomUUID, false]]) {
    for (const concurrency of [1, 4]) {
      for (const [build, cli] of builds) {
        const r = await row(concurrency, newId, cli);
        const result = judged && build === 'this one' ? (r.perSecond >= TARGET ? 'PASS' : 'FAIL') : '—';
        console.log(`| ${build} | ${ids} | ${concurrency} | ${r.spans} | ${r.stored} | ${r.seconds.toFixed(2)} | ${Math.round(r.perSecond).toLocaleString('en-US')} | ${TARGET.toLocaleString('en-US')} | ${result} |`);
      }
    }
  }
  if (QUERY_SPANS > 0) await queries();
}

/** Fills a file with QUERY_SPANS finished spans (20 names, 5 per trace, 1 % errors) through the collector's store, in batches. */
function fill(file) {
  const { RunStore } = require('../collector/dist/store/run-store.js');
  const store = new RunStore({ path: file });
  const base = Date.now() - 6 * 3600_000;
  const started = Date.now();
  for (let done = 0; done < QUERY_SPANS; ) {
    const ops = [];
    for (let t = 0; t < 400 && done < QUERY_SPANS; t++) {
      const root = uuidv7();
      for (let s = 0; s < SPANS_PER_TRACE && done < QUERY_SPANS; s++, done++) {
        const id = s === 0 ? root : uuidv7();
        const at = base + Math.floor((done / QUERY_SPANS) * 6 * 3600_000);
        const ms = 1 + ((done * 7919) % 997);
        ops.push({ op: 'post', run: {
          id, trace_id: root, ...(s === 0 ? {} : { parent_run_id: root }), name: `op-${done % 20}`, run_type: 'tool',
          start_time: iso(at), end_time: iso(at + ms), inputs: { orderId: `o-${done}`, words: done === 424_242 ? 'kumquat marmalade' : 'apple pear' },
          outputs: { ok: true }, ...(done % 100 === 0 ? { error: 'Error: declined' } : {}), tags: ['bench'], session_name: 'bench',
        } });
      }
    }
    store.ingest(ops);
  }
  const filled = (Date.now() - started) / 1000;
  // What the collector's idle indexer does in the background after a burst, timed on its own.
  const indexStarted = Date.now();
  store.indexForSearch();
  store.close();
  return { filled, indexed: (Date.now() - indexStarted) / 1000 };
}

async function queries() {
  const dir = mkdtempSync(join(tmpdir(), 'tracewire-bench-q-'));
  const file = join(dir, 'queries.sqlite');
  try {
    const fillSeconds = fill(file);
    const { child, url } = await startCollector(dir, CLI, file);
    try {
      const traces = (await (await fetch(`${url}/api/traces?limit=1`)).json()).traces;
      const paths = [
        ['stats: per name count, error rate, p50/p95/p99; histogram; timeline', '/api/stats?minutes=1440'],
        ['stats of one name (its histogram)', '/api/stats?name=op-7'],
        ['trace list, newest 50', '/api/traces?limit=50'],
        ['trace list, errors only', '/api/traces?limit=50&status=error'],
        ['full-text search "kumquat"', '/api/traces?q=kumquat'],
        ['one trace (5 spans)', `/api/traces/${traces[0].trace_id}`],
      ];
      console.log(`\n${QUERY_SPANS.toLocaleString('en-US')} spans stored (filled in ${fillSeconds.filled.toFixed(1)} s through the store; search index built in ${fillSeconds.indexed.toFixed(1)} s); read API over HTTP, median of 9:\n`);
      console.log('| query | median ms | target ms | result |');
      console.log('|---|---:|---:|---|');
      for (const [what, path] of paths) {
        const times = [];
        for (let i = 0; i < 10; i++) {
          const started = process.hrtime.bigint();
          const response = await fetch(url + path);
          await response.arrayBuffer();
          if (!response.ok) throw new Error(`${path}: ${response.status}`);
          if (i > 0) times.push(Number(process.hrtime.bigint() - started) / 1e6);
        }
        times.sort((a, b) => a - b);
        const median = times[4];
        console.log(`| ${what} | ${median.toFixed(1)} | ${QUERY_TARGET_MS} | ${median < QUERY_TARGET_MS ? 'PASS' : 'FAIL'} |`);
      }
    } finally {
      child.kill('SIGINT');
      await new Promise((resolve) => child.once('exit', resolve));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
