import { TestScheduler } from 'rxjs/testing';
import { tap } from 'rxjs';
import { batchEvents, type BatchLimits } from '../../../lib/pipeline/batch-events';

// Items are sized letters: a–z weigh 1 byte, A–Z weigh 10.
type Item = { name: string; queuedBytes: number };
const values: Record<string, Item> = {};
for (const name of 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ') values[name] = { name, queuedBytes: name === name.toUpperCase() ? 10 : 1 };

const limits = (overrides: Partial<BatchLimits> = {}): BatchLimits => ({ maxBatchSize: 3, maxBatchBytes: 100, maxDelayMillis: 10, ...overrides });

function run(scenario: (helpers: Parameters<Parameters<TestScheduler['run']>[0]>[0], scheduler: TestScheduler) => void): void {
  const scheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
  scheduler.run((helpers) => scenario(helpers, scheduler));
}

const batch = (...names: string[]) => names.map((name) => values[name]);

test('a batch closes when it reaches maxBatchSize', () => {
  run(({ cold, expectObservable }, scheduler) => {
    const source = cold<Item>('abc-d', values);
    expectObservable(source.pipe(batchEvents(limits(), cold('|'), scheduler))).toBe('--x- 10ms y', {
      x: batch('a', 'b', 'c'),
      y: batch('d'),
    });
  });
});

test('a batch closes maxDelayMillis after its FIRST item, however steady the traffic (not a debounce)', () => {
  run(({ cold, expectObservable }, scheduler) => {
    // One item every 4 ms: a debounce would never fire; a max delay fires at 10 ms.
    const source = cold<Item>('a 3ms b 3ms c', values);
    expectObservable(source.pipe(batchEvents(limits({ maxBatchSize: 100 }), cold('|'), scheduler))).toBe('10ms x', {
      x: batch('a', 'b', 'c'),
    });
  });
});

test('the delay restarts only with the next batch\'s first item', () => {
  run(({ cold, expectObservable }, scheduler) => {
    const source = cold<Item>('a 14ms b', values);
    expectObservable(source.pipe(batchEvents(limits(), cold('|'), scheduler))).toBe('10ms x 4ms 10ms y', {
      x: batch('a'),
      y: batch('b'),
    });
  });
});

test('a batch closes at maxBatchBytes, and an item that would overflow it starts the next batch', () => {
  run(({ cold, expectObservable }, scheduler) => {
    const source = cold<Item>('aBCD', values); // 1 + 10 + 10 fits 25; + D (10) would make 31
    expectObservable(source.pipe(batchEvents(limits({ maxBatchSize: 100, maxBatchBytes: 25 }), cold('|'), scheduler))).toBe('---x 9ms y', {
      x: batch('a', 'B', 'C'),
      y: batch('D'),
    });
  });
});

test('closeNow$ closes the open batch at once, and its timer no longer closes it', () => {
  run(({ cold, hot, expectObservable }, scheduler) => {
    const source = cold<Item>('ab 10ms c', values);
    const closeNow = hot('-----x');
    expectObservable(source.pipe(batchEvents(limits({ maxBatchSize: 100 }), closeNow, scheduler))).toBe('-----x 6ms 10ms y', {
      x: batch('a', 'b'),
      y: batch('c'),
    });
  });
});

test('closeNow$ with nothing open emits nothing', () => {
  run(({ cold, hot, expectObservable }, scheduler) => {
    expectObservable(cold<Item>('', values).pipe(batchEvents(limits(), hot('x-x'), scheduler))).toBe('');
  });
});

test('with an infinite delay (manual mode) only size, bytes or closeNow$ close a batch', () => {
  run(({ cold, hot, expectObservable }, scheduler) => {
    const source = cold<Item>('ab 100ms cde', values);
    const closeNow = hot('500ms x');
    expectObservable(source.pipe(batchEvents(limits({ maxDelayMillis: Infinity }), closeNow, scheduler))).toBe('102ms x 397ms y', {
      x: batch('a', 'b', 'c'),
      y: batch('d', 'e'),
    });
  });
});

test('completion emits what is open, then completes', () => {
  run(({ cold, expectObservable }, scheduler) => {
    expectObservable(cold<Item>('ab|', values).pipe(batchEvents(limits(), cold('|'), scheduler))).toBe('--(x|)', { x: batch('a', 'b') });
  });
});

test('one timer serves batches closed early by size: left armed, it waits again for the open batch, or stops when none is open', () => {
  run(({ cold, expectObservable }, scheduler) => {
    let timersSet = 0;
    const counting = { now: () => scheduler.now(), schedule: ((...args: Parameters<TestScheduler['schedule']>) => (timersSet++, scheduler.schedule(...args))) as TestScheduler['schedule'] };
    // Three batches closed by size before the first timer fires at 10 ms (nothing open then: it stops); j opens a
    // batch at 11 ms, which closes 10 ms later by its own timer.
    const source = cold<Item>('abcdefghi 2ms j', values);
    expectObservable(source.pipe(batchEvents(limits(), cold('|'), counting))).toBe('--x--y--z 12ms w', {
      x: batch('a', 'b', 'c'),
      y: batch('d', 'e', 'f'),
      z: batch('g', 'h', 'i'),
      w: batch('j'),
    });
    scheduler.flush();
    expect(timersSet).toBe(2);
  });
});

test('bytes an item gained after it entered the open batch (an end merged into its start) count toward maxBatchBytes when the next item arrives', () => {
  run(({ cold, expectObservable }, scheduler) => {
    const grown = { bytes: 0 };
    // `a` (1 byte) gains 20 before `b` arrives: 21 + 1 would pass 15, so `b` starts the next batch.
    const source = cold<Item>('ab', values).pipe(tap((item) => item.name === 'b' && (grown.bytes += 20)));
    expectObservable(source.pipe(batchEvents(limits({ maxBatchSize: 100, maxBatchBytes: 15, grown }), cold('|'), scheduler))).toBe('-x 9ms y', {
      x: batch('a'),
      y: batch('b'),
    });
  });
});

test('what the open batch gained is forgotten when it closes: the next batch starts from nothing', () => {
  run(({ cold, expectObservable }, scheduler) => {
    const grown = { bytes: 0 };
    // `a` gains 20 at 5 ms, after it entered, and its batch closes on its timer; `b` and `c` then fit 15 together.
    scheduler.schedule(() => void (grown.bytes += 20), 5);
    const source = cold<Item>('a 15ms bc', values);
    expectObservable(source.pipe(batchEvents(limits({ maxBatchSize: 100, maxBatchBytes: 15, grown }), cold('|'), scheduler))).toBe('10ms x 5ms 10ms y', {
      x: batch('a'),
      y: batch('b', 'c'),
    });
  });
});
