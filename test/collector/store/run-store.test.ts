import { randomUUID } from 'node:crypto';
import { memoryCollector, post } from '../collector-client.js';
import { batch, postedRun } from '../run-builders.js';

type Collector = Awaited<ReturnType<typeof memoryCollector>>;
const collectors: Collector[] = [];
async function collector(options: Parameters<typeof memoryCollector>[0] = {}): Promise<Collector> {
  const started = await memoryCollector(options);
  collectors.push(started);
  return started;
}
afterEach(async () => {
  await Promise.all(collectors.splice(0).map((c) => c.close()));
});

type Op = { op: 'post' | 'patch'; run: Record<string, unknown> & { id: string } };

/**
 * How many times, while `during` runs, a JSON text of at least `minChars`
 * is parsed or made by JSON.stringify (the collector runs in this process):
 * the number of times a run that large is read or written whole.
 */
async function wholeRunJsonWork(minChars: number, during: () => Promise<unknown>): Promise<{ parses: number; serialisations: number }> {
  const { parse, stringify } = JSON;
  const work = { parses: 0, serialisations: 0 };
  JSON.parse = (text: string, reviver?: Parameters<typeof parse>[1]) => {
    if (typeof text === 'string' && text.length >= minChars) work.parses++;
    return parse(text, reviver);
  };
  JSON.stringify = ((value: unknown, replacer?: never, space?: never) => {
    const text = stringify(value, replacer, space);
    if (typeof text === 'string' && text.length >= minChars) work.serialisations++;
    return text;
  }) as typeof stringify;
  try {
    await during();
  } finally {
    Object.assign(JSON, { parse, stringify });
  }
  return work;
}

/** What the store kept when it merged each operation into the run's stored JSON, one at a time (before it merged in memory). */
function storedOneByOne(ops: Op[]): string {
  let stored: object | undefined;
  for (const { op, run } of ops) {
    const merged = stored === undefined ? run : op === 'patch' ? { ...stored, ...run } : { ...run, ...stored };
    stored = JSON.parse(JSON.stringify(merged)) as object;
  }
  return JSON.stringify(stored);
}

/** Everything the API shows of what a collector stored: the trace list, each trace's runs as their stored JSON, the stats. */
async function everythingStored(c: Collector): Promise<{ traces: string; runs: Record<string, string[]>; stats: string }> {
  const traces = await (await fetch(`${c.url}/api/traces?limit=1000`)).text();
  const runs: Record<string, string[]> = {};
  for (const { trace_id } of JSON.parse(traces).traces as Array<{ trace_id: string }>) {
    runs[trace_id] = (await c.trace(trace_id)).map((run) => JSON.stringify(run));
  }
  return { traces, runs, stats: await (await fetch(`${c.url}/api/stats`)).text() };
}

const BIG = 200_000;
const OPS = 300;

