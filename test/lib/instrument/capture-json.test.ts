import { setGlobalTracingClient, traceable } from '../../../index';
import { captureInputs, captureInputsJson, captureOutputs, captureOutputsJson } from '../../../lib/instrument/capture';
import type { CallSite } from '../../../lib/instrument/trace-options';
import { DEFAULT_SERIALIZE_LIMITS } from '../../../lib/serialize/to-json-safe';
import { finishedRuns, installMemoryTracing, only } from '../../helpers/memory-tracing';

/**
 * Primitive arguments and results are captured straight to JSON text; the
 * text must be exactly what the serializer's value would stringify to, and
 * everything else must still go through the serializer.
 */
const site = { captureInputs: true, captureOutputs: true } as CallSite;
const limits = { ...DEFAULT_SERIALIZE_LIMITS, maxStringLength: 20 };

afterEach(() => setGlobalTracingClient(undefined));

test.each([
  ['one string', ['café "quoted" \u2028 \ud83d\ude00']],
  ['numbers, -0 and exponents', [1, -0, 1.5, 1e21, -3e-7]],
  ['null and booleans', [null, true, false]],
  ['a lone surrogate', ['\ud800x']],
  ['a string exactly at maxStringLength', ['x'.repeat(20)]],
])('%s: the text is exactly the stringified serializer value', (_name, args) => {
  const json = captureInputsJson(site, args, limits);
  expect(json).toBeDefined();
  expect(json!.json).toBe(JSON.stringify(captureInputs(site, args, limits).value));
  for (const arg of args) expect(captureOutputsJson(site, arg, limits)!.json).toBe(JSON.stringify(captureOutputs(site, arg, limits)!.value));
});

test.each([
  ['an object', [{ a: 1 }]],
  ['an array', [[1, 2]]],
  ['undefined', [1, undefined]],
  ['NaN', [NaN]],
  ['a string over maxStringLength (cut by the serializer)', ['x'.repeat(21)]],
  ['a bigint', [1n]],
  ['a function', [() => 1]],
])('%s is left to the serializer', (_name, args) => {
  expect(captureInputsJson(site, args, limits)).toBeUndefined();
});

test('no arguments, a capture transform or capture turned off are left to the serializer', () => {
  expect(captureInputsJson(site, [], limits)).toBeUndefined();
  expect(captureInputsJson({ ...site, captureInputs: (args: unknown[]) => args.length } as CallSite, [1], limits)).toBeUndefined();
  expect(captureOutputsJson({ ...site, captureOutputs: false } as CallSite, 1, limits)).toBeUndefined();
});

test('a byte budget smaller than the text is left to the serializer, which marks what it cut', () => {
  expect(captureInputsJson(site, ['abcdefghij', 'abcdefghij'], { ...limits, maxBytes: 16 })).toBeUndefined();
});

test('through the public API: primitive arguments and results arrive as the values they were', async () => {
  const { client, exporter } = installMemoryTracing();
  const add = traceable(function add(a: number, b: number, label: string, flag: boolean | null) {
    return `${label}:${a + b}:${flag}`;
  });
  expect(add(-0, 2.5, 'sum é', null)).toBe('sum é:2.5:null');
  const run = only(await finishedRuns(client, exporter), 'add');
  expect(run.inputs).toEqual({ args: [0, 2.5, 'sum é', null] });
  expect(run.outputs).toEqual({ outputs: 'sum é:2.5:null' });
});
