import { callUntraced } from '../context/span-context.js';
import { isFunction } from '../natives.js';

/** What a wait asks of a langsmith `Client` (langsmith 0.3 – 0.12): read off the client, never imported. */
interface LangSmithClientLike {
  /** The option it was made with (private in langsmith's types, a plain field at run time). */
  readonly manualFlushMode?: unknown;
  awaitPendingTraceBatches?(): Promise<unknown>;
}

/**
 * @internal The call that waits for langsmith `client` to send what it holds (`awaitPendingTraceBatches()`), made
 * outside any span (its requests are not the traced program's); `undefined` for none: a client made with
 * `manualFlushMode` is left to its owner's `flush()`, as langsmith documents (its own wait would only warn and
 * return). A throw comes back as a rejected promise.
 */
export function langsmithQueueSent(client: object): Promise<unknown> | undefined {
  try {
    const { manualFlushMode, awaitPendingTraceBatches: method } = client as LangSmithClientLike;
    if (manualFlushMode === true || !isFunction(method)) return undefined;
    return Promise.resolve(callUntraced(method, client, []));
  } catch (error) {
    return Promise.reject(error);
  }
}
