import { TracingClient, traceable } from '../../index';
import { GatedExporter } from './gated-exporter';

/**
 * The smallest `maxQueueBytes` under which `calls` calls of a traced
 * `same()` (no arguments, a root each) are all delivered whole: for one call, the
 * bytes its span holds in the queue and in its batch — a size no public API
 * tells, found by bisection (each probe a fresh client, in-process).
 */
export async function smallestQueueBytesFor(calls: number): Promise<number> {
  const deliversAll = async (maxQueueBytes: number): Promise<boolean> => {
    const client = new TracingClient({ exporter: new GatedExporter(), manualFlushMode: true, maxQueueBytes, logger: { warn: () => {} } });
    const same = traceable(function same() {}, { client });
    for (let i = 0; i < calls; i++) same();
    const { delivered } = await client.shutdown();
    // Whole: a run whose end found no room arrives with its outputs left out (trimmed), which is not holding it.
    return delivered === calls && client.stats().trimmed === 0;
  };
  return smallestQueueBytesWhere(deliversAll);
}

/**
 * The smallest `maxQueueBytes` (up to 64 KiB) for which `delivers` holds, by
 * bisection: `delivers` builds a fresh client with that bound and says
 * whether everything it traced was delivered.
 */
export async function smallestQueueBytesWhere(delivers: (maxQueueBytes: number) => Promise<boolean>): Promise<number> {
  let [tooSmall, enough] = [0, 1 << 16];
  expect(await delivers(enough)).toBe(true);
  while (enough - tooSmall > 1) {
    const middle = Math.floor((tooSmall + enough) / 2);
    if (await delivers(middle)) enough = middle;
    else tooSmall = middle;
  }
  return enough;
}

/** A traced `same()` reporting to `client`: each call a span of the size {@link smallestQueueBytesFor} finds. */
export function sameFor(client: TracingClient): () => void {
  return traceable(function same() {}, { client });
}
