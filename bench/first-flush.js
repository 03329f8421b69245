'use strict';
/**
 * bench/first-flush.js — how long a FRESH process's first flush takes over a
 * real-world link: TLS, and a round trip of RTT milliseconds. What a serverless
 * function's cold invocation waits for under @FlushOnExit (or blocking mode)
 * before it may return.
 *
 *   npm run build
 *   node bench/first-flush.js                              (this checkout, langsmith, the floor)
 *   node bench/first-flush.js --against=<a built checkout> (before/after, same run)
 *   TW_RUNS=9 TW_RTT_MS=40 TW_WORK_MS=100 node bench/first-flush.js
 *       (runs per row, default 7; round trip, default 40 ms; the handler's own time, default 100 ms)
 *
 * Why: on loopback a connection costs nothing, so the other benchmarks cannot
 * see the round trips a first flush makes. LangSmith is HTTPS: every new
 * connection is a TCP handshake and a TLS 1.3 handshake (one round trip each)
 * before its request, and a first flush must also ask the server its limits
 * (`GET /info`, as langsmith's client does) before it sends. How many
 * connections that takes is the difference between rows.
 *
 * How: an HTTPS sink on 127.0.0.1 (a self-signed certificate made by
 * `openssl` for the run, trusted by the children through NODE_EXTRA_CA_CERTS)
 * behind a TCP proxy that holds every chunk RTT/2 each way (and a new
 * connection's first bytes one RTT more: its TCP handshake) and counts the
 * connections. Each run is a fresh child: it sets up its tracer, then at once
 * makes one invocation (a traced async handler calling three traced steps,
 * each waiting WORK_MS/3: the handler's own I/O, a model call say) and
 * flushes; "flush ms" is from the handler's return to the flush resolving,
 * "first span → flushed" from the invocation's start. Rows: tracewire (default
 * LangSmith exporter, multipart), and with the OTLP exporter (http/json, no
 * /info: one connection, opened at the flush); with `--against`, that build; langsmith's
 * own `traceable` with `awaitPendingTraceBatches()` (its client, the peer);
 * and the floor: one POST of the runs on a new TLS connection, no /info (what
 * any tracer pays at the least: three round trips). Medians over the runs.
 */
const fs = require('node:fs');
const os = require('node:os');
const net = require('node:net');
const path = require('node:path');
// node:https is required where it is used: a child that loaded it at start would hide what loading it costs a tracer.
const { execFileSync } = require('node:child_process');
const { forkChild, childEnv } = require('./support/child-process');
const { DIST, entryOf, distMissing } = require('./support/dist');
const { median } = require('./support/stats');
const { printTable } = require('./support/table');
const { cpuLine, nodeLine, versionOf } = require('./support/machine');

const RUNS = Number(process.env.TW_RUNS) || 7;
const RTT_MS = process.env.TW_RTT_MS === undefined ? 40 : Number(process.env.TW_RTT_MS);
const WORK_MS = process.env.TW_WORK_MS === undefined ? 100 : Number(process.env.TW_WORK_MS);
const MARK = '--child';

if (process.argv[2] === MARK) {
  child(process.argv[3], process.argv[4]).then(
    (result) => process.send(result, () => process.exit(0)),
    (error) => {
      console.error(error);
      process.exit(1);
    },
  );
  return;
}

/** One invocation in a fresh process: set-up, a handler of four spans, then its flush. */
async function child(kind, entry) {
  const url = process.env.BENCH_SINK_URL;
  const work = () => new Promise((resolve) => setTimeout(resolve, WORK_MS / 3));
  let handler;
  let flush;
  if (kind === 'tracewire' || kind === 'tracewire-otlp') {
    const tw = require(entry);
    const exporter = kind === 'tracewire' ? new tw.LangSmithExporter({ endpoint: url, apiKey: 'bench' }) : new tw.OtlpHttpExporter({ endpoint: url, protocol: 'http/json' });
    const client = new tw.TracingClient({ exporter });
    tw.setGlobalTracingClient(client);
    const step = tw.traceable(async function step(i) { await work(); return i * 2; });
    handler = tw.traceable(async function handler(n) { let s = 0; for (let i = 0; i < n; i++) s += await step(i); return s; });
    flush = () => client.awaitPendingTraceBatches();
  } else if (kind === 'langsmith') {
    const { Client } = require('langsmith');
    const { traceable } = require('langsmith/traceable');
    const client = new Client({ apiUrl: url, apiKey: 'bench', autoBatchTracing: true });
    const step = traceable(async function step(i) { await work(); return i * 2; }, { client, tracingEnabled: true });
    handler = traceable(async function handler(n) { let s = 0; for (let i = 0; i < n; i++) s += await step(i); return s; }, { client, tracingEnabled: true });
    flush = () => client.awaitPendingTraceBatches();
  } else {
    // The floor: the four runs as one batch, one POST on a new connection.
    const runs = [];
    handler = async (n) => {
      for (let i = 0; i < n; i++) {
        await work();
        runs.push({ id: String(i), name: 'step', inputs: { i }, outputs: { o: i * 2 } });
      }
      runs.push({ id: 'handler', name: 'handler', inputs: { n }, outputs: { n } });
      return n;
    };
    flush = () => new Promise((resolve, reject) => {
      const body = Buffer.from(JSON.stringify({ post: runs }));
      const req = require('node:https').request(new URL('/runs/batch', url), { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': body.length, 'x-api-key': 'bench' } }, (res) => res.resume().on('end', resolve));
      req.on('error', reject);
      req.end(body);
    });
  }
  const t0 = performance.now();
  await handler(3);
  const returned = performance.now();
  await flush();
  const flushed = performance.now();
  return { flushMs: flushed - returned, totalMs: flushed - t0 };
}

/** A self-signed certificate for 127.0.0.1, made for this run. */
function certificate(dir) {
  const key = path.join(dir, 'key.pem');
  const cert = path.join(dir, 'cert.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
  return { key: fs.readFileSync(key), cert: fs.readFileSync(cert), certPath: cert };
}

/** HTTPS: `{}` to GET /info (langsmith's defaults), 202 `{}` to any POST once its body is read. Counts requests by path. */
function startTlsSink(tls) {
  const requests = [];
  const server = require('node:https').createServer({ key: tls.key, cert: tls.cert }, (req, res) => {
    requests.push(`${req.method} ${req.url}`);
    req.resume();
    req.on('end', () => {
      res.writeHead(req.method === 'GET' ? 200 : 202, { 'content-type': 'application/json', 'content-length': '2' });
      res.end('{}');
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, port: server.address().port, requests })));
}

/**
 * A TCP proxy to `port` holding each chunk `oneWayMs` in each direction, and the client's first bytes a round trip
 * more (the TCP handshake a real link would take before them); counts the connections it was asked for.
 */
function startDelayProxy(port, oneWayMs) {
  const counts = { connections: 0 };
  const sockets = new Set();
  // Chunks keep their order: each is held to a time no earlier than the one before it.
  const delayed = (from, to, openAt) => {
    const at = () => Math.max(oneWayMs, openAt - Date.now() + oneWayMs);
    from.on('data', (chunk) => setTimeout(() => to.destroyed || to.write(chunk), at()));
    from.on('end', () => setTimeout(() => to.end(), at()));
  };
  const server = net.createServer((client) => {
    counts.connections++;
    const upstream = net.connect(port, '127.0.0.1');
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => { client.destroy(); upstream.destroy(); });
      s.on('close', () => sockets.delete(s));
    }
    delayed(client, upstream, Date.now() + 2 * oneWayMs);
    delayed(upstream, client, 0);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, url: `https://127.0.0.1:${server.address().port}`, counts, close: () => { for (const s of sockets) s.destroy(); server.close(); } })));
}

