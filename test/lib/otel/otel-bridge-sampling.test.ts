import { AlwaysOffSampler, ParentBasedSampler, TracerProvider } from '@opentelemetry/sdk-trace';
import { continueTrace, getTraceHeaders, traceable } from '../../../index';
import { bridgedOtel } from '../../helpers/otel-bridged';
import { finishedRuns, installMemoryTracing } from '../../helpers/memory-tracing';

// OpenTelemetry sampling nothing (ParentBased(AlwaysOff)): what tracewire records is tracewire's sampleRate's choice alone.
describe('the bridge under an OpenTelemetry sampler that drops the trace', () => {
  const otelSdk = bridgedOtel(new ParentBasedSampler({ root: new AlwaysOffSampler() }));

  test('tracewire (sampleRate 1) records every call under the unsampled request span; OTel spans inside stay unsampled', async () => {
    const { client, exporter } = installMemoryTracing();
    const tracer = otelSdk.provider().getTracer('test');
    const flags: number[] = [];
    const handler = traceable(async () => {
      tracer.startActiveSpan('otel-inner', (span) => {
        flags.push(span.spanContext().traceFlags);
        span.end();
      });
    }, { name: 'tw-handler' });
    for (let i = 0; i < 10; i++) await tracer.startActiveSpan('GET /chat', async (request) => {
      expect(request.isRecording()).toBe(false);
      await handler();
      request.end();
    });
    expect((await finishedRuns(client, exporter)).filter((run) => run.name === 'tw-handler')).toHaveLength(10);
    expect(client.stats().dropped.sampledOut).toBe(0);
    expect(flags).toEqual(Array(10).fill(0));
    expect(otelSdk.memory().getFinishedSpans()).toEqual([]);
  });

  test('tracewire’s own sampleRate (0) drops, even under an OTel span that OTel sampled', async () => {
    const { client, exporter } = installMemoryTracing({ sampleRate: 0 });
    const handler = traceable(async () => 'ok', { name: 'tw-handler' });
    const sampling = new TracerProvider();
    await sampling.getTracer('test').startActiveSpan('GET /chat', async (request) => {
      expect(request.isRecording()).toBe(true);
      await handler();
      request.end();
    });
    expect(await finishedRuns(client, exporter)).toEqual([]);
  });

  test('an incoming traceparent flagged not sampled (-00) through continueTrace: tracewire records by its sampleRate; OTel spans inside and the traceparent sent on keep 00', async () => {
    const { client, exporter } = installMemoryTracing();
    const incoming = { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00' };
    const tracer = otelSdk.provider().getTracer('test');
    let innerFlags = -1;
    const sent = await continueTrace(incoming, traceable(async () => {
      tracer.startActiveSpan('otel-inner', (span) => {
        innerFlags = span.spanContext().traceFlags;
        span.end();
      });
      return getTraceHeaders().traceparent;
    }, { name: 'relay' }));
    expect((await finishedRuns(client, exporter)).map((run) => run.name)).toEqual(['relay']);
    expect(innerFlags).toBe(0);
    expect(sent!.slice(-2)).toBe('00');
  });
});
