import type { Span } from '../model/span';
import type { SpanExporter } from '../exporters/span-exporter';
import { settleWithin } from './deadline';
import type { DeliveryCounters } from './delivery-stats';
import type { FlushOptions, FlushResult, SpanProcessor } from './span-processor';

/**
 * Exports every span the moment it ends, one request per span, no retries.
 * For tests and local debugging (like OpenTelemetry's SimpleSpanProcessor);
 * production delivery goes through the batching pipeline.
 */
export class ImmediateSpanProcessor implements SpanProcessor {
  private readonly inFlight = new Set<Promise<void>>();
  private isShutdown = false;

  constructor(
    private readonly exporter: SpanExporter,
    private readonly counters: DeliveryCounters,
    private readonly defaultTimeoutMillis: number,
  ) {}

  onStart(): void {}

  onEnd(span: Span): undefined {
    if (this.isShutdown) {
      this.counters.afterShutdown++;
      return undefined;
    }
    const sending = this.send(span);
    this.inFlight.add(sending);
    void sending.then(() => this.inFlight.delete(sending));
    return undefined;
  }

  awaitPending(options?: FlushOptions): Promise<FlushResult> {
    return this.flush(options);
  }

  async flush(options?: FlushOptions): Promise<FlushResult> {
    const before = this.tally();
    const settled = await settleWithin(Promise.all(this.inFlight), options?.timeoutMillis ?? this.defaultTimeoutMillis);
    const after = this.tally();
    return {
      delivered: after.delivered - before.delivered,
      failed: after.failed - before.failed,
      dropped: after.dropped - before.dropped,
      pending: this.inFlight.size,
      timedOut: !settled,
    };
  }

  async shutdown(options?: FlushOptions): Promise<FlushResult> {
    this.isShutdown = true;
    const result = await this.flush(options);
    await this.exporter.shutdown?.().catch(() => undefined);
    return result;
  }

  pendingCount(): number {
    return this.inFlight.size;
  }

  private async send(span: Span): Promise<void> {
    this.counters.exportRequests++;
    try {
      const result = await this.exporter.export({ post: [span.toRun()], patch: [] }, { signal: new AbortController().signal });
      if (result.ok) this.counters.delivered++;
      else this.counters.exportFailed++;
    } catch {
      this.counters.exportFailed++;
    }
  }

  private tally(): { delivered: number; failed: number; dropped: number } {
    const c = this.counters;
    return { delivered: c.delivered, failed: c.exportFailed, dropped: c.dropped - c.exportFailed };
  }
}