async function main() {
  if (distMissing()) return;
  const against = process.argv.find((a) => a.startsWith('--against='))?.slice('--against='.length);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'first-flush-'));
  const tls = certificate(dir);
  const sink = await startTlsSink(tls);
  const proxy = await startDelayProxy(sink.port, RTT_MS / 2);
  const rows = [
    { name: 'tracewire', kind: 'tracewire', entry: DIST },
    ...(against ? [{ name: `tracewire (${path.basename(path.resolve(against))})`, kind: 'tracewire', entry: entryOf(path.resolve(against)) }] : []),
    { name: 'tracewire, OTLP http/json', kind: 'tracewire-otlp', entry: DIST },
    ...(against ? [{ name: `tracewire, OTLP http/json (${path.basename(path.resolve(against))})`, kind: 'tracewire-otlp', entry: entryOf(path.resolve(against)) }] : []),
    { name: `langsmith ${versionOf('langsmith')}`, kind: 'langsmith' },
    { name: 'floor (one POST, new connection)', kind: 'floor' },
  ].map((row) => ({ ...row, flush: [], total: [], connections: [], requests: [] }));
  const env = { ...childEnv(proxy.url), NODE_EXTRA_CA_CERTS: tls.certPath };
  // Interleaved: run r of every row before run r + 1 of any.
  for (let run = 0; run < RUNS; run++) {
    for (const row of rows) {
      const connectionsBefore = proxy.counts.connections;
      const requestsBefore = sink.requests.length;
      const out = await forkChild(__filename, [MARK, row.kind, row.entry ?? ''], { env, timeoutMs: 30_000 });
      if (!out.result) throw new Error(`${row.name}: no report (code ${out.code}): ${out.stderr}`);
      // Requests still in flight when the child exits (a langsmith /info it did not wait for) count with their run.
      await new Promise((resolve) => setTimeout(resolve, RTT_MS * 2));
      row.flush.push(out.result.flushMs);
      row.total.push(out.result.totalMs);
      row.connections.push(proxy.counts.connections - connectionsBefore);
      row.requests.push(sink.requests.slice(requestsBefore).join(', '));
    }
  }
  proxy.close();
  sink.server.close();
  fs.rmSync(dir, { recursive: true, force: true });
  console.log(`First flush of a fresh process over TLS with a ${RTT_MS} ms round trip (loopback HTTPS sink behind a delaying proxy), after a ${WORK_MS} ms handler; ${RUNS} fresh children per row, interleaved; medians`);
  console.log(`${nodeLine()}; ${cpuLine()}`);
  console.log('');
  printTable(
    [
      { key: 'name', title: 'row' },
      { key: 'flush', title: 'flush ms', right: true },
      { key: 'rtts', title: 'in round trips', right: true },
      { key: 'total', title: 'first span → flushed, ms', right: true },
      { key: 'connections', title: 'connections', right: true },
      { key: 'requests', title: 'requests (last run)' },
    ],
    rows.map((row) => ({
      name: row.name,
      flush: median(row.flush).toFixed(1),
      rtts: RTT_MS > 0 ? (median(row.flush) / RTT_MS).toFixed(1) : '—',
      total: median(row.total).toFixed(1),
      connections: median(row.connections),
      requests: row.requests.at(-1),
    })),
    { trimEnd: true },
  );
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
