import type { TracingClient } from '../client/tracing-client.js';
import type { Span } from '../model/span.js';
import { toJsonSafe, type JsonValue } from '../serialize/to-json-safe.js';
import { captureOutputs, describeError, type Captured } from './capture.js';
import { redact } from './redact.js';
import type { CallSite } from './trace-options.js';

/**
 * @internal Ends one traced call's span however it finishes: a value, an
 * error, or — for generators, streams and observables — the values produced
 * until the consumer finished or stopped early. Every method returns a
 * promise only when the delivery strategy wants the caller to wait.
 */
export class SpanOutcome {
  private produced: JsonValue[] | undefined;
  private producedBytes = 0;
  private producedOverflow = 0;

  constructor(
    readonly client: TracingClient,
    readonly site: CallSite,
    readonly span: Span,
  ) {}

  succeed(value: unknown): Promise<void> | undefined {
    const outputs = this.span.sampled ? this.redacted(captureOutputs(this.site, value, this.client.limits)) : undefined;
    return this.client.endSpan(this.span, 'success', outputs);
  }

  fail(error: unknown): Promise<void> | undefined {
    return this.client.endSpan(this.span, 'error', undefined, describeError(error));
  }

  /** Records one produced value now (so later mutation cannot change it), within the byte budget. */
  collect(value: unknown): void {
    if (this.site.captureOutputs === false || !this.span.sampled || !this.span.isRecording) return;
    const limits = this.client.limits;
    const produced = (this.produced ??= []);
    if (this.producedBytes >= limits.maxBytes || produced.length >= limits.maxItems) {
      this.producedOverflow++;
      return;
    }
    const item = toJsonSafe(value, limits);
    this.producedBytes += item.bytes;
    produced.push(item.value);
  }

  /** The producer finished: outputs are the values produced. */
  complete(): Promise<void> | undefined {
    return this.client.endSpan(this.span, 'success', this.producedOutputs());
  }

  /** The consumer stopped early (`return()`, cancel, unsubscribe). */
  cancel(): Promise<void> | undefined {
    return this.client.endSpan(this.span, 'cancelled', this.producedOutputs());
  }

  private producedOutputs(): Captured | undefined {
    const values: JsonValue[] = this.produced ?? [];
    if (this.producedOverflow > 0) values.push(`[… ${this.producedOverflow} more items]`);
    return this.redacted(captureOutputs(this.site, values, this.client.limits));
  }

  private redacted(outputs: Captured | undefined): Captured | undefined {
    return outputs === undefined ? undefined : redact(this.client.redaction.outputs, outputs, this.site, this.client.limits);
  }
}
