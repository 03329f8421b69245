import { getCurrentRunTree, traceable as lsTraceable } from 'langsmith/traceable';
import { getCurrentSpan, setGlobalTracingClient, startSpan, traceable, withSpan } from '../../../index';
import { langsmithRecorder } from '../../helpers/langsmith-recorder';
import { finishedRuns, installMemoryTracing, only } from '../../helpers/memory-tracing';

let tracing: ReturnType<typeof installMemoryTracing>;
let warnings: string[];
beforeEach(() => {
  warnings = [];
  tracing = installMemoryTracing({
    logger: { warn: (message: string) => void warnings.push(message) },
    redact: { outputs: (outputs) => JSON.parse(JSON.stringify(outputs).replaceAll('sk-secret', '[key]')) },
  });
});
afterEach(() => setGlobalTracingClient(undefined));
const runsNow = () => finishedRuns(tracing.client, tracing.exporter);

describe('getCurrentSpan() is a handle on the current run', () => {
  test('it renames the run (langsmith records a renamed run tree the same way)', async () => {
    const route = traceable(function route(path: string) {
      getCurrentSpan()?.setName(`GET ${path}`);
      return 'ok';
    });
    route('/orders');
    expect((await runsNow()).map((run) => run.name)).toEqual(['GET /orders']);

    const ls = langsmithRecorder();
    await lsTraceable(async (path: string) => {
      getCurrentRunTree().name = `GET ${path}`;
      return 'ok';
    }, { ...ls.config, name: 'route' })('/orders');
    expect(ls.ended.map((run) => run.name)).toEqual(['GET /orders']);
  });

  test('it sets the outputs, which win over the return value and still pass the client’s redaction', async () => {
    const login = traceable(async function login() {
      getCurrentSpan()?.setOutputs({ user: 'ada', token: 'sk-secret' });
      return { session: 'opaque' };
    });
    expect(await login()).toEqual({ session: 'opaque' });
    expect(only(await runsNow(), 'login').outputs).toEqual({ user: 'ada', token: '[key]' });
  });

  test('outputs set later do not change a run that already ended, nor does a later mutation of the object', async () => {
    let kept: ReturnType<typeof getCurrentSpan>;
    const result = { n: 1 };
    traceable(function quick() {
      kept = getCurrentSpan();
      kept?.setOutputs(result);
    })();
    result.n = 2;
    kept?.setOutputs({ n: 3 }).setName('renamed');
    expect(only(await runsNow(), 'quick').outputs).toEqual({ n: 1 });
  });
});

