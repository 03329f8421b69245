import type { TracingClient } from '../client/tracing-client.js';
import type { RunStatus } from '../model/run.js';
import type { Span } from '../model/span.js';
import { callUntraced } from '../context/span-context.js';
import { toJsonSafe, type JsonValue } from '../serialize/to-json-safe.js';
import { captureOutputs, captureOutputsJson, explicitOutputs, type Captured, type CapturedJson } from './capture.js';
import { describeError } from './error-text.js';
import { redact } from './redact.js';
import { keepUsageMetadata } from '../model/usage-metadata.js';
import type { CallSite } from './trace-options.js';
import { min } from '../natives.js';

/**
 * @internal Ends one traced call's span however it finishes: a value, an
 * error, or — for generators, streams and observables — the values produced
 * until the consumer finished, failed or stopped early (kept in all three
 * cases). Every method returns a promise only when the delivery strategy
 * wants the caller to wait.
 */
export class SpanOutcome {
  /**
   * What a stream produced so far; undefined until the result turned out to
   * be one. Apart, so the outcome of a plain call (every call) stays three fields.
   */
  declare private produced: Produced | undefined;
  declare readonly site: CallSite;
  declare readonly span: Span;

  // Declared fields assigned here, not parameter properties: as ES2022 class fields they were defined
  // by an initializer function first, one call more on every traced call.
  constructor(site: CallSite, span: Span) {
    this.produced = undefined;
    this.site = site;
    this.span = span;
    if (site.onEnd !== undefined) this.endsForced();
  }

  /** Lets what ends a span its call did not (shutdown, exit) end it as the call would: see `SpanRarities.forcedEnd`. */
  private endsForced(): void {
    this.span.rarities().forcedEnd ??= (why) => void this.end('error', this.outputsSoFar(), why);
  }

  succeed(value: unknown): Promise<void> | undefined {
    const span = this.span;
    if (!span.sampled) return this.end('success', undefined);
    const client = span.client;
    // `rare`, not the `outputsOverride` getter: one call fewer on every traced call (an override makes `rare`).
    if (client.capturesJson && client.redaction.outputs === undefined && (span.rare === undefined || span.rare.outputsOverride === undefined)) {
      // A primitive result goes straight to JSON text: no value built, no closure.
      const json = captureOutputsJson(this.site, value, client.limits);
      if (json !== undefined) return this.end('success', json);
    }
    return this.end('success', this.outputsOf(value, client));
  }

  /** Ends with an error; a stream keeps the values it produced before failing. */
  fail(error: unknown): Promise<void> | undefined {
    return this.end('error', this.outputsSoFar(), describeError(error, this.span.client.limits.maxStringLength));
  }

  /** What a run that did not finish records: a stream's values so far, outputs set explicitly; else none. */
  private outputsSoFar(): Captured | undefined {
    return this.produced === undefined && this.span.outputsOverride === undefined ? undefined : this.producedOutputs();
  }

  /** The result is a stream: from now on outputs are the values it produces. */
  streaming(): void {
    this.produced ??= { values: [], bytes: 0, overflow: 0 };
    this.endsForced();
  }

  /** Records one produced value now (so later mutation cannot change it), within the byte budget. */
  collect(value: unknown): void {
    const produced = (this.produced ??= { values: [], bytes: 0, overflow: 0 });
    const { span, site } = this;
    if (!span.sampled || !span.isRecording) return;
    // Time to first token: LangSmith derives `first_token_time` from the first `new_token` event.
    if (site.runType === 'llm' && produced.values.length === 0 && produced.overflow === 0) span.addEvent('new_token');
    if (site.captureOutputs === false) {
      produced.overflow++; // only counted, so the first-token event is recorded once
      return;
    }
    const limits = span.client.limits;
    if (produced.bytes >= limits.maxBytes || produced.values.length >= limits.maxItems) {
      produced.overflow++;
      return;
    }
    const item = toJsonSafe(value, limits);
    produced.bytes += item.bytes;
    produced.values.push(item.value);
  }

  /** The producer finished: outputs are the values produced. */
  complete(): Promise<void> | undefined {
    return this.end('success', this.producedOutputs());
  }

  /** The consumer stopped early (`return()`, cancel, unsubscribe). */
  cancel(): Promise<void> | undefined {
    return this.end('cancelled', this.outputsSoFar());
  }

  /** Ends the span with these outputs (none: `undefined`), unless it has ended. */
  end(status: RunStatus, outputs?: Captured | CapturedJson, error?: string): Promise<void> | undefined {
    const span = this.span;
    // `endMicros`, not the `isRecording` getter: one call fewer on every traced call.
    if (span.endMicros !== undefined) return undefined;
    const delivery = span.client.endSpan(span, status, outputs, error);
    // Read in place (`rare`): one field load on every traced call, a call only for the runs whose result is watched.
    const rare = span.rare;
    if (rare !== undefined && rare.unwatch !== undefined) {
      rare.unwatch();
      rare.unwatch = undefined;
    }
    const onEnd = this.site.onEnd;
    if (onEnd !== undefined) {
      try {
        callUntraced(onEnd, undefined, [this.span.toRun('full')]);
      } catch {
        // onEnd is the user's hook: what it throws must not reach the traced call.
      }
    }
    return delivery;
  }

  private producedOutputs(): Captured | undefined {
    const { span, produced } = this;
    if (!span.sampled) return undefined;
    let values: JsonValue[] = produced?.values ?? [];
    const overflow = produced?.overflow ?? 0;
    // An aggregating captureOutputs gets the chunks alone; the default record notes what was left out.
    if (overflow > 0 && this.site.captureOutputs === true && span.outputsOverride === undefined) {
      // The note takes one of the list's maxItems places: past them the serializer would cut it off and count only itself.
      const kept = min(values.length, span.client.limits.maxItems - 1);
      const left = overflow + values.length - kept;
      values = values.slice(0, kept);
      values.push(`[… ${left} more items]`);
    }
    return this.outputsOf(values, span.client);
  }

  /**
   * The outputs to record for `result` (a call's value, or the values a
   * stream produced): those set through `setOutputs()` win over it; either
   * way the client's redaction applies. No closure: this runs on every call.
   */
  private outputsOf(result: unknown, client: TracingClient): Captured | undefined {
    const override = this.span.outputsOverride;
    // Read for the last time: the span (and a handle of it a program keeps, or logs) lets go of the unredacted value.
    if (override !== undefined) this.span.rare!.outputsOverride = undefined;
    const outputs = override !== undefined ? explicitOutputs(override) : captureOutputs(this.site, result, client.limits);
    if (outputs === undefined) return undefined;
    const hook = client.redaction.outputs;
    if (hook !== undefined) keepUsageMetadata(this.span, outputs.value);
    return redact(hook, outputs, this.span, client.limits);
  }
}

/** The values a stream produced (JSON-safe snapshots), their bytes, and how many were left out. */
interface Produced {
  readonly values: JsonValue[];
  bytes: number;
  overflow: number;
}
