import { setGlobalTracingClient, traceable } from '../../../index';
import { captureInputs, captureInputsJson, captureOutputs, captureOutputsJson } from '../../../lib/instrument/capture';
import { describeError } from '../../../lib/instrument/error-text';
import type { CallSite } from '../../../lib/instrument/trace-options';
import { DEFAULT_SERIALIZE_LIMITS } from '../../../lib/serialize/to-json-safe';
import { finishedRuns, installMemoryTracing, only } from '../../helpers/memory-tracing';

/**
 * What is captured for each kind of argument and result, and its byte count
 * (charged to the queue's byte budget), in LangSmith's convention: no
 * argument → `{}`, one plain object → itself, one other value → `{ input }`,
 * several → `{ args }`; a result → itself if a plain object, else `{ outputs }`.
 * A wrapper adds its key's JSON: `{"input":…}` 10 bytes, `{"args":…}` 9, `{"outputs":…}` 12.
 */
const site = { captureInputs: true, captureOutputs: true } as CallSite;
const limits = DEFAULT_SERIALIZE_LIMITS;

afterEach(() => setGlobalTracingClient(undefined));

test.each<[string, unknown[], unknown, number]>([
  ['no argument', [], {}, 2],
  ['one plain object', [{ a: 1 }], { a: 1 }, 7],
  ['one array', [[1, 2]], { input: [1, 2] }, 5 + 10],
  ['one Map (a $type record, wrapped like any non-plain value)', [new Map([['k', 1]])], { input: { $type: 'Map', entries: [['k', 1]] } }, 35 + 10],
  ['one NaN (marked by the serializer)', [NaN], { input: '[NaN]' }, 7 + 10],
  ['one string', ['ab'], { input: 'ab' }, 4 + 10],
  ['one true', [true], { input: true }, 4 + 10],
  ['one false', [false], { input: false }, 5 + 10],
  ['one null (langsmith: { inputs: null })', [null], { inputs: null }, 15],
  ['null first of several (langsmith: { inputs: null }, the rest dropped)', [null, 2], { inputs: null }, 15],
  ['null after the first (an array slot)', [1, null], { args: [1, null] }, 8 + 9],
  ['one undefined (langsmith: {})', [undefined], {}, 2],
  ['undefined first of several (langsmith: {}, the rest dropped)', [undefined, 2], {}, 2],
  ['undefined after the first (null in the array, as JSON has it)', [1, undefined], { args: [1, null] }, 8 + 9],
  ['one 0', [0], { input: 0 }, 1 + 10],
  ['several primitives', [12, 'ab', false], { args: [12, 'ab', false] }, 2 + 4 + 5 + 4 + 9],
  ['several with an object', [{ a: 1 }, 3], { args: [{ a: 1 }, 3] }, 11 + 9],
])('inputs of %s', (_, args, value, bytes) => {
  const captured = captureInputs(site, args, limits);
  expect(captured.value).toEqual(value);
  expect(captured.bytes).toBe(bytes);
  expect(captured.bytes).toBe(JSON.stringify(value).length);
});

test.each<[string, unknown, unknown, number]>([
  ['a plain object', { a: 1 }, { a: 1 }, 7],
  ['an array', [1, 2], { outputs: [1, 2] }, 5 + 12],
  ['a Set (a $type record)', new Set([1]), { outputs: { $type: 'Set', values: [1] } }, 28 + 12],
  ['a string', 'ab', { outputs: 'ab' }, 4 + 12],
  ['false', false, { outputs: false }, 5 + 12],
  ['null', null, { outputs: null }, 4 + 12],
  ['undefined (langsmith: { outputs: undefined }, sent as {})', undefined, {}, 2],
  ['a number', 123, { outputs: 123 }, 3 + 12],
])('outputs of %s', (_, output, value, bytes) => {
  const captured = captureOutputs(site, output, limits)!;
  expect(captured.value).toEqual(value);
  expect(captured.bytes).toBe(bytes);
  expect(captured.bytes).toBe(JSON.stringify(value).length);
});

test('captureInputs: false records {} (2 bytes) whatever the arguments; captureOutputs: false records nothing', () => {
  const off = { captureInputs: false, captureOutputs: false } as CallSite;
  expect(captureInputs(off, [1, { a: 1 }], limits)).toMatchObject({ value: {}, bytes: 2 });
  expect(captureOutputs(off, { a: 1 }, limits)).toBeUndefined();
  expect(captureOutputs(off, 1, limits)).toBeUndefined();
});

test('capture transforms get the arguments as an array and the result; what they return is captured in the same convention', () => {
  const transformed = { captureInputs: (args: readonly unknown[]) => args.length, captureOutputs: (output: unknown) => ({ kept: output }) } as CallSite;
  expect(captureInputs(transformed, ['a', 'b'], limits).value).toEqual({ input: 2 });
  expect(captureInputs({ captureInputs: (args: readonly unknown[]) => ({ first: args[0] }) } as CallSite, ['a'], limits).value).toEqual({ first: 'a' });
  expect(captureOutputs(transformed, 5, limits)!.value).toEqual({ kept: 5 });
  expect(captureOutputs({ captureOutputs: () => 'short' } as unknown as CallSite, { a: 1 }, limits)!.value).toEqual({ outputs: 'short' });
});

