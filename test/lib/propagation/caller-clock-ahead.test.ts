import { continueTrace, getCurrentSpan, setGlobalTracingClient, traceable, type Run } from '../../../index';
import { finishedRuns, installMemoryTracing, only } from '../../helpers/memory-tracing';

/**
 * A trace continued from a caller whose clock is ahead of this host's by more than its request took to arrive: the
 * run continued starts no earlier than the caller's run (the time in the last segment of `langsmith-trace`), nor do
 * its own children start earlier than it. LangSmith refuses a run whose `dotted_order` time is earlier than its
 * parent's, and with it the whole request that carries it ("dotted_order has timestamp … earlier than parent
 * timestamp": langsmith-sdk issue 2236); before, such a run kept this host's time.
 */
const TRACE_UUID = '0191e2f4-5a6b-7c8d-9e0f-a1b2c3d4e5f6';
const PARENT_UUID = '0191e2f4-5a6c-7aaa-8bbb-cccccccccccc';
const AHEAD_MILLIS = 50;

/** `20261206T164500123456Z`: a time as a dotted order's segment writes it. */
const compact = (micros: number): string => new Date(Math.floor(micros / 1000)).toISOString().replace(/[-:.]/g, '').slice(0, -1) + String(micros % 1000).padStart(3, '0') + 'Z';
const microsOf = (iso: string): number => Date.parse(iso.slice(0, 23) + 'Z') * 1000 + Number(iso.slice(23, 26));
const segmentTime = (run: Run): string => run.dotted_order.split('.').at(-1)!.slice(0, 22);

afterEach(() => setGlobalTracingClient(undefined));

test('a run continued from a caller whose clock is 50 ms ahead starts no earlier than the caller’s run, and its children no earlier than it', async () => {
  const { client, exporter } = installMemoryTracing();
  const callerStart = Date.now() * 1000 + AHEAD_MILLIS * 1000 + 123;
  const header = `${compact(callerStart - 1_000)}${TRACE_UUID}.${compact(callerStart)}${PARENT_UUID}`;
  const step = traceable(async function step() {
    return 'done';
  });
  const handle = traceable(async function handle() {
    await new Promise((resolve) => setTimeout(resolve, 80));
    return step();
  });
  await continueTrace({ 'langsmith-trace': header }, () => handle());
  const runs = await finishedRuns(client, exporter);
  const [handled, stepped] = [only(runs, 'handle'), only(runs, 'step')];
  expect(handled.parent_run_id).toBe(PARENT_UUID);
  expect(microsOf(handled.start_time)).toBeGreaterThanOrEqual(callerStart);
  expect(segmentTime(handled) >= compact(callerStart)).toBe(true);
  expect(segmentTime(stepped) >= segmentTime(handled)).toBe(true);
  expect(microsOf(handled.end_time!)).toBeGreaterThanOrEqual(microsOf(handled.start_time));
});

test('a caller 2 s ahead moves the whole subtree by as much: every duration, gap and event time is what this host measured', async () => {
  const { client, exporter } = installMemoryTracing();
  const callerStart = Date.now() * 1000 + 2_000_000;
  const header = `${compact(callerStart - 1_000)}${TRACE_UUID}.${compact(callerStart)}${PARENT_UUID}`;
  const sleep = (millis: number) => new Promise((resolve) => setTimeout(resolve, millis));
  const work = traceable(async function work() {
    await sleep(40);
  });
  const more = traceable(async function more() {
    await sleep(40);
  });
  const handle = traceable(async function handle() {
    await sleep(30);
    getCurrentSpan()?.addEvent('halfway');
    await work();
    await more();
  });
  const started = performance.now();
  await continueTrace({ 'langsmith-trace': header }, () => handle());
  const tookMicros = (performance.now() - started) * 1000;
  const runs = await finishedRuns(client, exporter);
  const [handled, worked, moved] = [only(runs, 'handle'), only(runs, 'work'), only(runs, 'more')];
  const duration = (run: Run) => microsOf(run.end_time!) - microsOf(run.start_time);
  expect(microsOf(handled.start_time)).toBe(callerStart);
  // Each span clamped on its own lasted 0 µs, all at the caller's instant (a report-only probe: 292 of 400 handlers).
  expect(duration(handled)).toBeGreaterThanOrEqual(105_000);
  expect(duration(handled)).toBeLessThanOrEqual(tookMicros + 1_000);
  expect(duration(worked)).toBeGreaterThanOrEqual(38_000);
  expect(duration(moved)).toBeGreaterThanOrEqual(38_000);
  expect(microsOf(worked.start_time) - microsOf(handled.start_time)).toBeGreaterThanOrEqual(28_000);
  expect(microsOf(moved.start_time)).toBeGreaterThanOrEqual(microsOf(worked.end_time!));
  expect(microsOf(handled.end_time!)).toBeGreaterThanOrEqual(microsOf(moved.end_time!));
  const halfway = microsOf(handled.events!.find((event) => event.name === 'halfway')!.time);
  expect(halfway - microsOf(handled.start_time)).toBeGreaterThanOrEqual(28_000);
  expect(halfway).toBeLessThanOrEqual(microsOf(worked.start_time));
});
