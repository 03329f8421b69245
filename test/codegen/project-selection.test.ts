import { execFileSync } from 'node:child_process';
import { lstatSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { expectFixture, fixture, read, removeProject, runCli, tempProject } from './codegen-harness';

/** Writes files (creating folders) into `dir`. */
function put(dir: string, files: Record<string, string>): void {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
}

function git(dir: string, ...args: string[]): void {
  execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { cwd: dir, stdio: 'ignore' });
}

describe('a solution-style tsconfig ("files": [] + references) (issue item 7)', () => {
  const tsconfig = (legacy: boolean) => JSON.stringify({ compilerOptions: { composite: true, strict: true, target: 'ES2022', experimentalDecorators: legacy }, include: ['src'] });
  const layout = () => {
    const dir = tempProject({}, true);
    put(dir, {
      'tsconfig.json': JSON.stringify({ files: [], references: [{ path: './packages/legacy' }, { path: './packages/standard/tsconfig.json' }] }),
      'packages/legacy/tsconfig.json': tsconfig(true),
      'packages/legacy/src/vault.ts': fixture('referenced.input.txt'),
      'packages/standard/tsconfig.json': tsconfig(false),
      'packages/standard/src/vault.ts': fixture('referenced.input.txt'),
    });
    return dir;
  };

  test('instruments the files of every referenced project, each in its own decorator mode', async () => {
    const dir = layout();
    try {
      expect((await runCli(dir, 'instrument', '--check')).code).toBe(1);
      expect((await runCli(dir, 'instrument', '--write')).code).toBe(0);
      expectFixture('referenced-legacy.output.txt', read(dir, 'packages/legacy/src/vault.ts'));
      expectFixture('referenced-standard.output.txt', read(dir, 'packages/standard/src/vault.ts'));
      expect((await runCli(dir, 'instrument', '--check')).code).toBe(0);
      await runCli(dir, 'instrument', '--remove', '--write');
      expect(read(dir, 'packages/standard/src/vault.ts')).toBe(fixture('referenced.input.txt'));
    } finally {
      removeProject(dir);
    }
  });

  test('a tsconfig that selects no files warns, and --check fails instead of passing while checking nothing', async () => {
    const dir = tempProject({}, true);
    try {
      put(dir, { 'tsconfig.json': JSON.stringify({ files: [] }) });
      const check = await runCli(dir, 'instrument', '--check');
      expect(check.code).toBe(2);
      expect(check.stderr).toContain('warning: no files selected from tsconfig.json');
      const dry = await runCli(dir, 'instrument');
      expect(dry.code).toBe(0);
      expect(dry.stderr).toContain('warning: no files selected');
    } finally {
      removeProject(dir);
    }
  });
});

test('a symlinked source file stays a symlink; its target gets the change (issue item 11)', async () => {
  const dir = tempProject({ 'shared/real.ts': fixture('symlinked.input.txt') }, true);
  try {
    mkdirSync(join(dir, 'src'));
    symlinkSync('../shared/real.ts', join(dir, 'src/link.ts'));
    expect((await runCli(dir, 'instrument', '--write')).code).toBe(0);
    expect(lstatSync(join(dir, 'src/link.ts')).isSymbolicLink()).toBe(true);
    expectFixture('symlinked.output.txt', read(dir, 'shared/real.ts'));
  } finally {
    removeProject(dir);
  }
});

describe('in a git repository', () => {
  const cls = 'export class A {\n  run(): void {}\n}\n';
  let dir: string;
  beforeEach(() => {
    dir = tempProject({ 'src/a.ts': cls, 'src/generated/api.ts': cls, '.gitignore': 'src/generated/\n' }, true);
    git(dir, 'init', '-q');
    git(dir, 'add', '.');
    git(dir, 'commit', '-qm', 'init');
  });
  afterEach(() => removeProject(dir));

  test('files .gitignore excludes are left alone', async () => {
    const { code, stdout } = await runCli(dir, 'instrument', '--write');
    expect(code).toBe(0);
    expect(stdout).toContain('write  src/a.ts (1 change)');
    expect(read(dir, 'src/generated/api.ts')).toBe(cls);
  });

  test('--write refuses files with uncommitted changes (modified or untracked) unless --force', async () => {
    put(dir, { 'src/a.ts': cls.replace('run', 'go'), 'src/b.ts': cls });
    const refused = await runCli(dir, 'instrument', '--write');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('not writing: 2 file(s) to change have uncommitted changes');
    expect(refused.stderr).toContain('src/b.ts');
    expect(read(dir, 'src/a.ts')).toBe(cls.replace('run', 'go'));
    expect((await runCli(dir, 'instrument', '--check')).code).toBe(1); // dry runs and --check never need a clean tree
    const forced = await runCli(dir, 'instrument', '--write', '--force');
    expect(forced.code).toBe(0);
    expect(read(dir, 'src/b.ts')).toContain('@Traceable(/* tracewire:auto */)');
  });
});

describe('output', () => {
  const files = { 'src/a.ts': 'export class A {\n  constructor() {}\n  run(): void {}\n  walk(): void {}\n}\n', 'src/clash.ts': fixture('clash.input.txt') };

  test('by default one line per file, then a summary counting what was left alone and why', async () => {
    const dir = tempProject(files, true);
    const { stdout } = await runCli(dir, 'instrument');
    removeProject(dir);
    expect(stdout).toBe(
      'change src/a.ts (2 changes)\n' +
        "block  src/clash.ts: the name Traceable is already declared in this module: import tracewire's Traceable under another name (import { Traceable as … } from 'tracewire') and run again\n" +
        '1 file(s) would change (2 additions), 0 unchanged, 0 skipped, 1 blocked, 0 error(s) (dry run: --write applies)\n' +
        'left alone: 1 constructor (--verbose lists each)\n',
    );
  });

  test('--quiet prints only problems and the summary', async () => {
    const dir = tempProject(files, true);
    const { stdout } = await runCli(dir, 'instrument', '--quiet');
    removeProject(dir);
    expect(stdout).not.toContain('change src/a.ts');
    expect(stdout).toContain('block  src/clash.ts');
    expect(stdout).toContain('1 file(s) would change (2 additions)');
  });
});

