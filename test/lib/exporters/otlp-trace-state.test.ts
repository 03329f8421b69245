import { OtlpHttpExporter, TracingClient, continueTrace, setGlobalTracingClient, traceable, type Run } from '../../../index';
import { OtlpFraming } from '../../../lib/exporters/otlp/seal-otlp';
import { OtlpCollector, type ReceivedSpan } from '../../helpers/otlp-collector';
import { finishedRuns, installMemoryTracing } from '../../helpers/memory-tracing';
import { BARE_RESOURCE } from '../../../lib/exporters/otlp/otlp-resource';
import { DEFAULT_SPAN_LIMITS } from '../../../lib/config-span-limits';

/**
 * OpenTelemetry's SDK gives every span its parent's `traceState`, so each
 * span of a trace continued with a `tracestate` carries it in OTLP (JSON
 * `traceState`, protobuf `Span.trace_state` = 3), and a trace without one has
 * none: OpenTelemetry's JSON leaves the unset field out, its protobuf writes
 * no empty string. The collector decodes both with the official definitions.
 */
const REMOTE_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const REMOTE_PARENT = '00f067aa0ba902b7';
const TRACEPARENT = `00-${REMOTE_TRACE}-${REMOTE_PARENT}-01`;
/** Valid W3C, with a quote and a backslash JSON must escape. */
const TRACESTATE = 'congo=t61rcWkgMzE,rojo=00f067aa0ba902b7,esc=a"b\\c';
const SAMPLED = 0x01;
const HAS_IS_REMOTE = 0x100;
const IS_REMOTE = 0x200;

let collector: OtlpCollector;
let exporter: OtlpHttpExporter | undefined;

beforeEach(async () => {
  collector = await OtlpCollector.start();
});
afterEach(async () => {
  setGlobalTracingClient(undefined);
  await exporter?.shutdown();
  await collector.stop();
});

const leaf = traceable(async function leaf() {
  await null;
  return 1;
});
const lookup = traceable(async function lookup() {
  return leaf();
});
const handle = traceable(async function handle() {
  return lookup();
});
const fresh = traceable(async function fresh() {
  return leaf();
});

/** Traces `work` with an OTLP exporter of `protocol`, flushes, and returns the spans received, by name (the first of each). */
async function exported(protocol: 'http/json' | 'http/protobuf', work: () => Promise<unknown>): Promise<(name: string) => ReceivedSpan['span'][]> {
  exporter = new OtlpHttpExporter({ endpoint: collector.url, protocol });
  const client = new TracingClient({ exporter, manualFlushMode: true });
  setGlobalTracingClient(client);
  await work();
  expect(await client.flush()).toMatchObject({ failed: 0 });
  expect(collector.exports.flatMap((received) => received.problems)).toEqual([]);
  const spans = collector.spans.map((received) => received.span);
  return (name) => spans.filter((span) => span.name === name);
}

