import type { IncomingMessage } from 'node:http';
import { createBrotliDecompress, createGunzip, createInflate, type Gunzip } from 'node:zlib';
import type { BodyBudget } from './body-budget.js';
import { HttpError } from './http-error.js';

const DECODERS: Readonly<Record<string, () => Gunzip>> = {
  gzip: createGunzip,
  'x-gzip': createGunzip,
  deflate: createInflate,
  br: createBrotliDecompress as () => Gunzip,
};

/** 413 with what to do about it. */
export function bodyTooLarge(limit: number, what = ''): HttpError {
  return new HttpError(413, `Body larger than the collector's limit of ${limit} bytes${what}: send smaller batches (GET /info announces batch_ingest_config.size_limit_bytes) or start the collector with a larger --max-body-bytes`);
}

/**
 * The request body, decompressed, at most `limit` bytes both as it travels
 * and once decompressed. A body declared larger is refused before a byte is
 * read. Compressed bodies are inflated as a stream (zlib works off the event
 * loop, on libuv's pool) and cut off the moment the output passes the limit:
 * a gzip bomb costs at most `limit` bytes of inflation.
 *
 * When the promise rejects, the request is left flowing (its data thrown
 * away): the caller answers first, then bounds the drain ({@link drainThenClose}).
 */
export function readBody(req: IncomingMessage, limit: number, timeoutMillis: number, budget: BodyBudget): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      reject(bodyTooLarge(limit));
      return;
    }
    const encoding = (req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
    const makeDecoder = encoding === 'identity' || encoding === '' ? undefined : DECODERS[encoding];
    if (makeDecoder === undefined && encoding !== 'identity' && encoding !== '') {
      reject(new HttpError(415, `Content-Encoding ${JSON.stringify(req.headers['content-encoding'])} is not supported: send gzip, deflate, br or an uncompressed body`));
      return;
    }
    let settled = false;
    let received = 0;
    let produced = 0;
    /** What this body holds of the collector's `budget`: given back when it settles (its bytes are parsed at once then). */
    let held = 0;
    const chunks: Buffer[] = [];
    const decoder = makeDecoder?.();
    // Node's own requestTimeout is the backstop; this one answers 408 with a reason first.
    const timer = setTimeout(() => fail(new HttpError(408, `The body did not arrive within ${timeoutMillis} ms`)), timeoutMillis);
    const fail = (error: HttpError) => {
      if (settled) return;
      settled = true;
      budget.give(held);
      clearTimeout(timer);
      decoder?.destroy();
      req.resume();
      reject(error);
    };
    const finish = () => {
      if (settled) return;
      settled = true;
      budget.give(held);
      clearTimeout(timer);
      resolve(Buffer.concat(chunks));
    };
    const keep = (chunk: Buffer) => {
      if (settled) return;
      produced += chunk.length;
      if (produced > limit) return fail(bodyTooLarge(limit, decoder === undefined ? '' : ' once decompressed'));
      try {
        budget.take(chunk.length);
      } catch (error) {
        return fail(error as HttpError);
      }
      held += chunk.length;
      chunks.push(chunk);
    };
    if (decoder !== undefined) {
      decoder.on('data', keep);
      decoder.on('error', (error) => fail(new HttpError(400, `Body is not valid ${encoding}: ${error.message}`)));
      decoder.on('end', finish);
    }
    req.on('data', (chunk: Buffer) => {
      if (settled) return;
      received += chunk.length;
      if (received > limit) return fail(bodyTooLarge(limit));
      if (decoder === undefined) return keep(chunk);
      // Backpressure: the socket waits while zlib catches up, so inflation never queues unbounded input.
      if (!decoder.write(chunk)) {
        req.pause();
        decoder.once('drain', () => settled || req.resume());
      }
    });
    req.on('end', () => (decoder === undefined ? finish() : decoder.end()));
    req.on('close', () => req.complete || fail(new HttpError(400, 'The request was aborted before its body ended')));
  });
}

/**
 * After an early answer (413, 415…) to a request whose body is still coming:
 * read and discard it, so the client sees the answer rather than a reset,
 * but never more than `maxBytes` or `maxMillis` — then the connection is cut.
 */
export function drainThenClose(req: IncomingMessage, maxBytes: number, maxMillis: number): void {
  if (req.complete) return;
  let drained = 0;
  const cut = () => req.socket.destroy();
  const timer = setTimeout(cut, maxMillis);
  timer.unref();
  req.on('data', (chunk: Buffer) => {
    drained += chunk.length;
    if (drained > maxBytes) cut();
  });
  req.on('end', () => clearTimeout(timer));
  req.on('close', () => clearTimeout(timer));
  req.resume();
}
