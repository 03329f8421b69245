import * as otel from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider, type Sampler } from '@opentelemetry/sdk-trace';
import { enableOpenTelemetryBridge } from '../../index';

/**
 * Within the calling `describe`: the real OpenTelemetry SDK (a provider
 * writing to memory, AsyncLocalStorage context, `sampler` if given) with
 * tracewire's bridge on, torn down after the block. `setBridge(false)` turns
 * the bridge off (a process with both, not joined), `setBridge(true)` on again.
 */
export function bridgedOtel(sampler?: Sampler): { provider(): TracerProvider; memory(): InMemorySpanExporter; setBridge(on: boolean): void } {
  let provider: TracerProvider;
  let memory: InMemorySpanExporter;
  let disable: (() => void) | undefined;
  const setBridge = (on: boolean): void => {
    disable?.();
    disable = on ? enableOpenTelemetryBridge(otel) : undefined;
  };
  beforeAll(() => {
    memory = new InMemorySpanExporter();
    provider = new TracerProvider({ ...(sampler ? { sampler } : {}), spanProcessors: [new SimpleSpanProcessor({ exporter: memory })] });
    otel.context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    setBridge(true);
  });
  afterAll(async () => {
    setBridge(false);
    await provider.shutdown();
    otel.context.disable();
  });
  return { provider: () => provider, memory: () => memory, setBridge };
}
