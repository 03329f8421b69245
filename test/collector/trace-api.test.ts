import { mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import Database from 'better-sqlite3';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCliArgs, UsageError } from '../../collector/src/cli-args.js';
import { memoryCollector, post } from './collector-client.js';
import { batch, postedRun } from './run-builders.js';

type Collector = Awaited<ReturnType<typeof memoryCollector>>;
let collector: Collector | undefined;
afterEach(async () => {
  await collector?.close();
  collector = undefined;
});

/** Three finished traces a minute apart, and one still running. */
async function seed(target: Collector): Promise<string[]> {
  const runs = [
    postedRun({ name: 'Checkout', start_time: '2026-01-01T10:00:00Z', end_time: '2026-01-01T10:00:01Z', tags: ['web'] }),
    postedRun({ name: 'refund', start_time: '2026-01-01T10:01:00Z', end_time: '2026-01-01T10:01:01Z', error: 'Error: declined' }),
    postedRun({ name: 'checkout-retry', start_time: '2026-01-01T10:02:00Z', end_time: '2026-01-01T10:02:01Z' }),
    postedRun({ name: 'nightly', start_time: '2026-01-01T10:03:00Z' }),
  ];
  const child = postedRun({ name: 'db', trace_id: runs[2]!.id, parent_run_id: runs[2]!.id, start_time: '2026-01-01T10:02:00.5Z', end_time: '2026-01-01T10:02:00.7Z', tags: ['sql'] });
  expect((await post(`${target.url}/runs/batch`, batch([...runs, child]))).status).toBe(202);
  return runs.map((run) => run.id);
}

describe('GET /api/traces', () => {
  test('lists traces newest first with name, times, status and span count', async () => {
    collector = await memoryCollector();
    await seed(collector);
    const traces = await collector.traces();
    expect(traces.map((trace) => [trace.name, trace.status, trace.span_count])).toEqual([
      ['nightly', 'running', 1],
      ['checkout-retry', 'ok', 2],
      ['refund', 'error', 1],
      ['Checkout', 'ok', 1],
    ]);
    expect(traces[1]).toMatchObject({ start_time: '2026-01-01T10:02:00.000000Z', end_time: '2026-01-01T10:02:01.000000Z' });
    expect(traces[0]!.end_time).toBeNull();
  });

  test.each([
    ['?name=checkout', ['checkout-retry', 'Checkout']],
    ['?status=error', ['refund']],
    ['?status=running', ['nightly']],
    ['?tag=sql', ['checkout-retry']],
    ['?tag=web', ['Checkout']],
    ['?since=2026-01-01T10:01:30Z', ['nightly', 'checkout-retry']],
    [`?since=${Date.parse('2026-01-01T10:02:30Z')}`, ['nightly']],
    ['?since=2026-01-02', []], // a date alone: its midnight, UTC
    ['?since=2026-01-01', ['nightly', 'checkout-retry', 'refund', 'Checkout']],
    ['?limit=2', ['nightly', 'checkout-retry']],
    ['?name=checkout&status=ok&tag=sql', ['checkout-retry']],
  ])('filters with %s', async (query, names) => {
    collector = await memoryCollector();
    await seed(collector);
    expect((await collector.traces(query)).map((trace) => trace.name)).toEqual(names);
  });

  test.each(['?limit=0', '?status=done', '?since=soon', '?limit=1e3', '?limit=0x10', '?offset=%2B5', '?limit=5.0', '?since=1e12'])('answers 400 to %s', async (query) => {
    collector = await memoryCollector();
    const response = await fetch(`${collector.url}/api/traces${query}`);
    expect(response.status).toBe(400);
    expect(((await response.json()) as { detail: string }).detail).toMatch(/must be/);
  });
});