describe('startSpan: a span started by hand', () => {
  test('is a child of the current run, nests calls made through run(), and records its inputs and end(outputs)', async () => {
    const rerank = traceable(function rerank(docs: string[]) {
      return [...docs].reverse();
    });
    const answer = traceable(async function answer() {
      const step = startSpan('retrieve', { runType: 'retriever', inputs: { query: 'q' }, tags: ['manual'] });
      const docs = step.run(() => rerank(['a', 'b']));
      step.end({ docs });
      return docs.length;
    });
    expect(await answer()).toBe(2);
    const runs = await runsNow();
    const retrieve = only(runs, 'retrieve');
    expect(retrieve).toMatchObject({ run_type: 'retriever', inputs: { query: 'q' }, outputs: { docs: ['b', 'a'] }, tags: ['manual'], status: 'success' });
    expect(retrieve.parent_run_id).toBe(only(runs, 'answer').id);
    expect(only(runs, 'rerank').parent_run_id).toBe(retrieve.id);
  });

  test('fail(error) ends it as an error; a second end is ignored', async () => {
    const step = startSpan('charge');
    step.fail(new TypeError('card declined'));
    step.end({ late: true });
    const run = only(await runsNow(), 'charge');
    expect(run.status).toBe('error');
    expect(run.error).toContain('TypeError: card declined');
    expect(run.outputs).toBeUndefined();
  });

  test('its outputs are bounded by the client’s serialize limits and redacted', async () => {
    const step = startSpan('big');
    step.end({ text: 'x'.repeat(1_100_000), key: 'sk-secret' });
    const outputs = only(await runsNow(), 'big').outputs as { text: string; key: string };
    expect(outputs.text.length).toBeLessThan(1_050_000);
    expect(outputs.text).toContain('truncated');
    expect(outputs.key).toBe('[key]');
  });

  test('never throws: options it cannot use give a handle that records nothing, warned about once per setting', async () => {
    const step = startSpan('bad', { runType: 'nonsense' as never });
    expect(step.isRecording).toBe(false);
    expect(step.run(() => 5)).toBe(5);
    step.end('ignored');
    startSpan('bad again', { runType: 'still nonsense' as never }).end();
    // A second, different mistake is reported too: once per process, it dropped its spans unreported.
    startSpan('other mistake', { tags: 'not-an-array' as never }).end();
    withSpan('and again', () => 1, { tags: 'still not' as never });
    expect(await runsNow()).toEqual([]);
    const reported = warnings.filter((message) => message.includes('startSpan/withSpan'));
    expect(reported).toHaveLength(2);
    expect(reported[0]).toContain('runType');
    expect(reported[1]).toContain('tags');
  });

  test('null options are no options, as undefined is: the span is recorded; options of another type record nothing and never throw', async () => {
    startSpan('null-options', null as never).end('done');
    expect(withSpan('null-with', () => 'ran', null as never)).toBe('ran');
    const notOptions = startSpan('numeric-options', 5 as never);
    expect(notOptions.isRecording).toBe(false);
    notOptions.end();
    // `inputs: null` is a value to record, not "none" (the one option whose null is not refused).
    startSpan('null-inputs', { inputs: null }).end();
    const runs = await runsNow();
    expect(runs.map((run) => [run.name, run.status, run.outputs]).sort()).toEqual([
      ['null-inputs', 'success', undefined],
      ['null-options', 'success', { outputs: 'done' }],
      ['null-with', 'success', { outputs: 'ran' }],
    ]);
    expect(runs.find((run) => run.name === 'null-inputs')?.inputs).toEqual({ inputs: null });
  });

  test('it has no call arguments: an id given as a function (JavaScript callers; the type says string) is called with none', async () => {
    const seen: unknown[][] = [];
    const id = '0190a8f2-3333-7000-8000-000000000001';
    startSpan('by-hand', { id: ((args: unknown[]) => (seen.push(args), id)) as never, inputs: { q: 1 } }).end();
    expect(seen).toEqual([[]]);
    expect(only(await runsNow(), 'by-hand').id).toBe(id);
  });

  test('with no client, or inside a function traced with enabled: false, it records nothing and still runs the code', async () => {
    setGlobalTracingClient(undefined);
    expect(startSpan('orphan').run(() => 'ran')).toBe('ran');
    setGlobalTracingClient(tracing.client);
    traceable(function off() {
      startSpan('inside-off').end();
    }, { enabled: false })();
    expect(await runsNow()).toEqual([]);
  });

  test('without an inputs option it records no inputs: nothing captured, the inputs redaction never called', async () => {
    const redacted: unknown[] = [];
    const own = installMemoryTracing({ redact: { inputs: (inputs) => (redacted.push(inputs), inputs) } });
    startSpan('bare').end();
    withSpan('block', () => 'done', { runType: 'tool' });
    startSpan('given', { inputs: { q: 1 } }).end();
    const runs = await finishedRuns(own.client, own.exporter);
    expect(only(runs, 'bare').inputs).toEqual({});
    expect(only(runs, 'block').inputs).toEqual({});
    expect(only(runs, 'given').inputs).toEqual({ q: 1 });
    expect(redacted).toEqual([{ q: 1 }]);
  });
});

