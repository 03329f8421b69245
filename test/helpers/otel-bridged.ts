import * as otel from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider, type Sampler } from '@opentelemetry/sdk-trace';
import { enableOpenTelemetryBridge } from '../../index';

/**
 * Within the calling `describe`: the real OpenTelemetry SDK (a provider
 * writing to memory, AsyncLocalStorage context, `sampler` if given) with
 * tracewire's bridge on, torn down after the block.
 */
export function bridgedOtel(sampler?: Sampler): { provider(): TracerProvider; memory(): InMemorySpanExporter } {
  let provider: TracerProvider;
  let memory: InMemorySpanExporter;
  let disable: () => void;
  beforeAll(() => {
    memory = new InMemorySpanExporter();
    provider = new TracerProvider({ ...(sampler ? { sampler } : {}), spanProcessors: [new SimpleSpanProcessor({ exporter: memory })] });
    otel.context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    disable = enableOpenTelemetryBridge(otel);
  });
  afterAll(async () => {
    disable();
    await provider.shutdown();
    otel.context.disable();
  });
  return { provider: () => provider, memory: () => memory };
}
