import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { installPacked } from '../helpers/packed-project';

/**
 * The package as users get it: packed, installed into a fresh project, used
 * from CommonJS, from ESM, and from TypeScript compiled by tsc in both
 * decorator modes.
 */
const repo = resolve(__dirname, '../..');
const tsc = join(repo, 'node_modules/typescript/bin/tsc');
let project: string;

const run = (file: string, args: string[] = []) =>
  execFileSync(process.execPath, [...args, file], { cwd: project, encoding: 'utf8', timeout: 30_000 });

beforeAll(() => {
  const installed = installPacked([repo]);
  project = installed.dir;
  packedFiles = installed.packedFiles.tracewire!;
}, 180_000);

afterAll(() => rmSync(project, { recursive: true, force: true }));

let packedFiles: string[] = [];

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
