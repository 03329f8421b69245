import { callInSpan } from '../context/span-context.js';
import type { SpanOutcome } from './span-outcome.js';
import { watchConsumption, type ConsumptionWatch } from './traced-unconsumed.js';

/**
 * @internal A ReadableStream whose span lasts until it is consumed: it pulls
 * from the original only when its own consumer pulls (high-water mark 0, so
 * nothing is read ahead), ends `success` at the end of the stream, `error` if
 * reading fails, `cancelled` if the consumer cancels. Chunks pass through
 * untouched.
 */
export function tracedReadableStream<T>(outcome: SpanOutcome, inner: ReadableStream<T>): ReadableStream<T> {
  outcome.streaming();
  const reader = inner.getReader();
  let watch: ConsumptionWatch | undefined;
  const traced = new ReadableStream<T>(
    {
      // High-water mark 0: pull runs only when a consumer reads.
      async pull(controller) {
        watch?.started();
        let chunk: ReadableStreamReadResult<T>;
        try {
          chunk = await (callInSpan(outcome.span, reader.read, reader, []) as Promise<ReadableStreamReadResult<T>>);
        } catch (error) {
          await outcome.fail(error);
          controller.error(error);
          return;
        }
        if (chunk.done) {
          await outcome.complete();
          controller.close();
          return;
        }
        outcome.collect(chunk.value);
        controller.enqueue(chunk.value);
      },
      async cancel(reason) {
        watch?.started();
        await outcome.cancel();
        return reader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
  watch = watchConsumption(outcome, traced);
  return traced;
}
