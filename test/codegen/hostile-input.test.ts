import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { read, removeProject, runCli, tempProject } from './codegen-harness';

/**
 * What the codemod meets in real projects, beyond the code it means to
 * change: names that need escaping, files git cannot vouch for, symlinks
 * into node_modules, a --project that is no tsconfig, a glob the file walk
 * cannot read. Each either works, byte for byte, or is refused with a reason.
 */
let dir: string | undefined;
afterEach(() => {
  if (dir !== undefined) removeProject(dir);
  dir = undefined;
});

const git = (cwd: string, ...args: string[]) => execFileSync('git', ['-c', 'user.email=t@t', '-c', 'user.name=t', ...args], { cwd, stdio: 'pipe' });

test('a function whose name holds $ is traced and --remove restores it byte for byte (its forwarder is found again)', async () => {
  const source = 'export function $get(a: number) {\n  return a;\n}\n';
  dir = tempProject({ 'src/a.ts': source }, true);
  expect((await runCli(dir, 'instrument', '--functions', '--write')).code).toBe(0);
  expect(read(dir, 'src/a.ts')).toContain('$get$impl');
  expect((await runCli(dir, 'instrument', '--functions')).stdout).toMatch(/0 file\(s\) would change/);
  expect((await runCli(dir, 'instrument', '--remove', '--write')).code).toBe(0);
  expect(read(dir, 'src/a.ts')).toBe(source);
});

test("a field name with a line break or a control character is written as a string literal that parses (the run's name), and removed again", async () => {
  const source = "export class Api {\n  'GET /users\\n\\u0007' = (id: string) => id;\n}\n";
  dir = tempProject({ 'src/a.ts': source }, false);
  expect((await runCli(dir, 'instrument', '--write')).code).toBe(0);
  const written = read(dir, 'src/a.ts');
  expect(written).toContain("{ name: 'GET /users\\n\\u0007' }");
  expect((await runCli(dir, 'instrument', '--remove', '--write')).code).toBe(0);
  expect(read(dir, 'src/a.ts')).toBe(source);
});

test('a file reached through a symlink to outside the repository is refused by the uncommitted-changes guard, with the rest: git cannot vouch for it', async () => {
  const root = mkdtempSync(join(tmpdir(), 'tracewire-codegen-git-'));
  try {
    dir = join(root, 'repo');
    mkdirSync(join(dir, 'src'), { recursive: true });
    mkdirSync(join(root, 'outside'));
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { experimentalDecorators: true, target: 'ES2022' }, include: ['src/**/*.ts'] }));
    writeFileSync(join(dir, 'src/a.ts'), 'export class A {\n  run() {\n    return 1;\n  }\n}\n');
    writeFileSync(join(root, 'outside/shared.ts'), 'export class Shared {\n  run() {\n    return 2;\n  }\n}\n');
    git(dir, 'init', '-q');
    git(dir, 'add', '-A');
    git(dir, 'commit', '-qm', 'init');
    symlinkSync(join(root, 'outside/shared.ts'), join(dir, 'src/shared.ts'));
    const result = await runCli(dir, 'instrument', '--write');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('git cannot vouch for them');
    expect(read(dir, 'src/a.ts')).not.toContain('@Traceable');
    expect(read(root, 'outside/shared.ts')).not.toContain('@Traceable');
  } finally {
    rmSync(root, { recursive: true, force: true });
    dir = undefined;
  }
});

test('a source directory that is a symlink into node_modules is left alone', async () => {
  dir = tempProject({ 'src/a.ts': 'export class A {\n  run() {\n    return 1;\n  }\n}\n', 'node_modules/vendorpkg/src/vendor.ts': 'export class V {\n  run() {\n    return 2;\n  }\n}\n' }, true);
  symlinkSync(join(dir, 'node_modules/vendorpkg/src'), join(dir, 'src/vendor'));
  expect((await runCli(dir, 'instrument', '--write')).code).toBe(0);
  expect(read(dir, 'src/a.ts')).toContain('@Traceable');
  expect(read(dir, 'node_modules/vendorpkg/src/vendor.ts')).not.toContain('@Traceable');
});