describe('GET /api/traces/{id} revision', () => {
  test('changes with every request that changes the trace (a patch that adds no span too), and only then: not for a request sent again', async () => {
    collector = await memoryCollector();
    const root = postedRun({ name: 'crashed', start_time: '2026-01-01T10:00:00Z' });
    const child = postedRun({ name: 'step', trace_id: root.id, parent_run_id: root.id, start_time: '2026-01-01T10:00:01Z' });
    await post(`${collector.url}/runs/batch`, batch([root, child]));
    const revision = async () => (await (await fetch(`${collector!.url}/api/traces/${root.id}?limit=1`)).json()).revision as number;
    const first = await revision();
    expect(typeof first).toBe('number');
    // limit=0: the head alone, what the viewer polls (no span, no next page to follow).
    expect(await (await fetch(`${collector.url}/api/traces/${root.id}?limit=0`)).json()).toEqual({ trace_id: root.id, total: 2, revision: first, offset: 0, next_offset: null, spans: [] });
    expect(await revision()).toBe(first);
    await post(`${collector.url}/runs/batch`, batch([postedRun({ name: 'elsewhere' })]));
    expect(await revision()).toBe(first);
    await post(`${collector.url}/runs/batch`, batch([], [{ id: child.id, end_time: '2026-01-01T10:00:02Z', outputs: { ok: true } }]));
    const patched = await revision();
    expect(patched).not.toBe(first);
    await post(`${collector.url}/runs/batch`, batch([postedRun({ name: 'step-2', trace_id: root.id, parent_run_id: root.id, start_time: '2026-01-01T10:00:03Z' })]));
    const grown = await revision();
    expect(grown).not.toBe(patched);
    // The same requests again (a client's retry of what was taken): nothing changes, so neither does the revision.
    await post(`${collector.url}/runs/batch`, batch([root, child]));
    await post(`${collector.url}/runs/batch`, batch([], [{ id: child.id, end_time: '2026-01-01T10:00:02Z', outputs: { ok: true } }]));
    expect(await revision()).toBe(grown);
  });
});

