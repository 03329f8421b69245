import { clearHostTimeout, setHostTimeout, type HostTimer } from '../host-timers.js';
import type { SpanOutcome } from './span-outcome.js';
import { min, Registry } from '../natives.js';

/**
 * @internal A stream's run must not stay open forever when nobody consumes
 * the stream. Two ways it ends without a consumer, each `cancelled` with
 * the values produced so far and the reason in the run's metadata
 * (`stream_end`):
 *
 * - **never consumed**: no consumption began (no `next()`, read, subscribe,
 *   listener) within the client's `unconsumedStreamTimeoutMillis` of the
 *   stream being handed out. The timer is unref'd: it never keeps a process
 *   alive. Consumption that begins later still works — values pass through
 *   untouched — but is no longer traced.
 * - **abandoned**: the traced stream was garbage-collected before it was
 *   consumed to the end (`FinalizationRegistry`, where the runtime has one).
 */
export interface ConsumptionWatch {
  /** Consumption began: the never-consumed timer stops. */
  started(): void;
  /**
   * From now on `target` is what a consumer holds (e.g. the iterator obtained from an iterable);
   * none: consumption began and nothing is left to watch (the timer stops, and the watch for garbage collection).
   */
  follow(target?: object): void;
}

interface Watched {
  readonly outcome: SpanOutcome;
  timer: HostTimer | undefined;
  readonly usedOtherwise: (() => boolean) | undefined;
}

const abandoned = Registry && new Registry<Watched>((watched) => endUnconsumed(watched, 'abandoned: garbage-collected before it was consumed to the end'));

/**
 * Watches `handed` (what the caller receives) for consumption; see above.
 * `usedOtherwise` tells, when it would end unconsumed, whether the caller
 * used it in a way not traced: then it ends a success instead.
 */
export function watchConsumption(outcome: SpanOutcome, handed: object, usedOtherwise?: () => boolean): ConsumptionWatch {
  const watched: Watched = { outcome, timer: undefined, usedOtherwise };
  // setTimeout fires at once past 2^31 - 1 ms: longer is "never", within a timer's reach.
  const millis = min(outcome.span.client.config.unconsumedStreamTimeoutMillis, 2 ** 31 - 1);
  const timer = setHostTimeout(() => endUnconsumed(watched, `never consumed: nothing read within ${millis} ms`), millis);
  timer.unref?.();
  watched.timer = timer;
  let token: object = {};
  abandoned?.register(handed, watched, token);
  // Once the run ends, however it ends, nothing is left to watch: a value that outlives its call (a service's Subject,
  // a shared stream handed back by every call) kept each call's span in the registry, and in its timer, for its life.
  outcome.span.rarities().unwatch = () => {
    if (watched.timer !== undefined) clearHostTimeout(watched.timer);
    watched.timer = undefined;
    abandoned?.unregister(token);
  };
  return {
    started() {
      if (watched.timer === undefined) return;
      clearHostTimeout(watched.timer);
      watched.timer = undefined;
    },
    follow(target) {
      abandoned?.unregister(token);
      token = {};
      if (target) abandoned?.register(target, watched, token);
      else this.started();
    },
  };
}

function endUnconsumed(watched: Watched, reason: string): void {
  if (watched.timer !== undefined) clearHostTimeout(watched.timer);
  watched.timer = undefined;
  const { outcome } = watched;
  if (!outcome.span.isRecording) return;
  try {
    const used = watched.usedOtherwise?.() === true;
    outcome.span.setMetadata('stream_end', used ? 'consumed through its own methods: values not traced' : reason);
    void (used ? outcome.end('success') : outcome.cancel());
  } catch {
    // Ending a run must never throw into a timer or the garbage collector.
  }
}

// No description: bytes in every bundle, for keys nobody reads.
const ORIGINAL = Symbol();
const OWNER = Symbol();

interface Hook {
  [ORIGINAL]?: Function;
  [OWNER]?: SpanOutcome;
}

/**
 * @internal The method a new {@link hook} for `outcome` wraps, given the
 * object's current one. A value handed back by several traced calls in turn
 * (a service's Subject, a cached query) is hooked anew each time on the
 * object's own method, never hook upon hook (a chain growing per call). But
 * a value a traced call got from a traced call it made, and hands back as
 * is (`return this.service.price$()`), is consumed through both: the outer
 * hook wraps the inner one while the inner run is open, so the inner run
 * sees its consumer and the work done on consumption nests under it. The
 * chain is as long as the calls are nested, never longer.
 */
export function hookBase(method: Function, outcome: SpanOutcome): Function {
  const owner = (method as Hook)[OWNER];
  if (owner === undefined) return method;
  return owner.span.isRecording && isWithin(owner.span, outcome.span) ? method : (method as Hook)[ORIGINAL]!;
}

/** Whether `inner` ran within `outer`'s run: one of its descendants (dotted orders extend their ancestors'). */
function isWithin(inner: SpanOutcome['span'], outer: SpanOutcome['span']): boolean {
  const parent = inner.parentDottedOrder;
  if (parent === undefined || inner.traceId !== outer.traceId) return false;
  const order = outer.dottedOrder;
  return parent.startsWith(order) && (parent.length === order.length || parent[order.length] === '.');
}

/**
 * @internal Puts `value` on `target` as an own, non-enumerable method in
 * place of `base` (from {@link hookBase}), the way the tracers watch a value
 * they hand back as the very object; falsy when the object takes no own
 * property (frozen, sealed, a proxy refusing).
 */
export function hook(target: object, key: PropertyKey, value: Function, base: Function, outcome: SpanOutcome): boolean | undefined {
  (value as Hook)[ORIGINAL] = (base as Hook)[ORIGINAL] ?? base;
  (value as Hook)[OWNER] = outcome;
  try {
    return Reflect.defineProperty(target, key, { value, configurable: true, writable: true });
  } catch {
    // A proxy whose trap throws: as refused (undefined).
  }
}
