import { Client } from 'langsmith';
import type { RunTree } from 'langsmith';

/**
 * langsmith's own `traceable` as the reference: a client that never sends
 * (manual flush mode, never flushed) and an `on_end` hook that keeps every
 * run tree as langsmith finished it, so a test can assert what langsmith
 * records for the same code without a network.
 */
export function langsmithRecorder() {
  // Made from the environment alone, as langsmith's default client: a tracewire call inside its runs stays with
  // tracewire's client (one of your own, sending elsewhere, would send it instead: see langsmith-client-of-your-own).
  const client = new Client({ manualFlushMode: true });
  const ended: RunTree[] = [];
  const config = { client, tracingEnabled: true, on_end: (run: RunTree) => void ended.push(run) } as const;
  /** The one ended run with this name. */
  const run = (name: string): RunTree => {
    const named = ended.filter((candidate) => candidate.name === name);
    expect(named).toHaveLength(1);
    return named[0]!;
  };
  return { client, ended, config, run };
}
