import type { JsonValue } from '../serialize/to-json-safe.js';
import type { Run, RunEvent, RunStatus, RunType } from './run.js';
import { dottedOrderOf } from './dotted-order.js';
import { runLiteral } from './run-literal.js';

type JsonObject = { [key: string]: JsonValue };

/**
 * @internal A span's record once nothing can change it any more: what an
 * export needs and nothing else. A closed batch turns its finished spans
 * into these at once and lets go of the `Span` objects (and their inputs'
 * object graphs), so a queue of waiting runs holds about a third of the heap
 * it did. Inputs and outputs are held as their JSON text, written once; times
 * as epoch microseconds, formatted only by the encoder that needs them.
 *
 * `phase`: `full` — a complete run (posted with its end); `start` — a run
 * posted while still running (no end fields); `end` — the patch of a run
 * posted earlier (no inputs).
 */
export class RunRecord {
  constructor(
    readonly phase: 'start' | 'end' | 'full',
    readonly id: string,
    readonly traceId: string,
    readonly parentId: string | undefined,
    /** The parent is a span of another service (a continued trace), not of this process. */
    readonly parentIsRemote: boolean,
    /** The parent's dotted order, shared with its siblings; this run's own is made when encoded ({@link dottedOrder}). */
    readonly parentDottedOrder: string | undefined,
    readonly name: string,
    readonly runType: RunType,
    readonly projectName: string,
    readonly startMicros: number,
    readonly endMicros: number | undefined,
    readonly status: RunStatus | undefined,
    readonly error: string | undefined,
    /** Shared, never mutated (spans replace them when written). */
    readonly tags: string[],
    readonly metadata: JsonObject,
    readonly events: RunEvent[],
    readonly inputsJson: string | undefined,
    readonly outputsJson: string | undefined,
  ) {}

  /** `dotted_order`, made now: records of queued runs hold no copy of it. */
  get dottedOrder(): string {
    return dottedOrderOf(this.parentDottedOrder, this.startMicros, this.id);
  }

  /** Whether this record carries the run's end. */
  get ended(): boolean {
    return this.endMicros !== undefined;
  }

  /** The record as the public {@link Run} that custom exporters (and the spool) receive. */
  toRun(): Run {
    const inputs = this.inputsJson === undefined ? undefined : (JSON.parse(this.inputsJson) as JsonObject);
    const outputs = this.outputsJson === undefined ? undefined : (JSON.parse(this.outputsJson) as JsonObject);
    return runLiteral(this, inputs, this.endMicros !== undefined, outputs);
  }
}
