import { getCurrentRunTree, traceable as lsTraceable } from 'langsmith/traceable';
import { getCurrentSpan, LangSmithExporter, OtlpHttpExporter, setGlobalTracingClient, traceable, TracingClient } from '../../../index';
import { OtlpCollector } from '../../helpers/otlp-collector';
import { withEnv } from '../../helpers/with-env';
import { langsmithRecorder } from '../../helpers/langsmith-recorder';
import { finishedRuns, installMemoryTracing, only } from '../../helpers/memory-tracing';
import { acceptedRuns, LangSmithSink } from '../../helpers/langsmith-sink';

/**
 * Token counts where LangSmith reads them: a run's `usage_metadata`, returned
 * in an LLM call's result or set in its metadata, is recorded in both its
 * outputs and its metadata — what langsmith's `traceable` records for the
 * same code (run alongside as the reference), so LangSmith shows the run's
 * tokens and cost.
 */
let tracing: ReturnType<typeof installMemoryTracing>;
beforeEach(() => (tracing = installMemoryTracing()));
afterEach(() => setGlobalTracingClient(undefined));

const usage = { input_tokens: 12, output_tokens: 30, total_tokens: 42 };

test('usage_metadata in an LLM call\'s result is recorded in its metadata too, as langsmith records it', async () => {
  const ls = langsmithRecorder();
  const chat = async (prompt: string) => ({ content: `re: ${prompt}`, usage_metadata: usage });
  await lsTraceable(chat, { ...ls.config, name: 'chat', run_type: 'llm' })('hi');
  await traceable(chat, { name: 'chat', runType: 'llm' })('hi');
  const run = only(await finishedRuns(tracing.client, tracing.exporter), 'chat');
  const reference = ls.run('chat');
  expect(run.extra.metadata['usage_metadata']).toEqual(usage);
  expect(run.extra.metadata['usage_metadata']).toEqual(reference.extra['metadata']['usage_metadata']);
  expect(run.outputs).toEqual(reference.outputs);
});

test.each([
  ['an object', async () => ({ content: 'ok' }), { content: 'ok', usage_metadata: usage }],
  ['a string', async () => 'ok', { outputs: 'ok', usage_metadata: usage }],
  ['undefined', async () => undefined, { usage_metadata: usage }],
])('usage_metadata set in the metadata while the call runs is recorded in its outputs too (a result that is %s), as langsmith records it', async (_case, result, expected) => {
  const ls = langsmithRecorder();
  await lsTraceable(async () => {
    getCurrentRunTree().metadata = { usage_metadata: usage };
    return result();
  }, { ...ls.config, name: 'chat', run_type: 'llm' })();
  await traceable(async () => {
    getCurrentSpan()?.setMetadata('usage_metadata', usage);
    return result();
  }, { name: 'chat', runType: 'llm' })();
  const run = only(await finishedRuns(tracing.client, tracing.exporter), 'chat');
  expect(run.outputs).toEqual(expected);
  expect(run.outputs).toEqual(ls.run('chat').outputs);
  expect(run.extra.metadata['usage_metadata']).toEqual(usage);
});

test('outputs hidden by LANGSMITH_HIDE_OUTPUTS stay hidden: the token counts go to the metadata only', async () => {
  const hidden = withEnv({ LANGSMITH_HIDE_OUTPUTS: 'true' }, () => installMemoryTracing());
  await traceable(async () => {
    getCurrentSpan()?.setMetadata('usage_metadata', usage);
    return { content: 'secret' };
  }, { name: 'chat', client: hidden.client })();
  const run = only(await finishedRuns(hidden.client, hidden.exporter), 'chat');
  expect(run.outputs).toEqual({});
  expect(run.extra.metadata['usage_metadata']).toEqual(usage);
});

test('token counts in the outputs of a call whose outputs LANGSMITH_HIDE_OUTPUTS hides still reach its metadata, as langsmith sends them', async () => {
  // langsmith takes them from the outputs before its client hides those: LangSmith still shows tokens and cost.
  const hidden = withEnv({ LANGSMITH_HIDE_OUTPUTS: 'true' }, () => installMemoryTracing());
  await traceable(async () => ({ content: 'secret', usage_metadata: usage }), { name: 'chat', runType: 'llm', client: hidden.client })();
  const run = only(await finishedRuns(hidden.client, hidden.exporter), 'chat');
  expect(run.outputs).toEqual({});
  expect(run.extra.metadata['usage_metadata']).toEqual(usage);
});

