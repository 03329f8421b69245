import { MemoryExporter, TracewireConfigError, TracingClient, setGlobalTracingClient, startSpan, traceable } from '../../../index';
import { finishedRuns, installMemoryTracing, only } from '../../helpers/memory-tracing';

afterEach(() => setGlobalTracingClient(undefined));

const SECRET = 'sk-live-0123456789';
const login = traceable(function login(credentials: { user: string; password: string }) {
  return { token: SECRET, user: credentials.user };
});

test('client-wide hooks rewrite every captured input and output before it is queued', async () => {
  const { client, exporter } = installMemoryTracing({
    redact: {
      inputs: (inputs, context) => ({ ...inputs, password: '[redacted]', seenBy: context.name }),
      outputs: (outputs) => ({ ...outputs, token: '[redacted]' }),
    },
  });
  login({ user: 'ada', password: SECRET });
  const run = only(await finishedRuns(client, exporter), 'login');
  expect(run.inputs).toEqual({ user: 'ada', password: '[redacted]', seenBy: 'login' });
  expect(run.outputs).toEqual({ user: 'ada', token: '[redacted]' });
  expect(JSON.stringify(exporter.runs)).not.toContain(SECRET);
});

test('a redaction hook that throws withholds the value instead of leaking it', async () => {
  const { client, exporter } = installMemoryTracing({
    redact: {
      inputs: () => {
        throw new Error(`cannot parse ${SECRET}`);
      },
    },
  });
  login({ user: 'ada', password: SECRET });
  const run = only(await finishedRuns(client, exporter), 'login');
  expect(run.inputs).toEqual({ redacted: '[redaction hook threw: value withheld]' });
  expect(JSON.stringify(run.inputs)).not.toContain(SECRET);
});

test('values a generator produces are redacted too', async () => {
  const { client, exporter } = installMemoryTracing({ redact: { outputs: () => '[all outputs withheld]' } });
  const tokens = traceable(function* tokens() {
    yield SECRET;
  });
  expect([...tokens()]).toEqual([SECRET]); // the caller still gets the real values
  const run = only(await finishedRuns(client, exporter), 'tokens');
  expect(run.outputs).toEqual({ redacted: '[all outputs withheld]' });
});

test('a redaction hook that is not a function fails at configuration', () => {
  expect(() => installMemoryTracing({ redact: { inputs: 'password' as never } })).toThrow(TracewireConfigError);
  expect(() => installMemoryTracing({ redact: { inputs: 'password' as never } })).toThrow(/redact\.inputs/);
});

test('a sampled-out call runs no redaction hook and never serialises its arguments or result', async () => {
  const hookCalls: string[] = [];
  const { client, exporter } = installMemoryTracing({
    sampleRate: 0,
    redact: {
      inputs: (inputs) => (hookCalls.push('inputs'), inputs),
      outputs: (outputs) => (hookCalls.push('outputs'), outputs),
    },
  });
  let serialised = 0;
  const credentials = { user: 'ada', password: SECRET, toJSON: () => (serialised++, { user: 'ada' }) };
  expect(login(credentials)).toEqual({ token: SECRET, user: 'ada' });
  expect(await finishedRuns(client, exporter)).toEqual([]);
  expect(client.stats().dropped.sampledOut).toBe(1);
  expect(hookCalls).toEqual([]);
  expect(serialised).toBe(0);
});

test('a primitive argument meets the inputs hook too: no shortcut to JSON text skips redaction', async () => {
  const { client, exporter } = installMemoryTracing({ redact: { inputs: () => ({ apiKey: '[redacted]' }) } });
  const charge = traceable(function charge(_apiKey: string, cents: number) {
    return cents;
  });
  expect(charge(SECRET, 1200)).toBe(1200);
  const run = only(await finishedRuns(client, exporter), 'charge');
  expect(run.inputs).toEqual({ apiKey: '[redacted]' });
  expect(JSON.stringify(exporter.runs)).not.toContain(SECRET);
});