test.each([
  ['a TypeScript file', 'src/p.ts', 'export const x = 1;\n'],
  ['JSON that does not parse', 'broken.json', '{ "compilerOptions": { "experimentalDecorators": tru } }'],
  ['a tsconfig extending one that does not exist', 'extends.json', '{ "extends": "./missing.json" }'],
])('--project naming %s is refused, saying why (its decorator mode would be guessed)', async (_case, path, text) => {
  dir = tempProject({ 'src/a.ts': 'export class A {\n  run() {}\n}\n', [path]: text }, true);
  const result = await runCli(dir, 'instrument', '--project', path);
  expect(result.code).toBe(2);
  expect(result.stderr).toMatch(/could not be read as a tsconfig\.json \(.+\)\. Point --project at a tsconfig\.json\./);
  expect(result.stderr).not.toMatch(/\n\s+at /);
});

test('a glob the file walk cannot read is a usage error naming it, not a stack (the built bin, as a child process: the glob library it meets there)', () => {
  dir = tempProject({ 'src/a.ts': 'export class A {\n  run() {}\n}\n' }, true);
  const bin = join(__dirname, '../../dist/cli/bin.js');
  const result = spawnSync(process.execPath, [bin, 'instrument', '--include', '\\'], { cwd: dir, encoding: 'utf8' });
  expect(result.status).toBe(2);
  expect(result.stderr).toContain('"\\\\"');
  expect(result.stderr).not.toMatch(/\n\s+at /);
});

