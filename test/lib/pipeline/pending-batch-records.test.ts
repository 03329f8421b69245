import { LangSmithExporter, TracingClient, getCurrentSpan, traceable } from '../../../index';
import { LangSmithSink, acceptedOps, acceptedRuns } from '../../helpers/langsmith-sink';

/**
 * A closed batch turns its finished spans into compact records at once and
 * lets go of the spans; its running starts become records when it is taken.
 * Every field a record carries must be its own run's: here every run of one
 * batch differs from the one before in one field only — texts, name, tags,
 * metadata, run type, parent, status and error, events — so a field a
 * record lost, or took from another run or from a row of runs alike (a
 * packed batch would share what runs alike share), shows on the wire. A run
 * still open at the first flush is posted, then patched from a later batch.
 */
let sink: LangSmithSink;
beforeEach(async () => {
  sink = await LangSmithSink.start();
});
afterEach(async () => {
  await sink.stop();
});

test('every field of every queued run arrives as traced, in its own run, a late end included', async () => {
  const exporter = new LangSmithExporter({ endpoint: sink.url, fetchServerInfo: false });
  const client = new TracingClient({ exporter, manualFlushMode: true, projectName: 'queued', logger: { warn: () => undefined } });
  const ids: Record<string, string> = {};
  const seen = (key: string) => (ids[key] = getCurrentSpan()!.id);
  const step = traceable((key: string, text: string) => (seen(key), `→ ${text} ✓`), { name: 'step', client });
  const renamed = traceable((key: string) => (seen(key), 'renamed'), { name: 'stép²', client });
  const tool = traceable((key: string) => (seen(key), 'tool'), { name: 'step', runType: 'tool', client });
  const tagged = traceable((key: string) => (seen(key), getCurrentSpan()!.addTags('ünïcode'), 'tagged'), { name: 'step', client });
  const meta = traceable((key: string) => (seen(key), getCurrentSpan()!.setMetadata('k', 'välue'), 'meta'), { name: 'step', client });
  const evented = traceable((key: string) => (seen(key), getCurrentSpan()!.addEvent('tick', { n: 1, s: '日本' }), 'evented'), { name: 'step', client });
  const failing = traceable((key: string) => {
    seen(key);
    throw new Error('bøom \u2028 "quoted"');
  }, { name: 'step', client });
  const nested = traceable((key: string) => (seen(key), step('inner', 'deep')), { name: 'step', client });
  const outer = traceable(
    () => {
      seen('outer');
      // Each run between two plain ones, which it differs from in one field only (a batch holds them in the order they end).
      step('a', 'café ☕ "q" \u2028');
      renamed('renamed');
      step('b', '𝒳 second');
      tool('tool');
      step('p1', '1');
      tagged('tagged');
      step('p2', '2');
      meta('meta');
      step('p3', '3');
      evented('evented');
      step('p4', '4');
      expect(() => failing('failing')).toThrow('bøom');
      step('p5', '5');
      nested('nested');
      step('c', 'last');
      return 'outer done';
    },
    { name: 'outer', tags: ['t'], metadata: { tenant: 'é' }, client },
  );
  let release!: (value: string) => void;
  // A root like `after` but for its phase: its end is a patch, `after` a complete post, one after the other in one batch.
  const slow = traceable((key: string) => (seen(key), new Promise<string>((resolve) => (release = resolve))), { name: 'step', client });

  const pending = slow('slow');
  outer();
  expect(await client.flush({ timeoutMillis: 20_000 })).toMatchObject({ timedOut: false });
  release('ënd');
  await pending;
  step('after', 'after');
  expect(await client.flush({ timeoutMillis: 20_000 })).toMatchObject({ timedOut: false });
  await client.shutdown();

  const runs = await acceptedRuns(sink);
  const run = (key: string) => runs.get(ids[key]!)!;
  expect(runs.size).toBe(Object.keys(ids).length);
  const outerRun = run('outer');
  const order = ['a', 'renamed', 'b', 'tool', 'p1', 'tagged', 'p2', 'meta', 'p3', 'evented', 'p4', 'failing', 'p5', 'nested', 'c'];
  const child = (key: string, fields: Record<string, unknown>) => {
    expect(run(key)).toMatchObject({
      id: ids[key], trace_id: ids.outer, parent_run_id: ids.outer, name: 'step', run_type: 'chain', tags: [],
      extra: expect.objectContaining({ metadata: { tenant: 'é' } }), session_name: 'queued', ...fields,
    });
    expect(run(key).dotted_order).toMatch(new RegExp(`^${outerRun.dotted_order as string}\\.\\d{8}T\\d{12}Z${ids[key]}$`));
  };
  expect(outerRun).toMatchObject({ id: ids.outer, trace_id: ids.outer, name: 'outer', tags: ['t'], inputs: {}, outputs: { outputs: 'outer done' }, session_name: 'queued' });
  expect(outerRun.parent_run_id).toBeUndefined();
  child('a', { inputs: { args: ['a', 'café ☕ "q" \u2028'] }, outputs: { outputs: '→ café ☕ "q" \u2028 ✓' } });
  child('b', { inputs: { args: ['b', '𝒳 second'] }, outputs: { outputs: '→ 𝒳 second ✓' } });
  child('renamed', { name: 'stép²', outputs: { outputs: 'renamed' } });
  child('tool', { run_type: 'tool', outputs: { outputs: 'tool' } });
  child('tagged', { tags: ['ünïcode'], outputs: { outputs: 'tagged' } });
  child('meta', { extra: expect.objectContaining({ metadata: { tenant: 'é', k: 'välue' } }), outputs: { outputs: 'meta' } });
  child('evented', { events: [expect.objectContaining({ name: 'tick', kwargs: { n: 1, s: '日本' } })], outputs: { outputs: 'evented' } });
  child('failing', { inputs: { input: 'failing' }, error: expect.stringMatching(/^Error: bøom \u2028 "quoted"\n/) });
  child('nested', { outputs: { outputs: '→ deep ✓' } });
  child('c', { inputs: { args: ['c', 'last'] }, outputs: { outputs: '→ last ✓' } });
  expect(run('inner')).toMatchObject({ trace_id: ids.outer, parent_run_id: ids.nested, inputs: { args: ['inner', 'deep'] }, outputs: { outputs: '→ deep ✓' } });
  for (const key of order.filter((k) => k !== 'failing')) expect(run(key).error).toBeUndefined();
  for (const key of order.filter((k) => k !== 'evented')) expect(run(key).events).toBeUndefined();
  for (const key of ['p1', 'p2', 'p3', 'p4', 'p5']) child(key, { inputs: { args: [key, key.slice(1)] }, outputs: { outputs: `→ ${key.slice(1)} ✓` } });
  // A late end, in a batch of its own: patched onto the start posted while it ran.
  expect(run('slow')).toMatchObject({ trace_id: ids.slow, name: 'step', inputs: { input: 'slow' }, outputs: { outputs: 'ënd' } });
  expect((await acceptedOps(sink)).filter((op) => op.endsWith(ids.slow!))).toEqual([`post.${ids.slow}`, `patch.${ids.slow}`]);
  expect(run('after')).toMatchObject({ trace_id: ids.after, inputs: { args: ['after', 'after'] }, outputs: { outputs: '→ after ✓' } });
  expect((await acceptedOps(sink)).filter((op) => op.endsWith(ids.after!))).toEqual([`post.${ids.after}`]);

  // Times: each run's own, in the order the calls ran (siblings one after another, within their parent).
  const time = (key: string, field: 'start_time' | 'end_time') => String(run(key)[field]);
  for (const key of Object.keys(ids)) expect(time(key, 'start_time') <= time(key, 'end_time')).toBe(true);
  for (let i = 1; i < order.length; i++) expect(time(order[i - 1]!, 'end_time') <= time(order[i]!, 'start_time')).toBe(true);
  expect(time('outer', 'start_time') <= time('a', 'start_time') && time('c', 'end_time') <= time('outer', 'end_time')).toBe(true);
  expect(time('nested', 'start_time') <= time('inner', 'start_time') && time('inner', 'end_time') <= time('nested', 'end_time')).toBe(true);
  expect(time('outer', 'end_time') <= time('slow', 'end_time') && time('slow', 'end_time') <= time('after', 'start_time')).toBe(true);
});
