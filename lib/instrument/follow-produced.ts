import { tracedAsyncGenerator, tracedGenerator } from './traced-generators.js';
import { tracedObservable } from './traced-observable.js';
import { tracedReadableStream } from './traced-readable-stream.js';
import type { SpanOutcome } from './span-outcome.js';

/**
 * @internal For a non-thenable object result: if it produces values over time
 * (generator, async generator, ReadableStream, Observable) the span must cover
 * their consumption, so it is handed back wrapped; anything else ends the span
 * now and is returned as the same object.
 */
export function followProduced(outcome: SpanOutcome, result: object): unknown {
  try {
    const tag = Object.prototype.toString.call(result);
    if (tag === '[object Generator]') return tracedGenerator(outcome, result as Generator);
    if (tag === '[object AsyncGenerator]') return tracedAsyncGenerator(outcome, result as AsyncGenerator);
    const candidate = result as { getReader?: unknown; pipeTo?: unknown; subscribe?: unknown; pipe?: unknown };
    if (typeof candidate.getReader === 'function' && typeof candidate.pipeTo === 'function') {
      return tracedReadableStream(outcome, result as ReadableStream);
    }
    if (typeof candidate.subscribe === 'function' && typeof candidate.pipe === 'function') {
      return tracedObservable(outcome, result as Parameters<typeof tracedObservable>[1]);
    }
  } catch {
    // A hostile object (throwing proxy traps): treat it as a plain value.
  }
  outcome.succeed(result);
  return result;
}