describe('an instrumented file still compiles with the real tsc, and runs, where comments, imports and settings are particular', () => {
  const ROOT = join(__dirname, '../..');
  const TSC = join(ROOT, 'node_modules/typescript/bin/tsc');
  /** A project with the package linked in, compiled to out/ (CommonJS), as a user's would be. */
  const compiled = (files: Record<string, string>, extra: Record<string, unknown> = {}) => {
    const project = tempProject(files, true, { outDir: 'out', rootDir: 'src', types: [], lib: ['ES2022', 'DOM'], ...extra });
    mkdirSync(join(project, 'node_modules'));
    symlinkSync(ROOT, join(project, 'node_modules/tracewire'), 'dir');
    return project;
  };
  const tsc = (cwd: string) => spawnSync(process.execPath, [TSC, '-p', cwd], { cwd, encoding: 'utf8' });

  test('// @ts-expect-error and // @ts-ignore above a member stay on the line before it; /// <reference> and // @ts-nocheck stay above the import; --remove restores every byte', async () => {
    const sources = {
      'src/a.ts': [
        'export class Orders {',
        '  // @ts-expect-error: the count is a string on purpose',
        '  count(): number { return "3"; }',
        '}',
        '// @ts-ignore',
        'export function total(a: number) { return a.toFixed(undefined as unknown as string); }',
        '',
      ].join('\n'),
      'src/b.ts': ['/// <reference lib="dom" />', '// @ts-nocheck', 'export function size(x) { return document.title.length + x; }', 'export class B {', '  run(y) { return y; }', '}', ''].join('\n'),
    };
    dir = compiled(sources, { noImplicitAny: true });
    expect(tsc(dir).status).toBe(0);
    expect((await runCli(dir, 'instrument', '--functions', '--write')).code).toBe(0);
    expect(read(dir, 'src/a.ts')).toContain('@Traceable');
    expect(read(dir, 'src/b.ts').startsWith('/// <reference lib="dom" />\n// @ts-nocheck\n')).toBe(true);
    const result = tsc(dir);
    expect(result.stdout).toBe('');
    expect(result.status).toBe(0);
    expect((await runCli(dir, 'instrument', '--functions', '--remove', '--write')).code).toBe(0);
    expect(read(dir, 'src/a.ts')).toBe(sources['src/a.ts']);
    expect(read(dir, 'src/b.ts')).toBe(sources['src/b.ts']);
  });

  test('an import standing below code goes above that code: the CommonJS output runs (the import was declared after the class that reads it)', async () => {
    dir = compiled({
      'src/main.ts': ['class Greeter {', '  greet(name: string) { return `hi ${name}`; }', '}', "import { shout } from './shout';", "console.log(shout(new Greeter().greet('ada')) === 'HI ADA' ? 'ok' : 'wrong');", ''].join('\n'),
      'src/shout.ts': 'export const shout = (text: string): string => text.toUpperCase();\n',
    });
    expect((await runCli(dir, 'instrument', '--write')).code).toBe(0);
    expect(tsc(dir).status).toBe(0);
    expect(spawnSync(process.execPath, [join(dir, 'out/main.js')], { cwd: dir, encoding: 'utf8' }).stdout).toBe('ok\n');
  });

  test("under a lib without Reflect (ES5), the forwarders --functions writes call .apply (Reflect.apply would be TS2583) and compile", async () => {
    dir = compiled({ 'src/math.ts': 'export function add(a: number, b: number) {\n  return a + b;\n}\n' }, { lib: ['ES5'] });
    expect((await runCli(dir, 'instrument', '--functions', '--write')).code).toBe(0);
    expect(read(dir, 'src/math.ts')).toContain('.apply(this, arguments);');
    const result = tsc(dir);
    expect(result.stdout).toBe('');
    expect(result.status).toBe(0);
  });

  test('under noUnusedParameters, the forwarders --functions writes name their parameters as unused (they pass them on as arguments)', async () => {
    dir = compiled({ 'src/math.ts': 'export function add(a: number, b: number) {\n  return a + b;\n}\n' }, { noUnusedParameters: true });
    expect((await runCli(dir, 'instrument', '--functions', '--write')).code).toBe(0);
    const result = tsc(dir);
    expect(result.stdout).toBe('');
    expect(result.status).toBe(0);
  });

  test.each([false, true])('the names a forwarder gives its parameters clash with none, and a type naming a parameter (typeof a, x is T) follows its renaming (noUnusedParameters: %s)', async (noUnusedParameters) => {
    const source = [
      'export function pick({ a }: { a: number }, _0: number): number {',
      '  return a + _0;',
      '}',
      'export function under(a: number, _a: string): string {',
      '  return _a + a;',
      '}',
      'export function keyOf(obj: { x: number; y: string }, key: keyof typeof obj = "x", other: typeof obj.x = 1): string {',
      '  return String(obj[key]) + other;',
      '}',
      'export function isText(value: unknown): value is string {',
      "  return typeof value === 'string';",
      '}',
      '',
    ].join('\n');
    const use = "import { isText, keyOf, pick, under } from './a';\nconst v: unknown = 'x';\nexport const out = [pick({ a: 1 }, 2), under(1, 'b'), keyOf({ x: 1, y: 'y' }, 'y'), isText(v) ? v.toUpperCase() : ''];\n";
    dir = compiled({ 'src/a.ts': source, 'src/use.ts': use }, { noUnusedParameters });
    expect(tsc(dir).stdout).toBe('');
    expect((await runCli(dir, 'instrument', '--functions', '--write')).code).toBe(0);
    expect(read(dir, 'src/a.ts').match(/\$impl\(/g)).toHaveLength(4);
    const result = tsc(dir);
    expect(result.stdout).toBe('');
    expect(result.status).toBe(0);
    expect(JSON.stringify(require(join(dir, 'out/use.js')).out)).toBe('[3,"b1","y1","X"]');
  });

  test('a function without a return type that calls itself, or calls one that calls it back, or may have an inferred type predicate, is left alone with the reason: its forwarder would not compile or would lose the predicate', async () => {
    const source = [
      'export function unwrap(x: { inner?: unknown }, deep?: boolean) {',
      '  if (deep) return unwrap(x.inner as { inner?: unknown });',
      '  return x;',
      '}',
      'export function a(n: number) {',
      '  if (n > 0) helper(n - 1);',
      '  return n;',
      '}',
      'function helper(n: number) {',
      '  if (n > 0) a(n - 1);',
      '  return String(n);',
      '}',
      'export function isDefined<T>(value: T | undefined) {',
      '  return value !== undefined;',
      '}',
      'export function annotated(n: number): number {',
      '  return n > 0 ? annotated(n - 1) : 0;',
      '}',
      'export function plain(n: number) {',
      '  return a(n) + 1;',
      '}',
      '',
    ].join('\n');
    const use = "import { isDefined } from './a';\nexport const kept: number[] = [1, undefined].filter(isDefined);\n";
    dir = compiled({ 'src/a.ts': source, 'src/use.ts': use });
    expect(tsc(dir).stdout).toBe('');
    const run = await runCli(dir, 'instrument', '--functions', '--write', '--verbose');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/function unwrap: no return type, calls itself: directly/);
    expect(run.stdout).toMatch(/function a: no return type, calls itself: through helper/);
    expect(run.stdout).toMatch(/function isDefined: no return type, may infer a type predicate/);
    const written = read(dir, 'src/a.ts');
    expect(written.match(/\$impl\(/g)).toHaveLength(2); // annotated, and plain (it calls a, which does not call it)
    expect(written).toContain('function annotated$impl(');
    expect(written).toContain('function plain$impl(');
    const result = tsc(dir);
    expect(result.stdout).toBe('');
    expect(result.status).toBe(0);
  });

  test("an exhaustiveness check, a function taking a parameter typed never, is left alone with the reason: its forwarder's ReturnType would be any (TS2322)", async () => {
    const source = [
      'export function assertNever(value: never): never {',
      '  throw new Error(`unexpected ${String(value)}`);',
      '}',
      'export function alsoNever(label: string, value: (never)): string {',
      '  return label + String(value);',
      '}',
      'export function fail(message: string): never {',
      '  throw new Error(message);',
      '}',
      "export type Shape = { kind: 'a' } | { kind: 'b' };",
      'export function label(shape: Shape): string {',
      "  switch (shape.kind) { case 'a': return 'A'; case 'b': return 'B'; default: return assertNever(shape); }",
      '}',
      '',
    ].join('\n');
    dir = compiled({ 'src/a.ts': source });
    expect(tsc(dir).stdout).toBe('');
    const run = await runCli(dir, 'instrument', '--functions', '--write', '--verbose');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/function assertNever: a parameter typed never/);
    expect(run.stdout).toMatch(/function alsoNever: a parameter typed never/);
    const written = read(dir, 'src/a.ts');
    expect(written).toContain('function fail$impl(');
    expect(written).toContain('function label$impl(');
    expect(written).not.toContain('assertNever$impl');
    const result = tsc(dir);
    expect(result.stdout).toBe('');
    expect(result.status).toBe(0);
  });
});

