import type { FlushResult } from '../client/span-processor.js';
import type { TracingClient } from '../client/tracing-client.js';
import { freeze, max } from '../natives.js';
import { sumFlushResults } from '../client/flush-results.js';

/** What `@FlushOnExit` reports after each invocation. */
export interface InvocationFlushResult extends FlushResult {
  /** `awaited-pending` (background; blocking where a root's wait gave up), `flushed` (manual), `none` (blocking: the traced calls already waited). */
  readonly action: 'awaited-pending' | 'flushed' | 'none';
  /** How long the wait took. */
  readonly waitedMillis: number;
}

const NOTHING: FlushResult = freeze({ delivered: 0, failed: 0, dropped: 0, spooled: 0, pending: 0, timedOut: false });

/**
 * Delivers what one invocation traced, as its client's strategy requires:
 * background waits for everything enqueued before now (this invocation's
 * spans, not those of later ones, so it ends under steady traffic); manual
 * flushes; blocking needs nothing more — unless a blocking root's wait gave
 * up (`blockingGaveUp`), when it waits as background does. Never rejects;
 * waits at most `timeoutMillis`. With no time at all (0 or less: Lambda's
 * deadline is that close) nothing is started — an export begun now would be
 * frozen mid-request — and the spans stay queued, reported as `pending`, for
 * the background sender or the next invocation's flush.
 */
export async function flushInvocation(client: TracingClient, timeoutMillis: number, blockingGaveUp = false): Promise<InvocationFlushResult> {
  const started = performance.now();
  const mode = client.strategy.mode;
  const action = mode === 'manual' ? 'flushed' : mode === 'blocking' && !blockingGaveUp ? 'none' : 'awaited-pending';
  let result = NOTHING;
  try {
    if (!(timeoutMillis > 0)) {
      const pending = action === 'none' ? 0 : client.stats().pending;
      result = { ...NOTHING, pending, timedOut: pending > 0 };
    } else if (action === 'flushed') result = await client.flush({ timeoutMillis });
    else if (action === 'awaited-pending') result = await client.awaitPendingTraceBatches({ timeoutMillis });
  } catch {
    // The client's waits never reject; this is belt and braces for a user-supplied strategy.
  }
  return { ...result, action, waitedMillis: performance.now() - started };
}

/**
 * @internal {@link flushInvocation} for each of `clients` at once, under the one deadline, as one result: the counts
 * summed, timed out if any wait was, the first action that did something. `undefined` for no client.
 */
export async function flushInvocationClients(clients: readonly TracingClient[], timeoutMillis: number, blockingGaveUp = false): Promise<InvocationFlushResult | undefined> {
  if (clients.length <= 1) return clients.length === 0 ? undefined : flushInvocation(clients[0]!, timeoutMillis, blockingGaveUp);
  const results = await Promise.all(clients.map((client) => flushInvocation(client, timeoutMillis, blockingGaveUp)));
  return {
    ...sumFlushResults(results),
    // What was done, where anything was: a blocking client's 'none' beside a tenant's wait is not the invocation's.
    action: results.find((result) => result.action !== 'none')?.action ?? 'none',
    waitedMillis: max(...results.map((result) => result.waitedMillis)),
  };
}