/** What a hook returns is recorded as is when it is a plain object, else under `redacted`; the hook learns which run it rewrites. */
test.each<[string, unknown, unknown]>([
  ['a plain object', { kept: 1 }, { kept: 1 }],
  ['a string', 'withheld', { redacted: 'withheld' }],
  ['an array', ['a'], { redacted: ['a'] }],
  ['null', null, { redacted: null }],
  ['undefined', undefined, { redacted: null }],
])('a hook returning %s', async (_, returned, recorded) => {
  const contexts: unknown[] = [];
  const { client, exporter } = installMemoryTracing({
    redact: {
      inputs: (_inputs, context) => (contexts.push({ ...context }), returned),
      outputs: () => returned,
    },
  });
  traceable(function search(query: string) {
    return `results for ${query}`;
  }, { runType: 'retriever' })('q');
  const run = only(await finishedRuns(client, exporter), 'search');
  expect(run.inputs).toEqual(recorded);
  expect(run.outputs).toEqual(recorded);
  expect(contexts).toEqual([expect.objectContaining({ name: 'search', runType: 'retriever' })]);
});

describe('inputs and outputs hidden by the environment, as langsmith hides them', () => {
  const saved = { ...process.env };
  afterEach(() => {
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
  });

  test.each([
    ['LANGSMITH_HIDE_INPUTS', 'LANGSMITH_HIDE_OUTPUTS'],
    ['LANGCHAIN_HIDE_INPUTS', 'LANGCHAIN_HIDE_OUTPUTS'],
    ['TRACEWIRE_HIDE_INPUTS', 'TRACEWIRE_HIDE_OUTPUTS'],
  ])('%s / %s=true record every run\'s inputs / outputs as {}, over a redact hook; streams and manual spans too', async (inputsVariable, outputsVariable) => {
    process.env[inputsVariable] = 'true';
    process.env[outputsVariable] = 'true';
    const exporter = new MemoryExporter();
    const client = new TracingClient({ exporter, manualFlushMode: true, redact: { inputs: (inputs) => ({ ...inputs, seen: true }) } });
    traceable(function login(user: string, password: string) {
      return { token: `${user}:${password}` };
    }, { client })('ada', 'hunter2');
    const stream = traceable(function* tokens() {
      yield 'sk-1';
    }, { client });
    [...stream()];
    startSpan('manual', { client, inputs: { secret: 's' } }).end({ secret: 'o' });
    await client.flush();
    const runs = exporter.finishedRuns;
    expect(runs.map((run) => [run.name, run.inputs, run.outputs]).sort()).toEqual([
      ['login', {}, {}],
      ['manual', {}, {}],
      ['tokens', {}, {}],
    ]);
    expect(JSON.stringify(runs)).not.toMatch(/hunter2|sk-1|"secret"/);
  });

  test('one hidden, the other recorded; unset or false, both recorded', async () => {
    process.env.LANGSMITH_HIDE_OUTPUTS = 'true';
    process.env.LANGSMITH_HIDE_INPUTS = 'false';
    const exporter = new MemoryExporter();
    const client = new TracingClient({ exporter, manualFlushMode: true });
    traceable(function echo(text: string) {
      return text;
    }, { client })('hi');
    await client.flush();
    expect(exporter.finishedRuns.map((run) => [run.inputs, run.outputs])).toEqual([[{ input: 'hi' }, {}]]);
  });
});

test('outputs set on a span under a redact.outputs hook are not kept on it once it ended: inspecting its handle at any depth shows only what was recorded', async () => {
  const { inspect } = await import('node:util');
  const { getCurrentSpan } = await import('../../../index');
  const exporter = new MemoryExporter();
  const client = new TracingClient({ exporter, manualFlushMode: true, redact: { outputs: () => ({ hidden: true }) } });
  const manual = startSpan('manual', { client });
  manual.end({ apiToken: SECRET });
  let current: unknown;
  traceable(() => {
    current = getCurrentSpan();
    getCurrentSpan()!.setOutputs({ apiToken: SECRET });
    return 1;
  }, { name: 'traced', client })();
  await client.flush();
  for (const handle of [manual, current]) expect(inspect(handle, { depth: Infinity, showHidden: true })).not.toContain(SECRET);
  expect(exporter.finishedRuns.map((run) => run.outputs)).toEqual([{ hidden: true }, { hidden: true }]);
});
