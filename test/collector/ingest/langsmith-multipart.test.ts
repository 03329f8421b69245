import { randomUUID } from 'node:crypto';
import { memoryCollector } from '../collector-client.js';
import { postedRun } from '../run-builders.js';

type Collector = Awaited<ReturnType<typeof memoryCollector>>;
const collectors: Collector[] = [];
afterEach(async () => {
  await Promise.all(collectors.splice(0).map((c) => c.close()));
});

async function sendParts(c: Collector, parts: Array<[string, unknown]>): Promise<{ status: number; body: unknown }> {
  const form = new FormData();
  for (const [name, value] of parts) form.append(name, JSON.stringify(value));
  const response = await fetch(`${c.url}/runs/multipart`, { method: 'POST', body: form });
  return { status: response.status, body: await response.json() };
}

/** Each stored run as its stored JSON text, by id. */
async function storedRuns(c: Collector): Promise<Record<string, string>> {
  const runs: Record<string, string> = {};
  for (const { trace_id } of await c.traces()) for (const run of await c.trace(trace_id)) runs[run.id] = JSON.stringify(run);
  return runs;
}

describe('a multipart body repeating the parts of one run', () => {
  test('repeated run parts fill what the run lacks, later ones’ fields first; field parts override; a patch part before its post is kept', async () => {
    const run = postedRun({ name: 'first', inputs: { q: 'a' } });
    const late = randomUUID();
    const latePost = postedRun({ id: late, name: 'late-start' });
    // Each part a run could be alone (start and trace), so that it can be sent alone too.
    const alone = { start_time: run.start_time, trace_id: run.trace_id };
    const retries = Array.from({ length: 50 }, (_, i): [string, unknown] => [`post.${run.id}`, { [`k${i}`]: i, name: `ignored-${i}`, ...alone }]);
    const parts: Array<[string, unknown]> = [
      [`patch.${late}`, { id: late, trace_id: late, end_time: '2026-01-01T00:00:05.000001Z' }],
      [`post.${run.id}`, run],
      [`post.${run.id}.outputs`, { a: 1 }],
      ...retries,
      [`post.${run.id}`, { zeta: true, name: 'ignored', inputs: { q: 'ignored' }, ...alone }],
      [`post.${run.id}.outputs`, { a: 2 }],
      [`post.${late}`, latePost],
    ];
    const together = await memoryCollector();
    collectors.push(together);
    expect(await sendParts(together, parts)).toEqual({ status: 202, body: {} });

    // The same parts, one request each (a field part goes with its run's first part, as it cannot stand alone).
    const oneByOne = await memoryCollector();
    collectors.push(oneByOne);
    expect(await sendParts(oneByOne, parts.slice(0, 1))).toEqual({ status: 202, body: {} });
    expect(await sendParts(oneByOne, [parts[1]!, [`post.${run.id}.outputs`, { a: 2 }]])).toEqual({ status: 202, body: {} });
    for (const part of [...retries, parts[parts.length - 3]!, parts[parts.length - 1]!]) expect(await sendParts(oneByOne, [part])).toEqual({ status: 202, body: {} });

    const stored = await storedRuns(together);
    expect(stored).toEqual(await storedRuns(oneByOne));
    const merged = JSON.parse(stored[run.id]!);
    // The last run part's fields lead, then each earlier one's; values are the first part's.
    expect(Object.keys(merged).slice(0, 4)).toEqual(['id', 'zeta', 'name', 'inputs']);
    expect(Object.keys(merged).filter((key) => key.startsWith('k'))).toEqual(Array.from({ length: 50 }, (_, i) => `k${49 - i}`));
    expect(merged).toMatchObject({ name: 'first', inputs: { q: 'a' }, outputs: { a: 2 }, zeta: true });
    expect(JSON.parse(stored[late]!)).toMatchObject({ name: 'late-start', end_time: '2026-01-01T00:00:05.000001Z' });
  });
});
