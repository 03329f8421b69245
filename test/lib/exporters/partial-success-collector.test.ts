import { LangSmithExporter, OtlpHttpExporter, type SpanExporter } from '../../../index';
import * as edge from '../../../edge';
import { memoryCollector } from '../../collector/collector-client';
import { LangSmithSink } from '../../helpers/langsmith-sink';
import { tracedPair } from '../../helpers/traced-pair';
import { withEnv } from '../../helpers/with-env';

/**
 * Spans the local collector refuses (a tag longer than 1 024 characters) in a
 * request it takes, named in its 2xx answer: counted failed, not delivered,
 * over every exporter and transport. Node 20 only (the collector's SQLite
 * addon is built for it: scripts/test-other-nodes.mjs).
 */
const REFUSED_TAG = '"tags" must be an array of at most 256 strings of at most 1024 characters';

describe('spans the local collector refuses in a request it takes', () => {
  const exporters: Array<[string, (url: string) => SpanExporter]> = [
    ['LangSmith multipart', (url) => new LangSmithExporter({ endpoint: url, apiKey: 'k', mode: 'multipart' })],
    ['LangSmith batch', (url) => new LangSmithExporter({ endpoint: url, apiKey: 'k', mode: 'batch' })],
    ['OTLP http/json', (url) => new OtlpHttpExporter({ endpoint: url })],
    ['OTLP http/protobuf', (url) => new OtlpHttpExporter({ endpoint: url, protocol: 'http/protobuf' })],
    ['LangSmith over fetch (edge entry)', (url) => new edge.LangSmithExporter({ endpoint: url, apiKey: 'k' })],
    ['OTLP over fetch (edge entry)', (url) => new edge.OtlpHttpExporter({ endpoint: url })],
  ];

  test.each(exporters)('%s: count as failed, not delivered, and the collector’s reason is warned once', async (_, make) => {
    const collector = await memoryCollector();
    const warnings: string[] = [];
    const { client, ok, refused } = tracedPair(make(collector.url), warnings);
    try {
      ok(1);
      refused(2);
      ok(3);
      refused(4);
      expect(await client.flush()).toMatchObject({ delivered: 2, failed: 2, pending: 0 });
      expect(client.stats()).toMatchObject({ delivered: 2, failed: 2, dropped: { exportFailed: 2 }, pending: 0 });
      const said = warnings.filter((warning) => warning.includes('refused 2 of its spans'));
      expect(said).toHaveLength(1);
      expect(said[0]).toContain(REFUSED_TAG);
      // What the collector stored: the two it did not refuse.
      expect((await collector.traces()).map((trace) => trace.name)).toEqual(['ok', 'ok']);
    } finally {
      await client.shutdown();
      await collector.close();
    }
  });
});


describe('write replicas (LANGSMITH_RUNS_ENDPOINTS): what each says it refused', () => {
  const CLEAN = { LANGSMITH_API_KEY: undefined, LANGSMITH_ENDPOINT: undefined, LANGSMITH_WORKSPACE_ID: undefined, LANGSMITH_PROJECT: undefined };
  const replicas = (endpoints: Record<string, string>) => withEnv({ ...CLEAN, LANGSMITH_RUNS_ENDPOINTS: JSON.stringify(endpoints) }, () => new LangSmithExporter());

  test('spans every replica refuses count failed, and each one’s reason is warned once, by its origin', async () => {
    const [a, b] = [await memoryCollector(), await memoryCollector()];
    const warnings: string[] = [];
    const { client, ok, refused } = tracedPair(replicas({ [a.url]: 'key-a', [b.url]: 'key-b' }), warnings);
    try {
      ok(1);
      refused(2);
      ok(3);
      expect(await client.flush()).toMatchObject({ delivered: 2, failed: 1, pending: 0 });
      expect(client.stats()).toMatchObject({ delivered: 2, failed: 1, dropped: { exportFailed: 1 } });
      const said = warnings.filter((warning) => warning.includes('refused 1 of its spans'));
      expect(said).toHaveLength(1);
      for (const collector of [a, b]) expect(said[0]).toContain(`${new URL(collector.url).origin}: 1 run(s) rejected`);
      expect(said[0]).toContain(REFUSED_TAG);
      expect(warnings.join('\n')).not.toMatch(/key-a|key-b/);
    } finally {
      await client.shutdown();
      await Promise.all([a.close(), b.close()]);
    }
  });

  test('a span one replica refuses and another takes counts delivered, and the refusing one’s reason is still said', async () => {
    const [collector, sink] = [await memoryCollector(), await LangSmithSink.start()];
    const warnings: string[] = [];
    const { client, ok, refused } = tracedPair(replicas({ [collector.url]: 'key-a', [sink.url]: 'key-b' }), warnings);
    try {
      ok(1);
      refused(2);
      expect(await client.flush()).toMatchObject({ delivered: 2, failed: 0, pending: 0 });
      const said = warnings.filter((warning) => warning.includes(`${new URL(collector.url).origin}: 1 run(s) rejected`));
      expect(said).toHaveLength(1);
      expect(said[0]).toContain(REFUSED_TAG);
      expect(warnings.join('\n')).not.toContain(new URL(sink.url).origin);
    } finally {
      await client.shutdown();
      await Promise.all([collector.close(), sink.stop()]);
    }
  });
});
