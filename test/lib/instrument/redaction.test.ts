import { MemoryExporter, TracewireConfigError, TracingClient, continueTrace, getCurrentSpan, setGlobalTracingClient, startSpan, traceable } from '../../../index';
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

describe('metadata', () => {
  const TRACE_UUID = '0191e2f4-5a6b-7c8d-9e0f-a1b2c3d4e5f6';
  const PARENT_UUID = '0191e2f4-5a6c-7aaa-8bbb-cccccccccccc';
  const DOTTED = `20260101T120000000001Z${TRACE_UUID}.20260101T120000000002Z${PARENT_UUID}`;
  const withoutEmail = (metadata: Record<string, unknown>) => Object.fromEntries(Object.entries(metadata).filter(([key]) => key !== 'email'));

  test('a redact.metadata hook rewrites a run\'s metadata wherever it comes from: given in code, set while it runs, inherited, from a caller\'s baggage, token counts at its end', async () => {
    const seen: string[] = [];
    const { client, exporter } = installMemoryTracing({
      redact: {
        metadata: (metadata, context) => {
          seen.push(context.name);
          return withoutEmail(metadata);
        },
      },
    });
    const child = traceable(() => getCurrentSpan()?.setMetadata('email', 'child@example.com'), { name: 'child', metadata: { step: 2 } });
    const chat = traceable(async () => ({ content: 'ok', usage_metadata: { input_tokens: 1, output_tokens: 2, total_tokens: 3 } }), { name: 'chat', runType: 'llm' });
    const handle = traceable(
      async () => {
        getCurrentSpan()?.setMetadata('email', 'set@example.com');
        child();
        await chat();
      },
      { name: 'handle', metadata: { email: 'given@example.com', tenant: 't-1' } },
    );
    const baggage = `langsmith-metadata=${encodeURIComponent(JSON.stringify({ email: 'caller@example.com', region: 'eu' }))}`;
    await continueTrace({ 'langsmith-trace': DOTTED, baggage }, () => handle());
    // A root giving no metadata of its own still inherits the caller's.
    await continueTrace({ 'langsmith-trace': DOTTED, baggage }, traceable(async () => 'ok', { name: 'bare' }));
    const runs = await finishedRuns(client, exporter);
    expect(only(runs, 'bare').extra.metadata).toEqual({ region: 'eu' });
    expect(JSON.stringify(exporter.runs)).not.toContain('@example.com');
    expect(only(runs, 'handle').extra.metadata).toEqual({ region: 'eu', tenant: 't-1' });
    expect(only(runs, 'child').extra.metadata).toEqual({ region: 'eu', tenant: 't-1', step: 2 });
    expect(only(runs, 'chat').extra.metadata).toMatchObject({ region: 'eu', tenant: 't-1', usage_metadata: { total_tokens: 3 } });
    expect(new Set(seen)).toEqual(new Set(['handle', 'child', 'chat', 'bare']));
  });

  test('a hook that edits the metadata it is given changes nothing else: not the object given as an option, not a parent\'s', async () => {
    const { client, exporter } = installMemoryTracing({
      redact: {
        metadata: (metadata, context) => {
          delete metadata['email'];
          const nested = metadata['nested'] as { seenBy?: string } | undefined;
          if (nested !== undefined) nested.seenBy = context.name;
          return metadata;
        },
      },
    });
    const given = { email: 'a@example.com', nested: { n: 1 } };
    const child = traceable(() => 1, { name: 'child', metadata: { step: 2 } });
    traceable(() => child(), { name: 'parent', metadata: given })();
    expect(given).toEqual({ email: 'a@example.com', nested: { n: 1 } });
    const runs = await finishedRuns(client, exporter);
    expect(only(runs, 'parent').extra.metadata).toEqual({ nested: { n: 1, seenBy: 'parent' } });
    expect(only(runs, 'child').extra.metadata).toEqual({ nested: { n: 1, seenBy: 'child' }, step: 2 });
  });

  test('a run posted while it runs carries its metadata rewritten in its start too', async () => {
    const { client, exporter } = installMemoryTracing({ redact: { metadata: (metadata) => withoutEmail(metadata) } });
    const span = startSpan('long', { client, metadata: { email: 'a@example.com', tenant: 't-1' } });
    await client.flush(); // the start goes out, open
    span.end({ ok: true });
    await client.flush();
    expect(exporter.runs.every((run) => run.extra.metadata['email'] === undefined)).toBe(true);
    expect(exporter.runs.find((run) => run.name === 'long')?.extra.metadata).toEqual({ tenant: 't-1' });
  });

  test('a metadata hook that throws withholds the metadata instead of leaking it', async () => {
    const { client, exporter } = installMemoryTracing({
      redact: {
        metadata: () => {
          throw new Error('no');
        },
      },
    });
    traceable(() => 1, { name: 'call', metadata: { email: 'a@example.com' } })();
    const run = only(await finishedRuns(client, exporter), 'call');
    expect(run.extra.metadata).toEqual({ redacted: '[redaction hook threw: value withheld]' });
  });

  describe('hidden by the environment', () => {
    const saved = { ...process.env };
    afterEach(() => {
      for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
      Object.assign(process.env, saved);
    });

    test.each(['LANGSMITH_HIDE_METADATA', 'LANGCHAIN_HIDE_METADATA', 'TRACEWIRE_HIDE_METADATA'])('%s=true records every run\'s metadata as {}, over a redact hook; set while running and inherited too', async (variable) => {
      process.env[variable] = 'true';
      const exporter = new MemoryExporter();
      const client = new TracingClient({ exporter, manualFlushMode: true, redact: { metadata: (metadata) => ({ ...metadata, seen: true }) } });
      const child = traceable(() => getCurrentSpan()?.setMetadata('note', 'secret-set'), { name: 'child', client });
      traceable(() => child(), { name: 'parent', client, metadata: { customer: 'secret-given' } })();
      await client.flush();
      expect(exporter.finishedRuns.map((run) => [run.name, run.extra.metadata]).sort()).toEqual([
        ['child', {}],
        ['parent', {}],
      ]);
      expect(JSON.stringify(exporter.runs)).not.toContain('secret-');
    });
  });
});
