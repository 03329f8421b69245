import * as otel from '@opentelemetry/api';
import { getTraceHeaders, MemoryExporter, TracingClient, traceable } from '../../../index';
import { bridgedOtel } from '../../helpers/otel-bridged';

/**
 * With the bridge on, OpenTelemetry's baggage in the active context (what its
 * propagator extracted from the incoming request, or what the program set)
 * goes on with tracewire's outgoing headers, beside LangSmith's members, as
 * it does from a request continued with `continueTrace`.
 */
describe('the bridge with OpenTelemetry baggage in the active context', () => {
  const otelSdk = bridgedOtel();

  test('a tracewire call under an OpenTelemetry span sends the baggage on, with its own LangSmith members', async () => {
    const client = new TracingClient({ exporter: new MemoryExporter(), projectName: 'svc-b', manualFlushMode: true, logger: { warn: () => undefined } });
    const call = traceable(async () => getTraceHeaders(), { name: 'b-call-c', client });
    const baggage = otel.propagation.createBaggage({ tenant: { value: 'acme corp' }, userId: { value: 'alice', metadata: otel.baggageEntryMetadataFromString('p=1') } });
    const headers = await otel.context.with(otel.propagation.setBaggage(otel.context.active(), baggage), () =>
      otelSdk.provider().getTracer('test').startActiveSpan('GET /chat', async (request) => {
        const sent = await call();
        request.end();
        return sent;
      }),
    );
    expect(headers.baggage!.split(',')).toEqual(expect.arrayContaining(['tenant=acme%20corp', 'userId=alice;p=1', 'langsmith-project=svc-b']));
    await client.shutdown();
  });

  test('no baggage in the context: only LangSmith\'s members', async () => {
    const client = new TracingClient({ exporter: new MemoryExporter(), projectName: 'svc-b', manualFlushMode: true, logger: { warn: () => undefined } });
    const headers = await otelSdk.provider().getTracer('test').startActiveSpan('GET /chat', async (request) => {
      const sent = await traceable(async () => getTraceHeaders(), { name: 'b-call-c', client })();
      request.end();
      return sent;
    });
    expect(headers.baggage).toBe('langsmith-project=svc-b');
    await client.shutdown();
  });
});
