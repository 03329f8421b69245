import { existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { node, read, removeProject, runCli, tempProject, tscErrors } from './codegen-harness';

/**
 * Like import-cycle.test.ts, but a.ts reaches tracewire through its own
 * import (or loads b.ts some other way) that stands BELOW the import of
 * b.ts (or below code calling `clamp`): b.ts calls a.ts's `clamp` while a.ts is still loading, so the
 * forwarder runs before that import has. tsc's CommonJS output threw
 * "Cannot access 'tracewire_1' before initialization"; native ESM had not
 * evaluated tracewire yet ("Cannot access 'KNOWN_OPTIONS' before
 * initialization"). main.ts imports a.ts before tracewire for that reason.
 * Each variant is its own pair of modules, run by its own node process.
 */
const ROOT = resolve(__dirname, '../..');
const TSC = join(ROOT, 'node_modules/typescript/bin/tsc');

interface Variant {
  name: string;
  /** a.ts's head: `$b` is the path of its b module; it must bind LIMIT. */
  head: string;
  cjsOnly?: boolean;
}

const variants: Variant[] = [
  { name: 'named', head: "import { LIMIT } from '$b';\nimport { traceable } from 'tracewire'; // tracing\nexport const id = traceable((x: number) => x);" },
  { name: 'decorator', head: "import { LIMIT } from '$b';\nimport { Traceable } from 'tracewire';\nexport class K { @Traceable() m() { return 1; } }" },
  { name: 'namespace', head: "import { LIMIT } from '$b';\nimport * as tw from 'tracewire';\nexport const id = tw.traceable((x: number) => x);" },
  { name: 'alias', head: "import { LIMIT } from '$b';\nimport { traceable as trace } from 'tracewire';\nexport const id = trace((x: number) => x);" },
  { name: 'type-element', head: "import { LIMIT } from '$b';\nimport { type TraceOptions } from 'tracewire';\nexport const options: TraceOptions = {};" },
  { name: 'export-from', head: "export * from '$b';\nimport { LIMIT } from '$b';" },
  // Code above the imports runs first in tsc's CommonJS output (native ESM runs the imports first anyway).
  {
    name: 'code-above',
    head: "/** Runs while this module loads, above its imports. */\nexport const early = clamp(3);\nimport { traceable } from 'tracewire';\nimport { LIMIT } from '$b';\nexport const id = traceable(() => early);",
  },
  { name: 'import-equals', head: "import b = require('$b');\nimport { EOL } from './eol';\nconst LIMIT = b.LIMIT + EOL.length;", cjsOnly: true },
  { name: 'require', head: "declare const require: (id: string) => typeof import('$b');\nconst { LIMIT } = require('$b');\nimport { EOL } from './eol';\nexport const eol = EOL;", cjsOnly: true },
];

const a = (v: Variant, ext: string): string => `${v.head.replace(/\$b/g, `./b-${v.name}${ext}`)}
export function clamp(n: number): number { return Math.min(n, 100); }
export function limit(): number { return LIMIT; }
`;
const b = (v: Variant, ext: string): string => `import { clamp } from './a-${v.name}${ext}';
export const LIMIT = clamp(500); // runs while a-${v.name} is still loading
`;
const main = (ext: string): string => `declare const process: { argv: string[] };
async function main(): Promise<void> {
  const a = await import(\`./a-\${process.argv[2]}${ext}\`); // before tracewire: nothing else has loaded it
  const { MemoryExporter, TracingClient, setGlobalTracingClient } = await import('tracewire');
  const exporter = new MemoryExporter();
  const client = new TracingClient({ exporter, projectName: 'cycle' });
  setGlobalTracingClient(client);
  const result = [a.clamp(7), a.limit(), a.clamp.length, a.clamp.name];
  await client.flush({ timeoutMillis: 2_000 });
  console.log(JSON.stringify(result));
  console.log(JSON.stringify(exporter.finishedRuns.map((r: { name: string }) => r.name).sort()));
}
void main();
`;

describe.each([
  { mode: 'CommonJS', ext: '', options: { module: 'commonjs' } },
  { mode: 'native ESM', ext: '.js', options: { module: 'nodenext' }, esm: true },
])('--functions on an import cycle, tracewire imported below the cyclic import, as $mode', ({ ext, options, esm }) => {
  const used = variants.filter((v) => esm !== true || v.cjsOnly !== true);
  const before = new Map<string, string[]>();
  let dir: string;
  let errors: string[];
  beforeAll(async () => {
    if (!existsSync(join(ROOT, 'dist/index.js'))) throw new Error('dist/index.js is missing: run `npm run build` first.');
    const files: Record<string, string> = { 'src/main.ts': main(ext), 'src/eol.ts': "export const EOL = '';\n" };
    for (const v of used) Object.assign(files, { [`src/a-${v.name}.ts`]: a(v, ext), [`src/b-${v.name}.ts`]: b(v, ext) });
    dir = tempProject(files, false, { ...options, outDir: 'out', rootDir: 'src', types: [], lib: ['ES2022', 'DOM'] });
    if (esm === true) writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
    mkdirSync(join(dir, 'node_modules'));
    symlinkSync(ROOT, join(dir, 'node_modules/tracewire'), 'dir');
    node(dir, TSC, '-p', dir);
    for (const v of used) before.set(v.name, node(dir, join(dir, 'out/main.js'), v.name).trim().split('\n'));
    const instrumented = await runCli(dir, 'instrument', '--write', '--functions');
    if (instrumented.code !== 0 || instrumented.stderr !== '') throw new Error(`instrument failed:\n${instrumented.stdout}\n${instrumented.stderr}`);
    errors = tscErrors(dir, true);
  }, 120_000);
  afterAll(() => removeProject(dir));

  test('the instrumented project compiles', () => {
    expect(errors).toEqual([]);
  });

  test.each(used)('$name: prints the same before and after, and each call is a span', ({ name }) => {
    const [result, untraced] = before.get(name)!;
    expect(JSON.parse(result!)).toEqual([7, 100, 1, 'clamp']);
    expect(JSON.parse(untraced!)).toEqual([]);
    const [after, spans] = node(dir, join(dir, 'out/main.js'), name).trim().split('\n');
    expect(after).toBe(result);
    expect(JSON.parse(spans!)).toEqual(['clamp', 'limit']);
  });

  test('running it a second time changes nothing', async () => {
    const once = used.map((v) => read(dir, `src/a-${v.name}.ts`));
    const again = await runCli(dir, 'instrument', '--check', '--functions');
    expect(again.code).toBe(0);
    expect(used.map((v) => read(dir, `src/a-${v.name}.ts`))).toEqual(once);
  });
});