test('--remove is narrowed by --classes and --name as an addition is: what they leave out keeps its decorators', async () => {
  const source = ['export class OrderService {', '  place() {}', '  cancel() {}', '}', 'export class Handwritten {', '  keepMe() {}', '}', ''].join('\n');
  dir = tempProject({ 'src/a.ts': source }, true);
  expect((await runCli(dir, 'instrument', '--write')).code).toBe(0);
  const traced = read(dir, 'src/a.ts');
  expect(traced.match(/@Traceable/g)).toHaveLength(3);
  expect((await runCli(dir, 'instrument', '--remove', '--write', '--classes', 'OrderService', '--name', 'OrderService.place')).code).toBe(0);
  const after = read(dir, 'src/a.ts');
  expect(after.match(/@Traceable/g)).toHaveLength(2);
  expect(after).toMatch(/@Traceable\(\/\* tracewire:auto \*\/\)\n  cancel\(\)/);
  expect(after).toMatch(/@Traceable\(\/\* tracewire:auto \*\/\)\n  keepMe\(\)/);
  expect((await runCli(dir, 'instrument', '--remove', '--write')).code).toBe(0);
  expect(read(dir, 'src/a.ts')).toBe(source);
});

test('a parameter or local named traceable or Traceable would capture the inserted call: the file is blocked with a reason and left as it was', async () => {
  const source = [
    'export function register(name: string, traceable = true) {',
    '  return traceable ? name : "";',
    '}',
    'export function makeHandler(Traceable: boolean) {',
    '  return class Handler {',
    '    run = () => Traceable;',
    '  };',
    '}',
    'export class Plain {',
    '  go() { return 1; }',
    '}',
    '',
  ].join('\n');
  dir = tempProject({ 'src/a.ts': source }, true);
  const result = await runCli(dir, 'instrument', '--functions', '--write');
  expect(result.stdout).toMatch(/also declared inside this module \(a parameter or a local\)/);
  expect(read(dir, 'src/a.ts')).toBe(source);
});

