import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { tsMorphAvailable } from '../../codegen/load-ts-morph';
import { fixture, read, removeProject, runCli, runCliOn, tempProject } from './codegen-harness';

const ROOT = resolve(__dirname, '../..');
const legacyClass = 'export class A {\r\n  run(): void {}\r\n}\r\n';

describe('the tracewire bin, compiled by tsc and run as a child process', () => {
  let out: string;
  let dir: string;
  beforeAll(() => {
    out = mkdtempSync(join(tmpdir(), 'tracewire-codegen-bin-'));
    execFileSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(ROOT, 'codegen/tsconfig.json'), '--outDir', out]);
  }, 60_000);
  beforeEach(() => (dir = tempProject({ 'src/a.ts': legacyClass }, true)));
  afterEach(() => removeProject(dir));
  afterAll(() => rmSync(out, { recursive: true, force: true }));
  const bin = (...args: string[]) =>
    spawnSync(process.execPath, [join(out, 'bin.js'), ...args], { cwd: dir, encoding: 'utf8', env: { ...process.env, NODE_PATH: join(ROOT, 'node_modules') } });

  test('--check exits 1 while changes are pending, 0 once written, 2 on a usage error', () => {
    expect(bin('instrument', '--check').status).toBe(1);
    expect(bin('instrument', '--write').status).toBe(0);
    expect(bin('instrument', '--check').status).toBe(0);
    const bad = bin('instrument', '--check', '--project', 'missing.json');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--project missing.json: no such file');
  });

  test('a dry run prints what would change and writes nothing', () => {
    const result = bin('instrument', '--verbose');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('change src/a.ts:2 @Traceable() on A.run');
    expect(read(dir, 'src/a.ts')).toBe(legacyClass);
  });
});

test('CRLF files keep CRLF line endings', async () => {
  const dir = tempProject({ 'src/a.ts': legacyClass }, true);
  await runCli(dir, 'instrument', '--write');
  expect(read(dir, 'src/a.ts')).toBe("export class A {\r\n  @Traceable(/* tracewire:auto */)\r\n  run(): void {}\r\n}\r\n".replace(/^/, "import { Traceable } from 'tracewire';\r\n\r\n"));
  removeProject(dir);
});

test('--json reports each file as changed, unchanged or skipped, with every skip and its reason', async () => {
  const dir = tempProject({ 'src/methods.ts': fixture('methods.input.txt'), 'src/types.d.ts': 'declare class X { m(): void }\n', 'src/plain.ts': 'export const x = 1;\n' }, true);
  const { code, stdout } = await runCli(dir, 'instrument', '--json');
  removeProject(dir);
  expect(code).toBe(0);
  const report = JSON.parse(stdout) as { files: Array<{ file: string; status: string; reason?: string; skips: Array<{ subject: string; reason: string }> }> };
  const byFile = Object.fromEntries(report.files.map((f) => [f.file, f]));
  expect(byFile['src/types.d.ts']).toMatchObject({ status: 'skipped', reason: 'declaration file (.d.ts): no code to trace' });
  expect(byFile['src/plain.ts']!.status).toBe('unchanged');
  const skips = Object.fromEntries(byFile['src/methods.ts']!.skips.map((s) => [s.subject, s.reason]));
  expect(skips).toMatchObject({
    'Orders.constructor': 'constructor: only methods are traced',
    'Orders.size': 'accessor: @Traceable() decorates methods only',
    'Orders.find': 'overload signature: the implementation is decorated instead',
    'Orders.hot': 'opted out with // @notrace',
    'Orders.#secret': '#private method: experimentalDecorators rejects decorators on it',
    'Shape.area': 'abstract method: no body to trace',
    Ambient: 'declare class: ambient, there is no code to trace',
    '(anonymous class)': 'class expression: experimentalDecorators rejects decorators on its members',
  });
});

