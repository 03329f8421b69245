import { existsSync, mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fixture, node as run, removeProject, tempProject } from './codegen-harness';

/**
 * What the fixture outputs DO, not just what they say: the expected outputs
 * of the hazardous cases are compiled together by the real tsc (legacy
 * decorators + emitDecoratorMetadata, declarations on) with a consumer that
 * leans on their types, then loaded by node with a real TracingClient.
 * 'tracewire' resolves to this repo's built package (npm run build first).
 */
const ROOT = resolve(__dirname, '../..');
const TSC = join(ROOT, 'node_modules/typescript/bin/tsc');

const CONSUMER = `import 'reflect-metadata';
import { MemoryExporter, TracingClient, setGlobalTracingClient } from 'tracewire';
import { defineEntity, sql } from './functions-properties';
import { invariant, isString } from './assertion';
import { plain, route } from './namespace-merge';
import main2, { greet, load, parse } from './functions';
import { describe } from './functions-own-reflect';
import { measure, twice } from './functions-reflect-parameter';

export async function main(): Promise<void> {
  const exporter = new MemoryExporter();
  const client = new TracingClient({ exporter, projectName: 'emitted-code' });
  setGlobalTracingClient(client);
  const value: unknown = 'text';
  invariant(isString(value));
  const narrowed: string = value; // the assertion still narrows (TS2775 otherwise)
  const auth = await import('./metadata-later-class');
  const token = new auth.Auth().issue('ada');
  (sql as unknown as { late: number }).late = 7;
  const result = {
    sql: sql('x'),
    ref: sql.ref('users'),
    now: sql.now(),
    properties: defineEntity.properties,
    late: (sql as unknown as { late: number }).late,
    name: sql.name,
    length: sql.length,
    narrowed,
    route: route('/a') + route.root,
    plain: plain(),
    verified: new auth.Auth().verify('raw'),
    renewed: token.renew(new auth.Auth()).user,
    forwarded: [greet('ada'), await load.call({ base: 'base' }, 1), parse('ff', 16), parse('10'), main2(), describe(1), measure({ apply: (x) => x + 1 }, 2), twice(4)],
    lengths: [greet.length, load.length, parse.length, describe.length, measure.length, twice.length],
  };
  await client.flush({ timeoutMillis: 2_000 });
  const spans = exporter.finishedRuns.map((r) => r.name).sort();
  console.log(JSON.stringify({ result, spans }));
}
void main();
`;

describe('the code instrument emits, compiled by tsc with experimentalDecorators + emitDecoratorMetadata', () => {
  let dir: string;
  beforeAll(() => {
    if (!existsSync(join(ROOT, 'dist/index.js'))) throw new Error('dist/index.js is missing: run `npm run build` first.');
    const files: Record<string, string> = { 'src/main.ts': CONSUMER };
    const outputs = ['functions-properties', 'assertion', 'namespace-merge', 'metadata-later-class', 'functions', 'functions-own-reflect', 'functions-reflect-parameter'];
    for (const name of outputs) files[`src/${name}.ts`] = fixture(`${name}.output.txt`);
    files['src/helper.ts'] = "export const helper = (): string => 'helped';\n";
    // The module's own Reflect, which a forwarder's Reflect.apply would call.
    files['src/reflect.ts'] = 'export const Reflect = { describe: (value: unknown): string => `<${String(value)}>` };\n';
    // A control: the one method the rule skips, decorated anyway, must crash on load — else this test could not tell.
    files['src/control.ts'] = fixture('metadata-later-class.output.txt').replace('  issue(user', '  @Traceable()\n  issue(user');
    dir = tempProject(files, true, { emitDecoratorMetadata: true, outDir: 'out', rootDir: 'src', declaration: true, types: [], lib: ['ES2022', 'DOM'] });
    mkdirSync(join(dir, 'node_modules'));
    symlinkSync(ROOT, join(dir, 'node_modules/tracewire'), 'dir');
    symlinkSync(join(ROOT, 'node_modules/reflect-metadata'), join(dir, 'node_modules/reflect-metadata'), 'dir');
    run(dir, TSC, '-p', dir);
  }, 60_000);
  afterAll(() => removeProject(dir));

  test('properties assigned after a wrapped declaration, and ones set later through the export, are the function’s own; calls are traced', () => {
    const { result, spans } = JSON.parse(run(dir, join(dir, 'out/main.js'))) as { result: Record<string, unknown>; spans: string[] };
    expect(result).toEqual({
      sql: 'sql:x',
      ref: 'ref:users',
      now: 'now()',
      properties: { id: 'number' },
      late: 7,
      name: 'sql',
      length: 1,
      narrowed: 'text',
      route: '/a/',
      plain: 1,
      verified: true,
      renewed: 'ada',
      forwarded: ['hello ada helped', 'base', 255, 10, 'hello main helped', '<1>', 3, 8],
      lengths: [1, 1, 1, 1, 2, 1],
    });
    // Traced: sql, defineEntity? (not called), isString, plain, verify ×1, renew; not traced: invariant (asserts), route (namespace), issue (metadata).
    // The forwarders, whichever way they forward (Reflect.apply, or .apply where Reflect is the module's own): greet twice (main calls it;
    // `early` ran before the client was set), parse under both overloads.
    const forwarded = ['describe', 'greet', 'greet', 'load', 'main', 'measure', 'parse', 'parse', 'twice'];
    expect(spans).toEqual([...forwarded, 'isString', 'plain', 'renew', 'sql', 'verify'].sort());
  }, 30_000);

  test('a method whose metadata names a later class is what would crash the module on load', () => {
    expect(() => run(dir, '-e', "require('reflect-metadata'); require('./out/control.js')")).toThrow(/Cannot access 'Token' before initialization/);
    expect(run(dir, '-e', "require('reflect-metadata'); require('./out/metadata-later-class.js'); console.log('loaded')").trim()).toBe('loaded');
  }, 30_000);

  test('the published .d.ts keeps each wrapped export’s function type and doc comment', () => {
    const dts = readFileSync(join(dir, 'out/functions-properties.d.ts'), 'utf8');
    expect(dts).toContain('/** Builds a raw SQL fragment. */\nexport declare function sql(this: unknown, text: string): string;');
    expect(dts).not.toContain('$impl');
    expect(dts).toMatch(/export declare namespace sql \{\n\s+var ref: \(name: string\) => string;/);
  }, 30_000);
});
