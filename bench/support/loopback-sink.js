'use strict';
/**
 * Loopback stand-ins for the LangSmith API (node:http on 127.0.0.1, random port).
 *
 * startLoopbackServer(): 200 `{}` to everything; counts requests and body bytes.
 *
 * startSink(options): enough LangSmith (and OTLP/HTTP) for the delivery benchmarks:
 *   GET  /info            → options.infoStatus (200) with options.info (default `{}`)
 *   POST /runs/batch      → 200 {}; JSON {post:[run], patch:[run]}
 *   POST /runs/multipart  → options.multipartStatus (202) {}; multipart/form-data
 *   POST /v1/traces       → 200 {}; OTLP/HTTP JSON, resourceSpans[].scopeSpans[].spans[]
 *                           (a run = a distinct spanId; "ended" = has endTimeUnixNano)
 *   any other request     → 200 {} (counted as "other", paths listed)
 *   options.mode '503'    → 503 to everything, bodies drained and not kept.
 * It only buffers and answers; the ingest bodies are parsed by close(), after
 * the client has gone, so parsing never competes with a timed client. Counting:
 * distinct run ids from post[]/patch[] (batch) or from the part names
 * `post.<id>` / `patch.<id>` (multipart); "ended" ids are those whose record
 * has end_time; duplicateOps = an id posted more than once + an id patched
 * more than once. Content-Encoding gzip is gunzipped; zstd only where this
 * Node has zlib.zstdDecompressSync (22.15+), else the body is "undecodable",
 * as is any other encoding.
 */
const http = require('node:http');
const zlib = require('node:zlib');