describe('a config file', () => {
  test('./tracewire-instrument.json sets the selection; a command-line flag wins', async () => {
    const dir = tempProject({ 'src/a.ts': fixture('selection.input.txt'), 'src/f.ts': 'export function f(): number {\n  return 1;\n}\n' }, true);
    try {
      put(dir, { 'tracewire-instrument.json': JSON.stringify({ functions: true, asyncOnly: true, classes: ['*Service'] }) });
      const { stdout } = await runCli(dir, 'instrument', '--verbose');
      expect(stdout).toContain('OrderService.place');
      expect(stdout).toContain('skip   src/a.ts:21 Helper: class name does not match --classes');
      expect(stdout).toContain('skip   src/f.ts:1 function f: not async (--async-only)');
      const overridden = await runCli(dir, 'instrument', '--verbose', '--classes', 'Helper');
      expect(overridden.stdout).toContain('@Traceable() on Helper.run');
    } finally {
      removeProject(dir);
    }
  });

  test('"fields": false leaves function-valued fields alone; --fields on the command line wins', async () => {
    const dir = tempProject({ 'src/a.ts': fixture('selection.input.txt') }, true);
    try {
      put(dir, { 'tracewire-instrument.json': JSON.stringify({ fields: false }) });
      const { stdout } = await runCli(dir, 'instrument', '--verbose');
      expect(stdout).toContain('skip   src/a.ts:18 OrderService.handler: function-valued field: left alone (--no-fields, or "fields": false)');
      const overridden = await runCli(dir, 'instrument', '--verbose', '--fields');
      expect(overridden.stdout).toContain('change src/a.ts:18 traceable(…) around the field OrderService.handler');
    } finally {
      removeProject(dir);
    }
  });

  test('an unknown setting is refused, naming the accepted ones', async () => {
    const dir = tempProject({ 'src/a.ts': 'export {};\n' }, true);
    put(dir, { 'tracewire-instrument.json': JSON.stringify({ function: true }) });
    const { code, stderr } = await runCli(dir, 'instrument');
    removeProject(dir);
    expect(code).toBe(2);
    expect(stderr).toContain('unknown setting "function"; accepted: project, include, exclude, functions,');
  });
});

test.each([
  [['--name', ''], '--name needs a glob, got an empty one.'],
  [['--include='], '--include needs a glob, got an empty one.'],
  [['--classes', ' '], '--classes needs a glob, got an empty one.'],
])('an empty glob (%j) is refused naming its flag, not met with a TypeError', async (flags, message) => {
  const dir = tempProject({ 'src/a.ts': 'export {};\n' }, true);
  const { code, stderr } = await runCli(dir, 'instrument', ...flags);
  removeProject(dir);
  expect(code).toBe(2);
  expect(stderr).toContain(`tracewire: ${message}`);
  expect(stderr).not.toContain('TypeError');
});

test.each([
  [{ toString: true }, 'unknown setting "toString"'],
  [{ constructor: ['x'] }, 'unknown setting "constructor"'],
  [{ name: [''] }, '"name" must be an array of non-empty strings'],
])('a config file setting %j is refused by name', async (config, message) => {
  const dir = tempProject({ 'src/a.ts': 'export {};\n' }, true);
  put(dir, { 'tracewire-instrument.json': JSON.stringify(config) });
  const { code, stderr } = await runCli(dir, 'instrument');
  removeProject(dir);
  expect(code).toBe(2);
  expect(stderr).toContain(message);
});

test('--decorator-options must be one object literal', async () => {
  const dir = tempProject({ 'src/a.ts': 'export {};\n' }, true);
  const { code, stderr } = await runCli(dir, 'instrument', '--decorator-options', 'runType: 1');
  removeProject(dir);
  expect(code).toBe(2);
  expect(stderr).toContain("--decorator-options runType: 1: expected one object literal");
});

test.each([
  ["{ runTpye: 'llm' }", 'unknown option "runTpye"; accepted: name, runType, run_type,'],
  ["{ runType: 'LLM' }", 'runType "LLM" is not one of chain, llm, tool,'],
  ["{ 'run_type': 'agent' }", 'run_type "agent" is not one of'],
])('--decorator-options %s, which would fail only when the instrumented classes load, is refused now', async (options, message) => {
  const dir = tempProject({ 'src/a.ts': 'export {};\n' }, true);
  const { code, stderr } = await runCli(dir, 'instrument', '--decorator-options', options);
  removeProject(dir);
  expect(code).toBe(2);
  expect(stderr).toContain(message);
});

test("--decorator-options takes every option traceable takes, and only those: the codemod's copy of the lists is the SDK's", async () => {
  const { KNOWN_OPTIONS } = await import('../../lib/instrument/trace-options');
  const { RUN_TYPES } = await import('../../lib/model/run');
  const { RUN_TYPE_NAMES, TRACE_OPTION_NAMES } = await import('../../codegen/trace-option-names');
  expect(TRACE_OPTION_NAMES).toEqual(KNOWN_OPTIONS);
  expect(RUN_TYPE_NAMES).toEqual(RUN_TYPES);
});
