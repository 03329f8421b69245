import { BehaviorSubject, Observable, Subject, firstValueFrom, lastValueFrom, map, toArray } from 'rxjs';
import { setGlobalTracingClient, traceable } from '../../../index';
import { finishedRuns, installMemoryTracing, only } from '../../helpers/memory-tracing';

/**
 * A traced function returning an Observable hands back the very object: a
 * `Subject`, a `BehaviorSubject` or any Observable subclass keeps its class
 * and API (`.value`, `.next()`, its own methods). The span covers the first
 * subscription — made directly, through RxJS operators or `firstValueFrom`
 * — as for any traced Observable: success on complete, cancelled when the
 * subscriber leaves first.
 */
let tracing: ReturnType<typeof installMemoryTracing>;
beforeEach(() => {
  tracing = installMemoryTracing();
});
afterEach(() => setGlobalTracingClient(undefined));
const runsNow = () => finishedRuns(tracing.client, tracing.exporter);

describe('a BehaviorSubject (a service handing out its state)', () => {
  test('is the very subject: .value and .next() work, subscribers see what is pushed', () => {
    const state$ = new BehaviorSubject(0);
    const select = traceable(function select() {
      return state$;
    });
    const result = select();
    expect(result).toBe(state$);
    expect(result).toBeInstanceOf(BehaviorSubject);
    expect(result.value).toBe(0);
    const seen: number[] = [];
    result.pipe(map((n) => n * 10)).subscribe((n) => seen.push(n));
    result.next(1);
    expect(result.getValue()).toBe(1);
    expect(seen).toEqual([0, 10]);
  });

  test('subscribed through operators, its run ends success on complete with the values the source emitted', async () => {
    const state$ = new BehaviorSubject(0);
    const select = traceable(function select() {
      return state$;
    });
    const subject = select();
    const all = lastValueFrom(subject.pipe(toArray()));
    subject.next(1);
    expect(await runsNow()).toHaveLength(0);
    subject.complete();
    expect(await all).toEqual([0, 1]);
    const run = only(await runsNow(), 'select');
    expect(run.status).toBe('success');
    expect(run.outputs).toEqual({ outputs: [0, 1] });
  });

  test('firstValueFrom takes the current value and leaves: the run ends cancelled with it', async () => {
    const select = traceable(function select() {
      return new BehaviorSubject('ready');
    });
    const subject = select();
    expect(subject.value).toBe('ready');
    expect(await firstValueFrom(subject)).toBe('ready');
    const run = only(await runsNow(), 'select');
    expect(run.status).toBe('cancelled');
    expect(run.outputs).toEqual({ outputs: ['ready'] });
  });
});

test('a Subject with two subscribers: both get every value, the first subscription alone is traced (one run)', async () => {
  const events$ = new Subject<string>();
  const bus = traceable(function bus() {
    return events$;
  });
  const subject = bus();
  expect(subject).toBe(events$);
  const first: string[] = [];
  const second: string[] = [];
  subject.subscribe((event) => first.push(event));
  subject.subscribe((event) => second.push(event));
  subject.next('hello');
  subject.complete();
  expect(first).toEqual(['hello']);
  expect(second).toEqual(['hello']);
  expect(only(await runsNow(), 'bus').outputs).toEqual({ outputs: ['hello'] });
});

test('a custom Observable subclass keeps its class and methods, and its run covers its consumption', async () => {
  class Feed extends Observable<number> {
    constructor(readonly label: string) {
      super((subscriber) => {
        [1, 2, 3].forEach((n) => subscriber.next(n));
        subscriber.complete();
      });
    }
    describe(): string {
      return `feed ${this.label}`;
    }
  }
  const feed = new Feed('prices');
  const open = traceable(function open() {
    return feed;
  });
  const result = open();
  expect(result).toBe(feed);
  expect(result).toBeInstanceOf(Feed);
  expect(result.describe()).toBe('feed prices');
  expect(await lastValueFrom(result.pipe(toArray()))).toEqual([1, 2, 3]);
  const run = only(await runsNow(), 'open');
  expect(run.status).toBe('success');
  expect(run.outputs).toEqual({ outputs: [1, 2, 3] });
});

test('a subject handed out by many calls before anyone subscribes: the subscription is traced once, by the last call (no hook upon hook)', async () => {
  const state$ = new BehaviorSubject(0);
  const select = traceable(function select() {
    return state$;
  });
  for (let i = 0; i < 50; i++) select();
  const handed = select();
  expect(handed).toBe(state$);
  const seen: number[] = [];
  handed.subscribe((n) => seen.push(n));
  state$.next(1);
  state$.complete();
  expect(seen).toEqual([0, 1]);
  const ended = (await runsNow()).filter((run) => run.name === 'select');
  expect(ended).toHaveLength(1);
  expect(ended[0]!.outputs).toEqual({ outputs: [0, 1] });
});
