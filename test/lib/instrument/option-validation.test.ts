import { setGlobalTracingClient, traceable, TracewireConfigError, type RunType } from '../../../index';
import { finishedRuns, installMemoryTracing, only } from '../../helpers/memory-tracing';

afterEach(() => setGlobalTracingClient(undefined));

/** Options that cannot be what the caller meant fail when the function is wrapped, naming the option and what it takes. */
test.each([
  ['a string (a name given in place of the options)', 'fetchUser', /Invalid Traceable options: received "fetchUser"; expected an options object or nothing\./],
  ['a number', 5, /Invalid Traceable options: received 5; expected an options object or nothing\./],
  ['true', true, /Invalid Traceable options: received true; expected an options object or nothing\./],
])('options that are %s are refused', (_, options, message) => {
  expect(() => traceable(() => 1, options as never)).toThrow(TracewireConfigError);
  expect(() => traceable(() => 1, options as never)).toThrow(message);
});

test.each([
  ['a string', 'tenant=t-1'],
  ['an array', [['tenant', 't-1']]],
  ['a number', 7],
])('metadata that is %s is refused: metadata is a plain object', (_, metadata) => {
  expect(() => traceable(() => 1, { metadata: metadata as never })).toThrow(TracewireConfigError);
  expect(() => traceable(() => 1, { metadata: metadata as never })).toThrow(/Invalid metadata: .*expected a plain object\./);
});

test('metadata that is a plain object, or absent, is taken', () => {
  expect(traceable(() => 1, { metadata: { tenant: 't-1' } })()).toBe(1);
  expect(traceable(() => 2, {})()).toBe(2);
});

const KNOWN = 'name, runType, run_type, tags, metadata, captureInputs, captureOutputs, processInputs, processOutputs, client, projectName, project_name, enabled, tracingEnabled, id, onEnd, parent';

/**
 * Every option refuses what it cannot use when the function is wrapped, with
 * the whole message: the option's name, what was received, and what it accepts.
 */
