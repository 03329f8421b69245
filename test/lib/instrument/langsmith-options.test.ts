import { traceable as lsTraceable } from 'langsmith/traceable';
import { Client } from 'langsmith';
import { setGlobalTracingClient, traceable, TracewireConfigError } from '../../../index';
import { langsmithRecorder } from '../../helpers/langsmith-recorder';
import { finishedRuns, installMemoryTracing, only } from '../../helpers/memory-tracing';

/**
 * langsmith's own options, as code moving over from `langsmith/traceable`
 * has them: `processInputs` / `processOutputs` record what langsmith records
 * for the same hooks (langsmith run alongside as the reference), its
 * spellings `project_name` and `tracingEnabled` are taken, and the options
 * tracewire does not take are refused with what to use instead.
 */
let tracing: ReturnType<typeof installMemoryTracing>;
beforeEach(() => (tracing = installMemoryTracing()));
afterEach(() => setGlobalTracingClient(undefined));

const redactPassword = (inputs: Readonly<Record<string, unknown>>) => ({ ...inputs, password: '[redacted]' });
const redactToken = (outputs: Readonly<Record<string, unknown>>) => ({ ...outputs, token: '[redacted]' });

test.each([
  ['one plain object', [{ user: 'bob', password: 'hunter2' }]],
  ['one string', ['hunter2']],
  ['several arguments', ['bob', 'hunter2']],
  ['no argument', []],
])('processInputs gets the inputs as langsmith hands them (%s), and what it returns is recorded, as langsmith records it', async (_case, args) => {
  const ls = langsmithRecorder();
  await lsTraceable(async (..._args: unknown[]) => 'ok', { ...ls.config, name: 'login', processInputs: redactPassword })(...args);
  await traceable(async (..._args: unknown[]) => 'ok', { name: 'login', processInputs: redactPassword })(...args);
  const run = only(await finishedRuns(tracing.client, tracing.exporter), 'login');
  expect(run.inputs).toEqual(ls.run('login').inputs);
  expect(JSON.stringify(run.inputs)).not.toContain('"hunter2"}');
});

test.each([
  ['a plain object', { token: 'sk-1', user: 'bob' }],
  ['a string', 'sk-1'],
  ['undefined', undefined],
])('processOutputs gets the outputs as langsmith hands them (%s), and what it returns is recorded, as langsmith records it', async (_case, result) => {
  const ls = langsmithRecorder();
  await lsTraceable(async () => result, { ...ls.config, name: 'issue', processOutputs: redactToken })();
  await traceable(async () => result, { name: 'issue', processOutputs: redactToken })();
  const run = only(await finishedRuns(tracing.client, tracing.exporter), 'issue');
  expect(run.outputs).toEqual(ls.run('issue').outputs);
});

test('a processInputs / processOutputs that throws is recorded as langsmith records it, { ls_error }, not as if the function had been called with a message', async () => {
  const failing = () => {
    throw new Error('hook bug');
  };
  const ls = langsmithRecorder();
  await lsTraceable(async (_user: string) => 'ok', { ...ls.config, name: 'login', processInputs: failing, processOutputs: failing })('bob');
  await traceable(async (_user: string) => 'ok', { name: 'login', processInputs: failing, processOutputs: failing })('bob');
  const run = only(await finishedRuns(tracing.client, tracing.exporter), 'login');
  expect(run.inputs).toEqual({ ls_error: 'Processing failed; inputs dropped (processInputs)' });
  expect(run.outputs).toEqual({ ls_error: 'Processing failed; outputs dropped (processOutputs)' });
  expect(run.inputs).toEqual(ls.run('login').inputs);
  expect(run.outputs).toEqual(ls.run('login').outputs);
});

test("project_name and tracingEnabled are langsmith's spellings of projectName and enabled", async () => {
  traceable(() => 1, { name: 'elsewhere', project_name: 'billing' })();
  traceable(() => 2, { name: 'off', tracingEnabled: false })();
  const runs = await finishedRuns(tracing.client, tracing.exporter);
  expect(runs.map((run) => [run.name, run.session_name])).toEqual([['elsewhere', 'billing']]);
  expect(() => traceable(() => 1, { projectName: 'a', project_name: 'b' })).toThrow('Invalid project_name: received "b"; expected the same as projectName, a.');
});

test.each([
  ['aggregator', 'captureOutputs'],
  ['on_end', 'onEnd'],
  ['getInvocationParams', 'metadata'],
  ['argsConfigPath', 'nothing'],
  ['extra', 'metadata'],
  ['on_start', 'getCurrentSpan()'],
  ['extractAttachments', 'nothing'],
  ['attachments', 'nothing'],
  ['replicas', 'LANGSMITH_RUNS_ENDPOINTS'],
  ['tracer', 'enableOpenTelemetryBridge()'],
  ['reference_example_id', 'metadata'],
  ['serialized', 'metadata'],
  ['start_time', 'nothing'],
  ['parent_run_id', 'parent'],
  ['trace_id', 'parent'],
])("langsmith's %s, which tracewire does not take, is refused with what to use instead (%s)", (option, instead) => {
  const error = (() => {
    try {
      traceable(() => 1, { [option]: () => undefined } as never);
    } catch (thrown) {
      return thrown as TracewireConfigError;
    }
    return undefined;
  })();
  expect(error).toBeInstanceOf(TracewireConfigError);
  expect(error!.message).toContain(`langsmith's option ${option} is not taken; use ${instead}`);
});

test("langsmith's Client given as the client is refused with what to do instead", () => {
  const langsmithClient = new Client({ apiKey: 'k', apiUrl: 'http://127.0.0.1:9' });
  expect(() => traceable(() => 1, { client: langsmithClient as never })).toThrow(
    "expected a TracingClient, a function returning one, or a DI token (symbol, string or class); this is langsmith's Client: tracewire sends with its own, which the LANGSMITH_* variables configure (leave client out), or give a TracingClient",
  );
});

test('processInputs with captureInputs (or processOutputs with captureOutputs) is refused: pick one', () => {
  expect(() => traceable(() => 1, { processInputs: redactPassword, captureInputs: false })).toThrow('expected no processInputs with captureInputs (pick one)');
  expect(() => traceable(() => 1, { processOutputs: redactToken, captureOutputs: true })).toThrow('expected no processOutputs with captureOutputs (pick one)');
  expect(() => traceable(() => 1, { processInputs: 'no' as never })).toThrow('Invalid processInputs');
});

test('an async processInputs / processOutputs (langsmith awaits one) is recorded as a marker saying so, not "[Promise]", and its rejection is handled', async () => {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  process.on('unhandledRejection', onUnhandled);
  try {
    const login = traceable(async (_user: string) => 'token', {
      name: 'login',
      processInputs: async (inputs) => ({ ...inputs, redacted: true }),
      processOutputs: () => Promise.reject(new Error('hook failed')),
    });
    expect(await login('bob')).toBe('token');
    const run = only(await finishedRuns(tracing.client, tracing.exporter), 'login');
    expect(run.inputs).toEqual({ input: "[processInputs returned a promise: tracewire records a hook's value only when it returns one synchronously]" });
    expect(run.outputs).toEqual({ outputs: "[processOutputs returned a promise: tracewire records a hook's value only when it returns one synchronously]" });
    await new Promise((resolve) => setImmediate(resolve));
    expect(unhandled).toEqual([]);
  } finally {
    process.off('unhandledRejection', onUnhandled);
  }
});