test('--decorator-options with a comment and line breaks is written on one line without them: the file still parses, and --remove restores it', async () => {
  const source = 'export class A {\n  run() {\n    return 1;\n  }\n}\n';
  dir = tempProject({ 'src/a.ts': source }, true);
  const result = await runCli(dir, 'instrument', '--write', '--decorator-options', "{\n  runType: 'llm', // the model call\n  tags: ['a'],\n}");
  expect(result.code).toBe(0);
  expect(read(dir, 'src/a.ts')).toContain("@Traceable({ runType: 'llm', tags: ['a'], } /* tracewire:auto */)");
  expect((await runCli(dir, 'instrument', '--remove', '--write')).code).toBe(0);
  expect(read(dir, 'src/a.ts')).toBe(source);
});

test('--decorator-options holding a template literal keeps it as written, its line break and ${…} included, and what follows it', async () => {
  dir = tempProject({ 'src/a.ts': 'export class A {\n  run() {}\n}\n' }, true);
  const options = "{ metadata: { note: `a\n${ { b: 1 }.b } c`, team: 'x' }, tags: ['t'] }";
  expect((await runCli(dir, 'instrument', '--write', '--decorator-options', options)).code).toBe(0);
  expect(read(dir, 'src/a.ts')).toContain("@Traceable({ metadata: { note: `a\n${ { b: 1 }.b } c`, team: 'x' }, tags: ['t'] } /* tracewire:auto */)");
});

test('--decorator-options naming every member (name) is refused: each is named after itself', async () => {
  dir = tempProject({ 'src/a.ts': 'export class A {\n  run() {}\n}\n' }, true);
  const result = await runCli(dir, 'instrument', '--decorator-options', "{ name: 'svc' }");
  expect(result.code).toBe(2);
  expect(result.stderr).toContain('name cannot be given to every member');
});

test('--remove takes the import out again when the word traceable is only a property name in the file (not a use of the import)', async () => {
  const source = 'const features = { traceable: true };\nexport class A {\n  run() {\n    return features.traceable;\n  }\n  handle = () => 1;\n}\n';
  dir = tempProject({ 'src/a.ts': source }, false);
  expect((await runCli(dir, 'instrument', '--write')).code).toBe(0);
  expect(read(dir, 'src/a.ts')).toContain("import { Traceable, traceable } from 'tracewire';");
  expect((await runCli(dir, 'instrument', '--remove', '--write')).code).toBe(0);
  expect(read(dir, 'src/a.ts')).toBe(source);
});

test('a file that is not UTF-8 (Latin-1 bytes in a comment) is skipped with a reason, its bytes untouched', async () => {
  dir = tempProject({ 'src/ok.ts': 'export class Ok {\n  run() {}\n}\n' }, true);
  const latin1 = Buffer.concat([Buffer.from('// caf'), Buffer.from([0xe9]), Buffer.from(' \xa9\nexport class A {\n  run() {}\n}\n', 'latin1')]);
  writeFileSync(join(dir, 'src/a.ts'), latin1);
  const result = await runCli(dir, 'instrument', '--write', '--verbose');
  expect(result.stdout).toContain('not UTF-8');
  expect(readFileSync(join(dir, 'src/a.ts')).equals(latin1)).toBe(true);
  expect(read(dir, 'src/ok.ts')).toContain('@Traceable');
});

// Giving a file away takes root: run as another user, the codemod's files are that user's own anyway.
(process.getuid?.() === 0 ? test : test.skip)("a file written by a privileged run keeps its owner and mode (root instrumenting a user's tree left root's files)", async () => {
  dir = tempProject({ 'src/a.ts': 'export class A {\n  run() {}\n}\n' }, true);
  const file = join(dir, 'src/a.ts');
  chownSync(file, 65534, 65534);
  chmodSync(file, 0o640);
  expect((await runCli(dir, 'instrument', '--write')).code).toBe(0);
  expect(read(dir, 'src/a.ts')).toContain('@Traceable');
  expect(statSync(file)).toMatchObject({ uid: 65534, gid: 65534 });
  expect(statSync(file).mode & 0o777).toBe(0o640);
});