test.each([
  ['name', '', 'Invalid name: received ""; expected a non-empty string.'],
  ['name', 7, 'Invalid name: received 7; expected a non-empty string.'],
  ['runType', 'agent', 'Invalid runType: received "agent"; expected one of chain, llm, tool, retriever, embedding, prompt, parser.'],
  ['run_type', 'agent', 'Invalid run_type: received "agent"; expected one of chain, llm, tool, retriever, embedding, prompt, parser.'],
  ['tags', 'a,b', 'Invalid tags: received "a,b"; expected an array of strings.'],
  ['tags', ['a', 1], 'Invalid tags: received an array; expected an array of strings.'],
  ['tags', [1, 'a'], 'Invalid tags: received an array; expected an array of strings.'],
  ['metadata', 'x', 'Invalid metadata: received "x"; expected a plain object.'],
  ['captureInputs', 'yes', 'Invalid captureInputs: received "yes"; expected true, false or a function.'],
  ['captureOutputs', 0, 'Invalid captureOutputs: received 0; expected true, false or a function.'],
  // null is not "the default" (no option takes it so): read so, `captureInputs: null` would record what was likely meant hidden.
  ['captureInputs', null, `Invalid captureInputs: received null; expected the option left out (or undefined) for its default, or a value it takes: null is not read as "none".`],
  ['captureOutputs', null, `Invalid captureOutputs: received null; expected the option left out (or undefined) for its default, or a value it takes: null is not read as "none".`],
  ['projectName', '', 'Invalid projectName: received ""; expected a non-empty string.'],
  ['projectName', 3, 'Invalid projectName: received 3; expected a non-empty string.'],
  ['enabled', 1, 'Invalid enabled: received 1; expected true or false.'],
  // langsmith's spellings are named as written.
  ['project_name', '', 'Invalid project_name: received ""; expected a non-empty string.'],
  ['tracingEnabled', 'false', 'Invalid tracingEnabled: received "false"; expected true or false.'],
  ['id', 42, 'Invalid id: received 42; expected a UUID string not ending in 16 zero hex digits (its OpenTelemetry span id), or a function of the arguments returning one.'],
  ['id', 'x0190a8f2-2222-7000-8000-000000000001', 'Invalid id: received "x0190a8f2-2222-7000-8000-000000000001"; expected a UUID string not ending in 16 zero hex digits (its OpenTelemetry span id), or a function of the arguments returning one.'],
  ['id', '0190a8f2-2222-7000-8000-000000000001x', 'Invalid id: received "0190a8f2-2222-7000-8000-000000000001x"; expected a UUID string not ending in 16 zero hex digits (its OpenTelemetry span id), or a function of the arguments returning one.'],
  ['id', '00000000-0000-0000-0000-000000000000', 'Invalid id: received "00000000-0000-0000-0000-000000000000"; expected a UUID string not ending in 16 zero hex digits (its OpenTelemetry span id), or a function of the arguments returning one.'],
  ['id', '0190a8f2-2222-7000-0000-000000000000', 'Invalid id: received "0190a8f2-2222-7000-0000-000000000000"; expected a UUID string not ending in 16 zero hex digits (its OpenTelemetry span id), or a function of the arguments returning one.'],
  ['id', '0190a8f2-2222-7000-8000-00000000000g', 'Invalid id: received "0190a8f2-2222-7000-8000-00000000000g"; expected a UUID string not ending in 16 zero hex digits (its OpenTelemetry span id), or a function of the arguments returning one.'],
  ['onEnd', true, 'Invalid onEnd: received true; expected a function.'],
  ['client', '', 'Invalid client: received ""; expected a TracingClient, a function returning one, or a DI token (symbol, string or class).'],
  ['naem', 'x', `Invalid option "naem": not an option; expected one of ${KNOWN}.`],
])('option %s refuses %p, naming the option and what it accepts', (option, value, message) => {
  let thrown: unknown;
  try {
    traceable(() => 1, { [option]: value } as never);
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(TracewireConfigError);
  expect((thrown as Error).message).toBe(message);
  // What a program reads back: the option as it was written, not a phrase about it.
  expect((thrown as TracewireConfigError).setting).toBe(option);
});

/** Each value an option documents is taken: wrapping succeeds and the function is called through. */
test.each<[string, unknown]>([
  ['name', 'n'],
  ...['chain', 'llm', 'tool', 'retriever', 'embedding', 'prompt', 'parser'].map((runType): [string, unknown] => ['runType', runType]),
  ['tags', []],
  ['tags', ['a', 'b']],
  ['metadata', {}],
  ['metadata', undefined],
  ['captureInputs', true],
  ['captureInputs', false],
  ['captureInputs', () => 'x'],
  ['captureOutputs', true],
  ['captureOutputs', false],
  ['captureOutputs', () => 'x'],
  ['projectName', 'p'],
  ['enabled', true],
  ['enabled', false],
  ['id', '0190A8F2-2222-7000-8000-00000000000F'],
  ['id', () => '0190a8f2-2222-7000-8000-000000000001'],
  ['onEnd', () => undefined],
  ['parent', {}],
  // Data, often a message's: whatever is not headers names no parent (see test/lib/propagation/parent-from-message.test.ts).
  ['parent', null],
  ['parent', 'traceparent'],
  ['parent', 5],
  ['parent', () => undefined],
  ['client', 'TRACING_CLIENT'],
  ['client', Symbol('client')],
  ['client', () => undefined],
])('option %s takes %p', (option, value) => {
  expect(traceable(() => 'through', { [option]: value } as never)()).toBe('through');
});

/** langsmith's spelling, `run_type`, is taken as `runType`: code moving from langsmith/traceable keeps its options. */
describe('run_type, an alias of runType', () => {
  test.each(['chain', 'llm', 'tool', 'retriever', 'embedding', 'prompt', 'parser'])('run_type %p is recorded as that run type', async (runType) => {
    const { client, exporter } = installMemoryTracing();
    expect(traceable(() => 'through', { run_type: runType as RunType, name: 'aliased' })()).toBe('through');
    expect(only(await finishedRuns(client, exporter), 'aliased').run_type).toBe(runType);
  });

  test('given with runType, the same value is taken; different values are refused, naming both', async () => {
    const { client, exporter } = installMemoryTracing();
    traceable(() => 1, { runType: 'tool', run_type: 'tool', name: 'both' })();
    expect(only(await finishedRuns(client, exporter), 'both').run_type).toBe('tool');
    let thrown: unknown;
    try {
      traceable(() => 1, { runType: 'llm', run_type: 'tool' });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(TracewireConfigError);
    expect((thrown as Error).message).toBe('Invalid run_type: received "tool"; expected the same as runType, llm.');
  });
});
