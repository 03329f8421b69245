import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { node, removeProject, runCli, tempProject } from './codegen-harness';

/**
 * The end-to-end promise: a small multi-file project, instrumented by the
 * CLI, compiles with the real tsc under both decorator modes, and running it
 * produces the spans a hand-decorated one would, nested by who called whom.
 * 'tracewire' resolves to this repo's built package (npm run build first).
 */
const ROOT = resolve(__dirname, '../..');
const FIXTURE = resolve(__dirname, '../fixtures/codegen/project');
const TSC = join(ROOT, 'node_modules/typescript/bin/tsc');

interface Span {
  id: string;
  parent: string | null;
  name: string;
  status: string | null;
}


function projectFiles(): Record<string, string> {
  const files: Record<string, string> = {};
  for (const name of readdirSync(FIXTURE)) files[`src/${name.replace(/\.txt$/, '')}`] = readFileSync(join(FIXTURE, name), 'utf8');
  return files;
}

describe.each([
  { mode: 'experimentalDecorators', legacy: true },
  { mode: 'TC39 decorators', legacy: false },
])('an instrumented project compiled with $mode', ({ legacy }) => {
  let dir: string;
  beforeAll(() => {
    if (!existsSync(join(ROOT, 'dist/index.js'))) throw new Error('dist/index.js is missing: run `npm run build` first.');
    dir = tempProject(projectFiles(), legacy);
    mkdirSync(join(dir, 'node_modules'));
    symlinkSync(ROOT, join(dir, 'node_modules/tracewire'), 'dir');
    symlinkSync(join(ROOT, 'node_modules/reflect-metadata'), join(dir, 'node_modules/reflect-metadata'), 'dir');
    const tsconfig = JSON.parse(readFileSync(join(dir, 'tsconfig.json'), 'utf8'));
    tsconfig.compilerOptions = { ...tsconfig.compilerOptions, outDir: 'out', rootDir: 'src', types: [], lib: ['ES2022', 'DOM'] };
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify(tsconfig));
  });
  afterAll(() => removeProject(dir));

  test('traces every method and exported function, each span a child of its caller', async () => {
    const instrumented = await runCli(dir, 'instrument', '--write', '--functions');
    expect(instrumented.stderr).toBe('');
    expect(instrumented.code).toBe(0);
    expect(readFileSync(join(dir, 'src/orders.ts'), 'utf8')).toContain("import { Traceable } from 'tracewire';");

    node(dir, TSC, '-p', dir);
    const output = node(dir, join(dir, 'out/main.js'));
    const { result, runs } = JSON.parse(output) as { result: unknown; runs: Span[] };

    expect(result).toEqual({ lines: ['reserved:apple', 'reserved:apple'], total: 1000 });
    const byName = (name: string): Span[] => runs.filter((r) => r.name === name);
    const [place] = byName('place');
    expect(place).toMatchObject({ parent: null, status: 'success' });
    expect(byName('reserve').map((r) => r.parent)).toEqual([place!.id, place!.id]);
    const [total] = byName('total');
    expect(total!.parent).toBe(place!.id);
    expect(byName('priceOf').map((r) => r.parent)).toEqual([total!.id, total!.id]);
    expect(runs).toHaveLength(6);
  }, 60_000);
});
