import * as otel from '@opentelemetry/api';
import { Observable } from 'rxjs';
import { startSpan, traceable, withSpan } from '../../../index';
import { bridgedOtel } from '../../helpers/otel-bridged';
import { finishedRuns, installMemoryTracing, only } from '../../helpers/memory-tracing';

// Every way into a tracewire span gives OpenTelemetry that span as parent, even when consumed outside the request's context.
describe('the bridge wherever a tracewire span is entered', () => {
  const otelSdk = bridgedOtel();
  const otelSpan = (): void => otelSdk.provider().getTracer('test').startSpan('otel-inside').end();
  const outside = <T>(fn: () => T): T => otel.context.with(otel.ROOT_CONTEXT, fn); // a framework consuming it elsewhere

  test.each<[string, () => Promise<unknown>]>([
    ['withSpan', () => withSpan('tw', async () => otelSpan())],
    ['startSpan().run()', async () => {
      const span = startSpan('tw');
      await outside(() => span.run(async () => otelSpan()));
      span.end();
    }],
    ['an async generator consumed outside', async () => {
      const it = traceable(async function* () { otelSpan(); yield 1; }, { name: 'tw' })();
      await outside(async () => { for await (const _ of it); });
    }],
    ['a sync generator consumed outside', async () => {
      const it = traceable(function* () { otelSpan(); yield 1; }, { name: 'tw' })();
      outside(() => [...it]);
    }],
    ['an Observable subscribed outside', async () => {
      const source = traceable(() => new Observable<number>((subscriber) => { otelSpan(); subscriber.complete(); }), { name: 'tw' })();
      await outside(() => new Promise((resolve) => source.subscribe({ complete: () => resolve(undefined) })));
    }],
    ['a ReadableStream read outside', async () => {
      const stream = traceable(() => new ReadableStream<number>({ pull(controller) { otelSpan(); controller.close(); } }, { highWaterMark: 0 }), { name: 'tw' })();
      await outside(async () => { for await (const _ of stream); });
    }],
  ])('%s: an OTel span started inside is the tracewire span’s child, in the request’s trace', async (_, run) => {
    const { client, exporter } = installMemoryTracing();
    otelSdk.memory().reset();
    const request = otelSdk.provider().getTracer('test').startSpan('request');
    await otel.context.with(otel.trace.setSpan(otel.context.active(), request), run);
    request.end();
    const tw = only(await finishedRuns(client, exporter), 'tw');
    const inside = otelSdk.memory().getFinishedSpans().filter((span) => span.name === 'otel-inside');
    expect(inside).toHaveLength(1);
    expect(inside[0]!.spanContext().traceId).toBe(request.spanContext().traceId);
    expect(inside[0]!.parentSpanContext?.spanId).toBe(tw.id.replace(/-/g, '').slice(16));
  });
});
