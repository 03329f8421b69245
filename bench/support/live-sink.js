'use strict';
/**
 * A LangSmith ingestion sink that records what it accepted as it arrives, for
 * the platform scripts that check delivery at a given instant (a Lambda
 * response, a Vercel function's end). node:http on 127.0.0.1, random port.
 *
 *   GET  /info            → 404 (the exporter falls back to its defaults)
 *   POST /runs/multipart  → 202; parts `post.<id>` / `patch.<id>` (run JSON)
 *   POST /runs/batch      → 200; { post: [run], patch: [run] }
 *   POST /v1/traces       → 200; OTLP/HTTP JSON (a span: its spanId, ended by endTimeUnixNano)
 * Bodies with Content-Encoding gzip are gunzipped. `posted` keeps every posted
 * run id (repeats too: duplicates), `ended` the ids whose end_time arrived,
 * `answered` those of `ended` whose request has been answered (the client
 * may know them delivered), `traceOf` each run id's trace id and
 * `inputsOf` each posted run's inputs as JSON text (LangSmith's formats).
 * options.delayMillis holds each ingest answer back that long;
 * options.blackHole: accept every connection and request, never answer (an
 * endpoint that hangs).
 */
const http = require('node:http');
const zlib = require('node:zlib');
const { forEachMultipartPart } = require('./loopback-sink');

/**
 * The runs of one ingest body: [{ op: 'post' | 'patch', id, ended, trace, inputs }] (`trace`: its trace id;
 * `inputs`: the JSON text of its inputs when posted with them; LangSmith's formats only).
 */
function ingestedRuns(url, headers, raw) {
  const body = headers['content-encoding'] === 'gzip' ? zlib.gunzipSync(raw) : raw;
  const runs = [];
  if (url === '/runs/batch') {
    const document = JSON.parse(body.toString('utf8'));
    for (const op of ['post', 'patch']) {
      for (const run of document[op] ?? []) runs.push({ op, id: run.id, ended: run.end_time != null, trace: run.trace_id, inputs: run.inputs === undefined ? undefined : JSON.stringify(run.inputs) });
    }
  }
  if (url === '/v1/traces') {
    for (const resource of JSON.parse(body.toString('utf8')).resourceSpans ?? []) {
      for (const scope of resource.scopeSpans ?? []) for (const span of scope.spans ?? []) runs.push({ op: 'post', id: span.spanId, ended: Boolean(span.endTimeUnixNano) });
    }
  }
  if (url === '/runs/multipart') {
    const boundary = /boundary=("?)([^";]+)\1/.exec(String(headers['content-type']))?.[2];
    const inputs = new Map();
    forEachMultipartPart(body, boundary, (name, buf, start, end) => {
      const [op, id, field] = name.split('.');
      if (op !== 'post' && op !== 'patch') return;
      if (field === 'inputs') inputs.set(`${op}.${id}`, buf.toString('utf8', start, end));
      if (field !== undefined) return;
      const run = JSON.parse(buf.toString('utf8', start, end));
      runs.push({ op, id, ended: run.end_time != null, trace: run.trace_id });
    });
    for (const run of runs) run.inputs = inputs.get(`${run.op}.${run.id}`);
  }
  return runs;
}

/** Resolves with { url, posted, ended, answered, traceOf, inputsOf, counts: { ingestRequests }, close }. */
function startLiveSink(options = {}) {
  const { delayMillis = 0, blackHole = false } = options;
  const posted = [];
  const ended = new Set();
  const answered = new Set();
  const traceOf = new Map();
  const inputsOf = new Map();
  const counts = { ingestRequests: 0 };
  const server = http.createServer((req, res) => {
    if (blackHole) return void req.resume();
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      const url = req.url.split('?')[0];
      const ingest = req.method === 'POST' && (url === '/runs/multipart' || url === '/runs/batch' || url === '/v1/traces');
      if (ingest) counts.ingestRequests++;
      const runs = ingest ? ingestedRuns(url, req.headers, Buffer.concat(chunks)) : [];
      for (const run of runs) {
        if (run.op === 'post') posted.push(run.id);
        if (run.ended) ended.add(run.id);
        if (run.trace !== undefined) traceOf.set(run.id, run.trace);
        if (run.inputs !== undefined) inputsOf.set(run.id, run.inputs);
      }
      const answer = () => {
        for (const run of runs) if (run.ended) answered.add(run.id);
        res.writeHead(url === '/info' ? 404 : url === '/runs/multipart' ? 202 : 200, { 'content-type': 'application/json' }).end('{}');
      };
      if (ingest && delayMillis > 0) setTimeout(answer, delayMillis);
      else answer();
    });
  });
  const close = () => {
    server.closeAllConnections();
    return new Promise((resolve) => server.close(() => resolve()));
  };
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ url: `http://127.0.0.1:${server.address().port}`, posted, ended, answered, traceOf, inputsOf, counts, close })));
}

module.exports = { startLiveSink, ingestedRuns };
