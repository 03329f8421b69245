import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LangSmithExporter, OtlpHttpExporter, type SpanExporter } from '../../../index';
import { ScriptedSink, type Behaviour } from '../../helpers/scripted-sink';
import { tracedPair } from '../../helpers/traced-pair';
import { until } from '../../helpers/until';

/**
 * A destination may take a request and refuse some of its spans in a 2xx
 * answer: OTLP's `partial_success`, the local collector's `rejected_count`.
 * Those spans were counted delivered, and nothing was said. Against the real
 * collector: partial-success-collector.test.ts.
 */
describe('what an OTLP backend says in a 2xx answer', () => {
  let sink: ScriptedSink;
  beforeEach(async () => (sink = await ScriptedSink.start()));
  afterEach(() => sink.stop());

  const answering = (body: string): Behaviour => ({ kind: 'status', status: 200, headers: { 'content-type': 'application/json' }, body });

  test('a warning without rejected spans is said once, and every span counts as delivered', async () => {
    sink.otherwise(answering('{"partialSuccess":{"errorMessage":"attribute http.method is deprecated"}}'));
    const warnings: string[] = [];
    const { client, ok } = tracedPair(new OtlpHttpExporter({ endpoint: sink.url }), warnings);
    ok(1);
    expect(await client.flush()).toMatchObject({ delivered: 1, failed: 0 });
    ok(2);
    expect(await client.flush()).toMatchObject({ delivered: 1, failed: 0 });
    expect(warnings.filter((warning) => warning.includes('attribute http.method is deprecated'))).toEqual(['tracewire: the destination took an export with a warning: attribute http.method is deprecated']);
    await client.shutdown();
  });

  test('an answer longer than is read still gives its count, written before its long part', async () => {
    sink.script(answering(JSON.stringify({ partialSuccess: { rejectedSpans: '1', errorMessage: 'span too old' }, detail: 'x'.repeat(40_000) })));
    const warnings: string[] = [];
    const { client, ok } = tracedPair(new OtlpHttpExporter({ endpoint: sink.url }), warnings);
    ok(1);
    ok(2);
    expect(await client.flush()).toMatchObject({ delivered: 1, failed: 1 });
    expect(warnings.join('\n')).toContain('refused 1 of its spans (span too old)');
    await client.shutdown();
  });

  test('a secret the backend quotes back in its message is cut out of the warning', async () => {
    const token = 's3cr3t-t0ken-Q9x7Lm2';
    sink.script(answering(JSON.stringify({ partialSuccess: { rejectedSpans: 1, errorMessage: `token ${token} may not write span attributes` } })));
    const warnings: string[] = [];
    const { client, ok } = tracedPair(new OtlpHttpExporter({ endpoint: sink.url, headers: { authorization: `Bearer ${token}` } }), warnings);
    ok(1);
    expect(await client.flush()).toMatchObject({ delivered: 0, failed: 1 });
    const said = warnings.join('\n');
    expect(said).toContain('refused 1 of its spans (token [redacted] may not write span attributes)');
    expect(said).not.toContain(token);
    await client.shutdown();
  });
});

describe('refusals in a batch sent in several requests, or sent again', () => {
  let sink: ScriptedSink;
  beforeEach(async () => (sink = await ScriptedSink.start()));
  afterEach(() => sink.stop());

  const refusingOne: Behaviour = { kind: 'status', status: 202, body: JSON.stringify({ detail: '1 run(s) rejected, 1 stored', accepted: 1, rejected_count: 1 }) };

  test('each request’s refusals count: a batch halved after a 413 whose halves each refuse one', async () => {
    sink.script({ kind: 'status', status: 413 }, refusingOne, refusingOne);
    const warnings: string[] = [];
    const { client, ok } = tracedPair(new LangSmithExporter({ endpoint: sink.url, apiKey: 'k' }), warnings);
    for (let i = 0; i < 4; i++) ok(i);
    expect(await client.flush()).toMatchObject({ delivered: 2, failed: 2 });
    expect(client.stats()).toMatchObject({ delivered: 2, dropped: { exportFailed: 2 } });
    await client.shutdown();
  });

  test('refusals add up over a batch\'s requests and attempts: one in a request that got through before a later one failed, one in the retry that delivered the rest', async () => {
    // Halved after a 413: the first half is taken with one run refused, the second fails (503), then goes again alone
    // and is taken with one refused too.
    sink.script({ kind: 'status', status: 413 }, refusingOne, { kind: 'status', status: 503 }, refusingOne);
    const warnings: string[] = [];
    const { client, ok } = tracedPair(new LangSmithExporter({ endpoint: sink.url, apiKey: 'k' }), warnings, { maxRetries: 2 });
    for (let i = 0; i < 4; i++) ok(i);
    expect(await client.flush({ timeoutMillis: 20_000 })).toMatchObject({ delivered: 2, failed: 2, timedOut: false });
    expect(client.stats()).toMatchObject({ delivered: 2, dropped: { exportFailed: 2 }, pending: 0 });
    expect(sink.requests.map((request) => request.answered)).toEqual([413, 202, 503, 202]);
    await client.shutdown();
  });

  test('a spooled batch replayed into a refusal: the refused spans count in replayRefused, the rest in replayed', async () => {
    const spoolDir = mkdtempSync(join(tmpdir(), 'tracewire-partial-'));
    try {
      // The first export fails (spooled); the next is taken, which starts the replay, whose answer refuses one span.
      sink.script({ kind: 'status', status: 503 }, { kind: 'ok' }, refusingOne);
      const warnings: string[] = [];
      const { client, ok } = tracedPair(new LangSmithExporter({ endpoint: sink.url, apiKey: 'k' }), warnings, { spoolDir, maxRetries: 0 });
      ok(1);
      ok(2);
      expect(await client.flush()).toMatchObject({ spooled: 2 });
      ok(3);
      expect(await client.flush()).toMatchObject({ delivered: 1 });
      await until(() => client.stats().replayed + client.stats().replayRefused === 2, 5_000);
      expect(client.stats()).toMatchObject({ replayed: 1, replayRefused: 1, delivered: 1, failed: 0 });
      expect(warnings.join('\n')).toContain('refused 1 of its spans (1 run(s) rejected, 1 stored) when spooled spans were replayed');
      await client.shutdown();
    } finally {
      rmSync(spoolDir, { recursive: true, force: true });
    }
  });
});

test('an exporter of one’s own may say what its destination refused', async () => {
  const warnings: string[] = [];
  const exporter: SpanExporter = { export: async () => ({ ok: true, partialSuccess: { rejectedSpans: 1, errorMessage: 'over quota' } }) };
  const { client, ok } = tracedPair(exporter, warnings);
  ok(1);
  ok(2);
  expect(await client.flush()).toMatchObject({ delivered: 1, failed: 1 });
  expect(warnings.join('\n')).toContain('refused 1 of its spans (over quota)');
  await client.shutdown();
});
