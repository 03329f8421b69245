import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { BUILT_ENTRY } from '../helpers/built-entry';

/**
 * Two copies of tracewire in one process — an ES module app and a CommonJS dependency, or two versions — here the
 * one-file entry and the per-module CommonJS build, two module instances. Needs the built package (`npm run build`).
 */
const run = (body: string): string =>
  execFileSync(process.execPath, ['-e', `const a = require(${JSON.stringify(BUILT_ENTRY)}); const b = require(${JSON.stringify(join(dirname(BUILT_ENTRY), 'index.js'))});\n${body}`], {
    encoding: 'utf8',
    timeout: 30_000,
  });

test('a function one copy traced, traced again with options by the other, is said once not to take them (captureInputs: false among them), rather than record its inputs in silence', () => {
  const out = run(`if (a.traceable === b.traceable) throw new Error('one copy');
const warnings = [];
const exporter = new a.MemoryExporter();
const client = new a.TracingClient({ exporter, manualFlushMode: true, logger: { warn: (m) => warnings.push(m) } });
a.setGlobalTracingClient(client);
const lookup = b.traceable(function lookup(id) { return id; });
const renamed = a.traceable(lookup, { name: 'renamed', captureInputs: false });
a.traceable(lookup, { tags: ['again'] });
renamed('secret');
client.flush().then(() => console.log(JSON.stringify({ runs: exporter.finishedRuns.map((r) => [r.name, r.inputs]), warnings })));`);
  const { runs, warnings } = JSON.parse(out) as { runs: unknown[]; warnings: string[] };
  expect(runs).toEqual([['lookup', { input: 'secret' }]]);
  expect(warnings).toHaveLength(1);
  expect(warnings[0]).toMatch(/^tracewire: traceable\(fn, options\) was given a function another copy of tracewire in this process traced .*captureInputs.* are not applied/);
});

test("one copy's errors are the other's classes too (instanceof), as the global client is shared, and a subclass of one's own checks as any class does", () => {
  const out = run(`const caught = (copy) => { try { new copy.TracingClient({ flushIntervalMillis: -1 }); } catch (error) { return error; } };
const fromA = caught(a);
const fromB = caught(b);
let usage;
try { a.Traceable()({}, 'get', { get() {} }); } catch (error) { usage = error; }
class Mine extends b.TracewireConfigError {}
console.log(JSON.stringify({
  distinct: a.TracewireConfigError !== b.TracewireConfigError,
  config: [fromA instanceof b.TracewireConfigError, fromB instanceof a.TracewireConfigError, fromA instanceof a.TracewireConfigError],
  usage: [usage instanceof b.TracewireUsageError, usage instanceof a.TracewireUsageError, usage instanceof b.TracewireConfigError],
  others: [new Error('x') instanceof a.TracewireConfigError, fromA instanceof Mine, new Mine('s', 1, 'y') instanceof Mine, new Mine('s', 1, 'y') instanceof a.TracewireConfigError, fromA instanceof Error],
}));`);
  expect(JSON.parse(out)).toEqual({ distinct: true, config: [true, true, true], usage: [true, true, false], others: [false, false, true, true, true] });
});
