import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LangSmithExporter, TracingClient, traceable } from '../../../../edge';

/**
 * The edge entry's `fetch` transport names why a request failed, as Node's transport does: fetch itself says only
 * `fetch failed` (undici, Vercel's edge runtime), the reason kept in its `cause`. An SRE could not tell a certificate
 * from a refused connection.
 */
const failureOf = async (endpoint: string): Promise<string> => {
  const warnings: string[] = [];
  const client = new TracingClient({ exporter: new LangSmithExporter({ endpoint, apiKey: 'lsv2_test_key', fetchServerInfo: false }), maxRetries: 0, logger: { warn: (message) => warnings.push(message) } });
  await traceable(async () => 'done', { name: 'call', client })();
  await client.flush();
  await client.shutdown();
  return warnings.join('\n');
};

test('a refused connection is named', async () => {
  // A port just let go of: nothing listens there.
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  expect(await failureOf(`http://127.0.0.1:${port}`)).toMatch(/fetch failed: connect ECONNREFUSED 127\.0\.0\.1:\d+/);
});

describe('a certificate the runtime does not trust', () => {
  let dir: string;
  let server: Server;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tw-fetch-tls-'));
    const [key, cert] = [join(dir, 'key.pem'), join(dir, 'cert.pem')];
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
    server = createServer({ key: readFileSync(key), cert: readFileSync(cert) }, (_req, res) => res.end('{}'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  test('is named', async () => {
    expect(await failureOf(`https://127.0.0.1:${(server.address() as AddressInfo).port}`)).toMatch(/fetch failed: self[- ]signed certificate/);
  });
});