test("a comment ending the last import's line stays on that line; --remove restores the file", async () => {
  const source = "import { readFileSync } from 'node:fs'; // eslint-disable-line no-restricted-imports\nexport class A {\n  run() {\n    return readFileSync;\n  }\n}\n";
  dir = tempProject({ 'src/a.ts': source }, true);
  expect((await runCli(dir, 'instrument', '--write')).code).toBe(0);
  expect(read(dir, 'src/a.ts').split('\n').slice(0, 2)).toEqual(["import { readFileSync } from 'node:fs'; // eslint-disable-line no-restricted-imports", "import { Traceable } from 'tracewire';"]);
  expect((await runCli(dir, 'instrument', '--remove', '--write')).code).toBe(0);
  expect(read(dir, 'src/a.ts')).toBe(source);
});

test('a CommonJS file (.cts) under verbatimModuleSyntax is blocked with a reason (an ES import does not compile there), the .ts beside it traced', async () => {
  const cts = "import fs = require('node:fs');\nexport class Files {\n  read() {\n    return fs.readFileSync;\n  }\n}\n";
  dir = tempProject({ 'src/files.cts': cts, 'src/a.ts': 'export class A {\n  run() {}\n}\n' }, true, { verbatimModuleSyntax: true, module: 'nodenext', moduleResolution: 'nodenext' });
  writeFileSync(join(dir, 'tsconfig.json'), read(dir, 'tsconfig.json').replace('"src/**/*.ts"', '"src/**/*.ts", "src/**/*.cts"'));
  const result = await runCli(dir, 'instrument', '--write');
  expect(result.stdout).toMatch(/files\.cts[\s\S]*verbatimModuleSyntax/);
  expect(read(dir, 'src/files.cts')).toBe(cts);
  expect(read(dir, 'src/a.ts')).toContain('@Traceable');
});

test.each([
  [['--force'], '--force goes with --write'],
  [['--diff', '--json'], '--diff and --json exclude each other'],
])('flags that would do nothing together are a usage error, not silently ignored: %j', async (flags, message) => {
  dir = tempProject({ 'src/a.ts': 'export class A {\n  run() {}\n}\n' }, true);
  const result = await runCli(dir, 'instrument', ...flags);
  expect(result.code).toBe(2);
  expect(result.stderr).toContain(message);
});

test('one file reached by two paths given (a symlinked directory beside the real one) is changed once, and counted once', async () => {
  dir = tempProject({ 'src/real/a.ts': 'export class A {\n  run() {}\n}\n' }, true);
  symlinkSync(join(dir, 'src/real'), join(dir, 'src/alias'));
  const result = await runCli(dir, 'instrument', 'src/real', 'src/alias', '--write');
  expect(result.code).toBe(0);
  expect(result.stdout).toMatch(/1 file\(s\) changed \(1 additions\)/);
  expect(read(dir, 'src/real/a.ts').match(/@Traceable/g)).toHaveLength(1);
});

test("a module that imports Traceable from 'tracewire' as a type only is blocked with that reason, not as a name declared elsewhere", async () => {
  for (const importLine of ["import type { Traceable } from 'tracewire';", "import { type Traceable } from 'tracewire';"]) {
    const source = `${importLine}\nexport type T = typeof Traceable;\nexport class A {\n  run() {}\n}\n`;
    dir = tempProject({ 'src/a.ts': source }, false);
    const { stdout } = await runCli(dir, 'instrument', '--write');
    expect(stdout).toContain("block  src/a.ts: Traceable is imported from 'tracewire' as a type only (import type): import it as a value (import { Traceable } from 'tracewire') and run again");
    expect(read(dir, 'src/a.ts')).toBe(source);
    removeProject(dir);
    dir = undefined;
  }
});