test("a class's own then is left alone, with its reason: awaiting a thenable calls it", async () => {
  const dir = tempProject({ 'src/query.ts': 'export class LazyQuery {\n  then(onValue?: (v: number) => unknown): Promise<unknown> {\n    return Promise.resolve(1).then(onValue);\n  }\n\n  run(): number {\n    return 1;\n  }\n}\n' }, true);
  const { code, stdout } = await runCli(dir, 'instrument', '--json');
  removeProject(dir);
  expect(code).toBe(0);
  const [file] = (JSON.parse(stdout) as { files: Array<{ skips: Array<{ subject: string; reason: string }>; changes: unknown[] }> }).files;
  expect(file!.skips).toEqual([{ subject: 'LazyQuery.then', line: 2, reason: expect.stringMatching(/^then: makes the class a thenable/) }]);
  expect(JSON.stringify(file!.changes)).toContain('LazyQuery.run');
});

test('positional paths and --exclude choose the files', async () => {
  const dir = tempProject({ 'src/a.ts': legacyClass, 'src/b.ts': legacyClass, 'src/gen/c.ts': legacyClass }, true);
  const { stdout } = await runCli(dir, 'instrument', 'src', '--exclude', 'src/gen/**', '--exclude', 'b.ts', '--verbose');
  removeProject(dir);
  expect(stdout).toContain('src/a.ts:2');
  expect(stdout).not.toContain('src/b.ts');
  expect(stdout).not.toContain('src/gen/c.ts');
});

test('--diff prints a patch that git apply takes, turning each file into what --write makes: LF, CRLF with a byte-order mark and tabs, no newline at the end', async () => {
  const files = {
    'src/lf.ts': 'export class A {\n  run(): void {}\n}\n',
    'src/crlf.ts': '\ufeffexport class B {\r\n\trun(): void {}\r\n\r\n\tstop(): void {}\r\n}\r\n',
    'src/open.ts': 'export class C {\n  run(): void {}\n}',
  };
  const dry = tempProject(files, false);
  const written = tempProject(files, false);
  try {
    const { stdout, code } = await runCli(dry, 'instrument', '--diff');
    expect(code).toBe(0);
    expect(stdout).toContain('--- a/src/crlf.ts\n+++ b/src/crlf.ts\n@@ ');
    expect((await runCli(written, 'instrument', '--write')).code).toBe(0);
    const patch = stdout.slice(0, stdout.lastIndexOf('\n', stdout.search(/^\d+ file\(s\) would change/m) - 1) + 1);
    execFileSync('git', ['apply', '-'], { cwd: dry, input: patch, stdio: ['pipe', 'pipe', 'pipe'] });
    for (const path of Object.keys(files)) expect(read(dry, path)).toBe(read(written, path));
    expect(read(dry, 'src/crlf.ts')).toMatch(/^\ufeff[^]*@Traceable\(\/\* tracewire:auto \*\/\)\r\n\trun\(\)/);
  } finally {
    removeProject(dry);
    removeProject(written);
  }
});

test('without ts-morph installed the CLI says how to install it', () => {
  expect(tsMorphAvailable(() => { throw new Error("Cannot find module 'ts-morph'"); })).toBe(false);
  expect(tsMorphAvailable()).toBe(true);
});

test('a large project shows a progress line on a terminal, cleared at the end, and none when not a terminal', async () => {
  const files: Record<string, string> = {};
  for (let i = 0; i < 120; i++) files[`src/service${i}.ts`] = `export class Service${i} {\n  run(): number {\n    return ${i};\n  }\n}\n`;
  const dir = tempProject(files, true);
  try {
    const onTerminal = await runCliOn({ isTTY: true }, dir, 'instrument', '--project', 'tsconfig.json');
    expect(onTerminal.stderr).toBe('');
    expect(onTerminal.code).toBe(0);
    expect(onTerminal.progress.length).toBeGreaterThan(1);
    expect(onTerminal.progress[0]).toMatch(/^instrument: 1\/120 /);
    expect(onTerminal.progress.at(-1)).toBe(''); // the line is cleared before the report
    const piped = await runCliOn({ isTTY: false }, dir, 'instrument', '--project', 'tsconfig.json');
    expect(piped.code).toBe(0);
    expect(piped.progress).toEqual([]);
  } finally {
    removeProject(dir);
  }
});
