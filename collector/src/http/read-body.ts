import type { IncomingMessage } from 'node:http';
import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib';
import { HttpError } from './http-error.js';

const DECODERS: Readonly<Record<string, (raw: Buffer, limit: number) => Buffer>> = {
  gzip: (raw, maxOutputLength) => gunzipSync(raw, { maxOutputLength }),
  deflate: (raw, maxOutputLength) => inflateSync(raw, { maxOutputLength }),
  br: (raw, maxOutputLength) => brotliDecompressSync(raw, { maxOutputLength }),
};

/**
 * The request body, decompressed, at most `limit` bytes both as it travels
 * and once decompressed (a small gzip body must not inflate into gigabytes).
 *
 * An oversized body is still read to its end (and thrown away) before the
 * 413 is answered: a client still writing when the server answers and
 * closes often sees a reset instead of the status. Past 4 × `limit` the
 * connection is cut anyway.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    let received = 0;
    const chunks: Buffer[] = [];
    const tooLarge = () => new HttpError(413, `Body larger than the collector's limit of ${limit} bytes: send smaller batches (GET /info announces batch_ingest_config.size_limit_bytes) or start the collector with a larger --max-body-bytes`);
    if (Number.isFinite(declared) && declared > limit * 4) {
      req.destroy();
      reject(tooLarge());
      return;
    }
    req.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (received <= limit) chunks.push(chunk);
      else if (received > limit * 4) req.destroy();
    });
    req.on('error', reject);
    req.on('close', () => reject(new HttpError(400, 'The request was aborted before its body ended')));
    req.on('end', () => {
      if (received > limit) return reject(tooLarge());
      try {
        resolve(decode(Buffer.concat(chunks), req.headers['content-encoding'], limit));
      } catch (error) {
        reject(error);
      }
    });
  });
}

function decode(raw: Buffer, encoding: string | undefined, limit: number): Buffer {
  const name = (encoding ?? 'identity').trim().toLowerCase();
  if (name === 'identity' || name === '') return raw;
  const decoder = DECODERS[name];
  if (decoder === undefined) throw new HttpError(415, `Content-Encoding ${JSON.stringify(encoding)} is not supported: send gzip, deflate, br or an uncompressed body`);
  try {
    return decoder(raw, limit);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' || error instanceof RangeError) {
      throw new HttpError(413, `Body larger than the collector's limit of ${limit} bytes once decompressed`);
    }
    throw new HttpError(400, `Body is not valid ${name}: ${(error as Error).message}`);
  }
}
