import { setGlobalTracingClient, traceable } from '../../../index';
import { finishedRuns, installMemoryTracing } from '../../helpers/memory-tracing';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const DOTTED_SEGMENT = /^(\d{8}T\d{6}\d{6}Z)([0-9a-f-]{36})$/;

afterEach(() => setGlobalTracingClient(undefined));

async function traceMany(count: number) {
  const tracing = installMemoryTracing();
  const noop = traceable(function noop() {});
  for (let i = 0; i < count; i++) noop();
  return finishedRuns(tracing.client, tracing.exporter);
}

test('run ids are RFC 9562 UUIDv7 whose timestamp is the start millisecond, within 1 ms of the wall clock', async () => {
  const before = Date.now();
  const [run] = await traceMany(1);
  const after = Date.now();
  expect(run!.id).toMatch(UUID_V7);
  const millis = parseInt(run!.id.replace(/-/g, '').slice(0, 12), 16);
  expect(millis).toBe(Date.parse(run!.start_time.slice(0, 23) + 'Z'));
  expect(millis).toBeGreaterThanOrEqual(before - 1);
  expect(millis).toBeLessThanOrEqual(after + 1);
});

test('calls in different milliseconds each carry their own start millisecond in the id', async () => {
  const tracing = installMemoryTracing();
  const noop = traceable(function noop() {});
  for (let i = 0; i < 5; i++) {
    noop();
    noop(); // a second id in (usually) the same millisecond
    const until = Date.now() + 2;
    while (Date.now() < until); // the next call starts in a later millisecond
  }
  const runs = await finishedRuns(tracing.client, tracing.exporter);
  expect(runs).toHaveLength(10);
  for (const run of runs) {
    expect(run.id).toMatch(UUID_V7);
    expect(parseInt(run.id.replace(/-/g, '').slice(0, 12), 16)).toBe(Date.parse(run.start_time.slice(0, 23) + 'Z'));
  }
  expect(new Set(runs.map((run) => run.id.slice(0, 13))).size).toBeGreaterThanOrEqual(5);
});

test('ids keep all 74 random bits: every random bit position varies across ids', async () => {
  const runs = await traceMany(2000);
  const randomBits = (id: string) => {
    const hex = id.replace(/-/g, '');
    // rand_a: hex 13-15 (12 bits); rand_b: hex 17-31 plus the 2 low bits of hex 16 (62 bits).
    const bits = BigInt('0x' + hex.slice(13, 16)).toString(2).padStart(12, '0') +
      (BigInt('0x' + hex.slice(16, 32)) & ((1n << 62n) - 1n)).toString(2).padStart(62, '0');
    return bits;
  };
  const seenOne = new Array(74).fill(false);
  const seenZero = new Array(74).fill(false);
  for (const run of runs) {
    const bits = randomBits(run.id);
    for (let i = 0; i < 74; i++) (bits[i] === '1' ? seenOne : seenZero)[i] = true;
  }
  expect(seenOne.every(Boolean) && seenZero.every(Boolean)).toBe(true);
  expect(new Set(runs.map((run) => run.id)).size).toBe(2000);
});

test('dotted_order is LangSmith format and start_time carries microseconds', async () => {
  const [run] = await traceMany(1);
  const match = DOTTED_SEGMENT.exec(run!.dotted_order);
  expect(match).not.toBeNull();
  expect(match![2]).toBe(run!.id);
  expect(run!.start_time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/);
  const compact = run!.start_time.replace(/[-:.]/g, '');
  expect(match![1]).toBe(compact);
  expect(Date.parse(run!.end_time!.slice(0, 23) + 'Z')).toBeGreaterThanOrEqual(Date.parse(run!.start_time.slice(0, 23) + 'Z'));
});

test('start times are strictly increasing within a process', async () => {
  const runs = await traceMany(500);
  const starts = runs.map((run) => run.start_time);
  for (let i = 1; i < starts.length; i++) expect(starts[i]! > starts[i - 1]!).toBe(true);
});
