import type { SpanOutcome } from './span-outcome.js';
import { hook, hookBase, watchConsumption } from './traced-unconsumed.js';

/** @internal The part of a Node `Readable` this module relies on. */
export interface NodeReadableLike {
  emit(event: string | symbol, ...args: unknown[]): boolean;
  readonly readableEnded?: boolean;
  readonly destroyed?: boolean;
}

/**
 * @internal Traces a Node `Readable` over its consumption and hands back the
 * very same object, so `instanceof`, `pipe()`, `for await` and every
 * property work as before. It observes the stream's own events through an
 * own `emit` (non-enumerable) rather than adding listeners: a `data`
 * listener would switch the stream into flowing mode and change the
 * program. Node emits `data` for every chunk read, by any consumer.
 * `end` → success, `error` → error, `close` before `end` → cancelled; the
 * chunks read so far are kept in every case. An `AbortError` is a stop,
 * not a failure: Node destroys the stream with one when a `for await`
 * consumer breaks out, or its `signal` is aborted → cancelled.
 */
export function tracedNodeReadable<S extends NodeReadableLike>(outcome: SpanOutcome, stream: S): S {
  outcome.streaming();
  if (stream.readableEnded === true || stream.destroyed === true) {
    outcome.complete();
    return stream;
  }
  const emit = hookBase(stream.emit, outcome);
  let settled = false;
  const watch = watchConsumption(outcome, stream);
  const observe = (event: string | symbol, payload: unknown): void => {
    if (settled) return;
    // A listener added (Node announces each with 'newListener'), flowing or a read: someone consumes it.
    if (CONSUMING.has(event)) watch.started();
    if (event === 'data') outcome.collect(payload);
    else if (event === 'end') settle(() => outcome.complete());
    else if (event === 'error') settle(() => (isAbort(payload) ? outcome.cancel() : outcome.fail(payload)));
    else if (event === 'close') settle(() => outcome.cancel());
  };
  const settle = (end: () => unknown): void => {
    settled = true;
    if (watching.get(stream) === handedAgain) watching.delete(stream);
    end();
  };
  // A stream a later call hands back again (a service's shared stream) is observed there, through its own hook: the
  // run of this call could observe nothing more, and would stay open, held with the stream, for the stream's life.
  // But the run of a call this one made, handed back through it, still observes through the hook wrapped here
  // (see hookBase), and is handed on with this one.
  // (`earlier` is not read by a closure: each run's would hold every earlier run of a shared stream.)
  const earlier = watching.get(stream);
  const inner = emit === stream.emit ? earlier : undefined;
  const handedAgain = (): void => {
    inner?.();
    if (settled) return;
    settle(() => {
      outcome.span.setMetadata('stream_end', HANDED_AGAIN);
      outcome.complete();
    });
  };
  if (inner === undefined) earlier?.();
  watching.set(stream, handedAgain);
  hook(stream, 'emit', function (this: unknown, event: string | symbol, payload?: unknown): boolean {
    try {
      observe(event, payload);
    } catch {
      // Tracing must never break the stream.
    }
    return Reflect.apply(emit, this, arguments) as boolean;
  }, emit, outcome);
  return stream;
}

/** Each stream watched now, and how to end the run watching it when a later call hands it back. */
const watching = new WeakMap<object, () => void>();
const HANDED_AGAIN = 'handed back again by a later traced call: its consumption is traced there';

/** Node's `AbortError` (`code` `ABORT_ERR`): what `for await` … `break` and an aborted `signal` destroy a stream with. */
function isAbort(error: unknown): boolean {
  // Not `instanceof Error`: Node's own errors may come from another realm (vm contexts, jest).
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'ABORT_ERR';
}

const CONSUMING = new Set<string | symbol>(['newListener', 'resume', 'data', 'readable']);
