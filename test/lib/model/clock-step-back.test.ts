import { setGlobalTracingClient, traceable, type Run } from '../../../index';
import { finishedRuns, installMemoryTracing, only } from '../../helpers/memory-tracing';

/**
 * The wall clock stepped back an hour (an NTP step, `date -s`, a restored VM), as the process sees it: `Date.now()`.
 * Runs after the step take their times from the wall clock and last as long as they ran. Before, time was held at the
 * last time given until the wall clock caught up: for that hour every run lasted 1 µs (a report-only probe). A run
 * across the step ends no earlier than it started, and a child started after it no earlier than its parent: LangSmith
 * refuses a child whose `dotted_order` time is earlier than its parent's.
 */
const HOUR_MILLIS = 3_600_000;
const micros = (iso: string): number => Date.parse(iso.slice(0, 23) + 'Z') * 1000 + Number(iso.slice(23, 26));
const durationMillis = (run: Run): number => (micros(run.end_time!) - micros(run.start_time)) / 1000;
const sleep = (millis: number) => new Promise((resolve) => setTimeout(resolve, millis));

afterEach(() => {
  jest.restoreAllMocks();
  setGlobalTracingClient(undefined);
});

test('after the wall clock steps back an hour, runs follow it and last as long as they ran; runs across the step keep their order', async () => {
  const tracing = installMemoryTracing();
  const wallNow = Date.now.bind(Date);
  let stepMillis = 0;
  jest.spyOn(Date, 'now').mockImplementation(() => wallNow() + stepMillis);
  const child = traceable(async function child() {
    await sleep(5);
  });
  const across = traceable(async function across() {
    await sleep(20);
    stepMillis = -HOUR_MILLIS;
    await sleep(5);
    await child();
  });
  await across();
  const after = traceable(async function after() {
    await sleep(50);
  });
  await after();
  const wallAfter = wallNow() - HOUR_MILLIS;
  const runs = await finishedRuns(tracing.client, tracing.exporter);
  const [acrossRun, childRun, afterRun] = [only(runs, 'across'), only(runs, 'child'), only(runs, 'after')];
  expect(durationMillis(afterRun)).toBeGreaterThanOrEqual(40);
  expect(Math.abs(micros(afterRun.end_time!) / 1000 - wallAfter)).toBeLessThan(60_000);
  expect(micros(childRun.start_time)).toBeGreaterThanOrEqual(micros(acrossRun.start_time));
  expect(childRun.dotted_order.startsWith(`${acrossRun.dotted_order}.`)).toBe(true);
  for (const run of [acrossRun, childRun, afterRun]) expect(durationMillis(run)).toBeGreaterThanOrEqual(0);
});