test('a capture transform that throws is recorded as such (first line of its error), never thrown', () => {
  const failing = {
    captureInputs: () => {
      throw new TypeError('no inputs\nsecond line');
    },
    captureOutputs: () => {
      throw 'plain';
    },
  } as unknown as CallSite;
  expect(captureInputs(failing, [1], limits).value).toEqual({ input: '[capture transform threw: TypeError: no inputs]' });
  expect(captureOutputs(failing, 1, limits)!.value).toEqual({ outputs: '[capture transform threw: Thrown: plain]' });
});

describe('the fast path for primitives keeps to the limits, exactly at their boundary', () => {
  test('maxItems: as many arguments as allowed take it; one more is left to the serializer, which cuts and counts', () => {
    const two = { ...limits, maxItems: 2 };
    expect(captureInputsJson(site, [1, 2], two)!.json).toBe('{"args":[1,2]}');
    expect(captureInputsJson(site, [1, 2, 3], two)).toBeUndefined();
    expect(captureInputs(site, [1, 2, 3], two).value).toEqual({ args: [1, 2, '[… 1 more items]'] });
  });

  test('maxBytes: arguments or a result exactly at the budget take it; one byte less is left to the serializer', () => {
    // ["ab"] is 6 bytes; "ab" 4.
    expect(captureInputsJson(site, ['ab'], { ...limits, maxBytes: 6 })).toEqual({ json: '{"input":"ab"}', bytes: 14 });
    expect(captureInputsJson(site, ['ab'], { ...limits, maxBytes: 5 })).toBeUndefined();
    expect(captureOutputsJson(site, 'ab', { ...limits, maxBytes: 4 })).toEqual({ json: '{"outputs":"ab"}', bytes: 16 });
    expect(captureOutputsJson(site, 'ab', { ...limits, maxBytes: 3 })).toBeUndefined();
    expect(captureOutputs(site, 'ab', { ...limits, maxBytes: 4 })).toEqual({ value: { outputs: 'ab' }, bytes: 16 });
    expect(captureOutputs(site, 'abcdef', { ...limits, maxBytes: 4 })!.value).not.toEqual({ outputs: 'abcdef' });
  });

  test('the byte counts of the JSON text are the text’s length', () => {
    for (const args of [[true], [false], [null], [0], [-12.5], ['x', true, null, 3]]) {
      const json = captureInputsJson(site, args, limits)!;
      expect(json.bytes).toBe(json.json.length);
    }
    expect(captureOutputsJson(site, undefined, limits)).toBeUndefined(); // left to captureOutputs, which records {}
    for (const output of [true, false, null, 0, 1e21, 'q']) {
      const json = captureOutputsJson(site, output, limits)!;
      expect(json.bytes).toBe(json.json.length);
    }
  });
});

describe('describeError: the text recorded for what a call threw', () => {
  test.each<[string, unknown, string | RegExp]>([
    ['an Error: its stack, which carries the message', new RangeError('out of range'), /^RangeError: out of range\n\s+at /],
    ['an error-like object without stack', { name: 'HttpError', message: '404' }, 'HttpError: 404'],
    ['one without a name', { message: 'bare' }, 'Error: bare'],
    ['one whose name and message are not strings: not error-like, its content as JSON', { name: 5, message: 7 }, 'Thrown: {"name":5,"message":7}'],
    ['a plain object thrown', { code: 42, retry: false }, 'Thrown: {"code":42,"retry":false}'],
    ['an instance of a class of its own', new (class Failure {
      readonly reason = 'quota';
    })(), 'Thrown: {"$type":"Failure","reason":"quota"}'],
    ['one whose stack does not carry its message', { name: 'E', message: 'boom', stack: 'at frame' }, 'E: boom\nat frame'],
    ['one with a stack and no message', { stack: 'at frame' }, 'Error: \nat frame'],
    ['a string', 'plain', 'Thrown: plain'],
    ['a number', 42, 'Thrown: 42'],
    ['null', null, 'Thrown: null'],
    ['undefined', undefined, 'Thrown: undefined'],
    [
      'an object whose name getter throws: its content, the getter marked',
      {
        get name(): string {
          throw new Error('hostile');
        },
      },
      'Thrown: {"name":"[Thrown: hostile]"}',
    ],
  ])('%s', (_, thrown, expected) => {
    const text = describeError(thrown);
    if (typeof expected === 'string') expect(text).toBe(expected);
    else expect(text).toMatch(expected);
  });

  test('through a traced call: the run’s error is that text, and the caller gets the very value thrown', async () => {
    const { client, exporter } = installMemoryTracing();
    const thrown = { name: 'HttpError', message: '404' };
    expect(() =>
      traceable(function fetchPage() {
        throw thrown;
      })(),
    ).toThrow(expect.objectContaining(thrown));
    const run = only(await finishedRuns(client, exporter), 'fetchPage');
    expect(run.status).toBe('error');
    expect(run.error).toBe('HttpError: 404');
  });
});
