import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { startServe, type ServeProcess } from '../cli/serve-process';
import { installPacked } from '../helpers/packed-project';

/**
 * The packages as users get them: `tracewire` and `@tracewire/collector`
 * packed and installed together into a fresh project (one install serves
 * every test here); tracewire used from CommonJS, from ESM, and from
 * TypeScript compiled by tsc in both decorator modes; `npx tracewire serve`.
 */
const repo = resolve(__dirname, '../..');
const tsc = join(repo, 'node_modules/typescript/bin/tsc');
let project: string;

const run = (file: string, args: string[] = []) =>
  execFileSync(process.execPath, [...args, file], { cwd: project, encoding: 'utf8', timeout: 30_000 });

beforeAll(() => {
  const installed = installPacked([repo, join(repo, 'collector')]);
  project = installed.dir;
  packedFiles = installed.packedFiles.tracewire!;
  collectorFiles = installed.packedFiles['@tracewire/collector']!;
}, 180_000);

let serve: ServeProcess | undefined;
afterAll(async () => {
  await serve?.stop();
  rmSync(project, { recursive: true, force: true });
});

let packedFiles: string[] = [];
let collectorFiles: string[] = [];

const consumerBody = (load: string) => `${load}
const exporter = new MemoryExporter();
const client = new TracingClient({ exporter });
setGlobalTracingClient(client);
const add = traceable(function add(a, b) { return a + b; });
const sum = add(2, 3);
client.flush().then(() => console.log(JSON.stringify({ sum, runs: exporter.finishedRuns.map((r) => [r.name, r.outputs]) })));
`;

test('the tarball ships the built entry and types, not sources or tests', () => {
  expect(packedFiles).toEqual(expect.arrayContaining(['dist/index.js', 'dist/index.d.ts', 'package.json', 'README.md']));
  expect(packedFiles.filter((file) => /^(lib|decorators|test)\/|\.ts$/.test(file) && !file.endsWith('.d.ts'))).toEqual([]);
});

test('require("tracewire") works from CommonJS', () => {
  writeFileSync(join(project, 'consumer.cjs'), consumerBody(`const { traceable, TracingClient, MemoryExporter, setGlobalTracingClient } = require('tracewire');`));
  expect(JSON.parse(run('consumer.cjs'))).toEqual({ sum: 5, runs: [['add', { outputs: 5 }]] });
});

test('import { … } from "tracewire" works from ESM', () => {
  writeFileSync(join(project, 'consumer.mjs'), consumerBody(`import { traceable, TracingClient, MemoryExporter, setGlobalTracingClient } from 'tracewire';`));
  expect(JSON.parse(run('consumer.mjs'))).toEqual({ sum: 5, runs: [['add', { outputs: 5 }]] });
});

describe.each([
  ['legacy', ['--experimentalDecorators', '--emitDecoratorMetadata']],
  ['standard (TC39)', []],
])('a TypeScript consumer compiled by tsc with %s decorators', (_mode, flags) => {
  test('type-checks against the shipped declarations and traces at run time', () => {
    const source = `import 'reflect-metadata';
import { Traceable, TracingClient, MemoryExporter, setGlobalTracingClient } from 'tracewire';
const exporter = new MemoryExporter();
const client = new TracingClient({ exporter });
setGlobalTracingClient(client);
@Traceable({ tags: ['svc'] })
class Greeter {
  greet(name: string): string { return 'hi ' + name; }
  @Traceable({ runType: 'tool' })
  async shout(name: string): Promise<string> { return this.greet(name).toUpperCase(); }
}
void new Greeter().shout('ada').then(async (out: string) => {
  await client.flush();
  console.log(JSON.stringify({ out, runs: exporter.finishedRuns.map((r) => [r.name, r.run_type, r.parent_run_id !== undefined]).sort() }));
});
`;
    const dir = mkdtempSync(join(project, 'ts-'));
    writeFileSync(join(dir, 'consumer.ts'), source);
    const args = [tsc, '--strict', '--target', 'ES2022', '--module', 'nodenext', '--skipLibCheck', ...flags, 'consumer.ts'];
    try {
      execFileSync(process.execPath, args, { cwd: dir, encoding: 'utf8' });
    } catch (error) {
      throw new Error(`tsc failed:\n${(error as { stdout?: string }).stdout ?? String(error)}`);
    }
    expect(readdirSync(dir)).toContain('consumer.js');
    expect(JSON.parse(run(join(dir, 'consumer.js')))).toEqual({
      out: 'HI ADA',
      runs: [['greet', 'chain', true], ['shout', 'tool', false]],
    });
  });
});

describe('npx tracewire serve, from the packed collector', () => {
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
    expect(collectorFiles).toEqual(
      expect.arrayContaining(['dist/cli.js', 'dist/index.js', 'dist/index.d.ts', 'viewer/index.html', 'README.md', 'package.json']),
    );
    expect(collectorFiles.filter((file) => file.startsWith('src/'))).toEqual([]);
    expect(require(join(repo, 'collector/package.json')).private).toBeUndefined();
  });

  test('npx tracewire serve answers /healthz, and an env-only app shows its trace in /api/traces', async () => {
    const port = await freePort();
    serve = await startServe('npx', ['--no', 'tracewire', 'serve', '--port', String(port), '--memory'], project);
    expect(serve.url).toBe(`http://127.0.0.1:${port}`);
    const health = await fetch(`${serve.url}/healthz`);
    expect([health.status, await health.json()]).toEqual([200, { ok: true }]);

    // Exactly the two variables the banner tells the user to set.
    const [, tracing, endpoint] = /point an app at it: (\S+) (\S+)/.exec(serve.banner)!;
    const env = Object.fromEntries([tracing, endpoint].map((pair) => pair!.split('=') as [string, string]));
    expect(env).toEqual({ LANGSMITH_TRACING: 'true', LANGSMITH_ENDPOINT: serve.url });
    writeFileSync(
      join(project, 'app.js'),
      `const { traceable } = require('tracewire');
  const price = traceable(async function price(sku) { return sku.length * 10; }, { runType: 'tool' });
  const checkout = traceable(async function checkout(cart) { let total = 0; for (const sku of cart) total += await price(sku); return total; });
  checkout(['ab', 'cde']).then((total) => console.log(total));
  `,
    );
    const app = await new Promise<{ code: number; stdout: string; stderr: string }>((done) =>
      execFile(process.execPath, ['app.js'], { cwd: project, env: { PATH: process.env.PATH ?? '', ...env }, timeout: 30_000 }, (error, stdout, stderr) =>
        done({ code: error ? 1 : 0, stdout, stderr }),
      ),
    );
    expect(app).toEqual({ code: 0, stdout: '50\n', stderr: '' });

    const { traces } = (await (await fetch(`${serve.url}/api/traces`)).json()) as { traces: Array<{ trace_id: string; name: string }> };
    expect(traces.map((trace) => trace.name)).toEqual(['checkout']);
    const { spans } = (await (await fetch(`${serve.url}/api/traces/${traces[0]!.trace_id}`)).json()) as { spans: Array<{ name: string; run_type: string }> };
    expect(spans.map((span) => [span.name, span.run_type]).sort()).toEqual([['checkout', 'chain'], ['price', 'tool'], ['price', 'tool']]);
  }, 60_000);
});
