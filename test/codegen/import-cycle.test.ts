import { existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { node, removeProject, runCli, tempProject } from './codegen-harness';

/**
 * `--functions` on two modules in an import cycle: b.ts calls a.ts's
 * `clamp` while a.ts is still loading, which works only because `clamp` is
 * a hoisted function declaration. The project is compiled by the real tsc and
 * run by node as CommonJS and as native ESM, before and after instrumenting:
 * the program prints the same, and afterwards every call is a span. The
 * other exports check what the forwarder must keep: kind, `length`, name,
 * `this`, `arguments`, defaults computed once, the default export.
 */
const ROOT = resolve(__dirname, '../..');
const TSC = join(ROOT, 'node_modules/typescript/bin/tsc');

const a = (ext: string): string => `import { DEFAULT_LIMIT } from './b${ext}';
export function clamp(n: number): number { return Math.min(n, 100); }
export function limit(): number { return DEFAULT_LIMIT; }
let made = 0;
export function withDefault(a: number, b = ++made, { c }: { c: number } = { c: 1 }) { return [a, b, c, arguments.length, made]; }
export function* count<T>(this: { step: number } | void, to: number, tag?: T) { for (let i = 0; i < to; i++) yield i * (this ? this.step : 1); return tag; }
export async function later(x: string): Promise<string> { return x + '!'; }
export default function named(...xs: number[]) { return xs.length; }
`;
const b = (ext: string): string => `import { clamp } from './a${ext}';
export const DEFAULT_LIMIT = clamp(500); // runs while a.ts is still loading
`;
const main = (ext: string): string => `import { MemoryExporter, TracingClient, setGlobalTracingClient } from 'tracewire';
async function main(): Promise<void> {
  const exporter = new MemoryExporter();
  const client = new TracingClient({ exporter, projectName: 'cycle' });
  setGlobalTracingClient(client);
  const a = await import('./a${ext}');
  const fns = [a.clamp, a.limit, a.withDefault, a.count, a.later, a.default];
  const result = {
    limit: a.limit(),
    withDefault: [a.withDefault(1), a.withDefault(1, 5)],
    count: [...a.count.call({ step: 2 }, 3, 'tag')],
    later: await a.later('a'),
    named: a.default(1, 2, 3),
    shapes: fns.map((f) => [f.name, f.length, f.constructor.name]),
  };
  await client.flush({ timeoutMillis: 2_000 });
  console.log(JSON.stringify(result));
  console.log(JSON.stringify(exporter.finishedRuns.map((r) => r.name).sort()));
}
void main();
`;

describe.each([
  { mode: 'CommonJS', ext: '', options: { module: 'commonjs' } },
  { mode: 'native ESM', ext: '.js', options: { module: 'nodenext' }, esm: true },
])('--functions on an import cycle, as $mode', ({ ext, options, esm }) => {
  let dir: string;
  beforeAll(() => {
    if (!existsSync(join(ROOT, 'dist/index.js'))) throw new Error('dist/index.js is missing: run `npm run build` first.');
    const files = { 'src/a.ts': a(ext), 'src/b.ts': b(ext), 'src/main.ts': main(ext) };
    dir = tempProject(files, false, { ...options, outDir: 'out', rootDir: 'src', types: [], lib: ['ES2022', 'DOM'] });
    if (esm === true) writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
    mkdirSync(join(dir, 'node_modules'));
    symlinkSync(ROOT, join(dir, 'node_modules/tracewire'), 'dir');
  });
  afterAll(() => removeProject(dir));

  test('prints the same before and after, and each call is a span', async () => {
    node(dir, TSC, '-p', dir);
    const [before, untraced] = node(dir, join(dir, 'out/main.js')).trim().split('\n');
    expect(JSON.parse(before!)).toMatchObject({ limit: 100, withDefault: [[1, 1, 1, 1, 1], [1, 5, 1, 2, 1]], count: [0, 2, 4], later: 'a!', named: 3 });
    expect(JSON.parse(untraced!)).toEqual([]);

    const instrumented = await runCli(dir, 'instrument', '--write', '--functions');
    expect(instrumented.stderr).toBe('');
    expect(instrumented.code).toBe(0);
    node(dir, TSC, '-p', dir);
    const [after, spans] = node(dir, join(dir, 'out/main.js')).trim().split('\n');
    expect(after).toBe(before);
    expect(JSON.parse(spans!)).toEqual(['clamp', 'count', 'later', 'limit', 'named', 'withDefault', 'withDefault']);
  }, 60_000);
});
