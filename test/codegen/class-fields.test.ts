import { existsSync, mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fixture, node, read, removeProject, runCli, tempProject, tscErrors } from './codegen-harness';
import { writeFileSync } from 'node:fs';

/**
 * Function-valued class fields, wrapped by `instrument`: the real tsc reports
 * exactly the errors it reported before (in both decorator modes: the fixture
 * has fields that would change them if they were wrapped — untyped
 * parameters, an assertion; a recursive one whose error tsc reports either way), and the compiled program
 * behaves as before — `this` is still the instance (detached calls too),
 * `name` and `length` are the field's — while each call is a run named after
 * its field.
 */
const ROOT = resolve(__dirname, '../..');

const CONSUMER = `/* @notrace-file */
import { MemoryExporter, TracingClient, setGlobalTracingClient } from 'tracewire';
import { Anonymous, Widget } from './fields';

async function main(): Promise<void> {
  const exporter = new MemoryExporter();
  const client = new TracingClient({ exporter, projectName: 'fields' });
  setGlobalTracingClient(client);
  const w = new Widget();
  const detached = w.handle;
  const poll = w.poll(); // while count is 0: it returns at once
  // Types survive the wrapper: a generic stays generic, a type predicate still narrows (else tsc's error set would grow).
  const text: string = w.generic('typed');
  const value: unknown = 'v';
  const narrowed: string = w.isText(value) ? value : text;
  const result = {
    handled: await detached(2),
    count: w.count,
    clicked: w.onClick({ url: 'abc' }),
    generic: w.generic('g'),
    created: Widget.create(5).count,
    method: w.method(),
    legacy: w.legacy(1),
    isText: w.isText('t'),
    quoted: w['quoted-name'](),
    poll,
    anonymous: await new Anonymous().run(),
    narrowed,
    identity: [w.handle.name, w.handle.length, w.onClick.name, Widget.create.name, w.legacy.name, w.legacy.length],
  };
  await client.flush({ timeoutMillis: 5_000 });
  const runs = exporter.finishedRuns.map((r) => r.name).sort();
  console.log(JSON.stringify({ result, runs }));
}
void main();
`;


describe.each([
  { mode: 'experimentalDecorators + emitDecoratorMetadata', legacy: true, options: { emitDecoratorMetadata: true } },
  { mode: 'TC39 decorators', legacy: false, options: {} },
])('function-valued class fields under $mode', ({ legacy, options }) => {
  let dir: string;
  beforeAll(() => {
    if (!existsSync(join(ROOT, 'dist/index.js'))) throw new Error('dist/index.js is missing: run `npm run build` first.');
    const files = { 'src/fields.ts': fixture('fields.input.txt'), 'src/main.ts': CONSUMER };
    dir = tempProject(files, legacy, { ...options, outDir: 'out', rootDir: 'src', types: [], lib: ['ES2022'] });
    mkdirSync(join(dir, 'node_modules'));
    symlinkSync(ROOT, join(dir, 'node_modules/tracewire'), 'dir');
  });
  afterAll(() => removeProject(dir));

  test('wrapped fields keep tsc’s error set, `this`, name and length, and each call is a run named after its field', async () => {
    const before = tscErrors(dir, false);
    expect(before.length).toBeGreaterThan(0); // the untyped field: a control that errors are compared at all
    const instrumented = await runCli(dir, 'instrument', '--write');
    expect(instrumented.code).toBe(0);
    expect(readFileSync(join(dir, 'src/fields.ts'), 'utf8')).toContain('handle = traceable(/* tracewire:auto */ async');
    expect(tscErrors(dir, true)).toEqual(before);

    const { result, runs } = JSON.parse(node(dir, join(dir, 'out/main.js'))) as { result: Record<string, unknown>; runs: string[] };
    expect(result).toEqual({
      handled: 2,
      count: 2,
      clicked: 3,
      generic: 'g',
      created: 5,
      method: 2,
      legacy: 3,
      isText: true,
      quoted: "it's",
      poll: 0,
      anonymous: 'ran',
      narrowed: 'v',
      identity: ['handle', 1, 'onClick', 'create', 'legacy', 1],
    });
    expect(runs).toEqual(['#secret', 'create', 'generic', 'generic', 'handle', 'isText', 'isText', 'legacy', 'method', 'onClick', 'poll', 'quoted-name', 'run']);
  }, 60_000);
});

test('--remove still finds a wrapped field after a formatter moved the mark to its own line', async () => {
  const dir = tempProject({ 'src/a.ts': 'export class A {\n  handle = async (x: number) => x;\n}\n' }, false);
  try {
    await runCli(dir, 'instrument', '--write');
    const formatted = read(dir, 'src/a.ts').replace('traceable(/* tracewire:auto */ ', 'traceable(\n    /* tracewire:auto */\n    ');
    writeFileSync(join(dir, 'src/a.ts'), formatted);
    expect((await runCli(dir, 'instrument', '--remove', '--write')).code).toBe(0);
    expect(read(dir, 'src/a.ts')).toBe("export class A {\n  handle = async (x: number) => x;\n}\n");
  } finally {
    removeProject(dir);
  }
});

test('a field holding a function inside ( ), as, satisfies or !, or chosen by ?:, is left alone and listed with the reason by --verbose', async () => {
  const source = [
    'type F = (n: number) => number;',
    'export class A {',
    '  paren = ((n: number): number => n * 2);',
    '  asserted = ((n: number) => n) as F;',
    '  checked = ((n: number) => n) satisfies F;',
    '  chosen = Math.random() > 1 ? (n: number) => n : (n: number) => -n;',
    '  plain = (n: number) => n;',
    '  data = (1 + 2) as number;',
    '}',
    '',
  ].join('\n');
  const dir = tempProject({ 'src/a.ts': source }, false);
  try {
    const { stdout } = await runCli(dir, 'instrument', '--verbose');
    for (const field of ['paren', 'asserted', 'checked']) expect(stdout).toMatch(new RegExp(`skip   src/a\\.ts:\\d+ A\\.${field}: function-valued field written inside`));
    expect(stdout).toMatch(/skip {3}src\/a\.ts:\d+ A\.chosen: function-valued field chosen by \?:/);
    expect(stdout).toMatch(/src\/a\.ts:\d+ traceable\(…\) around the field A\.plain/);
    expect(stdout).not.toContain('A.data');
  } finally {
    removeProject(dir);
  }
});
