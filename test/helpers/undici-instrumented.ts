import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as otel from '@opentelemetry/api';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { traceable, tracedFetch, type Run } from '../../index';
import { bridgedOtel } from './otel-bridged';
import { finishedRuns, installMemoryTracing, only } from './memory-tracing';

/** A request as a server on 127.0.0.1 received it: headers as Node joins them, and every line. */
export type Received = { headers: Record<string, string | string[] | undefined>; raw: string[] };

/** Every value sent under `name`, one per header line (Node's `headers` would join repeats). */
export const linesOf = (request: Received, name: string): string[] => request.raw.filter((_, i) => i % 2 === 1 && request.raw[i - 1]!.toLowerCase() === name);

/** What NodeSDK registers by default: W3C trace context and W3C baggage. */
export const nodeSdkPropagator = (): otel.TextMapPropagator => new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] });

/** OpenTelemetry's global propagator is set once: replacing it takes a disable first. */
export const usePropagator = (propagator: otel.TextMapPropagator): void => (otel.propagation.disable(), void otel.propagation.setGlobalPropagator(propagator));

/**
 * Within the calling `describe`: {@link bridgedOtel} (bridge on before each
 * test) with NodeSDK's default propagators and the real
 * `@opentelemetry/instrumentation-undici` on it, and a real HTTP server on
 * 127.0.0.1 recording what arrives; all torn down after the block.
 */
export function undiciInstrumented() {
  const otelSdk = bridgedOtel();
  const received: Received[] = [];
  let server: Server;
  let url = '';
  let undici: UndiciInstrumentation;
  beforeAll(async () => {
    usePropagator(nodeSdkPropagator());
    undici = new UndiciInstrumentation(); // enabled when made: subscribed to undici's channels from here on
    undici.setTracerProvider(otelSdk.provider());
    server = createServer((request, response) => {
      received.push({ headers: request.headers, raw: request.rawHeaders });
      response.end('{}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  afterAll(async () => {
    undici.disable();
    otel.propagation.disable();
    await new Promise((resolve) => server.close(resolve));
  });
  beforeEach(() => {
    otelSdk.memory().reset();
    otelSdk.setBridge(true);
  });

  /** One traced call (`call`, with `metadata`) making one request with `fetchImpl`, run in `around`: its run, the OTel spans finished, the request received. */
  async function tracedRequest(options: { fetchImpl?: typeof fetch; around?: (work: () => Promise<void>) => Promise<void>; metadata?: Record<string, number> } = {}): Promise<{ run: Run; spans: ReadableSpan[]; request: Received }> {
    const { fetchImpl, around = (work) => work(), metadata } = options;
    received.length = 0;
    otelSdk.memory().reset();
    const { client, exporter } = installMemoryTracing();
    await around(traceable(async () => void (await (await tracedFetch(fetchImpl)(url)).text()), { name: 'call', ...(metadata ? { metadata } : {}) }));
    const run = only(await finishedRuns(client, exporter), 'call');
    expect(received).toHaveLength(1);
    return { run, spans: otelSdk.memory().getFinishedSpans(), request: received[0]! };
  }
  return { otelSdk, undici: () => undici, tracedRequest };
}