describe('many operations on one run in one request', () => {
  test('batch: a new run and its patches are written whole at most twice and never read back, whatever their number', async () => {
    const c = await collector();
    const run = postedRun({ name: 'big', inputs: { text: 'x'.repeat(BIG) } });
    const patches = Array.from({ length: OPS }, (_, i) => ({ id: run.id, [`k${i}`]: i }));
    const body = batch([run], patches);
    const work = await wholeRunJsonWork(BIG, async () => expect((await post(`${c.url}/runs/batch`, body)).status).toBe(202));
    // The request body itself is the one parse; the run is inserted, then written once merged.
    expect(work).toEqual({ parses: 1, serialisations: expect.any(Number) });
    expect(work.serialisations).toBeLessThanOrEqual(2);
    expect(Object.keys((await c.trace(run.id))[0]!).filter((key) => key.startsWith('k'))).toHaveLength(OPS);
  });

  test('batch: a stored run is read once and written once (its search text made once) for a request of many patches to it', async () => {
    const c = await collector();
    const run = postedRun({ name: 'big', inputs: { text: 'x'.repeat(BIG) } });
    expect((await post(`${c.url}/runs/batch`, batch([run]))).status).toBe(202);
    // A search brings the index up to date: the changed run's search text is then made again, from its new JSON.
    expect((await (await fetch(`${c.url}/api/traces?q=big`)).json()).traces).toHaveLength(1);
    const patches = Array.from({ length: OPS }, (_, i) => ({ id: run.id, [`k${i}`]: i }));
    const work = await wholeRunJsonWork(BIG, async () => expect((await post(`${c.url}/runs/batch`, batch([], patches))).status).toBe(202));
    // Parsed: its row, then its new JSON for the search text (once); made: its new JSON (the search text is its values' text, not JSON).
    expect(work).toEqual({ parses: 2, serialisations: 1 });
  });

  test('OTLP: spans repeating one span id are merged into its run with one write', async () => {
    const c = await collector();
    const span = (overrides: object) => ({ traceId: '0102030405060708090a0b0c0d0e0f10', spanId: '0102030405060708', name: 's', startTimeUnixNano: '1700000000000000000', endTimeUnixNano: '1700000001000000000', ...overrides });
    const spans = [span({ attributes: [{ key: 'input.value', value: { stringValue: JSON.stringify({ text: 'x'.repeat(BIG) }) } }] })];
    for (let i = 0; i < OPS; i++) spans.push(span({ name: `s${i}` }));
    const body = JSON.stringify({ resourceSpans: [{ resource: { attributes: [] }, scopeSpans: [{ spans }] }] });
    const work = await wholeRunJsonWork(BIG, async () => expect((await post(`${c.url}/v1/traces`, body)).body).toEqual({ partialSuccess: {} }));
    // Parsed: the body, and the input.value text inside it.
    expect(work.parses).toBe(2);
    expect(work.serialisations).toBeLessThanOrEqual(2);
  });

  test('batch: posts, retried posts, patches and patches moving a run between traces store what one request per operation stores, and what merging each into the stored JSON gave', async () => {
    const root = postedRun({ name: 'root', start_time: '2026-01-01T00:00:00.000001Z' });
    const other = postedRun({ name: 'other-root', start_time: '2026-01-01T00:01:00.000001Z' });
    const run = postedRun({ name: 'x', trace_id: root.id, parent_run_id: root.id, start_time: '2026-01-01T00:00:01.000001Z', inputs: { q: 'a' } });
    const orphan = randomUUID();
    const passing = randomUUID();
    const ops: Op[] = [
      { op: 'post', run: root },
      { op: 'post', run },
      { op: 'post', run: other },
      // A retry that differs: it fills only what is missing (retried), and its fields come first.
      { op: 'post', run: { ...run, name: 'renamed', retried: true, inputs: { q: 'b' } } },
      { op: 'patch', run: { id: run.id, end_time: '2026-01-01T00:00:02.000001Z', outputs: { a: 1 } } },
      ...Array.from({ length: 20 }, (_, i): Op => ({ op: 'patch', run: { id: run.id, [`k${i}`]: i } })),
      // To the other trace, through a trace it alone would hold (gone again by the end), and back.
      { op: 'patch', run: { id: run.id, trace_id: other.id, parent_run_id: other.id } },
      { op: 'patch', run: { id: run.id, trace_id: passing } },
      { op: 'patch', run: { id: run.id, trace_id: root.id, parent_run_id: root.id, error: 'Error: boom', status: 'error' } },
      { op: 'patch', run: { id: run.id, outputs: { a: 2 }, k3: 'three' } },
      // A patch whose post never comes.
      { op: 'patch', run: { id: orphan, trace_id: root.id, end_time: '2026-01-01T00:00:03.000001Z' } },
    ];
    const together = await collector();
    const posts = ops.filter((o) => o.op === 'post').map((o) => o.run);
    const patches = ops.filter((o) => o.op === 'patch').map((o) => o.run);
    expect((await post(`${together.url}/runs/batch`, batch(posts, patches))).body).toEqual({});
    const oneByOne = await collector();
    // The order a batch is applied in: its posts, then its patches.
    for (const { op, run: one } of [...ops.filter((o) => o.op === 'post'), ...ops.filter((o) => o.op === 'patch')]) {
      expect((await post(`${oneByOne.url}/runs/batch`, op === 'post' ? batch([one]) : batch([], [one]))).body).toEqual({});
    }
    const stored = await everythingStored(together);
    expect(stored).toEqual(await everythingStored(oneByOne));
    expect(Object.keys(stored.runs).sort()).toEqual([root.id, other.id].sort());
    const runOps = [...ops.filter((o) => o.op === 'post'), ...ops.filter((o) => o.op === 'patch')].filter((o) => o.run.id === run.id);
    expect(stored.runs[root.id]).toContain(storedOneByOne(runOps));
    expect(JSON.parse(stored.traces).traces.find((t: { trace_id: string }) => t.trace_id === root.id)).toMatchObject({ status: 'error', span_count: 3 });
  });

  test('OTLP: spans repeating one span id store what one request per span stores', async () => {
    const span = (overrides: object) => ({ traceId: '0102030405060708090a0b0c0d0e0f10', spanId: '0102030405060708', name: 's', startTimeUnixNano: '1700000000000000000', ...overrides });
    const text = (key: string, value: string) => ({ key, value: { stringValue: value } });
    const spans = [
      span({ attributes: [text('input.value', '{"q":"a"}')] }),
      // Later spans fill only what is missing: the end, the output, the error status.
      span({ name: 'second', endTimeUnixNano: '1700000002000000000', attributes: [text('output.value', 'done'), text('input.value', '{"q":"b"}')] }),
      span({ name: 'third', endTimeUnixNano: '1700000003000000000', status: { code: 2, message: 'late failure' } }),
      span({ spanId: '0102030405060709', parentSpanId: '0102030405060708', name: 'child', endTimeUnixNano: '1700000001000000000' }),
    ];
    const otlp = (list: object[]) => JSON.stringify({ resourceSpans: [{ resource: { attributes: [text('service.name', 'svc')] }, scopeSpans: [{ spans: list }] }] });
    const together = await collector();
    expect((await post(`${together.url}/v1/traces`, otlp(spans))).body).toEqual({ partialSuccess: {} });
    const oneByOne = await collector();
    for (const one of spans) expect((await post(`${oneByOne.url}/v1/traces`, otlp([one]))).body).toEqual({ partialSuccess: {} });
    const stored = await everythingStored(together);
    expect(stored).toEqual(await everythingStored(oneByOne));
    const [root] = Object.values(stored.runs)[0]!.map((json) => JSON.parse(json)).filter((r) => r.name === 's');
    expect(root).toMatchObject({ inputs: { q: 'a' }, outputs: { value: 'done' }, end_time: '2023-11-14T22:13:22.000000Z' });
  });

  test('a run that grows past its size limit within one request: the operation that finds it at the limit is merged, the next one refused, named with the exact size', async () => {
    const LIMIT = 64 * 1024 * 1024;
    const c = await collector({ maxBodyBytes: 80 * 1024 * 1024 });
    const run = postedRun({ name: 'growing' });
    // After this patch the run's JSON is exactly at the limit: `{...run,"filler":"x…x"}`.
    const fillerChars = LIMIT - JSON.stringify(run).length - ',"filler":""'.length;
    const patches = [
      { id: run.id, filler: 'x'.repeat(fillerChars) },
      { id: run.id, small: 1 }, // at the limit, not past it: merged (now ,"small":1 past it)
      { id: run.id, refused: 2 },
    ];
    const neighbour = postedRun({ name: 'neighbour' });
    const answer = await post(`${c.url}/runs/batch`, batch([run, neighbour], patches));
    expect(answer.status).toBe(202);
    expect(answer.body).toMatchObject({ accepted: 1, rejected_count: 1, rejected: [{ where: `run ${run.id}`, reason: `it already holds ${LIMIT + ',"small":1'.length} characters of JSON, more than the ${LIMIT} a run may grow to: nothing more is merged into it` }] });
    const stored = (await c.trace(run.id))[0]!;
    expect([stored.small, stored.refused, stored.filler.length]).toEqual([1, undefined, fillerChars]);
  }, 120_000);
});
