import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { releaseBody, reusableBody } from '../../../../lib/exporters/http/body-pool';
import { HttpTransport } from '../../../../lib/exporters/http/http-transport';

/**
 * Request bodies are used again once their request is closed (no page faults
 * for a fresh body per request), and only then: a body handed out twice at
 * once would put one request's bytes into another's.
 */

/** Takes every body the pool keeps free, so each test starts from an empty pool. */
function drain(): void {
  for (let i = 0; i < 64; i++) reusableBody(1);
}

beforeEach(drain);

test('a body given back is handed out again, for a size that fits it; one not given back is not', () => {
  const first = reusableBody(100_000);
  const kept = reusableBody(100_000);
  releaseBody(first);
  const again = reusableBody(99_500);
  expect(again.buffer).toBe(first.buffer);
  expect(again.length).toBe(99_500);
  expect(reusableBody(100_000).buffer).not.toBe(kept.buffer);
});

test('until some body is given back, a body is its exact size; after, it is rounded up so bodies a little larger fit', () => {
  jest.isolateModules(() => {
    // A fresh pool: a transport that never gives bodies back (fetch) must not get bodies larger than asked for.
    const pool = require('../../../../lib/exporters/http/body-pool') as typeof import('../../../../lib/exporters/http/body-pool');
    const exact = pool.reusableBody(100_000);
    expect(exact.buffer.byteLength).toBe(100_000);
    pool.releaseBody(exact);
    expect(pool.reusableBody(200_000).buffer.byteLength).toBe(4 * 65_536);
    expect(pool.reusableBody(90_000).buffer).toBe(exact.buffer);
  });
});

test('a body given back twice is still handed out once', () => {
  const body = reusableBody(5_000);
  releaseBody(body);
  releaseBody(body);
  const a = reusableBody(5_000);
  const b = reusableBody(5_000);
  expect(a.buffer).toBe(body.buffer);
  expect(b.buffer).not.toBe(body.buffer);
});

test('a body over 1 MiB, or one not from the pool, is never kept', () => {
  const large = reusableBody((1 << 20) + 1);
  releaseBody(large);
  expect(reusableBody((1 << 20) + 1).buffer).not.toBe(large.buffer);
  const own = Buffer.allocUnsafeSlow(70_000);
  releaseBody(own);
  expect(reusableBody(70_000).buffer).not.toBe(own.buffer);
});

describe('HttpTransport', () => {
  let server: Server;
  let url: URL;
  let received: Buffer[];

  beforeEach(async () => {
    received = [];
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk)).on('end', () => {
        received.push(Buffer.concat(chunks));
        res.writeHead(200).end('{}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/runs/multipart`);
  });

  afterEach(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  async function closedAfter(transport: HttpTransport, body: Uint8Array, bodyReusable: boolean): Promise<void> {
    expect(await transport.post({ url, headers: {}, body, bodyReusable, options: { signal: new AbortController().signal } })).toEqual({ ok: true });
    // The request closes on the tick after its answer ends.
    await new Promise((resolve) => setImmediate(resolve));
  }

  test('gives a reusable body back once its request is closed, after every byte of it went out', async () => {
    const transport = new HttpTransport();
    const body = reusableBody(300_000).fill(7);
    await closedAfter(transport, body, true);
    expect(received[0]).toEqual(Buffer.alloc(300_000, 7));
    expect(reusableBody(300_000).buffer).toBe(body.buffer);
    transport.close();
  });

  test('keeps a body not marked reusable', async () => {
    const transport = new HttpTransport();
    const body = reusableBody(300_000).fill(1);
    await closedAfter(transport, body, false);
    expect(reusableBody(300_000).buffer).not.toBe(body.buffer);
    transport.close();
  });
});
