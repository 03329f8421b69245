import { EventEmitter } from 'node:events';
import { getCurrentSpan, setGlobalTracingClient, traceable, type Run } from '../../../index';
import { finishedRuns, installMemoryTracing, only } from '../../helpers/memory-tracing';

let tracing: ReturnType<typeof installMemoryTracing>;
beforeEach(() => {
  tracing = installMemoryTracing();
});
afterEach(() => setGlobalTracingClient(undefined));

const runsNow = () => finishedRuns(tracing.client, tracing.exporter);
const tick = (ms = 1) => new Promise((resolve) => setTimeout(resolve, ms));
const child = traceable(async function child(i: number) {
  await tick(i % 3);
  return i;
});

test('a child awaited inside a parent nests under it, in the same trace', async () => {
  const parent = traceable(async function parent() {
    await tick();
    return child(1);
  });
  await parent();
  const runs = await runsNow();
  const [p, c] = [only(runs, 'parent'), only(runs, 'child')];
  expect(c.parent_run_id).toBe(p.id);
  expect(c.trace_id).toBe(p.id);
  expect(p.trace_id).toBe(p.id);
  expect(p.parent_run_id).toBeUndefined();
  expect(c.dotted_order.startsWith(p.dotted_order + '.')).toBe(true);
});

test('1 000 concurrent children under Promise.all all nest under their parent', async () => {
  const fanOut = traceable(async function fanOut() {
    return Promise.all(Array.from({ length: 1000 }, (_, i) => child(i)));
  });
  const results = await fanOut();
  expect(results).toHaveLength(1000);
  const runs = await runsNow();
  const root = only(runs, 'fanOut');
  const children = runs.filter((run) => run.name === 'child');
  expect(children).toHaveLength(1000);
  expect(children.every((run) => run.parent_run_id === root.id && run.trace_id === root.id)).toBe(true);
  expect(new Set(children.map((run) => run.id)).size).toBe(1000);
});

test('siblings sort by start in dotted_order even when started in the same millisecond', async () => {
  const fanOut = traceable(function syncFanOut() {
    for (let i = 0; i < 50; i++) syncChild(i);
  });
  const syncChild = traceable(function syncChild(i: number) {
    return i;
  });
  fanOut();
  const root = only(await runsNow(), 'syncFanOut');
  const order = tracing.exporter.childrenOf(root.id).map((run: Run) => run.inputs?.input);
  expect(order).toEqual(Array.from({ length: 50 }, (_, i) => i));
});

test('a timer callback started inside a span nests under it', async () => {
  const scheduler = traceable(function scheduler() {
    return new Promise((resolve) => setTimeout(() => resolve(child(7)), 2));
  });
  await scheduler();
  const runs = await runsNow();
  expect(only(runs, 'child').parent_run_id).toBe(only(runs, 'scheduler').id);
});

test('a listener run by an event emitted inside a span nests under the emitting span', async () => {
  const emitter = new EventEmitter();
  const onEvent = traceable(function onEvent(payload: string) {
    return payload;
  });
  emitter.on('order', onEvent);
  const emitting = traceable(function emitting() {
    emitter.emit('order', 'placed');
  });
  emitting();
  const runs = await runsNow();
  expect(only(runs, 'onEvent').parent_run_id).toBe(only(runs, 'emitting').id);
});

test('two concurrent root calls never share a trace', async () => {
  const root = traceable(async function root(label: string) {
    await tick(2);
    await child(label.length);
    return getCurrentSpan()?.traceId;
  });
  const [a, b] = await Promise.all([root('a'), root('bb')]);
  expect(a).not.toBe(b);
  const runs = await runsNow();
  const roots = runs.filter((run) => run.name === 'root');
  expect(roots).toHaveLength(2);
  for (const r of roots) {
    const kids = runs.filter((run) => run.parent_run_id === r.id);
    expect(kids).toHaveLength(1);
    expect(kids[0]!.trace_id).toBe(r.id);
  }
});

test('metadata is inherited by children; tags are not', async () => {
  const inner = traceable(function inner() {
    getCurrentSpan()?.setMetadata('step', 2);
  });
  const outer = traceable(
    function outer() {
      getCurrentSpan()?.setMetadata('requestId', 'r-1').addTags('late-tag').addEvent('checkpoint', { at: 1 });
      inner();
    },
    { metadata: { tenant: 't-9' }, tags: ['outer'] },
  );
  outer();
  const runs = await runsNow();
  const [o, i] = [only(runs, 'outer'), only(runs, 'inner')];
  expect(o.extra.metadata).toEqual({ tenant: 't-9', requestId: 'r-1' });
  expect(i.extra.metadata).toEqual({ tenant: 't-9', requestId: 'r-1', step: 2 });
  expect(o.tags).toEqual(['outer', 'late-tag']);
  expect(i.tags).toEqual([]);
  expect(o.events).toEqual([{ name: 'checkpoint', time: expect.stringMatching(/Z$/), kwargs: { at: 1 } }]);
});

test('getCurrentSpan() is undefined outside any traced call', () => {
  expect(getCurrentSpan()).toBeUndefined();
});
