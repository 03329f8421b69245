import type { ExportResult } from '../span-exporter.js';

/** Bound on the characters of inputs held, whatever the entry count: inputs can be up to 4 MiB each (the default `maxBytes`). */
const DEFAULT_MAX_CHARS = 32 * 1024 * 1024;

/**
 * @internal Inputs of runs whose start was exported before they ended,
 * waiting for their end. OTLP spans cannot be updated, so a span is only sent
 * once its run has ended; the end (a `patch`) carries everything but the
 * inputs, which travelled with the start. Bounded by entries and characters;
 * the oldest entry goes first, and its run's span is then sent without inputs.
 */
export class PendingStarts {
  readonly #maxEntries: number;
  readonly #maxChars: number;

  // A Map iterates in insertion order: its first key is the oldest entry.
  readonly #inputs = new Map<string, string>();
  /** Runs kept after an export joining their end was refused: a second refusal lets them go (see {@link answered}). */
  readonly #refused = new Set<string>();
  #chars = 0;

  constructor(
    maxEntries: number,
    maxChars: number = DEFAULT_MAX_CHARS,
  ) {
    this.#maxEntries = maxEntries;
    this.#maxChars = maxChars;
  }

  /** Keeps a started run's inputs (as JSON). Remembering a run again (a retried batch) makes it the newest. */
  remember(runId: string, inputsJson: string): void {
    this.forget(runId);
    if (this.#maxEntries === 0 || inputsJson.length > this.#maxChars) return;
    this.#inputs.set(runId, inputsJson);
    this.#chars += inputsJson.length;
    for (const oldest of this.#inputs.keys()) {
      if (this.#inputs.size <= this.#maxEntries && this.#chars <= this.#maxChars) break;
      this.forget(oldest);
    }
  }

  /** The inputs kept for a run, if any. Does not forget them: the export carrying them may be retried. */
  get(runId: string): string | undefined {
    return this.#inputs.get(runId);
  }

  /**
   * An export that joined the ends of `runIds` with their inputs was answered. Delivered: their inputs go. Refused
   * for good: they are kept for one more end — the close the pipeline sends, with a later export, for a run whose end
   * failed for good (see `RunCloses`), which then carries the inputs as an evicted end's close does — and go if that
   * is refused too. Failed otherwise: the export may be retried, and they stay.
   */
  answered(runIds: readonly string[], result: ExportResult): void {
    if (result.ok) {
      for (const id of runIds) this.forget(id);
      return;
    }
    if (result.retryable) return;
    for (const id of runIds) {
      if (this.#refused.has(id)) this.forget(id);
      else if (this.#inputs.has(id)) this.#refused.add(id);
    }
  }

  /** Drops a run's inputs: its span was delivered, or will never be sent again. */
  forget(runId: string): void {
    const inputs = this.#inputs.get(runId);
    if (inputs === undefined) return;
    this.#inputs.delete(runId);
    this.#refused.delete(runId);
    this.#chars -= inputs.length;
  }
}
