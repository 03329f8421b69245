import { RunTree } from 'langsmith';
import { traceable as lsTraceable } from 'langsmith/traceable';
import { AsyncLocalStorage } from 'node:async_hooks';
import { Observable, Subject, from, mergeMap } from 'rxjs';
import { enableLangSmithBridge, setGlobalTracingClient, traceable, type Run } from '../../../index';
import { langsmithRecorder } from '../../helpers/langsmith-recorder';
import { bridgedOtel } from '../../helpers/otel-bridged';
import { finishedRuns, installMemoryTracing, only } from '../../helpers/memory-tracing';

/**
 * What a traced Observable emits reaches its subscriber in the subscriber's
 * own context: the subscriber's callbacks and the operators after the
 * Observable nest under the caller that subscribed, as they would untraced
 * (and as a traced generator's consumer does); the source's own work, done
 * on subscription, nests under the Observable's run. Before, everything
 * downstream ran in the Observable's span its source emitted from: one
 * `next` callback's traced calls went under the Observable's run, some of
 * them ending after it.
 */
let tracing: ReturnType<typeof installMemoryTracing>;
beforeEach(() => {
  tracing = installMemoryTracing();
});
afterEach(() => setGlobalTracingClient(undefined));

const produce = traceable((n: number) => n, { name: 'produce' });
const step = traceable(async (n: number) => n * 10, { name: 'step' });
const onValue = traceable((n: number) => n, { name: 'onValue' });

/** An Observable of 1, 2, 3 from `schedule` (each value made by a traced call inside the source), traced as `open`. */
function opener(schedule: (emit: () => void) => void) {
  return traceable(
    () =>
      new Observable<number>((subscriber) => {
        let n = 0;
        const emit = (): void => {
          subscriber.next(produce(++n));
          if (n === 3) subscriber.complete();
          else schedule(emit);
        };
        schedule(emit);
      }),
    { name: 'open' },
  );
}

/** A traced handler subscribing to `open()` through mergeMap, each value handed to a traced callback. */
async function consume(open: () => Observable<number>): Promise<Run[]> {
  const handler = traceable(
    () =>
      new Promise<number[]>((resolve, reject) => {
        const seen: number[] = [];
        open()
          .pipe(mergeMap((n) => from(step(n))))
          .subscribe({ next: (n) => seen.push(onValue(n)), error: reject, complete: () => resolve(seen) });
      }),
    { name: 'handler' },
  );
  expect((await handler()).sort()).toEqual([10, 20, 30]);
  return finishedRuns(tracing.client, tracing.exporter);
}

function parentNames(runs: Run[]): Record<string, string[]> {
  const byId = new Map(runs.map((run) => [run.id, run.name]));
  const parents: Record<string, string[]> = {};
  for (const run of runs) (parents[run.name] ??= []).push(run.parent_run_id === undefined ? '(root)' : byId.get(run.parent_run_id)!);
  return parents;
}

test.each([
  ['on timers', (emit: () => void) => void setTimeout(emit, 2)],
  ['on microtasks', (emit: () => void) => queueMicrotask(emit)],
  ['synchronously, as it is subscribed', (emit: () => void) => emit()],
])('a source emitting %s: the operators and callbacks downstream nest under the subscriber, the source under the Observable', async (_how, schedule) => {
  const runs = await consume(opener(schedule));
  expect(parentNames(runs)).toEqual({
    handler: ['(root)'],
    open: ['handler'],
    produce: ['open', 'open', 'open'],
    step: ['handler', 'handler', 'handler'],
    onValue: ['handler', 'handler', 'handler'],
  });
  expect(only(runs, 'open').outputs).toEqual({ outputs: [1, 2, 3] });
});

test('an error reaches the subscriber in its own context too', async () => {
  const failing = traceable(() => new Observable<number>((subscriber) => void setTimeout(() => subscriber.error(new RangeError('no more')), 2)), { name: 'failing' });
  const onError = traceable((error: unknown) => (error as Error).message, { name: 'onError' });
  const handler = traceable(() => new Promise<string>((resolve) => failing().subscribe({ error: (error) => resolve(onError(error)) })), { name: 'handler' });
  expect(await handler()).toBe('no more');
  const runs = await finishedRuns(tracing.client, tracing.exporter);
  expect(parentNames(runs)).toEqual({ handler: ['(root)'], failing: ['handler'], onError: ['handler'] });
  expect(only(runs, 'failing').error).toMatch(/RangeError: no more/);
});

