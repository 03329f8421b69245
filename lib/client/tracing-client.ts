import { TracewireConfigError } from '../errors';
import type { SpanExporter } from '../exporters/span-exporter';
import { Span } from '../model/span';
import type { RunStatus, RunType } from '../model/run';
import { DEFAULT_SERIALIZE_LIMITS, type JsonValue, type SerializeLimits } from '../serialize/to-json-safe';
import { DeliveryCounters, type TracingStats } from './delivery-stats';
import { ImmediateSpanProcessor } from './immediate-span-processor';
import type { FlushOptions, FlushResult, SpanProcessor } from './span-processor';

/** Options of a {@link TracingClient}. */
export interface TracingClientOptions {
  /** Where runs go. Required unless `processor` is given. */
  readonly exporter?: SpanExporter;
  /**
   * Owns delivery of ended spans. Default: one that exports each span as it
   * ends (no batching) — fine for tests, not for production traffic.
   */
  readonly processor?: (counters: DeliveryCounters) => SpanProcessor;
  /** `session_name` of every run: the LangSmith project or OTel service. Default `default`. */
  readonly projectName?: string;
  /** When false, traced calls run untouched and nothing is recorded. Default true. */
  readonly enabled?: boolean;
  /** Size caps for captured inputs, outputs and metadata. Defaults: see `DEFAULT_SERIALIZE_LIMITS`. */
  readonly serializeLimits?: Partial<SerializeLimits>;
  /** Deadline of `flush()`, `awaitPendingTraceBatches()` and `shutdown()` when the call gives none. Default 5 000. */
  readonly flushTimeoutMillis?: number;
}

/** @internal What a traced call asks the client to start. */
export interface SpanRequest {
  readonly name: string;
  readonly runType: RunType;
  readonly tags: readonly string[];
  readonly metadata: { [key: string]: JsonValue } | undefined;
}

/**
 * Records spans and hands them to a span processor for delivery. Every
 * public method is safe to call at any time: none throws, and the waits
 * resolve (never reject) within their deadline.
 */
export class TracingClient {
  /** Size caps applied to everything this client captures. */
  readonly limits: SerializeLimits;
  readonly projectName: string;
  private readonly counters = new DeliveryCounters();
  private readonly processor: SpanProcessor;
  private readonly flushTimeoutMillis: number;
  private readonly enabled: boolean;
  private isShutdown = false;

  constructor(options: TracingClientOptions) {
    if (options.exporter === undefined && options.processor === undefined) {
      throw new TracewireConfigError('exporter', undefined, 'a SpanExporter (e.g. new MemoryExporter()) or a processor factory');
    }
    this.flushTimeoutMillis = positive('flushTimeoutMillis', options.flushTimeoutMillis ?? 5_000);
    this.limits = { ...DEFAULT_SERIALIZE_LIMITS, ...options.serializeLimits };
    for (const [key, value] of Object.entries(this.limits)) positive(`serializeLimits.${key}`, value as number);
    this.projectName = options.projectName ?? 'default';
    this.enabled = options.enabled ?? true;
    this.processor = options.processor
      ? options.processor(this.counters)
      : new ImmediateSpanProcessor(options.exporter!, this.counters, this.flushTimeoutMillis);
  }

  /** False when disabled or shut down: traced calls then run untouched. */
  get isRecording(): boolean {
    return this.enabled && !this.isShutdown;
  }

  /** @internal Starts a span under `parent` (or a new trace). */
  startSpan(request: SpanRequest, inputs: { [key: string]: JsonValue }, parent: Span | undefined): Span {
    const span = new Span(
      { ...request, inputs, projectName: this.projectName, limits: this.limits },
      parent,
    );
    this.counters.spansStarted++;
    try { this.processor.onStart(span); } catch { /* a processor fault must not reach the traced call */ }
    return span;
  }

  /**
   * @internal Ends `span`. Returns a promise only when the delivery strategy
   * wants the traced call to wait for it; that promise never rejects.
   */
  endSpan(span: Span, status: RunStatus, outputs?: { [key: string]: JsonValue }, error?: string): Promise<void> | undefined {
    if (!span.end(status, outputs, error)) return undefined;
    this.counters.spansEnded++;
    try {
      return this.processor.onEnd(span);
    } catch {
      return undefined;
    }
  }

  /** Sends everything queued and waits for it and every in-flight export, within the deadline. */
  flush(options?: FlushOptions): Promise<FlushResult> {
    return this.processor.flush(this.withDeadline(options));
  }

  /** Waits until what was enqueued before this call is delivered or given up; later spans are not waited for. */
  awaitPendingTraceBatches(options?: FlushOptions): Promise<FlushResult> {
    return this.processor.awaitPending(this.withDeadline(options));
  }

  /** Flushes, then stops recording; spans ending later are counted as dropped. Idempotent. */
  shutdown(options?: FlushOptions): Promise<FlushResult> {
    this.isShutdown = true;
    return this.processor.shutdown(this.withDeadline(options));
  }

  /** Counters since the client was created. */
  stats(): TracingStats {
    return this.counters.snapshot(this.processor.pendingCount());
  }

  private withDeadline(options: FlushOptions | undefined): FlushOptions {
    return { timeoutMillis: options?.timeoutMillis ?? this.flushTimeoutMillis };
  }
}

function positive(setting: string, value: number): number {
  if (typeof value !== 'number' || !(value > 0)) throw new TracewireConfigError(setting, value, 'a number greater than 0');
  return value;
}
