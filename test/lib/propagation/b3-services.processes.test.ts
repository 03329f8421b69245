import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

/**
 * `OTEL_PROPAGATORS=b3` / `b3multi`: a tracewire service and a service that
 * runs the real OpenTelemetry SDK with `@opentelemetry/instrumentation-http`
 * and `@opentelemetry/propagator-b3` (Zipkin's headers, as Istio and Envoy
 * meshes pass them), calling each other over 127.0.0.1. Needs `npm run build`.
 */
interface Answer {
  runs: Array<{ name: string; id: string; trace_id: string; otel?: { trace_id: string; parent_run_id?: string } }>;
  otelSpans: Array<{ name: string; kind: number; traceId: string; spanId: string; parentSpanId?: string; target?: string }>;
}

const SERVER = 1;
const CLIENT = 2;
const hex = (uuid: string) => uuid.replace(/-/g, '');

async function run(propagators: string, injection: 'single' | 'multi'): Promise<Answer> {
  const { stdout } = await promisify(execFile)(process.execPath, [join(__dirname, 'fixtures', 'b3-services.cjs'), injection], {
    timeout: 30_000,
    env: { ...process.env, OTEL_PROPAGATORS: propagators, TRACEWIRE_TRACING: undefined, LANGSMITH_TRACING: undefined },
  });
  return JSON.parse(stdout) as Answer;
}

describe.each([
  ['b3', 'single'],
  ['b3multi', 'multi'],
] as const)('OTEL_PROPAGATORS=%s, the other service injecting B3 %s-header', (propagators, injection) => {
  let answer: Answer;
  beforeAll(async () => (answer = await run(propagators, injection)));

  test('a traced call’s request makes the OpenTelemetry service’s server span its child, in its trace', () => {
    const call = answer.runs.find((each) => each.name === 'tracewire-call')!;
    const server = answer.otelSpans.find((span) => span.kind === SERVER && span.target === '/from-tracewire')!;
    expect(server).toBeDefined();
    expect(server.traceId).toBe(hex(call.trace_id));
    expect(server.parentSpanId).toBe(hex(call.id).slice(16));
  });

  test('a request from an OpenTelemetry span continues its trace in the tracewire service, under its client span', () => {
    const handle = answer.runs.find((each) => each.name === 'tracewire-handle')!;
    const client = answer.otelSpans.find((span) => span.kind === CLIENT)!;
    expect(handle.otel).toBeDefined();
    expect(hex(handle.otel!.trace_id)).toBe(client.traceId);
    expect(hex(handle.otel!.parent_run_id!).slice(16)).toBe(client.spanId);
  });
});
