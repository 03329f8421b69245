import { Client } from 'langsmith';
import { langsmithReferenceLeaves } from '../helpers/langsmith-reference-leaves.js';
import { traceable as lsTraceable } from 'langsmith/traceable';
import { LangSmithExporter, TracingClient, getCurrentSpan, traceable } from '../../index.js';
import { edges, memoryCollector } from './collector-client.js';

type Collector = Awaited<ReturnType<typeof memoryCollector>>;
let collector: Collector;
beforeEach(async () => {
  collector = await memoryCollector();
});
afterEach(async () => {
  await collector.close();
});

/**
 * langsmith's client picks multipart or batch by what `/info` announces
 * (`batch_ingest_config.use_multipart_endpoint`). The collector announces
 * multipart; for batch, the client's own `fetchImplementation` hook rewrites
 * that one answer. Every ingest path the client used is recorded.
 */
async function traceWithLangSmith(options: { batch: boolean }): Promise<string[]> {
  const paths: string[] = [];
  const fetchImplementation = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = new URL(input instanceof Request ? input.url : input);
    if (url.pathname.startsWith('/runs')) paths.push(url.pathname);
    const response = await fetch(input, init);
    if (!options.batch || url.pathname !== '/info') return response;
    const info = (await response.json()) as { batch_ingest_config: object };
    return Response.json({ ...info, batch_ingest_config: { ...info.batch_ingest_config, use_multipart_endpoint: false } });
  };
  const client = new Client({ apiUrl: collector.url, apiKey: 'k', autoBatchTracing: true, fetchImplementation });
  const { traced, answer, lookup } = langsmithReferenceLeaves(client);
  const pipeline = lsTraceable(
    async function pipeline(question: string) {
      const reply = await answer(question);
      await lookup('k').catch(() => undefined);
      return { reply };
    },
    { ...traced, name: 'pipeline', tags: ['top'], project_name: 'ls-project' },
  );
  await pipeline('why?');
  await client.awaitPendingTraceBatches();
  return paths;
}

describe('runs sent by langsmith’s own Client', () => {
  test.each([
    ['multipart', false],
    ['batch', true],
  ])('arrive through /runs/%s as one trace with the right tree, inputs, outputs and error', async (mode, batch) => {
    const paths = await traceWithLangSmith({ batch });
    expect(new Set(paths)).toEqual(new Set([`/runs/${mode}`]));
    const traces = await collector.traces();
    expect(traces).toEqual([expect.objectContaining({ name: 'pipeline', status: 'error', span_count: 3 })]);
    const runs = await collector.runsByName();
    expect(edges(runs)).toEqual(['pipeline > answer', 'pipeline > lookup']);
    expect(runs.get('pipeline')).toMatchObject({ inputs: { input: 'why?' }, outputs: { reply: { text: 're: why?' } }, tags: ['top'], session_name: 'ls-project' });
    expect(runs.get('answer')).toMatchObject({ run_type: 'llm', tags: ['model:small'], extra: { metadata: { temperature: 0.2 } }, events: [expect.objectContaining({ name: 'retrieved', kwargs: { docs: 2 } })] });
    expect(runs.get('lookup')!.error).toMatch(/^TypeError: no tool k/);
    for (const run of runs.values()) expect(run.end_time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/);
  });
});

describe('runs sent by tracewire’s LangSmithExporter', () => {
  test.each(['multipart', 'batch'] as const)('arrive through /runs/%s with the tree, events, tags and metadata they were traced with', async (mode) => {
    const client = new TracingClient({ exporter: new LangSmithExporter({ endpoint: collector.url, apiKey: 'k', mode }), manualFlushMode: true, projectName: 'tw-project' });
    const answer = traceable(
      async function answer(question: string) {
        getCurrentSpan()?.addEvent('retrieved', { docs: 2 });
        return { text: `re: ${question}` };
      },
      { client, runType: 'llm', tags: ['model:small'], metadata: { temperature: 0.2 } },
    );
    const lookup = traceable(async function lookup(key: string): Promise<void> {
      throw new TypeError(`no tool ${key}`);
    }, { client, runType: 'tool' });
    const pipeline = traceable(async function pipeline(question: string) {
      const reply = await answer(question);
      await lookup('k').catch(() => undefined);
      return { reply };
    }, { client, tags: ['top'] });
    await pipeline('why?');
    expect(await client.flush()).toMatchObject({ delivered: 3, failed: 0 });
    await client.shutdown();

    const runs = await collector.runsByName();
    expect(edges(runs)).toEqual(['pipeline > answer', 'pipeline > lookup']);
    expect(runs.get('pipeline')).toMatchObject({ inputs: { input: 'why?' }, outputs: { reply: { text: 're: why?' } }, session_name: 'tw-project', tags: ['top'] });
    expect(runs.get('answer')).toMatchObject({ run_type: 'llm', extra: { metadata: { temperature: 0.2 } }, events: [expect.objectContaining({ name: 'retrieved', kwargs: { docs: 2 } })] });
    expect(runs.get('lookup')!.error).toMatch(/^TypeError: no tool k/);
    expect((await collector.traces())[0]).toMatchObject({ name: 'pipeline', status: 'error', span_count: 3 });
  });

  test('a run whose start and end travel in separate batches is stored once, ended', async () => {
    const client = new TracingClient({ exporter: new LangSmithExporter({ endpoint: collector.url, apiKey: 'k', mode: 'batch' }), manualFlushMode: true });
    let release!: () => void;
    const slow = traceable(async function slow() {
      await new Promise<void>((resolve) => (release = resolve));
      return 'done';
    }, { client });
    const pending = slow();
    await client.flush();
    expect(await collector.traces()).toEqual([expect.objectContaining({ name: 'slow', status: 'running', end_time: null })]);
    release();
    await pending;
    await client.flush();
    await client.shutdown();
    const [trace] = await collector.traces();
    expect(trace).toMatchObject({ name: 'slow', status: 'ok', span_count: 1 });
    expect(await collector.trace(trace!.trace_id)).toEqual([expect.objectContaining({ name: 'slow', outputs: { outputs: 'done' } })]);
  });
});
