import type { Span } from '../model/span.js';
import { Registry, WeakReference } from '../natives.js';

type Ref = { deref(): Span | undefined };

/**
 * @internal Spans whose start the queue refused (full) while they run: their
 * end posts the whole run, so the refusal alone loses nothing — unless the
 * end never comes. Held weakly, as `OpenRuns` holds spans whose start went
 * out: one garbage-collected while running (a promise nobody settles,
 * dropped by its caller) is told to `collected`, to be counted as a drop;
 * shutdown ends those still running, and an exit counts them. Before, such
 * a call vanished with no run, no count and no warning (a report-only probe:
 * 5 200 of 100 000 abandoned calls with the default settings). Only the
 * queue's refusals come here: off a traced call's usual path.
 */
export class RefusedStarts {
  /** How many are held: read on every span's end, so a field, not a call. */
  count = 0;
  readonly #refs = new Set<Ref>();
  readonly #bySpan = new WeakMap<Span, Ref>();
  readonly #registry: FinalizationRegistry<Ref> | undefined;

  constructor(collected: () => void) {
    this.#registry =
      Registry &&
      WeakReference &&
      new Registry<Ref>((ref) => {
        if (!this.#forget(ref)) return;
        try {
          collected();
        } catch {
          // A finalization callback has no caller: what it threw would end the process as an uncaught exception.
        }
      });
  }

  add(span: Span): void {
    if (this.#bySpan.has(span)) return;
    // Where the runtime cannot hold it weakly, it is held until it ends or shutdown.
    const ref = this.#registry === undefined ? { deref: () => span } : new WeakReference!(span);
    this.#bySpan.set(span, ref);
    this.#refs.add(ref);
    this.count++;
    this.#registry?.register(span, ref, ref);
  }

  /** `span` ended (or was ended). */
  delete(span: Span): void {
    const ref = this.#bySpan.get(span);
    if (ref === undefined) return;
    this.#bySpan.delete(span);
    this.#registry?.unregister(ref);
    this.#forget(ref);
  }

  /** The spans still running (and not collected). */
  *running(): Generator<Span> {
    for (const ref of [...this.#refs]) {
      const span = ref.deref();
      if (span !== undefined && span.endMicros === undefined) yield span;
    }
  }

  #forget(ref: Ref): boolean {
    if (!this.#refs.delete(ref)) return false;
    this.count--;
    return true;
  }
}