test('outputs hidden by LANGSMITH_HIDE_OUTPUTS keep only the numbers of their usage_metadata in the metadata: no text of the hidden outputs gets out that way', async () => {
  const hidden = withEnv({ LANGSMITH_HIDE_OUTPUTS: 'true' }, () => installMemoryTracing());
  const detailed = { ...usage, input_token_details: { cache_read: 4, note: 'secret prompt echo' }, model_note: 'secret answer', total_cost: 0.0021, tags: ['secret'] };
  await traceable(async () => ({ content: 'secret', usage_metadata: detailed }), { name: 'chat', runType: 'llm', client: hidden.client })();
  const run = only(await finishedRuns(hidden.client, hidden.exporter), 'chat');
  expect(run.outputs).toEqual({});
  expect(run.extra.metadata['usage_metadata']).toEqual({ ...usage, input_token_details: { cache_read: 4 }, total_cost: 0.0021 });
  expect(JSON.stringify(run)).not.toContain('secret');
});

test("a redact.outputs hook that leaves the token counts out has the last word on the outputs; the metadata keeps them", async () => {
  const redacting = installMemoryTracing({ redact: { outputs: (outputs: Record<string, unknown>) => ({ content: outputs['content'] === undefined ? 'none' : '[redacted]' }) } });
  await traceable(async () => ({ content: 'secret', usage_metadata: usage }), { name: 'chat', runType: 'llm', client: redacting.client })();
  await traceable(async () => {
    getCurrentSpan()?.setMetadata('usage_metadata', usage);
    return { content: 'secret' };
  }, { name: 'set', runType: 'llm', client: redacting.client })();
  const runs = await finishedRuns(redacting.client, redacting.exporter);
  for (const name of ['chat', 'set']) {
    const run = only(runs, name);
    expect(run.outputs).toEqual({ content: '[redacted]' });
    expect(run.extra.metadata['usage_metadata']).toEqual(usage);
  }
});

test('a run without usage_metadata records neither key (the common case is untouched)', async () => {
  await traceable(async () => ({ content: 'ok' }), { name: 'chat' })();
  await traceable((n: number) => n + 1, { name: 'add' })(1);
  const runs = await finishedRuns(tracing.client, tracing.exporter);
  for (const name of ['chat', 'add']) {
    const run = only(runs, name);
    expect(run.extra.metadata).toEqual({});
    expect(JSON.stringify(run.outputs)).not.toContain('usage_metadata');
  }
});

test('on the wire to LangSmith, a run whose primitive result was captured as text carries usage_metadata in both parts', async () => {
  const sink = await LangSmithSink.start();
  try {
    const client = new TracingClient({ exporter: new LangSmithExporter({ endpoint: sink.url, apiKey: 'test' }) });
    await traceable((n: number) => {
      getCurrentSpan()?.setMetadata('usage_metadata', usage);
      return n * 2;
    }, { name: 'double', client })(21);
    await client.flush();
    const [run] = [...(await acceptedRuns(sink)).values()];
    expect(run).toMatchObject({ name: 'double', outputs: { outputs: 42, usage_metadata: usage }, extra: { metadata: { usage_metadata: usage } } });
    await client.shutdown();
  } finally {
    await sink.stop();
  }
});

test.each(['http/json', 'http/protobuf'] as const)('over OTLP (%s), an LLM run\'s token counts are OpenInference\'s llm.token_count.* integers beside its metadata', async (protocol) => {
  const collector = await OtlpCollector.start();
  try {
    const client = new TracingClient({ exporter: new OtlpHttpExporter({ endpoint: collector.url, protocol }) });
    await traceable(async () => ({ content: 'ok', usage_metadata: usage }), { name: 'chat', runType: 'llm', client })();
    await traceable(async () => ({ content: 'ok' }), { name: 'plain', client })();
    await client.flush();
    const [chat, plain] = collector.spans.map((span) => span.attributes);
    expect(chat).toMatchObject({ 'llm.token_count.prompt': 12, 'llm.token_count.completion': 30, 'llm.token_count.total': 42 });
    expect(JSON.parse(String(chat!['langsmith.metadata.usage_metadata']))).toEqual(usage);
    expect(Object.keys(plain!).filter((key) => key.startsWith('llm.token_count'))).toEqual([]);
    expect(collector.exports.flatMap((received) => received.problems)).toEqual([]);
    await client.shutdown();
  } finally {
    await collector.stop();
  }
});