function listen(server, extra) {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${server.address().port}`, ...extra(server) }));
  });
}

/** Closes the server and every connection still open on it. */
function closeServer(server) {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/** 200 `{}` to everything. Resolves with { server, url, counts: { requests, bytes } }. */
function startLoopbackServer() {
  const counts = { requests: 0, bytes: 0 };
  const server = http.createServer((req, res) => {
    counts.requests++;
    req.on('data', (chunk) => { counts.bytes += chunk.length; });
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '2' });
      res.end('{}');
    });
  });
  return listen(server, () => ({ counts }));
}

/** Calls onPart(name, buf, start, end) for each part of a multipart/form-data body. */
function forEachMultipartPart(buf, boundary, onPart) {
  const delim = Buffer.from(`--${boundary}`);
  let pos = buf.indexOf(delim);
  while (pos !== -1) {
    let start = pos + delim.length;
    if (buf[start] === 0x2d && buf[start + 1] === 0x2d) break; // closing "--boundary--"
    start += 2; // CRLF after the delimiter
    const headerEnd = buf.indexOf('\r\n\r\n', start, 'latin1');
    if (headerEnd === -1) break;
    const next = buf.indexOf(delim, headerEnd + 4);
    if (next === -1) break;
    const m = /name="([^"]*)"/i.exec(buf.toString('latin1', start, headerEnd));
    if (m) onPart(m[1], buf, headerEnd + 4, next - 2); // the part's data ends with CRLF
    pos = next;
  }
}

const INGEST_PATHS = new Set(['/runs/batch', '/runs/multipart', '/v1/traces']);

/**
 * A LangSmith-compatible sink (see the header). Resolves with { url, close },
 * close() → Promise of the counts: requests, ingestRequests, batchRequests,
 * multipartRequests, otlpRequests, infoRequests, otherRequests (+ otherPaths),
 * bodyBytes, ingestBodyBytes, gzipBodies, zstdBodies, undecodable, parseErrors,
 * posts, patches, statuses, distinctIds, endedIds, duplicateOps.
 */
function startSink(options = {}) {
  const { mode = 'ok', info = {}, infoStatus = 200, multipartStatus = 202 } = options;
  const c = {
    requests: 0, ingestRequests: 0, batchRequests: 0, multipartRequests: 0, otlpRequests: 0, infoRequests: 0, otherRequests: 0,
    bodyBytes: 0, ingestBodyBytes: 0, gzipBodies: 0, zstdBodies: 0, undecodable: 0, parseErrors: 0, posts: 0, patches: 0,
    otherPaths: new Set(), statuses: {},
  };
  const runs = new Map(); // id -> { posts, patches, ended }
  const bodies = []; // ingest bodies, parsed by close()
  const server = http.createServer((req, res) => {
    c.requests++;
    const chunks = [];
    req.on('data', (chunk) => {
      c.bodyBytes += chunk.length;
      if (mode === 'ok') chunks.push(chunk);
    });
    req.on('end', () => {
      const url = (req.url || '/').split('?')[0];
      const reply = (status, body) => {
        c.statuses[status] = (c.statuses[status] || 0) + 1;
        const text = JSON.stringify(body);
        res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
        res.end(text);
      };
      if (mode === '503') return reply(503, { detail: 'sink is down (bench)' });
      if (req.method === 'GET' && url === '/info') {
        c.infoRequests++;
        return reply(infoStatus, infoStatus === 200 ? info : { detail: 'Not Found' });
      }
      if (req.method === 'POST' && INGEST_PATHS.has(url)) {
        c.ingestRequests++;
        const body = Buffer.concat(chunks);
        c.ingestBodyBytes += body.length;
        bodies.push({ url, contentType: String(req.headers['content-type'] || ''), encoding: String(req.headers['content-encoding'] || '').toLowerCase(), body });
        return reply(url === '/runs/multipart' ? multipartStatus : 200, {});
      }
      c.otherRequests++;
      c.otherPaths.add(`${req.method} ${url}`);
      return reply(200, {});
    });
  });
  server.keepAliveTimeout = 5000;

  function note(id, op, ended) {
    if (typeof id !== 'string') return;
    let r = runs.get(id);
    if (r === undefined) runs.set(id, (r = { posts: 0, patches: 0, ended: false }));
    if (op === 'post') {
      r.posts++;
      c.posts++;
    } else {
      r.patches++;
      c.patches++;
    }
    if (ended) r.ended = true;
  }
  const noteRun = (id, op, run) => note(id, op, !!run && run.end_time != null);

  /** The body as sent before compression, or undefined if it cannot be decoded here. */
  function decode(encoding, body) {
    if (encoding === 'gzip') {
      c.gzipBodies++;
      return zlib.gunzipSync(body);
    }
    if (encoding === 'zstd') {
      c.zstdBodies++;
      return typeof zlib.zstdDecompressSync === 'function' ? zlib.zstdDecompressSync(body) : undefined;
    }
    return encoding && encoding !== 'identity' ? undefined : body;
  }

  function analyze() {
    for (const { url, contentType, encoding, body: raw } of bodies.splice(0)) {
      try {
        const body = decode(encoding, raw);
        if (body === undefined) {
          c.undecodable++;
          continue;
        }
        if (url === '/v1/traces') {
          c.otlpRequests++;
          if (!/json/i.test(contentType)) {
            c.undecodable++; // protobuf: not decoded here
            continue;
          }
          const json = JSON.parse(body.toString('utf8'));
          for (const rs of json.resourceSpans || []) {
            for (const ss of rs.scopeSpans || []) {
              for (const span of ss.spans || []) note(span.spanId, 'post', span.endTimeUnixNano != null && String(span.endTimeUnixNano) !== '0');
            }
          }
        } else if (url === '/runs/batch') {
          c.batchRequests++;
          const json = JSON.parse(body.toString('utf8'));
          for (const run of json.post || []) noteRun(run.id, 'post', run);
          for (const run of json.patch || []) noteRun(run.id, 'patch', run);
        } else {
          c.multipartRequests++;
          const m = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
          if (!m) throw new Error('multipart without boundary');
          forEachMultipartPart(body, (m[1] || m[2]).trim(), (name, buf, start, end) => {
            const parts = name.split('.');
            if (parts.length !== 2 || (parts[0] !== 'post' && parts[0] !== 'patch')) return;
            let run;
            try {
              run = JSON.parse(buf.toString('utf8', start, end));
            } catch {
              c.parseErrors++;
            }
            noteRun(parts[1], parts[0], run);
          });
        }
      } catch {
        c.parseErrors++;
      }
    }
    let ended = 0;
    let dup = 0;
    for (const r of runs.values()) {
      if (r.ended) ended++;
      dup += Math.max(0, r.posts - 1) + Math.max(0, r.patches - 1);
    }
    return { ...c, otherPaths: [...c.otherPaths], distinctIds: runs.size, endedIds: ended, duplicateOps: dup };
  }

  return listen(server, () => ({ close: () => closeServer(server).then(analyze) }));
}

module.exports = { startLoopbackServer, startSink, closeServer, forEachMultipartPart };
