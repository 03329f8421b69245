import type { ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import { OtlpCollector } from '../helpers/otlp-collector';
import { bundle, freePort, ROOT, scratch, startServer, workerdConfig, writeText } from '../runtimes/runtime-harness';

/**
 * The Cloudflare example as Cloudflare runs it: bundled by esbuild as
 * wrangler bundles (the `workerd` condition), served by the real workerd
 * with the settings of its wrangler.toml (compatibility date, nodejs_als),
 * the OTLP endpoint given as a binding.
 */
let collector: OtlpCollector;
let server: { child: ChildProcess; output: () => string };
let work: { dir: string; remove: () => void };
let base: string;
/** Secrets a real Worker has among its bindings (`wrangler secret put`), which the traced `fetch(request, env, ctx)` is given. */
const SECRET_BINDINGS = { OTLP_AUTHORIZATION: 'Bearer OTLPSECRET', OPENAI_API_KEY: 'sk-OPENAISECRET', STRIPE_SECRET_KEY: 'sk_live_STRIPESECRET', GITHUB_TOKEN: 'ghp_GITHUBSECRET', DB_PASSWORD: 'DBSECRET' };

beforeAll(async () => {
  collector = await OtlpCollector.start();
  work = scratch('tracewire-example-worker-');
  await bundle(resolve(ROOT, 'examples/cloudflare/worker.ts'), join(work.dir, 'worker.js'), ['workerd', 'worker', 'browser']);
  const port = await freePort();
  writeText(join(work.dir, 'config.capnp'), workerdConfig(port, { OTLP_ENDPOINT: collector.url, ...SECRET_BINDINGS }));
  base = `http://127.0.0.1:${port}`;
  server = await startServer(join(ROOT, 'node_modules/.bin/workerd'), ['serve', join(work.dir, 'config.capnp')], `${base}/warm-up`);
}, 120_000);

afterAll(async () => {
  server?.child.kill('SIGTERM');
  await collector?.stop();
  work?.remove();
});

test('the Cloudflare worker answers with a Response and its traces arrive through ctx.waitUntil', async () => {
  const responses = await Promise.all(['/a', '/b', '/c'].map((path) => fetch(base + path)));
  expect(responses.map((response) => response.status)).toEqual([200, 200, 200]);
  expect(await Promise.all(responses.map((response) => response.text()))).toEqual(['content of /a', 'content of /b', 'content of /c']);
  const expected = 4 * 2; // the warm-up and three requests, each worker.fetch + lookup
  const deadline = Date.now() + 20_000;
  while (collector.spans.length < expected && Date.now() < deadline) await new Promise((done) => setTimeout(done, 100));
  const names = collector.spans.map((span) => String(span.span.name)).sort();
  expect(names).toEqual([...Array(4).fill('lookup'), ...Array(4).fill('worker.fetch')]);
  // The traced fetch records its env argument without the secrets in it, and with the rest (before: every one in clear).
  const exported = JSON.stringify(collector.spans);
  expect(exported).toContain(collector.url);
  for (const secret of Object.values(SECRET_BINDINGS)) expect(exported).not.toContain(secret);
  expect(exported).toContain('\\"OPENAI_API_KEY\\":\\"[redacted]\\"');
}, 60_000);
