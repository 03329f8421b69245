import { setGlobalTracingClient, traceable } from '../../../index';
import { captureInputs, captureInputsJson, captureOutputs, captureOutputsJson } from '../../../lib/instrument/capture';
import type { CallSite } from '../../../lib/instrument/trace-options';
import { DEFAULT_SERIALIZE_LIMITS, toJsonSafe } from '../../../lib/serialize/to-json-safe';
import { finishedRuns, installMemoryTracing, only } from '../../helpers/memory-tracing';

/**
 * Primitive arguments and results are captured straight to JSON text; the
 * text must be exactly what the serializer's value would stringify to, and
 * everything else must still go through the serializer.
 */
const site = { captureInputs: true, captureOutputs: true } as CallSite;
const limits = { ...DEFAULT_SERIALIZE_LIMITS, maxStringLength: 20 };

afterEach(() => setGlobalTracingClient(undefined));

/** What the serializer itself makes of `args` (and of one result), in the inputs/outputs convention, with its byte count. */
function viaSerializer(args: unknown[]): { value: unknown; bytes: number } {
  if (args.length === 0 || args[0] === undefined) return { value: {}, bytes: 2 }; // langsmith's runInputsToMap
  if (args[0] === null) return { value: { inputs: null }, bytes: 15 }; // the same, whatever follows
  const walked = toJsonSafe(args.length === 1 ? args[0] : args, limits);
  if (args.length === 1 && walked.value !== null && typeof walked.value === 'object' && !Array.isArray(walked.value)) return walked;
  return args.length === 1 ? { value: { input: walked.value }, bytes: walked.bytes + 10 } : { value: { args: walked.value }, bytes: walked.bytes + 9 };
}
function outputViaSerializer(output: unknown): { value: unknown; bytes: number } {
  if (output === undefined) return { value: {}, bytes: 2 }; // langsmith's { outputs: undefined }, stringified
  const walked = toJsonSafe(output, limits);
  const plainObject = walked.value !== null && typeof walked.value === 'object' && !Array.isArray(walked.value) && !('$type' in walked.value);
  return plainObject ? walked : { value: { outputs: walked.value }, bytes: walked.bytes + 12 };
}

test.each([
  ['one string', ['café "quoted" \u2028 \ud83d\ude00']],
  ['numbers, -0 and exponents', [1, -0, 1.5, 1e21, -3e-7]],
  ['null and booleans', [null, true, false]],
  ['a lone surrogate', ['\ud800x']],
  ['a string exactly at maxStringLength', ['x'.repeat(20)]],
  ['a backslash, control characters, DEL and plain ASCII side by side', ['a\\b', 'x\ny', '\t\u0000', '\u007f', 'plain ~ text']],
  ['one plain string', ['ab']],
])('%s: the text is exactly the stringified serializer value, and its byte count the serializer\'s', (_name, args) => {
  const json = captureInputsJson(site, args, limits);
  expect(json).toBeDefined();
  expect(json!.json).toBe(JSON.stringify(viaSerializer(args).value));
  expect(json!.bytes).toBe(viaSerializer(args).bytes);
  for (const arg of args) {
    const outputs = captureOutputsJson(site, arg, limits)!;
    expect(outputs.json).toBe(JSON.stringify(outputViaSerializer(arg).value));
    expect(outputs.bytes).toBe(outputViaSerializer(arg).bytes);
  }
});

test('strings longer than the hand-checked ones (quotes and backslashes past 64 characters) are still escaped exactly', () => {
  const wide = { ...DEFAULT_SERIALIZE_LIMITS };
  for (const text of ['x'.repeat(63) + '"', 'y'.repeat(64) + '\\', 'z'.repeat(65) + '"q"', 'w'.repeat(200)]) {
    const inputs = captureInputsJson(site, [text, 1], wide)!;
    expect(inputs.json).toBe(JSON.stringify({ args: [text, 1] }));
    expect(inputs.bytes).toBe(toJsonSafe([text, 1], wide).bytes + 9);
    const outputs = captureOutputsJson(site, text, wide)!;
    expect(outputs.json).toBe(JSON.stringify({ outputs: text }));
    expect(outputs.bytes).toBe(toJsonSafe(text, wide).bytes + 12);
  }
});

test.each([
  ['one string', ['café "quoted" \u2028 \ud83d\ude00']],
  ['one number', [42]],
  ['-0 alone', [-0]],
  ['numbers, -0 and exponents', [1, -0, 1.5, 1e21, -3e-7]],
  ['null and booleans', [null, true, false]],
  ['a string exactly at maxStringLength', ['x'.repeat(20)]],
  ['a string over maxStringLength', ['x'.repeat(21), 1]],
  ['NaN and undefined', [NaN, undefined]],
  ['an object among primitives', [1, { a: -0 }]],
])('%s: captured values and byte counts are the serializer\'s, -0 included', (_name, args) => {
  const inputs = captureInputs(site, args, limits);
  const reference = viaSerializer(args);
  expect(inputs.value).toStrictEqual(reference.value); // toStrictEqual tells -0 from 0
  expect(inputs.bytes).toBe(reference.bytes);
  for (const arg of args) {
    const outputs = captureOutputs(site, arg, limits)!;
    expect(outputs.value).toStrictEqual(outputViaSerializer(arg).value);
    expect(outputs.bytes).toBe(outputViaSerializer(arg).bytes);
  }
});

test('captured primitive arguments are a copy: changing the arguments object later changes nothing', () => {
  function call(..._args: unknown[]): ReturnType<typeof captureInputs> {
    // eslint-disable-next-line prefer-rest-params
    const captured = captureInputs(site, arguments, limits);
    // eslint-disable-next-line prefer-rest-params
    arguments[0] = 'changed';
    return captured;
  }
  expect(call('a', 2).value).toEqual({ args: ['a', 2] });
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
  expect(captureOutputsJson(site, 'abcdefghij', { ...limits, maxBytes: 11 })).toBeUndefined();
  // Exactly at the budget is kept: the arguments' array is 2 + 12 + 12 + 1 = 27 bytes, the string 12.
  expect(captureInputsJson(site, ['abcdefghij', 'abcdefghij'], { ...limits, maxBytes: 27 })?.bytes).toBe(27 + 9);
  expect(captureOutputsJson(site, 'abcdefghij', { ...limits, maxBytes: 12 })?.bytes).toBe(12 + 12);
});

test('more arguments than maxItems are left to the serializer', () => {
  expect(captureInputsJson(site, [1, 2, 3], { ...limits, maxItems: 2 })).toBeUndefined();
  expect(captureInputsJson(site, [1, 2], { ...limits, maxItems: 2 })?.json).toBe('{"args":[1,2]}');
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
