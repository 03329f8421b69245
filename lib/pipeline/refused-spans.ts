import type { PartialSuccess } from '../exporters/span-exporter.js';
import { joinPartialSuccess } from '../exporters/http/partial-success.js';
import { min } from '../natives.js';
import type { DropWarnings } from './drop-warnings.js';

/**
 * @internal What a send's 2xx answers said the destination refused of what it
 * took (`ExportResult.partialSuccess`), summed over its attempts and
 * requests; taken off its batches' spans as they are counted delivered.
 */
export class RefusedSpans {
  #heard: PartialSuccess | undefined;
  #left = 0;

  /** An answer's refusal, added to what earlier ones said. */
  add(partial: PartialSuccess): void {
    this.#heard = joinPartialSuccess(this.#heard, partial);
    this.#left += partial.rejectedSpans;
  }

  /**
   * How many of `ends` spans counted delivered the destination refused: those
   * are not delivered, and never sent again (they would be refused again).
   * An answer that refused none but said something (OTLP's warning) is noted
   * once through `warnings`.
   */
  take(ends: number, warnings: DropWarnings): number {
    const heard = this.#heard;
    if (heard === undefined) return 0;
    const { rejectedSpans, errorMessage } = heard;
    if (rejectedSpans === 0) warnings.note('export-answer-warning', `tracewire: the destination took an export with a warning: ${errorMessage}`);
    const taken = min(this.#left, ends);
    this.#left -= taken;
    return taken;
  }

  /** What the destination said, for the warning of what it refused. */
  get said(): string {
    const { rejectedSpans = 0, errorMessage = '' } = this.#heard ?? {};
    return `the destination took an export but refused ${rejectedSpans} of its spans (${errorMessage || 'no reason given'})`;
  }
}