describe('GET /api/traces/{id} of large runs', () => {
  test('a page holds at most 64 MiB of run JSON (one string: past 2^29 characters it failed with 500); the export streams every run', async () => {
    collector = await memoryCollector();
    const root = postedRun({ name: 'big-root', start_time: '2026-01-01T10:00:00Z', end_time: '2026-01-01T10:00:01Z' });
    const filler = 'x'.repeat(15 * 1024 * 1024);
    const children = Array.from({ length: 5 }, (_, i) =>
      postedRun({ name: `big-${i}`, trace_id: root.id, parent_run_id: root.id, start_time: `2026-01-01T10:00:00.${i + 1}Z`, inputs: { filler } }),
    );
    expect((await post(`${collector.url}/runs/batch`, batch([root]))).status).toBe(202);
    for (const child of children) expect((await post(`${collector.url}/runs/batch`, batch([child]))).status).toBe(202);
    const pages: number[] = [];
    let offset: number | null = 0;
    while (offset !== null) {
      const response = await fetch(`${collector.url}/api/traces/${root.id}?offset=${offset}`);
      expect(response.status).toBe(200);
      const text = await response.text();
      expect(text.length).toBeLessThan(64 * 1024 * 1024 + 20 * 1024 * 1024); // the cap, plus at most the run that crossed it… never all 75 MiB
      const page = JSON.parse(text) as { spans: unknown[]; next_offset: number | null };
      pages.push(page.spans.length);
      offset = page.next_offset;
    }
    expect(pages.length).toBeGreaterThan(1);
    expect(pages.reduce((a, b) => a + b, 0)).toBe(6);
    const exported = await fetch(`${collector.url}/api/traces/${root.id}/export`);
    expect(exported.status).toBe(200);
    expect(exported.headers.get('content-disposition')).toMatch(/^attachment; filename="trace-/);
    const names = (JSON.parse(await exported.text()) as { spans: Array<{ name: string }> }).spans.map((span) => span.name);
    expect(names).toEqual(['big-root', 'big-0', 'big-1', 'big-2', 'big-3', 'big-4']);
  }, 60_000);
});

describe('a run grown by its patches', () => {
  test('past 64 MiB of JSON, a further operation on it is refused and named, the rest of its request stored; the run reads back whole', async () => {
    collector = await memoryCollector();
    const run = postedRun({ name: 'growing', start_time: '2026-01-01T10:00:00Z' });
    expect((await post(`${collector.url}/runs/batch`, batch([run]))).status).toBe(202);
    // Each patch brings 17 MiB under a field of its own: merged, they add up where no single body could.
    const filler = 'x'.repeat(17 * 1024 * 1024);
    for (let i = 0; i < 4; i++) {
      expect((await post(`${collector.url}/runs/batch`, batch([], [{ id: run.id, trace_id: run.id, [`part${i}`]: filler }]))).status).toBe(202);
    }
    const neighbour = postedRun({ name: 'neighbour', start_time: '2026-01-01T10:00:00Z' });
    const answer = await post(`${collector.url}/runs/batch`, batch([neighbour], [{ id: run.id, trace_id: run.id, part4: filler }]));
    expect(answer.status).toBe(202);
    expect(answer.body).toMatchObject({ accepted: 1, rejected_count: 1, rejected: [{ where: `run ${run.id}`, reason: expect.stringContaining('more than the 67108864 a run may grow to') }] });
    expect((await collector.trace(neighbour.id)).map((r) => r.name)).toEqual(['neighbour']);
    const stored = (await collector.trace(run.id))[0]!;
    expect(Object.keys(stored).filter((key) => key.startsWith('part'))).toEqual(['part0', 'part1', 'part2', 'part3']);
  }, 120_000);
});

describe('request bodies held at once', () => {
  test('past --max-buffered-bytes across requests still arriving, a body gets 503 with a reason; once they end, bodies are taken again', async () => {
    collector = await memoryCollector({ maxBodyBytes: 1024 * 1024, maxBufferedBytes: 2 * 1024 * 1024 });
    const { url } = collector;
    const port = Number(new URL(url).port);
    // Bodies that arrived whole give their bytes back: three of 0.8 MiB in turn, 2.4 MiB in all, fit a 2 MiB budget.
    for (let i = 0; i < 3; i++) {
      expect((await post(`${url}/runs/batch`, batch([postedRun({ name: `whole-${i}`, inputs: { pad: 'p'.repeat(800 * 1024) } })]))).status).toBe(202);
    }
    // Two slow senders, each most of a 1 MiB body in, the rest never sent.
    const stalled = await Promise.all([0, 1].map(() => new Promise<Socket>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.write(`POST /runs/batch HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\nContent-Length: ${1024 * 1024}\r\n\r\n`);
        socket.write(Buffer.alloc(1000 * 1024, 0x20), () => resolve(socket));
      });
    })));
    await new Promise((resolve) => setTimeout(resolve, 200));
    try {
      const refused = await post(`${url}/runs/batch`, batch([postedRun({ name: 'while-full', inputs: { pad: 'p'.repeat(200_000) } })]));
      expect(refused.status).toBe(503);
      expect(refused.body.detail).toMatch(/receiving its limit of 2097152 bytes of request bodies at once: retry shortly/);
    } finally {
      for (const socket of stalled) socket.destroy();
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
    const accepted = await post(`${url}/runs/batch`, batch([postedRun({ name: 'after', inputs: { pad: 'p'.repeat(200_000) } })]));
    expect(accepted.status).toBe(202);
  });

  test('maxBufferedBytes below maxBodyBytes is refused by name', async () => {
    await expect(memoryCollector({ maxBodyBytes: 2048, maxBufferedBytes: 1024 })).rejects.toThrow(/maxBufferedBytes must be an integer of at least maxBodyBytes \(2048\), got 1024/);
  });
});

