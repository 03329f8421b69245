import { Client } from 'langsmith';
import { BAGGAGE_LIMITS, continueTrace, extractTraceContext, getTraceHeaders, traceable, type Run } from '../../../index';
import { finishedRuns, installMemoryTracing, only } from '../../helpers/memory-tracing';

const TRACE_UUID = '0191e2f4-5a6b-7c8d-9e0f-a1b2c3d4e5f6';
const PARENT_UUID = '0191e2f4-5a6c-7aaa-8bbb-cccccccccccc';
const DOTTED = `20260101T120000000001Z${TRACE_UUID}.20260101T120000000002Z${PARENT_UUID}`;

const setup = () => installMemoryTracing();

describe('continuing a trace from incoming headers', () => {
  test('langsmith-trace: the root joins the caller’s trace under the last run of its dotted order, metadata and project from baggage', async () => {
    const { client, exporter } = setup();
    const handle = traceable(async () => 'ok', { name: 'handle' });
    const baggage = `langsmith-metadata=${encodeURIComponent(JSON.stringify({ tenant: 't-1' }))},langsmith-tags=${encodeURIComponent('a,b')},langsmith-project=caller-project`;
    await continueTrace({ 'langsmith-trace': DOTTED, baggage }, () => handle());
    const run = only(await finishedRuns(client, exporter), 'handle');
    expect(run.trace_id).toBe(TRACE_UUID);
    expect(run.parent_run_id).toBe(PARENT_UUID);
    expect(run.dotted_order.startsWith(DOTTED + '.')).toBe(true);
    expect(run.dotted_order.split('.').at(-1)!.slice(22)).toBe(run.id);
    expect(run.extra.metadata).toEqual({ tenant: 't-1' });
    expect(run.session_name).toBe('caller-project');
  });

  test.each([
    ['the caller names its project: the handler records there, whatever it names (as langsmith)', 'langsmith-project=caller-project', 'caller-project'],
    ['the caller names none: the project the handler names', '', 'own'],
  ])('%s', async (_case, baggage, expected) => {
    const { client, exporter } = setup();
    const handle = traceable(async () => 'ok', { name: 'handle', projectName: 'own' });
    await continueTrace({ 'langsmith-trace': DOTTED, baggage }, () => handle());
    expect(only(await finishedRuns(client, exporter), 'handle').session_name).toBe(expected);
  });

  test("getTraceHeaders()'s result is incoming headers as it is: extractTraceContext and continueTrace take it (it typechecks)", async () => {
    const { client, exporter } = setup();
    const outer = traceable(() => getTraceHeaders(), { name: 'outer' })();
    expect(extractTraceContext(outer)).toBeDefined();
    await continueTrace(outer, () => traceable(async () => 'ok', { name: 'inner' })());
    const runs = await finishedRuns(client, exporter);
    expect(only(runs, 'inner').parent_run_id).toBe(only(runs, 'outer').id);
  });

  test('traceparent only: the run is a LangSmith root (no run stands for its parent there, as in langsmith) and stays in the W3C trace; sync stays sync', async () => {
    const { client, exporter } = setup();
    const handle = traceable(() => getTraceHeaders(), { name: 'handle' });
    const headers = continueTrace({ traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' }, () => handle());
    expect(headers).not.toBeInstanceOf(Promise);
    const run = only(await finishedRuns(client, exporter), 'handle');
    expect(run.trace_id).toBe(run.id);
    expect(run.parent_run_id).toBeUndefined();
    expect(run.dotted_order.split('.')).toHaveLength(1);
    expect(run.dotted_order.slice(22)).toBe(run.id);
    // Its headers: the W3C trace goes on (this run as the W3C parent); langsmith-trace names the run, the LangSmith root.
    expect(headers.traceparent).toBe(`00-4bf92f3577b34da6a3ce929d0e0e4736-${run.id.replace(/-/g, '').slice(16)}-01`);
    expect(headers['langsmith-trace']).toBe(run.dotted_order);
  });

  test('an exporter of your own gets the OpenTelemetry ids where they are not the LangSmith ones (Run.otel), and only there', async () => {
    const { client, exporter } = setup();
    const child = traceable(() => 1, { name: 'child' });
    const handle = traceable(async () => child(), { name: 'handle' });
    await continueTrace({ traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' }, () => handle());
    await traceable(async () => 2, { name: 'plain' })();
    await continueTrace({ 'langsmith-trace': DOTTED }, () => traceable(async () => 3, { name: 'continued' })());
    const runs = await finishedRuns(client, exporter);
    expect(only(runs, 'handle').otel).toEqual({ trace_id: '4bf92f35-77b3-4da6-a3ce-929d0e0e4736', parent_run_id: '00000000-0000-0000-00f0-67aa0ba902b7', parent_is_remote: true });
    expect(only(runs, 'child').otel).toEqual({ trace_id: '4bf92f35-77b3-4da6-a3ce-929d0e0e4736', parent_is_remote: false });
    expect('otel' in only(runs, 'plain')).toBe(false);
    // Continued from langsmith-trace: the same ids in both systems; only the remote flag is said.
    expect(only(runs, 'continued').otel).toEqual({ trace_id: TRACE_UUID, parent_is_remote: true });
  });

  test('a service receiving those headers continues both: the LangSmith trace under the run, the W3C trace under the same span', async () => {
    const { client, exporter } = setup();
    const downstream = traceable(() => getTraceHeaders(), { name: 'downstream' });
    const upstream = traceable(() => continueTrace(getTraceHeaders(), () => downstream()), { name: 'upstream' });
    const headers = continueTrace({ traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', tracestate: 'vendor=x' }, () => upstream());
    const runs = await finishedRuns(client, exporter);
    const [up, down] = [only(runs, 'upstream'), only(runs, 'downstream')];
    expect(down.trace_id).toBe(up.id);
    expect(down.parent_run_id).toBe(up.id);
    expect(down.dotted_order.startsWith(up.dotted_order + '.')).toBe(true);
    expect(headers.traceparent).toBe(`00-4bf92f3577b34da6a3ce929d0e0e4736-${down.id.replace(/-/g, '').slice(16)}-01`);
    expect(headers.tracestate).toBe('vendor=x');
  });

  test("with langsmith-trace only (no traceparent): sampleRate decides on its LangSmith trace, as langsmith's client would (1: recorded, 0: not), and the flag sent on says so, outside a span as inside one", async () => {
    for (const [sampleRate, flag] of [[0, '00'], [1, '01']] as const) {
      const { client, exporter } = installMemoryTracing({ sampleRate });
      const inner = traceable(() => getTraceHeaders().traceparent!.slice(-2), { name: 'handle' });
      expect(continueTrace({ 'langsmith-trace': DOTTED }, () => [getTraceHeaders().traceparent!.slice(-2), inner()])).toEqual([flag, flag]);
      const runs = await finishedRuns(client, exporter);
      expect(runs.map((run) => run.parent_run_id)).toEqual(sampleRate === 1 ? [PARENT_UUID] : []);
    }
  });

  test.each([
    ['flag 00 at sampleRate 1: recorded (a LangSmith root), the flag passed on as 00', '00', 1, 1, '00'],
    ['flag 01 at sampleRate 0: not recorded, the flag passed on as 01', '01', 0, 0, '01'],
  ])('a caller’s traceparent flag is OpenTelemetry’s decision, not tracewire’s: %s', async (_, flag, sampleRate, recorded, sent) => {
    const { client, exporter } = installMemoryTracing({ sampleRate });
    const handle = traceable(() => getTraceHeaders(), { name: 'handle' });
    const headers = continueTrace({ traceparent: `00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-${flag}` }, () => handle());
    expect(await finishedRuns(client, exporter)).toHaveLength(recorded);
    expect(client.stats().dropped.sampledOut).toBe(1 - recorded);
    expect(headers.traceparent!.slice(-2)).toBe(sent);
    // A run not recorded is no LangSmith parent: the receiver starts its own LangSmith trace, in the same W3C trace.
    expect('langsmith-trace' in headers).toBe(recorded === 1);
  });

  test("a trace continued from W3C ids alone is drawn at sampleRate 0.5 on the W3C trace id, as langsmith's client draws a trace id: every root of one trace makes the trace's choice", async () => {
    const langsmith = new Client({ apiKey: 'lsv2-test-key', apiUrl: 'http://127.0.0.1:9', manualFlushMode: true, tracingSamplingRate: 0.5 });
    const keptByLangsmith = (uuid: string) => (langsmith as unknown as { _shouldSample(id: string): boolean })._shouldSample(uuid);
    for (const trace of ['4bf92f3577b34da6a3ce929d9f84f00f', '4bf92f3577b34da6a3ce929d607b0ff0', '0af7651916cd43dd8448eb211c80319c', '5b8aa5a2d2c872e8321cf37308d69df2']) {
      const { client, exporter } = installMemoryTracing({ sampleRate: 0.5 });
      // Flag 01 either way: it is OpenTelemetry's, and does not decide.
      // Eight roots of the one trace, each with a run id of its own: all make the trace's choice (a draw on their ids would split).
      for (let i = 0; i < 8; i++) await continueTrace({ traceparent: `00-${trace}-00f067aa0ba902b7-01` }, traceable(async () => undefined, { name: 'handle' }));
      const uuid = `${trace.slice(0, 8)}-${trace.slice(8, 12)}-${trace.slice(12, 16)}-${trace.slice(16, 20)}-${trace.slice(20)}`;
      expect([trace, (await finishedRuns(client, exporter)).length]).toEqual([trace, keptByLangsmith(uuid) ? 8 : 0]);
    }
  });

  test('a LangSmith parent with a traceparent flagged 00 (an OpenTelemetry sampler upstream dropped the trace): its children are recorded, and 00 goes on', async () => {
    const { client, exporter } = setup();
    const handle = traceable(() => getTraceHeaders(), { name: 'handle' });
    const headers = continueTrace({ 'langsmith-trace': DOTTED, traceparent: `00-${TRACE_UUID.replace(/-/g, '')}-bbbbcccccccccccc-00` }, () => handle());
    const run = only(await finishedRuns(client, exporter), 'handle');
    expect(run.parent_run_id).toBe(PARENT_UUID);
    expect(headers.traceparent!.slice(-2)).toBe('00');
    expect(headers['langsmith-trace']).toBe(run.dotted_order);
  });

  test('the `parent` option takes headers from the call’s arguments; nested calls stay children of their caller', async () => {
    const { client, exporter } = setup();
    const inner = traceable(async () => 1, { name: 'inner', parent: () => ({ 'langsmith-trace': DOTTED }) });
    const handler = traceable(async (_event: { headers: Record<string, string> }) => inner(), {
      name: 'handler',
      parent: ([event]) => (event as { headers: Record<string, string> }).headers,
    });
    await handler({ headers: { 'Langsmith-Trace': DOTTED } });
    const runs = await finishedRuns(client, exporter);
    const root = only(runs, 'handler');
    expect(root.parent_run_id).toBe(PARENT_UUID);
    expect(only(runs, 'inner').parent_run_id).toBe(root.id);
  });

  test('a function with tracing turned off is transparent: its enabled: true child joins the continued trace as the root would', async () => {
    const { client, exporter } = setup();
    const forced = traceable(async () => 'forced', { name: 'forced', enabled: true });
    const quiet = traceable(async () => forced(), { name: 'quiet', enabled: false });
    expect(await continueTrace({ 'langsmith-trace': DOTTED }, () => quiet())).toBe('forced');
    const runs = await finishedRuns(client, exporter);
    expect(runs.map((run) => run.name)).toEqual(['forced']);
    expect(runs[0]!.trace_id).toBe(TRACE_UUID);
    expect(runs[0]!.parent_run_id).toBe(PARENT_UUID);
  });

  test('a `parent` function that throws, or returns nothing, starts a fresh trace and the call still runs', async () => {
    const { client, exporter } = setup();
    const throwing = traceable(() => 'ran', {
      name: 'throwing',
      parent: () => {
        throw new Error('boom');
      },
    });
    expect(throwing()).toBe('ran');
    const run = only(await finishedRuns(client, exporter), 'throwing');
    expect(run.trace_id).toBe(run.id);
    expect(run.parent_run_id).toBeUndefined();
  });

  test('headers from a Fetch Headers object and from node’s array form are read alike', () => {
    expect(extractTraceContext(new Headers({ 'langsmith-trace': DOTTED }))?.parentRunId).toBe(PARENT_UUID);
    expect(extractTraceContext({ 'langsmith-trace': [DOTTED] })?.parentRunId).toBe(PARENT_UUID);
    // Two traceparent lines: ambiguous, refused.
    expect(extractTraceContext({ traceparent: ['00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', '00-4bf92f3577b34da6a3ce929d0e0e4737-00f067aa0ba902b7-01'] })).toBeUndefined();
  });

  test('langsmith-trace names the LangSmith parent; a traceparent beside it, of another trace or span, is the OpenTelemetry parent, with its flag', () => {
    const other = extractTraceContext({ 'langsmith-trace': DOTTED, traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', tracestate: 'vendor=x' });
    expect(other).toMatchObject({ traceId: TRACE_UUID, parentRunId: PARENT_UUID, otelTraceId: '4bf92f35-77b3-4da6-a3ce-929d0e0e4736', parentSpanId: '00f067aa0ba902b7', sampled: true, tracestate: 'vendor=x', from: 'langsmith-trace' });
    const same = extractTraceContext({ 'langsmith-trace': DOTTED, traceparent: `00-${TRACE_UUID.replace(/-/g, '')}-bbbbcccccccccccc-00`, tracestate: 'vendor=x,other=y' });
    expect(same).toMatchObject({ sampled: false, tracestate: 'vendor=x,other=y', parentSpanId: 'bbbbcccccccccccc' });
    expect(same?.otelTraceId).toBeUndefined();
    expect(extractTraceContext({ 'langsmith-trace': DOTTED })).toMatchObject({ parentSpanId: '8bbbcccccccccccc', tracestate: undefined });
  });

  test('continued from both, a run keeps the LangSmith parent for LangSmith and the traceparent for OpenTelemetry', async () => {
    const { client, exporter } = setup();
    const handle = traceable(() => getTraceHeaders(), { name: 'handle' });
    const headers = continueTrace({ 'langsmith-trace': DOTTED, traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' }, () => handle());
    const run = only(await finishedRuns(client, exporter), 'handle');
    expect(run.trace_id).toBe(TRACE_UUID);
    expect(run.parent_run_id).toBe(PARENT_UUID);
    expect(run.dotted_order.startsWith(DOTTED + '.')).toBe(true);
    expect(headers.traceparent).toBe(`00-4bf92f3577b34da6a3ce929d0e0e4736-${run.id.replace(/-/g, '').slice(16)}-01`);
    expect(headers['langsmith-trace']).toBe(run.dotted_order);
  });

  test('baggage over the documented size is ignored whole; the trace still continues', () => {
    const huge = `langsmith-metadata=${encodeURIComponent(JSON.stringify({ blob: 'x'.repeat(BAGGAGE_LIMITS.maxBytes) }))}`;
    const context = extractTraceContext({ 'langsmith-trace': DOTTED, baggage: huge });
    expect(context).toMatchObject({ parentRunId: PARENT_UUID, metadata: {} });
    expect(extractTraceContext({ 'langsmith-trace': DOTTED, baggage: 'langsmith-metadata=%7Bnot-json,langsmith-project=p' })).toMatchObject({ metadata: {}, projectName: 'p' });
  });
});

describe('outgoing headers', () => {
  test('inside a span: traceparent and langsmith-trace name the same run, baggage carries metadata, tags and project', async () => {
    const { client, exporter } = setup();
    let headers: ReturnType<typeof getTraceHeaders> = {};
    const call = traceable(
      async () => {
        headers = getTraceHeaders();
      },
      { name: 'call', tags: ['t1'], metadata: { user: 'u' } },
    );
    await call();
    const run: Run = only(await finishedRuns(client, exporter), 'call');
    const hex = run.id.replace(/-/g, '');
    expect(headers.traceparent).toBe(`00-${run.trace_id.replace(/-/g, '')}-${hex.slice(16)}-01`);
    expect(headers['langsmith-trace']).toBe(run.dotted_order);
    expect(headers.baggage).toBe(`langsmith-metadata=${encodeURIComponent('{"user":"u"}')},langsmith-tags=t1,langsmith-project=tests`);
    // What tracewire sends, tracewire reads back as the same parent.
    expect(extractTraceContext(headers as Record<string, string>)).toMatchObject({ traceId: run.trace_id, parentRunId: run.id, sampled: true, metadata: { user: 'u' } });
  });

  test('a call chain deeper than a receiver accepts in langsmith-trace sends traceparent alone, which still joins the trace', async () => {
    setup();
    const deepest = traceable(() => getTraceHeaders(), { name: 'deepest' });
    const nest = (depth: number): (() => ReturnType<typeof getTraceHeaders>) =>
      depth === 0 ? deepest : traceable(() => nest(depth - 1)(), { name: `level-${depth}` });
    const shallow = nest(100)();
    expect(shallow['langsmith-trace']).toBeDefined();
    const deep = nest(140)();
    expect(deep['langsmith-trace']).toBeUndefined();
    expect(extractTraceContext(deep as Record<string, string>)).toMatchObject({ traceId: expect.any(String), from: 'traceparent' });
  });

  test('outside any span: no headers; inside continueTrace only: the incoming parent passed on', () => {
    expect(getTraceHeaders()).toEqual({});
    const forwarded = continueTrace({ 'langsmith-trace': DOTTED, traceparent: `00-${TRACE_UUID.replace(/-/g, '')}-bbbbcccccccccccc-01`, tracestate: 'v=1' }, () => getTraceHeaders());
    expect(forwarded).toEqual({ traceparent: `00-${TRACE_UUID.replace(/-/g, '')}-bbbbcccccccccccc-01`, 'langsmith-trace': DOTTED, tracestate: 'v=1' });
  });

  test('inside continueTrace only, from a caller that sent no sampling decision (langsmith-trace alone): the parent is passed on as sampled', () => {
    const forwarded = continueTrace({ 'langsmith-trace': DOTTED }, () => getTraceHeaders());
    expect(forwarded).toEqual({ traceparent: `00-${TRACE_UUID.replace(/-/g, '')}-8bbbcccccccccccc-01`, 'langsmith-trace': DOTTED });
  });
});

describe('headers that carry no trace start a fresh one, wherever continueTrace is called', () => {
  test.each([
    ['malformed', { 'langsmith-trace': 'not-a-dotted-order' }],
    ['none (undefined)', undefined],
    ['empty', {}],
  ])('%s headers inside a trace continued before (a poller started while a request was handled): a fresh root, not the request’s trace', async (_case, headers) => {
    const { client, exporter } = setup();
    const job = traceable(async () => 'done', { name: 'job' });
    await continueTrace({ 'langsmith-trace': DOTTED }, () => continueTrace(headers, () => job()));
    const run = only(await finishedRuns(client, exporter), 'job');
    expect(run.trace_id).toBe(run.id);
    expect(run.parent_run_id).toBeUndefined();
  });

  test('two keys of one trace header in different cases (a plain record) are two lines of it: refused as a header sent twice, a fresh trace', async () => {
    const { client, exporter } = setup();
    const other = `20260101T120000000001Z${PARENT_UUID}`;
    await continueTrace({ 'langsmith-trace': DOTTED, 'Langsmith-Trace': other }, () => traceable(async () => 'ok', { name: 'twice' })());
    await continueTrace({ 'Langsmith-Trace': DOTTED }, () => traceable(async () => 'ok', { name: 'once' })());
    const runs = await finishedRuns(client, exporter);
    expect(only(runs, 'twice').trace_id).toBe(only(runs, 'twice').id);
    expect(only(runs, 'once').trace_id).toBe(TRACE_UUID);
  });
});
