import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { memoryCollector, post } from './collector-client.js';
import { batch, postedRun } from './run-builders.js';

/** Full-text search and per-name stats through the JSON API, kept true across patches and retention. */
type Collector = Awaited<ReturnType<typeof memoryCollector>>;
let collector: Collector | undefined;
afterEach(async () => {
  await collector?.close();
  collector = undefined;
});

const names = async (query: string) => (await collector!.traces(query)).map((trace) => trace.name);

test('search finds words in names, inputs, outputs and errors; a patch is found by its new words; deleted traces are not found', async () => {
  collector = await memoryCollector({ maxTraces: 2 });
  const zoo = postedRun({ name: 'zoo-visit', start_time: '2026-01-01T00:00:01Z', inputs: { question: 'Where is the zebra?' } });
  const shop = postedRun({ name: 'shop', start_time: '2026-01-01T00:00:02Z', error: 'PaymentDeclined: card expired' });
  await post(`${collector.url}/runs/batch`, batch([zoo, shop]));
  expect(await names('?q=zebra')).toEqual(['zoo-visit']);
  expect(await names('?q=paymentdecl')).toEqual(['shop']);
  expect(await names('?q=zoo')).toEqual(['zoo-visit']);
  expect(await names('?q=zebra%20card')).toEqual([]);

  await post(`${collector.url}/runs/batch`, batch([], [{ id: zoo.id, end_time: '2026-01-01T00:00:03Z', outputs: { answer: 'next to the giraffes' } }]));
  expect(await names('?q=giraffe')).toEqual(['zoo-visit']);
  expect(await names('?q=zebra')).toEqual(['zoo-visit']);

  await post(`${collector.url}/runs/batch`, batch([postedRun({ name: 'newest', start_time: '2026-01-01T00:00:09Z', inputs: { note: 'zebra crossing' } })]));
  expect(await names('?q=zebra')).toEqual(['newest']);
  const bad = await fetch(`${collector.url}/api/traces?q=%22(*)`);
  expect(bad.status).toBe(400);
});

test('search finds a word wherever it stands in a string: after a newline, tab, return, quote, backslash or escaped character, and inside Chinese text', async () => {
  collector = await memoryCollector();
  const prompt = postedRun({ name: 'prompt', start_time: '2026-01-01T00:00:01Z', inputs: { messages: [{ role: 'system', content: 'You are helpful.\nAnswer briefly.\tRefuse politely.\r\nQuote "Zeta" and C:\\Omega \u0001Kappa' }] } });
  const chinese = postedRun({ name: 'greeting', start_time: '2026-01-01T00:00:02Z', outputs: { text: '你好世界，欢迎使用' } });
  const spaced = postedRun({ name: 'spaced', start_time: '2026-01-01T00:00:03Z', inputs: { text: 'You are helpful. Answer briefly.' } });
  await post(`${collector.url}/runs/batch`, batch([prompt, chinese, spaced]));
  for (const word of ['Answer', 'Refuse', 'Quote', 'Zeta', 'Omega', 'Kappa']) expect([word, await names(`?q=${word}`)]).toEqual([word, word === 'Answer' ? ['spaced', 'prompt'] : ['prompt']]);
  expect(await names(`?q=${encodeURIComponent('answer briefly')}`)).toEqual(['spaced', 'prompt']);
  for (const word of ['世界', '你好', '欢迎使用', '世', '好世界']) expect([word, await names(`?q=${encodeURIComponent(word)}`)]).toEqual([word, ['greeting']]);
  // Characters of the text, but not in a row: not found.
  expect(await names(`?q=${encodeURIComponent('你界')}`)).toEqual([]);
  // Keys and numbers are found too, as they were when the index held JSON.
  expect(await names('?q=messages')).toEqual(['prompt']);
});

test('a database made before the search text changed (its index fed JSON) is re-indexed when a collector opens it, and its traces get revisions', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tracewire-search-old-'));
  const file = join(dir, 'old.sqlite');
  try {
    collector = await memoryCollector({ memory: false, db: file });
    await post(`${collector.url}/runs/batch`, batch([postedRun({ name: 'prompt', inputs: { content: 'You are helpful.\nAnswer briefly.' } })]));
    expect(await names('?q=Answer')).toEqual(['prompt']);
    await collector.close();
    collector = undefined;
    // What a collector before the text version left: the index fed JSON (a word after a newline stored as "nAnswer"), no text_version column.
    const old = new Database(file);
    old.exec("INSERT INTO runs_fts (runs_fts) VALUES ('delete-all')");
    old.exec("INSERT INTO runs_fts (rowid, body) SELECT rowid, json_extract(data, '$.name') || ' ' || json_extract(data, '$.inputs') FROM runs");
    old.exec('ALTER TABLE fts_state DROP COLUMN text_version');
    old.exec('ALTER TABLE traces DROP COLUMN revision');
    expect(old.prepare('SELECT count(*) AS n FROM runs_fts WHERE runs_fts MATCH ?').get('nAnswer')).toEqual({ n: 1 });
    old.close();
    collector = await memoryCollector({ memory: false, db: file });
    expect(await names('?q=Answer')).toEqual(['prompt']);
    expect(await names('?q=nAnswer')).toEqual([]);
    const [trace] = await collector.traces();
    expect((await (await fetch(`${collector.url}/api/traces/${trace!.trace_id}`)).json()).revision).toBe(0);
  } finally {
    await collector?.close();
    collector = undefined;
    rmSync(dir, { recursive: true, force: true });
  }
});