describe.each([
  ['langsmith alone', false],
  ['with enableLangSmithBridge()', true],
])('subscribed inside a langsmith run (%s)', (_how, bridged) => {
  let disable: (() => void) | undefined;
  afterEach(() => {
    disable?.();
    disable = undefined;
  });

  test("langsmith's calls and tracewire's in the subscriber's callbacks are the langsmith run's children, as with langsmith's traceable alone", async () => {
    const langsmith = langsmithRecorder();
    if (bridged) disable = enableLangSmithBridge({ RunTree }, { client: langsmith.client, tracingEnabled: true });
    const lsStep = lsTraceable(async (n: number) => n + 1, { ...langsmith.config, name: 'lsStep' });
    const open = opener((emit) => void setTimeout(emit, 2));
    const consumer = lsTraceable(
      () =>
        new Promise<void>((resolve, reject) => {
          open()
            .pipe(mergeMap((n) => from(Promise.all([step(n), lsStep(n)]))))
            .subscribe({ next: ([n]) => void onValue(n), error: reject, complete: resolve });
        }),
      { ...langsmith.config, name: 'consumer' },
    );
    await consumer();
    const consumerId = langsmith.run('consumer').id;
    const runs = await finishedRuns(tracing.client, tracing.exporter);
    const parentsOf = (name: string): Array<string | undefined> => runs.filter((run) => run.name === name).map((run) => run.parent_run_id);
    expect(parentsOf('step')).toEqual([consumerId, consumerId, consumerId]);
    expect(parentsOf('onValue')).toEqual([consumerId, consumerId, consumerId]);
    expect(parentsOf('open')).toEqual([consumerId]);
    expect(langsmith.ended.filter((run) => run.name === 'lsStep').map((run) => run.parent_run_id ?? run.parent_run?.id)).toEqual([consumerId, consumerId, consumerId]);
  });
});

describe('with the OpenTelemetry bridge', () => {
  const sdk = bridgedOtel();

  test("an OpenTelemetry span made in the subscriber's callback is a child of the subscriber's span, not of the Observable's", async () => {
    const tracer = sdk.provider().getTracer('app');
    const open = opener((emit) => void setTimeout(emit, 2));
    const handler = traceable(
      () =>
        new Promise<void>((resolve, reject) => {
          open().subscribe({ next: (n) => tracer.startSpan(`otel-${n}`).end(), error: reject, complete: resolve });
        }),
      { name: 'handler' },
    );
    await handler();
    const runs = await finishedRuns(tracing.client, tracing.exporter);
    // The bridge's OpenTelemetry span of a run: its id's last 16 hex digits.
    const otelSpanIdOf = (name: string): string => only(runs, name).id.replace(/-/g, '').slice(16);
    const parents = sdk.memory().getFinishedSpans().map((span) => span.parentSpanContext?.spanId);
    expect(parents).toEqual(Array(3).fill(otelSpanIdOf('handler')));
  });
});

test("a hot source (a traced Subject) fed from a request's context delivers in that context, as untraced: the subscriber's traced calls nest under the request, the program's own storage reads the request's", async () => {
  const requestStore = new AsyncLocalStorage<string>();
  const bus = traceable(() => new Subject<string>(), { name: 'bus' })();
  const seen: string[] = [];
  const onMessage = traceable((message: string) => seen.push(`${message}:${requestStore.getStore()}`), { name: 'onMessage' });
  requestStore.run('startup', () => bus.subscribe((message) => onMessage(message)));
  const handler = traceable(async (message: string) => bus.next(message), { name: 'handler' });
  await requestStore.run('req-1', () => handler('a'));
  await requestStore.run('req-2', () => handler('b'));
  expect(seen).toEqual(['a:req-1', 'b:req-2']);
  const runs = await finishedRuns(tracing.client, tracing.exporter);
  expect(parentNames(runs).onMessage).toEqual(['handler', 'handler']);
});

test("a source emitting from inside a traced call of its own (a span under the Observable's) still delivers in the subscriber's context", async () => {
  const pump = traceable(async (subscriber: { next(n: number): void; complete(): void }) => {
    for (let n = 1; n <= 2; n++) {
      await new Promise((resolve) => setTimeout(resolve, 1));
      subscriber.next(n);
    }
    subscriber.complete();
  }, { name: 'pump' });
  const open = traceable(() => new Observable<number>((subscriber) => void pump(subscriber)), { name: 'open' });
  const handler = traceable(() => new Promise<void>((resolve) => open().subscribe({ next: (n) => void onValue(n), complete: resolve })), { name: 'handler' });
  await handler();
  // pump's own run ends a few turns after it completed the Observable, which settled handler's.
  await new Promise((resolve) => setImmediate(resolve));
  const runs = await finishedRuns(tracing.client, tracing.exporter);
  expect(parentNames(runs)).toMatchObject({ pump: ['open'], onValue: ['handler', 'handler'] });
});
