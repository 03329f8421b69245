import { Progress } from '../../../lib/pipeline/progress';
import { hostMillis } from '../../../lib/host-timers';

/**
 * A flush waits once per finished export. Its waiter keeps one deadline
 * timer across those waits (a new one only when it must wake earlier), and
 * leaves none behind: a ref'd timer left over would hold the process open
 * until the flush's deadline.
 */
const timers = (): number => process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;

let before: number;
beforeEach(() => (before = timers()));

test('a wait ends at the next notify, long before its deadline', async () => {
  const progress = new Progress();
  const waiter = progress.waiter();
  const started = hostMillis();
  const woken = waiter.next(started + 60_000);
  setTimeout(() => progress.notify(), 10);
  await woken;
  expect(hostMillis() - started).toBeLessThan(30_000);
  waiter.dispose();
});

test('a wait nobody notifies ends at its deadline', async () => {
  const waiter = new Progress().waiter();
  const started = hostMillis();
  await waiter.next(started + 50);
  expect(hostMillis() - started).toBeGreaterThanOrEqual(45);
  waiter.dispose();
});

test('many waits with later deadlines share one timer: a wait may end at the earlier deadline it kept, never later than its own', async () => {
  const progress = new Progress();
  const waiter = progress.waiter();
  const now = hostMillis();
  const first = waiter.next(now + 100);
  progress.notify();
  await first;
  for (let i = 0; i < 50; i++) {
    const woken = waiter.next(now + 100 + i);
    progress.notify();
    await woken;
  }
  expect(timers() - before).toBe(1);
  // Nobody notifies now: the timer kept from the first wait (100 ms) ends this one, not a new timer a minute away.
  let giveUp: ReturnType<typeof setTimeout> | undefined;
  const kept = await Promise.race([waiter.next(now + 60_000).then(() => 'woken'), new Promise((resolve) => (giveUp = setTimeout(resolve, 20_000, 'still waiting')))]);
  clearTimeout(giveUp);
  expect(kept).toBe('woken');
  const early = hostMillis();
  await waiter.next(early + 30); // earlier than any timer it has: it must wake by then
  expect(hostMillis() - early).toBeLessThan(20_000);
  waiter.dispose();
}, 30_000);

test('dispose leaves no timer behind and ends a wait in progress', async () => {
  const waiter = new Progress().waiter();
  const woken = waiter.next(hostMillis() + 60_000);
  expect(timers() - before).toBe(1);
  waiter.dispose();
  await woken;
  expect(timers() - before).toBe(0);
});

test('a flush of many batches through the pipeline leaves no timer of its own behind', async () => {
  const { TracingClient, traceable } = await import('../../../index');
  const exported: number[] = [];
  const client = new TracingClient({ exporter: { export: async (batch) => (exported.push(batch.post.length), { ok: true }) }, maxBatchSize: 10, mode: 'manual' });
  const f = traceable(function f(a: number) {
    return a + 1;
  }, { client });
  for (let i = 0; i < 200; i++) f(i);
  const idle = timers();
  const result = await client.flush();
  expect(result).toMatchObject({ delivered: 200, timedOut: false });
  expect(exported.reduce((a, b) => a + b, 0)).toBe(200);
  expect(timers()).toBeLessThanOrEqual(idle);
  await client.shutdown();
});