test('stats per span name: count, error rate and percentiles; a patch that ends a run counts it once', async () => {
  collector = await memoryCollector();
  const base = Date.parse('2026-01-01T10:00:00Z');
  const runs = Array.from({ length: 100 }, (_, i) =>
    postedRun({ name: 'lookup', start_time: new Date(base + i * 1000).toISOString(), end_time: new Date(base + i * 1000 + (i + 1)).toISOString(), ...(i < 5 ? { error: 'boom' } : {}) }),
  );
  const open = postedRun({ name: 'slow', start_time: new Date(base).toISOString() });
  await post(`${collector.url}/runs/batch`, batch([...runs, open]));
  await post(`${collector.url}/runs/batch`, batch([], [{ id: open.id, end_time: new Date(base + 2000).toISOString() }]));
  await post(`${collector.url}/runs/batch`, batch([], [{ id: open.id, end_time: new Date(base + 2000).toISOString() }]));
  const stats = await (await fetch(`${collector.url}/api/stats`)).json();
  const lookup = stats.names.find((s: { name: string }) => s.name === 'lookup');
  expect(lookup).toMatchObject({ count: 100, errors: 5, error_rate: 0.05 });
  // Durations are 1..100 ms: percentiles within the buckets' 4.5 %.
  expect(lookup.p50_ms).toBeGreaterThan(50 * 0.955);
  expect(lookup.p50_ms).toBeLessThan(50 * 1.045);
  expect(lookup.p99_ms).toBeGreaterThan(99 * 0.955);
  expect(lookup.p99_ms).toBeLessThan(99 * 1.045);
  expect(stats.names.find((s: { name: string }) => s.name === 'slow')).toMatchObject({ count: 1, errors: 0 });
  expect(stats.timeline.reduce((sum: number, m: { spans: number }) => sum + m.spans, 0)).toBe(101);
  const one = await (await fetch(`${collector.url}/api/stats?name=slow`)).json();
  expect(one.histogram).toEqual([{ bucket: expect.any(Number), ms: expect.any(Number), count: 1 }]);
  expect((await fetch(`${collector.url}/api/stats?minutes=0`)).status).toBe(400);
});

test('latency of spans that cross midnight, a month, a year and a leap day is their real duration', async () => {
  collector = await memoryCollector();
  const crossing = [
    ['2025-12-31T23:59:59.999000Z', '2026-01-01T00:00:00.001000Z'],
    ['2028-02-28T23:59:59.999500Z', '2028-02-29T00:00:00.001500Z'],
    ['2028-02-29T23:59:59.999000Z', '2028-03-01T00:00:00.001000Z'],
    ['2026-04-30T23:59:59.999999Z', '2026-05-01T00:00:00.001999Z'],
  ];
  await post(`${collector.url}/runs/batch`, batch(crossing.map(([start_time, end_time]) => postedRun({ name: 'midnight', start_time, end_time }))));
  const stats = await (await fetch(`${collector.url}/api/stats?name=midnight`)).json();
  // Each lasted 2 ms: one histogram bucket, within its 4.5 %.
  expect(stats.histogram).toEqual([{ bucket: expect.any(Number), ms: expect.any(Number), count: 4 }]);
  expect(Math.abs(stats.histogram[0].ms - 2) / 2).toBeLessThan(0.045);
});

test('retention takes deleted spans out of the stats', async () => {
  collector = await memoryCollector({ maxTraces: 1 });
  await post(`${collector.url}/runs/batch`, batch([postedRun({ name: 'old', start_time: '2026-01-01T00:00:00Z', end_time: '2026-01-01T00:00:01Z' })]));
  await post(`${collector.url}/runs/batch`, batch([postedRun({ name: 'new', start_time: '2026-01-02T00:00:00Z', end_time: '2026-01-02T00:00:01Z' })]));
  const stats = await (await fetch(`${collector.url}/api/stats`)).json();
  expect(stats.names.map((s: { name: string }) => s.name)).toEqual(['new']);
  expect(stats.timeline).toEqual([{ minute: '2026-01-02T00:00', spans: 1, errors: 0 }]);
});