describe('withSpan: a block of code as a span', () => {
  test('returns what the block returns and records it (as langsmith’s traceable does for the same block)', async () => {
    const result = await withSpan('plan', async (span) => {
      span.setMetadata('steps', 3);
      return { steps: ['a', 'b', 'c'] };
    });
    expect(result).toEqual({ steps: ['a', 'b', 'c'] });
    const run = only(await runsNow(), 'plan');
    expect(run.outputs).toEqual({ steps: ['a', 'b', 'c'] });
    expect(run.extra.metadata).toEqual({ steps: 3 });

    const ls = langsmithRecorder();
    await lsTraceable(async () => ({ steps: ['a', 'b', 'c'] }), { ...ls.config, name: 'plan' })();
    expect(ls.run('plan').outputs).toEqual(run.outputs);
  });

  test('calls inside it nest under it, and its error reaches the caller unchanged', async () => {
    const inner = traceable(function inner() {
      return 1;
    });
    const own = new Error('step failed');
    await expect(
      withSpan('outer', async () => {
        inner();
        throw own;
      }),
    ).rejects.toBe(own);
    const runs = await runsNow();
    expect(only(runs, 'outer').status).toBe('error');
    expect(only(runs, 'inner').parent_run_id).toBe(only(runs, 'outer').id);
  });

  test('a sync block stays sync, and a streamed result is followed until consumed', async () => {
    expect(withSpan('sync', () => 7)).toBe(7);
    const values: number[] = [];
    for await (const value of withSpan('stream', async function* () {
      yield 1;
      yield 2;
    })) values.push(value);
    expect(values).toEqual([1, 2]);
    const runs = await runsNow();
    expect(only(runs, 'sync').outputs).toEqual({ outputs: 7 });
    expect(only(runs, 'stream').outputs).toEqual({ outputs: [1, 2] });
  });
});

describe("what a handle adds keeps to the client's serializeLimits, and never throws", () => {
  const LONG = 'x'.repeat(50);
  const limited = () => installMemoryTracing({ serializeLimits: { maxStringLength: 10, maxItems: 3 } });

  test('names, tags, metadata keys and event names are cut to maxStringLength; tags, metadata keys and events stop at maxItems', async () => {
    const { client, exporter } = limited();
    traceable(function busy() {
      const span = getCurrentSpan()!;
      span.setName(LONG);
      span.addTags(LONG, 'a', 'b', 'c', 'd');
      for (let i = 0; i < 5; i++) span.setMetadata(`k${i}`, i);
      span.setMetadata(LONG, 'long key');
      span.setMetadata('k0', 'updated: an existing key is no new item');
      for (let i = 0; i < 5; i++) span.addEvent(LONG, { i });
    })();
    const [run] = await finishedRuns(client, exporter);
    expect(run!.name).toBe('xxxxxxxxxx...[truncated 40 chars]');
    expect(run!.tags).toEqual(['xxxxxxxxxx...[truncated 40 chars]', 'a', 'b']);
    expect(run!.extra?.metadata).toMatchObject({ k0: 'updated: a...[truncated 29 chars]', k1: 1, k2: 2 });
    expect(Object.keys(run!.extra!.metadata!).filter((key) => /^k\d|^x/.test(key))).toEqual(['k0', 'k1', 'k2']);
    expect(run!.events.map((event) => [event.name, event.kwargs])).toEqual([
      ['xxxxxxxxxx...[truncated 40 chars]', { i: 0 }],
      ['xxxxxxxxxx...[truncated 40 chars]', { i: 1 }],
      ['xxxxxxxxxx...[truncated 40 chars]', { i: 2 }],
    ]);
  });

  test("an error's text is cut to maxStringLength, a thrown string's too", async () => {
    const { client, exporter } = limited();
    expect(() => traceable(function throws() { throw new Error(LONG); })()).toThrow(LONG);
    expect(() => traceable(function throwsText() { throw LONG; })()).toThrow(LONG);
    const runs = await finishedRuns(client, exporter);
    expect(only(runs, 'throws').error).toMatch(/^Error: xxx\.\.\.\[truncated \d+ chars\]$/);
    expect(only(runs, 'throwsText').error).toBe('Thrown: xx...[truncated 48 chars]');
  });

  test('keys and names that have no text of their own (a Symbol, an object without toString) are recorded as text, not thrown into the caller', async () => {
    const { client, exporter } = limited();
    traceable(function odd() {
      const span = getCurrentSpan()!;
      span.setMetadata(Object.create(null) as never, 1);
      span.setMetadata(Symbol('s') as never, 2);
      span.addEvent(Object.create(null) as never);
      return 'ok';
    })();
    const [run] = await finishedRuns(client, exporter);
    expect(run!.outputs).toEqual({ outputs: 'ok' });
    expect(run!.extra?.metadata).toMatchObject({ 'unreadable...[truncated 13 chars]': 1, 'Symbol(s)': 2 });
    // An object is langsmith's addEvent({ name, kwargs }): one without a name is langsmith's 'event'.
    expect(run!.events.map((event) => event.name)).toEqual(['event']);
  });
});
