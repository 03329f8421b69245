import { mkdirSync, symlinkSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { expectFixture, fixture, node, read, removeProject, runCli, tempProject, tscErrors } from './codegen-harness';

/**
 * Fixture pairs under test/fixtures/codegen/cases: `<case>.input.txt` is
 * instrumented as src/<case>.<ext> of a project in the given decorator mode
 * and must come out as `<case>.output.txt`, byte for byte. Every case is also
 * run a second time (nothing more changes) and then with --remove (the input
 * comes back, byte for byte; or `<case>.removed.txt` where the output
 * moved an import).
 */
interface Case {
  name: string;
  /** Input fixture, when another case's (default: this case's own). */
  input?: string;
  legacy: boolean;
  flags: string[];
  why: string;
  ext?: string;
  options?: Record<string, unknown>;
  /** Exit code of the --write run (default 0). */
  write?: number;
  /** Exit code of --check after writing (default 0; 1 when something stays blocked). */
  check?: number;
  /** What --remove gives back, when not the input (`<case>.removed.txt`): an import moved up stays up. */
  removed?: boolean;
}

const cases: Case[] = [
  { name: 'methods', legacy: true, flags: [], why: 'methods are decorated; constructors, accessors, overload signatures, abstract, declare class, @notrace, #private and class expressions (legacy) are skipped' },
  { name: 'methods-tc39', legacy: false, flags: [], why: 'under TC39 decorators #private methods and class expressions are decorated, and an aliased import is honoured' },
  { name: 'merge-import', legacy: true, flags: [], why: "Traceable joins an existing import from 'tracewire', keeping its double quotes" },
  { name: 'functions', legacy: true, flags: ['--functions'], why: 'exported function declarations are wrapped, hoisting kept; overloads once; default export; consts and declare skipped' },
  { name: 'notrace-file', legacy: true, flags: [], why: 'a file opted out with @notrace-file is left alone' },
  { name: 'clash', legacy: true, flags: [], check: 1, why: 'a file declaring its own Traceable is blocked rather than shadowed, and --check keeps failing on it (issue item 10)' },
  {
    name: 'functions-late-import',
    legacy: true,
    flags: ['--functions'],
    removed: true,
    why: "an import from 'tracewire' below another import moves above it, with its comment, since a forwarder may run before the imports below it (import cycle)",
  },
  {
    name: 'functions-repair-import',
    legacy: true,
    flags: ['--functions'],
    removed: true,
    why: "a file an earlier tracewire wrapped with its import from 'tracewire' below another import gets the import moved up",
  },
  {
    name: 'functions-code-above',
    legacy: true,
    flags: ['--functions'],
    why: "code above the imports calls a wrapped function at load: tracewire's import goes above it (and its doc comment), since tsc's CommonJS output runs it in place",
  },
  { name: 'clash-require', legacy: true, flags: ['--functions'], check: 1, why: "a traceable destructured from require('tracewire') is a declared name: blocked rather than imported twice" },
  { name: 'functions-properties', legacy: true, flags: ['--functions'], why: 'properties assigned after the declaration stay reachable through the export (item 1)' },
  {
    name: 'functions-own-reflect',
    legacy: true,
    flags: ['--functions'],
    why: 'a module with its own Reflect gets the `(f$t ??= …).apply(this, arguments)` forwarder: Reflect.apply would call its Reflect',
  },
  {
    name: 'functions-reflect-parameter',
    legacy: false,
    flags: ['--functions'],
    why: 'a function with a parameter named Reflect gets the `.apply` forwarder (the parameter would be Reflect in it); the others Reflect.apply',
  },
  { name: 'assertion', legacy: true, flags: ['--functions'], why: 'an assertion function is left alone; a type guard is wrapped (item 2)' },
  {
    name: 'metadata-later-class',
    legacy: true,
    flags: [],
    options: { emitDecoratorMetadata: true },
    why: 'with emitDecoratorMetadata, a method whose metadata would name a class declared later is skipped (item 3)',
  },
  { name: 'allow-js', legacy: true, flags: [], ext: 'js', options: { allowJs: true }, why: 'a JavaScript file of an allowJs project is left alone (item 4)' },
  { name: 'directives', legacy: false, flags: [], why: "the import goes below 'use client', which stays a directive (item 5)" },
  { name: 'script-file', legacy: true, flags: [], check: 1, why: 'a script file is not turned into a module: blocked with a reason (item 5)' },
  { name: 'hand-written', legacy: true, flags: [], why: "@Traceable decorators a person wrote are kept by --remove, with their import (item 6)" },
  { name: 'bom', legacy: true, flags: [], why: 'a UTF-8 byte order mark is kept (item 8)' },
  { name: 'namespace-merge', legacy: true, flags: ['--functions'], why: 'a function merged with a namespace is left alone (item 9)' },
  { name: 'syntax-error', legacy: true, flags: [], write: 2, check: 2, why: 'a file that does not parse is not edited, and the run fails (item 12)' },
  {
    name: 'fields',
    legacy: true,
    flags: [],
    why: 'function-valued class fields are wrapped in traceable() where type-safe; untyped parameters, decorated, computed, assertion and @notrace fields are left alone',
  },
  {
    name: 'fields-isolated',
    input: 'fields',
    legacy: false,
    flags: [],
    options: { isolatedDeclarations: true, declaration: true },
    why: 'under isolatedDeclarations only annotated and private fields are wrapped (an unannotated one would need a type: TS9012)',
  },
  { name: 'fields-clash', legacy: true, flags: [], why: 'a module declaring its own traceable keeps its fields as they are; its methods are still decorated' },
  { name: 'fields-off', input: 'fields', legacy: false, flags: ['--no-fields'], why: '--no-fields leaves every function-valued field alone' },
  {
    name: 'selection',
    legacy: true,
    flags: ['--public-only', '--async-only', '--classes', '*Service', '--decorator-options', "{ runType: 'chain' }"],
    why: 'selection: public, async, matching classes only, each decorator with the given options; a function-valued field is reported',
  },
];

describe.each(cases)('instrument fixture $name', ({ name, input: inputName = name, legacy, flags, ext = 'ts', options, write = 0, check = 0, removed, why }) => {
  let dir: string;
  const input = fixture(`${inputName}.input.txt`);
  const file = `src/${name}.${ext}`;
  beforeEach(() => (dir = tempProject({ [file]: input }, legacy, options)));
  afterEach(() => removeProject(dir));

  test(`produces the expected file: ${why}`, async () => {
    const { code, stderr } = await runCli(dir, 'instrument', '--write', ...flags);
    if (write === 0) expect(stderr).toBe('');
    expect(code).toBe(write);
    expectFixture(`${name}.output.txt`, read(dir, file));
  });

  test('running it a second time changes nothing', async () => {
    await runCli(dir, 'instrument', '--write', ...flags);
    const once = read(dir, file);
    const again = await runCli(dir, 'instrument', '--check', ...flags);
    expect(again.code).toBe(check);
    expect(read(dir, file)).toBe(once);
  });

  test('--remove restores the original text exactly', async () => {
    await runCli(dir, 'instrument', '--write', ...flags);
    const result = await runCli(dir, 'instrument', '--remove', '--write', ...flags);
    expect(result.code).toBe(write);
    if (removed === true) expectFixture(`${name}.removed.txt`, read(dir, file));
    else expect(read(dir, file)).toBe(input);
  });
});

test('(needs `npm run build`) the metadata-later-class output compiles and loads with emitDecoratorMetadata: what is decorated names nothing still undefined, a class merged with a later namespace included', async () => {
  const dir = tempProject({ 'src/metadata-later-class.ts': fixture('metadata-later-class.input.txt') }, true, { emitDecoratorMetadata: true });
  try {
    mkdirSync(join(dir, 'node_modules'));
    symlinkSync(resolve(__dirname, '../..'), join(dir, 'node_modules/tracewire'), 'dir');
    expect((await runCli(dir, 'instrument', '--write')).code).toBe(0);
    expect(tscErrors(dir, true)).toEqual([]);
    const loaded = `const m = require('./src/metadata-later-class.js'); const r = new m.Registry();
      console.log(JSON.stringify([r.add(new m.Registry.Entry()) === r, r.configure({ strict: true }), new m.Auth().verify('x')]));`;
    expect(JSON.parse(node(dir, '-e', loaded))).toEqual([true, true, true]);
  } finally {
    removeProject(dir);
  }
});
