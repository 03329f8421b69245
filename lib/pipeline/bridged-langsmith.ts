import { settleWithin } from '../client/deadline.js';
import { langsmithQueueSent } from '../propagation/langsmith-queue.js';
import type { Span } from '../model/span.js';
import { errorName } from '../errors.js';
import { max, WeakReference } from '../natives.js';
import type { DropWarnings } from './drop-warnings.js';

/** A span held weakly where the runtime can (Cloudflare Workers only with their `enable_weak_ref` flag), else strongly. */
type Held = Pick<WeakRef<Span>, 'deref'>;

/** Sweeps of the spans still running wait until there are at least this many (then twice as many as were left). */
const FIRST_SWEEP = 64;

/**
 * The tracewire spans one langsmith client sent runs under (through the
 * bridge), and how far a langsmith wait has seen them through. langsmith
 * tells nothing of when those runs are queued; what tracewire sees is the
 * span they nest under: they are queued while it runs, and shortly after it
 * ends (langsmith queues a run's end a few promise turns after the run ends).
 * So a span still running keeps the client owed, and one that ended is seen
 * through by a langsmith wait begun after its end that completed.
 */
class Owed {
  /** Bridged spans not yet seen ended: weakly, so a span whose call never finishes is collected as it would be. */
  readonly #running = new Set<Held>();
  #sweepAt = FIRST_SWEEP;
  /** Bridged spans seen ended (or collected), ever. */
  #ended = 0;
  /** Of those, how many a completed langsmith wait has seen through. */
  #covered = 0;

  add(span: Span): void {
    this.#running.add(WeakReference === undefined ? { deref: () => span } : new WeakReference(span));
    // Swept now and then, not only at waits: a server that never waits must not keep a reference per span for good.
    if (this.#running.size >= this.#sweepAt) this.#sweepAt = max(FIRST_SWEEP, 2 * this.#sweep());
  }

  /** At a wait's start: `undefined` when nothing is owed, else what the wait sees through once langsmith's wait completes. */
  take(): number | undefined {
    return this.#sweep() === 0 && this.#ended === this.#covered ? undefined : this.#ended;
  }

  cover(mark: number): void {
    this.#covered = max(this.#covered, mark);
  }

  /** Moves the spans that ended to the count; returns how many still run. */
  #sweep(): number {
    for (const ref of this.#running) {
      const span = ref.deref();
      if (span !== undefined && span.endMicros === undefined) continue;
      this.#running.delete(ref);
      this.#ended++;
    }
    return this.#running.size;
  }
}

/** @internal What the processor is handed to make one (see `SpanProcessor.langsmithRunMade`). */
export type BridgedLangSmithClass = new (warnings: DropWarnings) => BridgedLangSmith;

/**
 * @internal The langsmith clients that sent runs made by langsmith's own
 * `traceable` (or LangChain) inside this client's spans, through
 * `enableLangSmithBridge`: they send those runs themselves, so tracewire's
 * waits (`flush`, `awaitPendingTraceBatches`, and through them
 * `@FlushOnExit`, a blocking root's wait, the natural-exit flush, and
 * `shutdown`) wait for them too, under their own deadline. Made at the
 * first bridged run: a client without one never calls into langsmith.
 */
export class BridgedLangSmith {
  /** Bridged spans ever recorded: the natural-exit flush waits again only when some were made since its last. */
  made = 0;
  readonly #owed = new Map<object, Owed>();
  readonly #warnings: DropWarnings;

  constructor(warnings: DropWarnings) {
    this.#warnings = warnings;
  }

  /** langsmith made a `RunTree` for `span`, sending with `client`: its runs under the span are owed to the next waits. */
  runMade(span: Span, client: object): void {
    this.made++;
    let owed = this.#owed.get(client);
    if (owed === undefined) this.#owed.set(client, (owed = new Owed()));
    owed.add(span);
  }

  /**
   * Waits for every client owed — its `awaitPendingTraceBatches()` — within
   * `timeoutMillis` (langsmith's wait has no deadline of its own). A client
   * made with `manualFlushMode` is left to its owner's `flush()`, as
   * langsmith documents: its own wait would only warn and return. Resolves
   * whether they finished in time — `undefined` when none was owed (nothing
   * was called) — and never rejects: what langsmith throws is warned once.
   */
  settle(timeoutMillis: number): Promise<boolean> | undefined {
    const waits: Promise<boolean>[] = [];
    for (const [client, owed] of this.#owed) {
      const mark = owed.take();
      if (mark === undefined) continue;
      const work = langsmithQueueSent(client);
      if (work === undefined) continue;
      waits.push(settleWithin(work.then(() => owed.cover(mark), (error: unknown) => this.#failed(owed, mark, error)), timeoutMillis));
    }
    if (waits.length === 0) return undefined;
    return Promise.all(waits).then((done) => {
      const inTime = done.every(Boolean);
      if (!inTime) {
        this.#warnings.note(
          'langsmith-wait-deadline',
          `tracewire: langsmith's client had not sent the runs langsmith made inside tracewire spans (enableLangSmithBridge) when the wait's deadline (${timeoutMillis} ms) came; the wait returned without them (timedOut). Reported once per client.`,
        );
      }
      return inTime;
    });
  }

  /** langsmith's wait threw or rejected: given up on, as tracewire's own failed batches are, and warned once. */
  #failed(owed: Owed, mark: number, error: unknown): void {
    owed.cover(mark);
    this.#warnings.note(
      'langsmith-wait-failed',
      `tracewire: waiting for langsmith's client (the runs langsmith made inside tracewire spans, enableLangSmithBridge) failed (${errorName(error)}); the wait went on without it. Reported once per client.`,
    );
  }
}
