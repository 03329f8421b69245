import { InMemorySpanExporter, ConsoleSpanExporter } from '@opentelemetry/sdk-trace';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import {
  ConsoleExporter,
  LangSmithExporter,
  MemoryExporter,
  OtlpHttpExporter,
  TracewireConfigError,
  TracingClient,
  fromOpenTelemetryExporter,
  traceable,
  type ExportBatch,
  type ExportResult,
  type SpanExporter,
} from '../../../index';

/** What constructing a client with `exporter` throws, if anything. */
const refusal = (exporter: unknown): TracewireConfigError | undefined => {
  try {
    void new TracingClient({ exporter: exporter as SpanExporter, mode: 'manual' });
    return undefined;
  } catch (error) {
    if (error instanceof TracewireConfigError) return error;
    throw error;
  }
};

describe('TracingClient: which exporter it takes', () => {
  it.each([
    ['OTLPTraceExporter (exporter-trace-otlp-http)', () => new OTLPTraceExporter({ url: 'http://127.0.0.1:9/v1/traces' })],
    ['InMemorySpanExporter', () => new InMemorySpanExporter()],
    ['ConsoleSpanExporter', () => new ConsoleSpanExporter()],
  ])('refuses an OpenTelemetry %s given directly, saying to wrap it with fromOpenTelemetryExporter', (_name, make) => {
    const error = refusal(make());
    expect(error?.setting).toBe('exporter');
    expect(error?.message).toContain('fromOpenTelemetryExporter(exporter)');
  });

  it('takes the same OpenTelemetry exporter wrapped, and delivers through it', async () => {
    const otel = new InMemorySpanExporter();
    const client = new TracingClient({ exporter: fromOpenTelemetryExporter(otel), mode: 'manual' });
    traceable(function work() { return 1; }, { client })();
    expect((await client.flush()).delivered).toBe(1);
    expect(otel.getFinishedSpans().map((span) => span.name)).toEqual(['work']);
  });

  it("takes tracewire's exporters and ones of a user's own, async or plain, with or without a second parameter", () => {
    class PlainExporter implements SpanExporter {
      export(_batch: ExportBatch, _options: unknown): Promise<ExportResult> {
        return Promise.resolve({ ok: true });
      }
    }
    class FlushingExporter {
      async export(_batch: ExportBatch, _options: unknown): Promise<ExportResult> {
        return { ok: true };
      }
      forceFlush(): void {}
    }
    const exporters: unknown[] = [
      new MemoryExporter(),
      new ConsoleExporter(),
      new LangSmithExporter({ endpoint: 'http://127.0.0.1:9', apiKey: 'k' }),
      new OtlpHttpExporter({ endpoint: 'http://127.0.0.1:9' }),
      new PlainExporter(),
      new FlushingExporter(),
      { export: async (): Promise<ExportResult> => ({ ok: true }) },
    ];
    for (const exporter of exporters) expect(refusal(exporter)).toBeUndefined();
  });

  it('refuses what has no export function, naming the setting', () => {
    for (const exporter of [undefined, null, {}, { export: 'x' }]) expect(refusal(exporter)?.setting).toBe('exporter');
  });
});
