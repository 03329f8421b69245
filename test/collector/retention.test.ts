import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { memoryCollector, post } from './collector-client.js';
import { batch, postedRun } from './run-builders.js';

/**
 * Retention bounds every stored row, and every trace summary a change
 * touches stays true: counted in the SQLite file itself.
 */
type Collector = Awaited<ReturnType<typeof memoryCollector>>;
let collector: Collector | undefined;
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tracewire-retention-'));
});
afterEach(async () => {
  await collector?.close();
  collector = undefined;
  rmSync(dir, { recursive: true, force: true });
});

function rows(sql: string): number {
  const db = new Database(join(dir, 'traces.sqlite'), { readonly: true });
  try {
    return (db.prepare(sql).get() as { n: number }).n;
  } finally {
    db.close();
  }
}

test('--max-traces bounds runs of no trace too: 10 000 patches whose post never came keep at most that many rows', async () => {
  collector = await memoryCollector({ memory: false, db: join(dir, 'traces.sqlite'), maxTraces: 5 });
  for (let i = 0; i < 10; i++) {
    const patches = Array.from({ length: 1000 }, () => ({ id: randomUUID(), end_time: '2026-01-01T00:00:01Z', outputs: { n: i } }));
    expect((await post(`${collector.url}/runs/batch`, batch([], patches))).status).toBe(202);
  }
  for (let i = 0; i < 8; i++) await post(`${collector.url}/runs/batch`, batch([postedRun({ name: `trace-${i}`, start_time: `2026-01-0${i + 1}T00:00:00Z` })]));
  expect(rows('SELECT count(*) AS n FROM runs WHERE trace_id IS NULL')).toBeLessThanOrEqual(5);
  expect(rows('SELECT count(*) AS n FROM runs')).toBeLessThanOrEqual(10);
  expect(rows('SELECT count(*) AS n FROM traces')).toBe(5);
});

test('a patch that arrives before its post waits as an orphan, then joins its trace', async () => {
  collector = await memoryCollector({ maxTraces: 5 });
  const run = postedRun({ name: 'late-post' });
  await post(`${collector.url}/runs/batch`, batch([], [{ id: run.id, end_time: '2026-01-01T00:00:02Z', outputs: { ok: true } }]));
  expect(await collector.traces()).toEqual([]);
  await post(`${collector.url}/runs/batch`, batch([run]));
  expect(await collector.trace(run.id)).toEqual([expect.objectContaining({ name: 'late-post', outputs: { ok: true }, end_time: '2026-01-01T00:00:02.000000Z' })]);
});

test('a patch that moves a run to another trace leaves both summaries true; a trace left empty disappears', async () => {
  collector = await memoryCollector();
  const a = postedRun({ name: 'trace-a' });
  const b = postedRun({ name: 'trace-b' });
  const mover = postedRun({ name: 'mover', trace_id: a.id, parent_run_id: a.id });
  const lonely = postedRun({ name: 'lonely' });
  await post(`${collector.url}/runs/batch`, batch([a, b, mover, lonely]));
  expect((await collector.traces()).find((t) => t.trace_id === a.id)!.span_count).toBe(2);

  await post(`${collector.url}/runs/batch`, batch([], [{ id: mover.id, trace_id: b.id, parent_run_id: b.id, end_time: '2026-01-01T00:00:03Z' }, { id: lonely.id, trace_id: b.id, parent_run_id: b.id }]));
  const traces = await collector.traces();
  expect(traces.map((t) => [t.name, t.span_count]).sort()).toEqual([['trace-a', 1], ['trace-b', 3]]);
  for (const listed of traces) expect((await collector.trace(listed.trace_id)).length).toBe(listed.span_count);
  expect((await fetch(`${collector.url}/api/traces/${lonely.id}`)).status).toBe(404);
});

test('a trace is served in pages with its total; past the end the page is empty', async () => {
  const opened = await memoryCollector();
  collector = opened;
  const root = postedRun({ name: 'paged', start_time: '2026-01-01T00:00:00Z' });
  const children = Array.from({ length: 9 }, (_, i) => postedRun({ name: `child-${i}`, trace_id: root.id, parent_run_id: root.id, start_time: `2026-01-01T00:00:0${i + 1}Z` }));
  await post(`${collector.url}/runs/batch`, batch([root, ...children]));
  const page = async (query: string) => (await fetch(`${opened.url}/api/traces/${root.id}${query}`)).json();
  const first = await page('?limit=4');
  expect(first).toMatchObject({ total: 10, offset: 0, next_offset: 4 });
  expect(first.spans.map((s: { name: string }) => s.name)).toEqual(['paged', 'child-0', 'child-1', 'child-2']);
  const last = await page('?offset=8&limit=4');
  expect(last).toMatchObject({ total: 10, offset: 8, next_offset: null });
  expect(last.spans).toHaveLength(2);
  expect((await page('?offset=20')).spans).toEqual([]);
  expect((await fetch(`${collector.url}/api/traces/${root.id}?limit=-1`)).status).toBe(400);
  const exported = await fetch(`${collector.url}/api/traces/${root.id}/export`);
  expect(exported.headers.get('content-disposition')).toContain(`trace-${root.id}.json`);
  expect((await exported.json()).spans).toHaveLength(10);
});
