import { generatorKind, tracedAsyncGenerator, tracedGenerator } from './traced-generators.js';
import { tracedAsyncIterable } from './traced-async-iterable.js';
import { tracedNodeReadable, type NodeReadableLike } from './traced-node-readable.js';
import { tracedObservable } from './traced-observable.js';
import { tracedReadableStream } from './traced-readable-stream.js';
import type { SpanOutcome } from './span-outcome.js';

/** @internal What {@link wrapProducer} returns for a value that does not produce values over time. */
export const NOT_A_PRODUCER: unique symbol = Symbol('tracewire.notAProducer');

/**
 * @internal For an object result, returned directly or reached through a
 * promise: if it produces values over time the span must cover their
 * consumption, so it is handed back as the same kind of thing, traced —
 * a generator or async generator, a `ReadableStream`, an RxJS-style
 * Observable, a Node `Readable` (the very object), or any other
 * `Symbol.asyncIterator` object such as OpenAI's `Stream` (a proxy of it).
 */
export function wrapProducer(outcome: SpanOutcome, result: object): unknown {
  try {
    const kind = generatorKind(result);
    if (kind === 'sync') return tracedGenerator(outcome, result as Generator);
    if (kind === 'async') return tracedAsyncGenerator(outcome, result as AsyncGenerator);
    const candidate = result as { getReader?: unknown; pipeTo?: unknown; subscribe?: unknown; pipe?: unknown; read?: unknown; on?: unknown };
    if (typeof candidate.getReader === 'function' && typeof candidate.pipeTo === 'function') {
      return tracedReadableStream(outcome, result as ReadableStream);
    }
    if (typeof candidate.subscribe === 'function' && typeof candidate.pipe === 'function') {
      return tracedObservable(outcome, result as Parameters<typeof tracedObservable>[1]);
    }
    if (typeof candidate.pipe === 'function' && typeof candidate.read === 'function' && typeof candidate.on === 'function') {
      return tracedNodeReadable(outcome, result as NodeReadableLike);
    }
    if (typeof (result as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] === 'function') {
      return tracedAsyncIterable(outcome, result as AsyncIterable<unknown>);
    }
  } catch {
    // A hostile object (throwing proxy traps): treat it as a plain value.
  }
  return NOT_A_PRODUCER;
}

/** @internal A directly returned object: traced over its consumption if it produces values, else the span ends now. */
export function followProduced(outcome: SpanOutcome, result: object): unknown {
  const wrapped = wrapProducer(outcome, result);
  if (wrapped !== NOT_A_PRODUCER) return wrapped;
  outcome.succeed(result);
  return result;
}
