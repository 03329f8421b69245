import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/**
 * The package as users get it: packed, installed into a fresh project, used
 * from CommonJS, from ESM, and from TypeScript compiled by tsc in both
 * decorator modes. The project pins its own tsyringe, a different 4.x than
 * tracewire develops against: tsyringe is a peer, so there is one copy and
 * one root container.
 */
const APP_TSYRINGE = '4.8.0';
const repo = resolve(__dirname, '../..');
const tsc = join(repo, 'node_modules/typescript/bin/tsc');
let project: string;

const run = (file: string, args: string[] = []) =>
  execFileSync(process.execPath, [...args, file], { cwd: project, encoding: 'utf8', timeout: 30_000 });

beforeAll(() => {
  project = mkdtempSync(join(tmpdir(), 'tracewire-consumer-'));
  const packed = JSON.parse(
    execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', project], { cwd: repo, encoding: 'utf8' }),
  ) as [{ filename: string; files: { path: string }[] }];
  packedFiles = packed[0].files.map((file) => file.path);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, dependencies: { tsyringe: APP_TSYRINGE, 'reflect-metadata': '0.2.2' } }));
  tarball = join(project, packed[0].filename);
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', tarball], {
    cwd: project,
    stdio: 'pipe',
    timeout: 120_000,
  });
}, 180_000);

afterAll(() => rmSync(project, { recursive: true, force: true }));

let packedFiles: string[] = [];
let tarball: string;

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

describe('tsyringe and reflect-metadata are peer dependencies', () => {
  const appBody = (load: string) => `${load}
class Orders { constructor(tracing) { this.tracing = tracing; } }
container.register(Orders, { useFactory: (c) => new Orders(c.resolve(TRACING_CLIENT)) });
const client = configureTracing({ exporter: new MemoryExporter() });
console.log(JSON.stringify({
  sameClient: container.resolve(TRACING_CLIENT) === client && container.resolve(Orders).tracing === client,
  tsyringe: require_('tsyringe/package.json').version,
}));
`;

  test(`an app pinning tsyringe ${APP_TSYRINGE} gets one copy: configureTracing registers in the app’s own container (CommonJS)`, () => {
    const nested = execFileSync('npm', ['ls', 'tsyringe', '--all', '--parseable'], { cwd: project, encoding: 'utf8' }).trim().split('\n');
    expect(nested).toEqual([join(project, 'node_modules/tsyringe')]);
    writeFileSync(join(project, 'app.cjs'), appBody(`require('reflect-metadata');
const require_ = require;
const { container } = require('tsyringe');
const { configureTracing, MemoryExporter, TRACING_CLIENT } = require('tracewire');`));
    expect(JSON.parse(run('app.cjs'))).toEqual({ sameClient: true, tsyringe: APP_TSYRINGE });
  });

  test('the same from ESM', () => {
    writeFileSync(join(project, 'app.mjs'), appBody(`import 'reflect-metadata';
import { createRequire } from 'node:module';
import { container } from 'tsyringe';
import { configureTracing, MemoryExporter, TRACING_CLIENT } from 'tracewire';
const require_ = createRequire(import.meta.url);`));
    expect(JSON.parse(run('app.mjs'))).toEqual({ sameClient: true, tsyringe: APP_TSYRINGE });
  });

  test('without them, tracing works and configureTracing fails with an error saying what to install', () => {
    const bare = mkdtempSync(join(tmpdir(), 'tracewire-no-peers-'));
    try {
      writeFileSync(join(bare, 'package.json'), JSON.stringify({ name: 'bare', private: true }));
      execFileSync('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--omit=peer', tarball], { cwd: bare, stdio: 'pipe', timeout: 120_000 });
      writeFileSync(join(bare, 'app.cjs'), `const { traceable, configureTracing, MemoryExporter, TracingClient, setGlobalTracingClient } = require('tracewire');
const exporter = new MemoryExporter();
const client = new TracingClient({ exporter });
setGlobalTracingClient(client);
const out = traceable(function add(a, b) { return a + b; })(1, 2);
let error;
try { configureTracing({ exporter }); } catch (e) { error = e.name + ': ' + e.message; }
client.flush().then(() => console.log(JSON.stringify({ out, runs: exporter.finishedRuns.length, error })));
`);
      const result = JSON.parse(execFileSync(process.execPath, ['app.cjs'], { cwd: bare, encoding: 'utf8', timeout: 30_000 })) as { out: number; runs: number; error: string };
      expect(result).toMatchObject({ out: 3, runs: 1 });
      expect(result.error).toMatch(/^TracewireUsageError: .*needs the peer dependency "reflect-metadata".*npm install tsyringe@\^4 reflect-metadata/);
    } finally {
      rmSync(bare, { recursive: true, force: true });
    }
  }, 150_000);
});