for (const protocol of ['http/json', 'http/protobuf'] as const) {
  describe(protocol, () => {
    test('every span of a trace continued with a tracestate carries it, the root and its descendants; ids and flags as before', async () => {
      const byName = await exported(protocol, () => continueTrace({ traceparent: TRACEPARENT, tracestate: TRACESTATE }, () => handle()));
      const [root] = byName('handle');
      const [child] = byName('lookup');
      const [grandchild] = byName('leaf');
      expect(root).toMatchObject({ traceId: REMOTE_TRACE, parentSpanId: REMOTE_PARENT, traceState: TRACESTATE, flags: SAMPLED | HAS_IS_REMOTE | IS_REMOTE });
      expect(child).toMatchObject({ traceId: REMOTE_TRACE, parentSpanId: root!.spanId, traceState: TRACESTATE, flags: SAMPLED | HAS_IS_REMOTE });
      expect(grandchild).toMatchObject({ traceId: REMOTE_TRACE, parentSpanId: child!.spanId, traceState: TRACESTATE, flags: SAMPLED | HAS_IS_REMOTE });
    });

    test('continued from langsmith-trace with a traceparent of the same trace: its children (LangSmith ids, no OpenTelemetry ids of their own before) carry it too', async () => {
      const parentRun = '0192f3a4-5b6c-7d8e-9f01-23456789abcd';
      const headers = {
        'langsmith-trace': `20241119T071320123456Z${parentRun}`,
        traceparent: `00-${parentRun.replace(/-/g, '')}-bbbbcccccccccccc-01`,
        tracestate: 'vendor=x',
      };
      const byName = await exported(protocol, () => continueTrace(headers, () => handle()));
      const [root] = byName('handle');
      expect(root).toMatchObject({ traceId: parentRun.replace(/-/g, ''), parentSpanId: 'bbbbcccccccccccc', traceState: 'vendor=x', flags: SAMPLED | HAS_IS_REMOTE | IS_REMOTE });
      expect(byName('lookup')[0]).toMatchObject({ parentSpanId: root!.spanId, traceState: 'vendor=x', flags: SAMPLED | HAS_IS_REMOTE });
      expect(byName('leaf')[0]).toMatchObject({ traceState: 'vendor=x', flags: SAMPLED | HAS_IS_REMOTE });
    });

    test('only the trace that came with one: none on a fresh trace, one continued without tracestate, one whose tracestate was invalid, in the same request', async () => {
      const byName = await exported(protocol, async () => {
        await fresh();
        await continueTrace({ traceparent: TRACEPARENT, tracestate: 'vendor=abc' }, () => lookup());
        await continueTrace({ traceparent: TRACEPARENT }, () => handle());
        await continueTrace({ traceparent: TRACEPARENT, tracestate: 'Upper=case' }, () => leaf());
      });
      expect(collector.exports).toHaveLength(1);
      const [withState, ...without] = byName('lookup');
      expect(withState).toMatchObject({ parentSpanId: REMOTE_PARENT, traceState: 'vendor=abc' });
      expect(byName('leaf')[1]).toMatchObject({ parentSpanId: withState!.spanId, traceState: 'vendor=abc' });
      const none = [...byName('fresh'), ...byName('handle'), ...without, byName('leaf')[0]!, ...byName('leaf').slice(2)];
      expect(none).toHaveLength(6);
      for (const span of none) expect(span).not.toHaveProperty('traceState');
      expect(byName('handle')[0]).toMatchObject({ parentSpanId: REMOTE_PARENT, flags: SAMPLED | HAS_IS_REMOTE | IS_REMOTE });
    });
  });
}

test('http/json: the field is written once per span of the trace that has one, and left out (not written empty) elsewhere', async () => {
  await exported('http/json', async () => {
    await fresh();
    await continueTrace({ traceparent: TRACEPARENT, tracestate: 'vendor=abc' }, () => lookup());
    await continueTrace({ traceparent: TRACEPARENT }, () => handle());
  });
  const text = collector.exports.map((received) => received.raw.toString()).join('');
  expect(text.match(/"traceState"/g)).toEqual(['"traceState"', '"traceState"']);
  expect(text.match(/"traceState":"vendor=abc"/g)).toHaveLength(2);
});

test('a run read back (the spool, batches sent together) keeps its tracestate, and is sent with it again; an invalid one is not sent', async () => {
  const { client, exporter: memory } = installMemoryTracing();
  await continueTrace({ traceparent: TRACEPARENT, tracestate: 'vendor=abc' }, () => handle());
  const runs = await finishedRuns(client, memory);
  expect(runs.map((run) => run.otel?.tracestate)).toEqual(['vendor=abc', 'vendor=abc', 'vendor=abc']);
  const framing = new OtlpFraming(() => 'svc', BARE_RESOURCE, DEFAULT_SPAN_LIMITS);
  const text = (batch: { body: Uint8Array }): string => Buffer.from(batch.body).toString();
  const sealed = framing.sealRuns({ post: runs, patch: [] }, runs);
  expect(sealed.runs().post.map((run) => run.otel?.tracestate)).toEqual(['vendor=abc', 'vendor=abc', 'vendor=abc']);
  expect(text(sealed).match(/"traceState":"vendor=abc"/g)).toHaveLength(3);
  const tampered: Run[] = runs.map((run) => ({ ...run, otel: { ...run.otel!, tracestate: 'bad key=1' } }));
  expect(text(framing.sealRuns({ post: tampered, patch: [] }, tampered))).not.toContain('traceState');
});
