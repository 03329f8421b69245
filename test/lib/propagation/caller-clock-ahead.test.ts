import { continueTrace, setGlobalTracingClient, traceable, type Run } from '../../../index';
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
