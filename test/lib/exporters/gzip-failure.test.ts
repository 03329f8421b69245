import { LangSmithExporterBase } from '../../../lib/exporters/langsmith/langsmith-exporter-base';
import { DEFAULT_INGEST_LIMITS } from '../../../lib/exporters/langsmith/server-info';
import { OtlpHttpExporterBase } from '../../../lib/exporters/otlp/otlp-exporter-base';
import type { HttpPost, Transport } from '../../../lib/exporters/http/transport';
import type { ExportResult, SpanExporter } from '../../../index';
import { oneRunBatch } from '../../helpers/run-records';

/**
 * A body that cannot be compressed fails the export like any other answer:
 * not retried, and with the exporter's header values kept out of its error
 * (a runtime's compression error may quote what it was given).
 */
const SECRET = 's3cret-token-value';

class UncompressibleTransport implements Transport {
  readonly posts: HttpPost[] = [];
  post(request: HttpPost): Promise<ExportResult> {
    this.posts.push(request);
    return Promise.resolve({ ok: true });
  }
  gzip(): Promise<Uint8Array> {
    return Promise.reject(new Error(`cannot compress a body for Bearer ${SECRET}`));
  }
  close(): void {}
}

class OtlpOver extends OtlpHttpExporterBase {
  constructor(transport: Transport) {
    super({ endpoint: 'http://127.0.0.1:1', headers: { authorization: `Bearer ${SECRET}` }, gzip: true }, transport);
  }
}

class LangSmithOver extends LangSmithExporterBase {
  constructor(transport: Transport) {
    super({ endpoint: 'http://127.0.0.1:1', apiKey: SECRET, gzip: true }, transport, () => Promise.resolve(DEFAULT_INGEST_LIMITS));
  }
}

test.each([
  ['OTLP', (transport: Transport): SpanExporter => new OtlpOver(transport)],
  ['LangSmith', (transport: Transport): SpanExporter => new LangSmithOver(transport)],
])('%s: a failed compression is a failure not retried, without the header values in its error', async (_, make) => {
  const transport = new UncompressibleTransport();
  const result = await make(transport).export(oneRunBatch(), { signal: new AbortController().signal });
  expect(result.ok).toBe(false);
  if (result.ok) return;
  expect(result.retryable).toBe(false);
  expect(result.error.message).toContain('cannot compress');
  expect(result.error.message).not.toContain(SECRET);
  expect(transport.posts).toHaveLength(0);
});
