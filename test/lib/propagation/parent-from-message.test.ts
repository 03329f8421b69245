import { continueTrace, getTraceHeaders, setGlobalTracingClient, traceable } from '../../../index';
import { finishedRuns, installMemoryTracing, only } from '../../helpers/memory-tracing';

/**
 * `parent` given inline from a message (`traceable(process, { parent: job.data.headers })(job)`, a job queue's consumer
 * wrapping each job) is data: a producer that stored `headers: null`, an older one that stored nothing, headers kept as
 * a JSON string (SQS message attributes) name no parent, and the job runs as it would have — a fresh trace, or the
 * trace the consumer was already continuing. Such values threw a TracewireConfigError into the consumer, failing the
 * job (a report-only probe with BullMQ); the function form took them silently.
 */
afterEach(() => setGlobalTracingClient(undefined));

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';

test.each<[string, unknown]>([
  ['null', null],
  ['an empty string', ''],
  ['headers kept as a JSON string', JSON.stringify({ traceparent: `00-${TRACE}-00f067aa0ba902b7-01` })],
  ['a number', 5],
  ['a boolean', true],
])('a job whose stored headers are %s runs, returns its value and starts a fresh trace', async (_, headers) => {
  const { client, exporter } = installMemoryTracing();
  const job = { id: 7, headers };
  const result = traceable((data: typeof job) => `done ${data.id}`, { name: 'job', parent: job.headers as never })(job);
  expect(result).toBe('done 7');
  const run = only(await finishedRuns(client, exporter), 'job');
  expect(run.parent_run_id).toBeUndefined();
  expect(run.trace_id).toBe(run.id);
});

test('valid stored headers make the job a child of its producer; bad ones leave it in the trace the consumer continues', async () => {
  const { client, exporter } = installMemoryTracing();
  const produced = traceable(() => getTraceHeaders(), { name: 'enqueue' })();
  const good = traceable(() => 'ok', { name: 'good-job', parent: produced });
  const bad = traceable(() => 'ok', { name: 'bad-job', parent: null as never });
  good();
  continueTrace(produced, () => bad());
  const runs = await finishedRuns(client, exporter);
  const enqueue = only(runs, 'enqueue');
  expect(only(runs, 'good-job').parent_run_id).toBe(enqueue.id);
  expect(only(runs, 'bad-job').parent_run_id).toBe(enqueue.id);
});

describe("a queue message's headers, in the forms queue clients give them", () => {
  const DOTTED = `20260101T120000000001Z${'0191e2f4-5a6b-7c8d-9e0f-a1b2c3d4e5f6'}`;
  const PARENT = '0191e2f4-5a6b-7c8d-9e0f-a1b2c3d4e5f6';
  test.each<[string, unknown]>([
    ['Kafka-style Buffer values', { 'langsmith-trace': Buffer.from(DOTTED) }],
    ['lists of Buffers', { 'langsmith-trace': [Buffer.from(DOTTED)] }],
    ['a Map with names in title case', new Map([['Langsmith-Trace', DOTTED]])],
    ['a list of [name, value] pairs', [['Langsmith-Trace', DOTTED], ['x-other', '1']]],
  ])('%s: the job is a child of the run they name', async (_, headers) => {
    const { client, exporter } = installMemoryTracing();
    traceable(() => 'ok', { name: 'job', parent: headers as never })();
    expect(only(await finishedRuns(client, exporter), 'job').parent_run_id).toBe(PARENT);
  });
});

describe('hostile message headers are read no further than 2 000 entries (an endless iterator, a sparse list 2³² − 1 long held the call forever)', () => {
  const DOTTED = `20260101T120000000001Z${'0191e2f4-5a6b-7c8d-9e0f-a1b2c3d4e5f6'}`;
  const junk = (count: number) => Array.from({ length: count }, (_, i): [string, string] => [`x-junk-${i}`, '1']);
  test.each<[string, () => unknown]>([
    ['a list of 3 000 pairs, the trace header last', () => [...junk(3_000), ['langsmith-trace', DOTTED]]],
    ['a Map of 3 000 entries, the trace header last', () => new Map([...junk(3_000), ['langsmith-trace', DOTTED]])],
  ])('%s: the job runs, a fresh trace', async (_, headers) => {
    const { client, exporter } = installMemoryTracing();
    expect(traceable(() => 'ok', { name: 'job', parent: headers() as never })()).toBe('ok');
    expect(only(await finishedRuns(client, exporter), 'job').parent_run_id).toBeUndefined();
  });

  test('a sparse list 2³² − 1 long returns at once', async () => {
    const { client, exporter } = installMemoryTracing();
    expect(traceable(() => 'ok', { name: 'job', parent: Object.assign([], { length: 2 ** 32 - 1 }) as never })()).toBe('ok');
    expect(only(await finishedRuns(client, exporter), 'job').parent_run_id).toBeUndefined();
  });
});
