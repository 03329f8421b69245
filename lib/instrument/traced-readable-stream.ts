import { enterSpan } from '../otel/bridge-hook.js';
import type { SpanOutcome } from './span-outcome.js';
import { watchConsumption, type ConsumptionWatch } from './traced-unconsumed.js';
import { noop } from '../noop.js';

/**
 * @internal A ReadableStream whose span lasts until it is consumed: it pulls
 * from the original only when its own consumer pulls (high-water mark 0, so
 * nothing is read ahead), ends `success` at the end of the stream, `error` if
 * reading fails, `cancelled` if the consumer cancels. Chunks pass through
 * untouched. A byte stream (`fetch`'s `response.body`) is handed on as a
 * byte stream, so a BYOB reader still works (it gets the bytes copied into
 * its own buffer, as from the original).
 */
export function tracedReadableStream<T>(outcome: SpanOutcome, inner: ReadableStream<T>): ReadableStream<T> {
  outcome.streaming();
  // Only a byte stream gives a BYOB reader; it is released at once, the chunks read as they come.
  let type: 'bytes' | undefined;
  try {
    inner.getReader({ mode: 'byob' }).releaseLock();
    type = 'bytes';
  } catch {
    // Not a byte stream.
  }
  const reader = inner.getReader();
  let watch: ConsumptionWatch | undefined;
  const traced = new ReadableStream<T>(
    {
      type,
      // High-water mark 0: pull runs only when a consumer reads.
      async pull(controller) {
        watch?.started();
        let chunk: ReadableStreamReadResult<T>;
        try {
          chunk = await (enterSpan(outcome.span, reader.read, reader, []) as Promise<ReadableStreamReadResult<T>>);
        } catch (error) {
          await outcome.fail(error);
          controller.error(error);
          return;
        }
        if (chunk.done) {
          await outcome.complete();
          controller.close();
          // A BYOB read waiting when the stream closes is answered only by this (no bytes, done).
          (controller as ReadableByteStreamController).byobRequest?.respond(0);
          return;
        }
        outcome.collect(chunk.value);
        controller.enqueue(chunk.value);
      },
      async cancel(reason) {
        watch?.started();
        // The source's own cancel first, as untraced: in blocking mode the span's end waits for delivery, and the
        // source (an LLM's response body) held its connection open that long (a report-only probe: 1 s, 5 s with a
        // hanging endpoint). Its rejection is the consumer's, from the return; marked handled while the wait runs.
        const cancelled = reader.cancel(reason);
        cancelled.catch(noop);
        await outcome.cancel();
        return cancelled;
      },
      // The same callbacks serve a byte stream: its chunks are views, which its controller takes too.
    } as UnderlyingDefaultSource<T>,
    { highWaterMark: 0 },
  );
  watch = watchConsumption(outcome, traced);
  return traced;
}