describe('storage', () => {
  test('--max-traces keeps only the newest traces, runs included', async () => {
    collector = await memoryCollector({ maxTraces: 2 });
    const [checkout, refund, retry] = await seed(collector);
    expect((await collector.traces()).map((trace) => trace.name)).toEqual(['nightly', 'checkout-retry']);
    for (const gone of [checkout, refund]) expect((await fetch(`${collector.url}/api/traces/${gone}`)).status).toBe(404);
    expect(await collector.trace(retry!)).toHaveLength(2);
  });

  test('a SQLite file keeps traces across restarts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tracewire-collector-'));
    try {
      collector = await memoryCollector({ memory: false, db: join(dir, 'traces.sqlite') });
      await seed(collector);
      await collector.close();
      collector = await memoryCollector({ memory: false, db: join(dir, 'traces.sqlite') });
      expect(await collector.traces()).toHaveLength(4);
    } finally {
      await collector?.close();
      collector = undefined;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('a trace whose root has not arrived', () => {
  test('is named by its topmost run present (no parent), else its earliest named run', async () => {
    collector = await memoryCollector();
    const traceId = '5a5a5a5a-0000-4000-8000-0000000000a1';
    const missingParent = '5a5a5a5a-0000-4000-8000-0000000000ff';
    const child = postedRun({ name: 'child', trace_id: traceId, parent_run_id: missingParent, start_time: '2026-01-01T10:00:00Z' });
    expect((await post(`${collector.url}/runs/batch`, batch([child]))).status).toBe(202);
    expect((await collector.traces()).find((trace) => trace.trace_id === traceId)?.name).toBe('child');
    const topmost = postedRun({ name: 'topmost', trace_id: traceId, start_time: '2026-01-01T10:00:01Z' });
    expect((await post(`${collector.url}/runs/batch`, batch([topmost]))).status).toBe(202);
    expect((await collector.traces()).find((trace) => trace.trace_id === traceId)?.name).toBe('topmost');
  });

  test('a database made before the parent column gets it filled on open, and names its traces the same', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tracewire-collector-old-'));
    try {
      const file = join(dir, 'old.sqlite');
      const traceId = '5a5a5a5a-0000-4000-8000-0000000000b1';
      const runs = [
        { id: '5a5a5a5a-0000-4000-8000-0000000000b2', parent_run_id: '5a5a5a5a-0000-4000-8000-0000000000ff', name: 'child', start_time: '2026-01-01T10:00:00.000000Z' },
        { id: '5a5a5a5a-0000-4000-8000-0000000000b3', name: 'topmost', start_time: '2026-01-01T10:00:01.000000Z' },
      ];
      // The schema as the first release made it: no parent_run_id column.
      const old = new Database(file);
      old.exec("CREATE TABLE runs (id TEXT PRIMARY KEY, trace_id TEXT, start_time TEXT, end_time TEXT, has_error INTEGER NOT NULL DEFAULT 0, name TEXT, tags TEXT NOT NULL DEFAULT '[]', data TEXT NOT NULL)");
      const insert = old.prepare('INSERT INTO runs (id, trace_id, start_time, end_time, has_error, name, tags, data) VALUES (?, ?, ?, NULL, 0, ?, ?, ?)');
      for (const run of runs) insert.run(run.id, traceId, run.start_time, run.name, '[]', JSON.stringify({ ...run, trace_id: traceId }));
      old.close();
      collector = await memoryCollector({ memory: false, db: file });
      // A new run in the trace summarises it again, from the filled column.
      const later = postedRun({ name: 'later', trace_id: traceId, parent_run_id: runs[1]!.id, start_time: '2026-01-01T10:00:02Z' });
      expect((await post(`${collector.url}/runs/batch`, batch([later]))).status).toBe(202);
      expect((await collector.traces()).find((trace) => trace.trace_id === traceId)?.name).toBe('topmost');
    } finally {
      await collector?.close();
      collector = undefined;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the command line', () => {
  test('serve takes its flags as --flag value or --flag=value', () => {
    expect(parseCliArgs(['serve', '--port', '0', '--host=0.0.0.0', '--memory', '--token', 't', '--max-traces=5'])).toEqual({ port: 0, host: '0.0.0.0', memory: true, token: 't', maxTraces: 5 });
    expect(parseCliArgs(['serve', '--db', 'x.sqlite'])).toEqual({ db: 'x.sqlite' });
    expect(parseCliArgs(['serve', '--max-buffered-bytes', '1048576'])).toEqual({ maxBufferedBytes: 1048576 });
  });

  test.each([
    [[]], [['start']], [['serve', '--port']], [['serve', '--port', 'abc']], [['serve', '--memory', '--db', 'x']], [['serve', '--verbose']],
    // An empty host bound every interface; a token with a space no client could send.
    [['serve', '--host', '']], [['serve', '--host=']], [['serve', '--token', 'a b']],
  ])('rejects %j with a usage error', (argv) => {
    expect(() => parseCliArgs(argv)).toThrow(UsageError);
  });
});
