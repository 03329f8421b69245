import type { LangSmithSender } from '../propagation/langsmith-sender.js';
import { sumFlushResults } from './flush-results.js';
import type { FlushResult } from './span-processor.js';

/** @internal What {@link SenderClients} asks of a client it holds. */
export interface HeldClient {
  /** No span of it running and nothing of it pending: it may be let go. */
  isIdle(): boolean;
  /** Spans it holds that are neither delivered nor given up yet. */
  pendingCount(): number;
}

/** Where a held client is kept: by its sender's langsmith client, then by its replicas. */
interface SenderKey {
  readonly client: object;
  readonly replicas: string;
}

/**
 * @internal The clients one client made for langsmith senders (see `TracingClient.throughLangSmith`): one per
 * (langsmith client, replicas), reused while it lives. The ones that may have work are waited for with their maker;
 * idle ones are let go — out of the waits and out of the map — after each wait and as new ones come (at 16, then twice
 * what was left): a server that never waits, with a langsmith `Client` or write replicas per request (a request id in
 * their `updates`), must not hold one per request for good (a review: 2 000 of 2 000 held before).
 */
export class SenderClients<C extends HeldClient> {
  /** Held weakly by langsmith client: a tenant's `Client` nobody holds takes its clients with it. */
  readonly #bySender = new WeakMap<object, Map<string, C>>();
  /** The ones that may have work, each with where it is kept. */
  readonly #busy = new Map<C, SenderKey>();
  #sweepAt = 16;

  /** None may have work: the maker's waits are its own. */
  get idle(): boolean {
    return this.#busy.size === 0;
  }

  /** The client for `sender`, made by `make` on its first use; counted as having work. */
  clientFor(sender: LangSmithSender, make: () => C): C {
    const senders = this.#bySender.get(sender.client) ?? new Map<string, C>();
    let client = senders.get(sender.replicasKey);
    if (client === undefined) {
      client = make();
      this.#bySender.set(sender.client, senders.set(sender.replicasKey, client));
    }
    if (!this.#busy.has(client)) {
      if (this.#busy.size >= this.#sweepAt) this.#sweepAt = Math.max(16, 2 * this.#sweep());
      this.#busy.set(client, { client: sender.client, replicas: sender.replicasKey });
    }
    return client;
  }

  /** What the clients that may have work hold undelivered. */
  pendingCount(): number {
    let pending = 0;
    for (const client of this.#busy.keys()) pending += client.pendingCount();
    return pending;
  }

  /**
   * `own` and `wait` of each client that may have work, as one result; the idle ones are then let go, and `settled`
   * runs (the maker's summary: their drops are counted in its counters, and said once, after all of them).
   */
  waitWith(own: Promise<FlushResult>, wait: (client: C) => Promise<FlushResult>, settled: () => void): Promise<FlushResult> {
    return Promise.all([own, ...[...this.#busy.keys()].map(wait)]).then((results) => {
      this.#sweep();
      settled();
      return sumFlushResults(results);
    });
  }

  /** Lets go of the idle clients; how many are left. */
  #sweep(): number {
    for (const [client, key] of this.#busy) {
      if (!client.isIdle()) continue;
      this.#busy.delete(client);
      this.#bySender.get(key.client)?.delete(key.replicas);
    }
    return this.#busy.size;
  }
}
