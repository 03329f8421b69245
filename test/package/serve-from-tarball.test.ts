import { execFile } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { startServe, type ServeProcess } from '../cli/serve-process';
import { installPacked, type PackedProject } from '../helpers/packed-project';

/**
 * What a user gets from npm: `tracewire` and `@tracewire/collector` packed,
 * installed into an empty project, `npx tracewire serve` started, and an app
 * with no set-up code pointed at it by the two variables serve prints.
 * Requires both packages built (`npm test` builds them).
 */
const repo = resolve(__dirname, '../..');
let project: PackedProject;
let serve: ServeProcess | undefined;

beforeAll(() => {
  project = installPacked([repo, join(repo, 'collector')], 'tracewire-serve-');
}, 180_000);
afterAll(async () => {
  await serve?.stop();
  rmSync(project.dir, { recursive: true, force: true });
});

/** A port nothing listens on right now. */
function freePort(): Promise<number> {
  return new Promise((done) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });
}

test('the collector tarball ships its build, viewer and README, and is publishable', () => {
  expect(project.packedFiles['@tracewire/collector']).toEqual(
    expect.arrayContaining(['dist/cli.js', 'dist/index.js', 'dist/index.d.ts', 'viewer/index.html', 'README.md', 'package.json']),
  );
  expect(project.packedFiles['@tracewire/collector']!.filter((file) => file.startsWith('src/'))).toEqual([]);
  expect(require(join(repo, 'collector/package.json')).private).toBeUndefined();
});

test('npx tracewire serve answers /healthz, and an env-only app shows its trace in /api/traces', async () => {
  const port = await freePort();
  serve = await startServe('npx', ['--no', 'tracewire', 'serve', '--port', String(port), '--memory'], project.dir);
  expect(serve.url).toBe(`http://127.0.0.1:${port}`);
  const health = await fetch(`${serve.url}/healthz`);
  expect([health.status, await health.json()]).toEqual([200, { ok: true }]);

  // Exactly the two variables the banner tells the user to set.
  const [, tracing, endpoint] = /point an app at it: (\S+) (\S+)/.exec(serve.banner)!;
  const env = Object.fromEntries([tracing, endpoint].map((pair) => pair!.split('=') as [string, string]));
  expect(env).toEqual({ LANGSMITH_TRACING: 'true', LANGSMITH_ENDPOINT: serve.url });
  writeFileSync(
    join(project.dir, 'app.js'),
    `const { traceable } = require('tracewire');
const price = traceable(async function price(sku) { return sku.length * 10; }, { runType: 'tool' });
const checkout = traceable(async function checkout(cart) { let total = 0; for (const sku of cart) total += await price(sku); return total; });
checkout(['ab', 'cde']).then((total) => console.log(total));
`,
  );
  const app = await new Promise<{ code: number; stdout: string; stderr: string }>((done) =>
    execFile(process.execPath, ['app.js'], { cwd: project.dir, env: { PATH: process.env.PATH ?? '', ...env }, timeout: 30_000 }, (error, stdout, stderr) =>
      done({ code: error ? 1 : 0, stdout, stderr }),
    ),
  );
  expect(app).toEqual({ code: 0, stdout: '50\n', stderr: '' });

  const { traces } = (await (await fetch(`${serve.url}/api/traces`)).json()) as { traces: Array<{ trace_id: string; name: string }> };
  expect(traces.map((trace) => trace.name)).toEqual(['checkout']);
  const { spans } = (await (await fetch(`${serve.url}/api/traces/${traces[0]!.trace_id}`)).json()) as { spans: Array<{ name: string; run_type: string }> };
  expect(spans.map((span) => [span.name, span.run_type]).sort()).toEqual([['checkout', 'chain'], ['price', 'tool'], ['price', 'tool']]);
}, 60_000);
