import { InMemorySpanExporter } from '@opentelemetry/sdk-trace';
import { continueTrace, fromOpenTelemetryExporter, getTraceHeaders, MemoryExporter, TracingClient, traceable } from '../../../index';

/**
 * A service whose runs go to OpenTelemetry only (OTLP) names none of them to
 * the next service as a LangSmith parent: a receiver that sends to LangSmith
 * would otherwise record its runs under a parent, in a project, that LangSmith
 * never receives. The `traceparent` still joins the receiver to the trace.
 */
const quiet = { warn: () => undefined };

test('headers from a run sent to OpenTelemetry: traceparent and metadata, no langsmith-trace, no langsmith-project', async () => {
  const client = new TracingClient({ exporter: fromOpenTelemetryExporter(new InMemorySpanExporter()), projectName: 'svc-b', manualFlushMode: true, logger: quiet });
  const headers = await traceable(async () => getTraceHeaders(), { name: 'b-call-c', client, metadata: { tenant: 'acme' } })();
  expect(headers.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
  expect(headers).not.toHaveProperty('langsmith-trace');
  expect(headers.baggage).toContain('langsmith-metadata=');
  expect(headers.baggage).not.toContain('langsmith-project');
  await client.shutdown();
});

test('a LangSmith service continuing from them starts its own LangSmith trace, in its own project, in the caller\'s W3C trace', async () => {
  const upstream = new TracingClient({ exporter: fromOpenTelemetryExporter(new InMemorySpanExporter()), projectName: 'svc-b', manualFlushMode: true, logger: quiet });
  const headers = await traceable(async () => getTraceHeaders(), { name: 'b-call-c', client: upstream })();
  const exporter = new MemoryExporter();
  const downstream = new TracingClient({ exporter, projectName: 'svc-c', manualFlushMode: true, logger: quiet });
  await continueTrace(headers, () => traceable(async () => 'ok', { name: 'c-handle', client: downstream })());
  await downstream.flush();
  const [run] = exporter.runs;
  expect(run).toMatchObject({ name: 'c-handle', session_name: 'svc-c' });
  expect(run!.parent_run_id).toBeUndefined();
  expect(run!.otel!.trace_id.replace(/-/g, '')).toBe(headers.traceparent!.slice(3, 35));
  await Promise.all([upstream.shutdown(), downstream.shutdown()]);
});

test('headers from a run sent to LangSmith (or any other exporter) still name it, with its project', async () => {
  const client = new TracingClient({ exporter: new MemoryExporter(), projectName: 'svc-b', manualFlushMode: true, logger: quiet });
  const headers = await traceable(async () => getTraceHeaders(), { name: 'b-call-c', client })();
  expect(headers['langsmith-trace']).toMatch(/Z[0-9a-f-]{36}$/);
  expect(headers.baggage).toContain('langsmith-project=svc-b');
  await client.shutdown();
});
