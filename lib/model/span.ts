import { toJsonSafe, type JsonValue } from '../serialize/to-json-safe.js';
import { nowMicros, toIsoMicros } from './clock.js';
import { dottedOrderOf, lastSegmentMicros } from './dotted-order.js';
import { uuidv7 } from './ids.js';
import { keepsParentTrace, langsmithKeepsTrace } from './trace-sampling.js';
import type { Run, RunEvent, RunStatus, RunType } from './run.js';
import { RunRecord } from './run-record.js';
import { runLiteral } from './run-literal.js';
import type { TracingClient } from '../client/tracing-client.js';
import type { ActiveSpan, OtelIds, RemoteOrigin, SpanParent, SpanRequest } from './span-types.js';
import { freeze, hasOwn, isRecord, keys } from '../natives.js';
import { cutString, jsonStringBytes, thrownMessage } from '../serialize/text.js';

type JsonObject = { [key: string]: JsonValue };

/** Fixed JSON cost of a run record besides inputs and outputs: ids, times, names, braces. */
const RECORD_OVERHEAD_BYTES = 420;
/** An event's JSON besides its name and kwargs: keys, its time, braces. */
const EVENT_OVERHEAD_BYTES = 60;

/** `value` as text (any value, never throwing: a key may be a Symbol or an object without `toString`), at most `max` units. */
function limitedText(value: unknown, max: number): string {
  const text = typeof value === 'string' ? value : thrownMessage(value, Infinity);
  return text.length > max ? cutString(text, max) : text;
}
const NO_INPUTS: JsonObject = freeze({}) as JsonObject;
// Most spans never get tags, metadata or events: they share these until written.
const NO_TAGS: string[] = freeze([]) as unknown as string[];
const NO_METADATA: JsonObject = freeze({}) as JsonObject;
const NO_EVENTS: RunEvent[] = freeze([]) as unknown as RunEvent[];

/**
 * @internal The mutable span behind `ActiveSpan`; `toRun()` snapshots it for export.
 *
 * Its fields stay ES2022 class fields. Declared and written once in the
 * constructor instead (one initializer call fewer per span), a traced sync
 * call with a custom exporter measured ≈ 400 ns slower in steady state
 * (bench/overhead.js --no-peer --cpu, B sync ON, 4 interleaved runs:
 * 1 516–1 793 ns against 1 142–1 404 with class fields).
 */
export class Span implements ActiveSpan {
  readonly id: string;
  readonly traceId: string;
  readonly parentId: string | undefined;
  /** @internal The parent's dotted order (undefined for a root): shared by siblings, so a record holds no copy. */
  readonly parentDottedOrder: string | undefined;
  readonly startMicros: number;
  name: string;
  readonly runType: RunType;
  /** The client this span reports to; children without a client of their own report there too. */
  client!: TracingClient;
  /**
   * @internal The inputs captured at call time: their JSON-safe value, or
   * their JSON text when captured straight to text (primitive arguments, a
   * built-in exporter). One field for both: every field is 8 bytes of
   * every traced call's garbage.
   */
  inputs: JsonObject | string = NO_INPUTS;
  tags: string[];
  metadata: JsonObject;
  readonly projectName: string;
  readonly sampled: boolean;
  /** Approximate JSON size of the whole record, kept current for batch byte limits. */
  payloadBytes: number;
  /** @internal Set once the run's creation (`post`) has been put into an export batch; later records are `patch`es. */
  startSent = false;
  /** @internal The queue holds room for this span's end. */
  endReserved = false;
  /**
   * @internal The span is its own start event in the pipeline: true from
   * that start's admission until the span ends, so its end can merge into
   * it (while not yet taken for sending) instead of travelling apart.
   */
  startQueued = false;
  /** @internal The bytes its start holds of the queue budget: `payloadBytes` when it was admitted. */
  queuedBytes = 0;
  /** @internal Its queued start absorbed its end: the start travels as one complete run, and no end event was queued. */
  endMerged = false;
  /** @internal The closed batch holding that start event (undefined while it is in the open batch). */
  startBatch: { readonly taken: boolean; readonly outcome: unknown; endCount: number; bytes: number } | undefined;
  /** @internal The outputs recorded at the end: as {@link inputs}, a value or its JSON text. */
  outputs: JsonObject | string | undefined;
  status: RunStatus | undefined;
  endMicros: number | undefined;
  #dotted: string | undefined;
  /**
   * @internal What few spans have (see {@link SpanRarities}); made on first
   * write. Read directly on a traced call's path (`rare === undefined`: no
   * override, no events, no error) rather than through the getters: a
   * getter is a call, paid unoptimised in a fresh process.
   */
  rare: SpanRarities | undefined;

  constructor(request: SpanRequest, projectName: string, sampleRate: number, parent: SpanParent | undefined, id?: string) {
    this.startMicros = nowMicros();
    this.id = id ?? uuidv7(Math.floor(this.startMicros / 1000));
    if (parent === undefined) {
      this.traceId = this.id;
      this.parentId = undefined;
      this.parentDottedOrder = undefined;
      this.metadata = request.metadata ?? NO_METADATA;
      // The rate checked here, not only in langsmithKeepsTrace: at 1 (the default) one call fewer on every root.
      this.sampled = sampleRate >= 1 || langsmithKeepsTrace(this.id, sampleRate);
    } else {
      const dottedOrder = parent.dottedOrder;
      // Only a remote parent can lack one: known by its W3C ids alone, no run stands for it in LangSmith, so the span
      // is a LangSmith root there (see SpanParent) and that parent's child in OpenTelemetry's trace.
      this.traceId = dottedOrder === undefined ? this.id : parent.traceId;
      this.parentId = dottedOrder === undefined ? undefined : parent.id;
      this.parentDottedOrder = dottedOrder;
      this.metadata = request.metadata === undefined ? parent.metadata : { ...parent.metadata, ...request.metadata };
      // A span's own is never undefined. A remote one's by its trace: every service of a request decides alike.
      this.sampled = parent.sampled ?? (sampleRate >= 1 || keepsParentTrace(parent, sampleRate));
      // `new.target`, not the class by name: a class naming itself in its own body is bundled (esbuild) as
      // `var Span = class _Span`, and every span then inspected as `_Span`. Nothing extends Span.
      if (parent instanceof new.target) {
        // Read in place, not through the getters: a call each, on every child span.
        const inherited = parent.rare;
        if (inherited !== undefined && (inherited.remote !== undefined || inherited.otel !== undefined || inherited.skewMicros !== 0 || inherited.mirror !== undefined)) {
          const rare = this.rarities();
          rare.remote = inherited.remote;
          rare.otel = inherited.otel?.children;
          rare.mirror = inherited.mirror?.child();
          // On its trace's clock, as its parent is (see below).
          this.startMicros += rare.skewMicros = inherited.skewMicros;
        }
        // Never before its parent, which LangSmith refuses ("dotted_order has timestamp … earlier than parent
        // timestamp"): the wall clock may have stepped back since the parent started (see nowMicros).
        if (parent.startMicros > this.startMicros) this.startMicros = parent.startMicros;
      } else {
        const rare = this.rarities();
        rare.remote = parent.remote;
        rare.otel = otelIdsOf(parent, this.traceId);
        // Never before its parent, here another service's run (or langsmith's): LangSmith refuses the child, and with
        // it the request that carries it ("dotted_order has timestamp … earlier than parent timestamp"), when this
        // host's clock is behind the caller's by more than the request took to arrive. The whole subtree moves by
        // as much (`skewMicros`): each span clamped on its own came out lasting 0 µs, all at the parent's instant.
        if (dottedOrder !== undefined) {
          const parentStart = lastSegmentMicros(dottedOrder);
          if (parentStart > this.startMicros) {
            rare.skewMicros = parentStart - this.startMicros;
            this.startMicros = parentStart;
          }
        }
      }
    }
    this.name = request.name;
    this.runType = request.runType;
    // The call site's tags are frozen and shared; addTags() replaces rather than mutates.
    this.tags = request.tags.length === 0 ? NO_TAGS : (request.tags as string[]);
    this.projectName = projectName;
    // dottedOrderLength written out (a segment is 22 characters of time and the id): one call fewer per span.
    this.payloadBytes = RECORD_OVERHEAD_BYTES + (this.parentDottedOrder === undefined ? 0 : this.parentDottedOrder.length + 1) + 22 + this.id.length;
  }

  /** @internal Set when the trace was continued from another service. */
  get remote(): RemoteOrigin | undefined {
    return this.rare?.remote;
  }

  /** @internal Its OpenTelemetry ids where they are not its LangSmith ones (see `OtelIds`). */
  get otel(): OtelIds | undefined {
    return this.rare?.otel;
  }

  /** @internal Outputs set through `setOutputs()`, serialized; they win over the call's result. */
  get outputsOverride(): { value: JsonValue; bytes: number } | undefined {
    return this.rare?.outputsOverride;
  }

  get events(): RunEvent[] {
    return this.rare?.events ?? NO_EVENTS;
  }

  get error(): string | undefined {
    return this.rare?.error;
  }

  /**
   * `<YYYYMMDDTHHMMSSffffffZ><id>` segments joined by `.`, root first. Made
   * on first read (a child's start, a header, an export): most spans are
   * never asked before their record is encoded.
   */
  get dottedOrder(): string {
    this.#dotted ??= dottedOrderOf(this.parentDottedOrder, this.startMicros, this.id);
    return this.#dotted;
  }

  /** @internal Lets go of the inputs once its start, which carried them, was delivered: its end goes without them. */
  releaseInputs(): void {
    this.inputs = NO_INPUTS;
  }

  /** Records the inputs captured at call time. */
  recordInputs(inputs: { value: JsonObject; bytes: number } | { json: string; bytes: number }): void {
    this.inputs = 'json' in inputs ? inputs.json : inputs.value;
    this.payloadBytes += inputs.bytes;
  }

  get isRecording(): boolean {
    return this.endMicros === undefined;
  }

  // What these four add is held by the pipeline with the span: each keeps to the serializer's limits (strings to
  // maxStringLength, maxItems keys, tags and events at most) and counts its bytes into payloadBytes, which the
  // queue budget takes when the span ends.

  setMetadata(key: string, value: unknown): this {
    if (!this.isRecording) return this;
    const limits = this.client.limits;
    const name = limitedText(key, limits.maxStringLength);
    const isNew = !hasOwn(this.metadata, name);
    if (isNew && keys(this.metadata).length >= limits.maxItems) return this;
    const serialized = toJsonSafe(value, limits);
    const bytes = serialized.bytes + (isNew ? jsonStringBytes(name) + 2 : 0);
    if (!this.client.roomFor(this, bytes)) return this;
    // Copy on write: the object may be shared with the parent or the call site.
    this.metadata = this.client.metadataOf(this, { ...this.metadata, [name]: serialized.value });
    this.payloadBytes += bytes;
    return this;
  }

  addTags(...tags: Array<string | readonly string[]>): this {
    if (!this.isRecording) return this;
    const { maxStringLength, maxItems } = this.client.limits;
    // An array given as one argument is its tags; what is not a string or a number is no tag (`null`, an object).
    let given: Array<string | number>;
    try {
      given = (tags as unknown[]).flat().filter((tag): tag is string | number => typeof tag === 'string' || typeof tag === 'number');
    } catch {
      return this; // an array that cannot be read (a revoked Proxy, a throwing element): no tags, and never a throw into the caller
    }
    const added = given.map((tag) => limitedText(tag, maxStringLength)).filter((tag, i, all) => !this.tags.includes(tag) && all.indexOf(tag) === i);
    const kept = added.slice(0, Math.max(0, maxItems - this.tags.length));
    let bytes = 0;
    for (const tag of kept) bytes += jsonStringBytes(tag) + 1;
    if (kept.length > 0 && this.client.roomFor(this, bytes)) {
      this.tags = [...this.tags, ...kept];
      this.payloadBytes += bytes;
    }
    return this;
  }

  addEvent(name: string, attributes?: Record<string, unknown>): this;
  addEvent(event: { readonly name?: string; readonly kwargs?: Record<string, unknown>; readonly message?: string }): this;
  addEvent(nameOrEvent: unknown, given?: Record<string, unknown>): this {
    if (!this.isRecording) return this;
    let name = nameOrEvent as string;
    let attributes = given;
    if (isRecord(nameOrEvent)) {
      // langsmith's form, read safely: a getter that throws leaves the event its defaults.
      const read = (key: string): unknown => {
        try {
          return nameOrEvent[key];
        } catch {
          return undefined;
        }
      };
      const [eventName, kwargs, message] = [read('name'), read('kwargs'), read('message')];
      name = typeof eventName === 'string' ? eventName : 'event';
      attributes = isRecord(kwargs) ? kwargs : undefined;
      if (message !== undefined) attributes = { ...attributes, message };
    }
    const limits = this.client.limits;
    const events = this.events;
    if (events.length >= limits.maxItems) return this;
    const event: RunEvent = { name: limitedText(name, limits.maxStringLength), time: toIsoMicros(this.nowMicros()) };
    let bytes = jsonStringBytes(event.name) + EVENT_OVERHEAD_BYTES;
    // Stryker disable next-line ConditionalExpression: `true` is equivalent (undefined serializes to null, which is not kept as kwargs: only speed differs); the `false` twin (kwargs never kept) is killed by langsmith-exporter.test.ts "a traced tree arrives as multipart parts that parse back…" (an event's kwargs)
    if (attributes !== undefined) {
      const kwargs = toJsonSafe(attributes, limits);
      if (isRecord(kwargs.value)) {
        event.kwargs = kwargs.value;
        bytes += kwargs.bytes;
      }
    }
    if (!this.client.roomFor(this, bytes)) return this;
    this.rarities().events = [...events, event];
    this.payloadBytes += bytes;
    return this;
  }

  setName(name: string): this {
    if (!this.isRecording || typeof name !== 'string' || name.length === 0) return this;
    const kept = limitedText(name, this.client.limits.maxStringLength);
    const bytes = kept.length - this.name.length;
    if (!this.client.roomFor(this, bytes)) return this;
    this.payloadBytes += bytes;
    this.name = kept;
    return this;
  }

  setOutputs(outputs: unknown): this {
    if (this.isRecording && this.sampled) this.rarities().outputsOverride = toJsonSafe(outputs, this.client.limits);
    return this;
  }

  /**
   * @internal The span's record for export, as {@link toRun} but compact
   * (see {@link RunRecord}): inputs and outputs become JSON text here, once.
   */
  toRecord(phase: 'start' | 'end' | 'full'): RunRecord {
    // Fields read in place, not through the getters (otel, error, events) or a helper call: in a fresh
    // process each call runs unoptimised, once per span (bench/calls-per-span.js).
    const ended = phase !== 'start' && this.endMicros !== undefined;
    const rare = this.rare;
    const inputs = this.inputs;
    const outputs = this.outputs;
    return new RunRecord(
      phase,
      this.id,
      this.traceId,
      this.parentId,
      rare === undefined ? undefined : rare.otel,
      this.parentDottedOrder,
      this.name,
      this.runType,
      this.projectName,
      this.startMicros,
      ended ? this.endMicros : undefined,
      ended ? this.status : undefined,
      ended && rare !== undefined ? rare.error : undefined,
      this.tags,
      this.metadata,
      rare === undefined ? NO_EVENTS : rare.events,
      phase === 'end' ? undefined : inputs === NO_INPUTS ? '{}' : typeof inputs === 'string' ? inputs : JSON.stringify(inputs),
      !ended || outputs === undefined ? undefined : typeof outputs === 'string' ? outputs : JSON.stringify(outputs),
    );
  }

  /**
   * A snapshot in the wire shape; fields that can still change are copied.
   * `start` leaves out whatever belongs to the end, even if the span has ended
   * since: the end travels in its own record. `end` is that record, the patch
   * of a run posted earlier: it leaves out the inputs, which went with the start.
   */
  toRun(phase: 'start' | 'end' | 'full' = 'full'): Run {
    const inputs = phase === 'end' ? undefined : jsonValue(this.inputs);
    const ended = phase !== 'start' && this.endMicros !== undefined;
    const outputs = !ended || this.outputs === undefined ? undefined : jsonValue(this.outputs);
    return runLiteral(this, inputs, ended, outputs);
  }

  /** @internal Its {@link SpanRarities}, made on first use. */
  rarities(): SpanRarities {
    return (this.rare ??= new SpanRarities());
  }

  /** @internal Now on this span's trace's clock: this host's, moved as far as its caller's is ahead (see `skewMicros`). */
  nowMicros(): number {
    return nowMicros() + (this.rare?.skewMicros ?? 0);
  }
}

/**
 * What few spans have — a remote parent, explicit outputs, events, an
 * error — apart, in one object made on first write: each field on `Span`
 * itself would be 8 more bytes of garbage on every traced call, which
 * almost never sets them. One class, every field set in its constructor:
 * one shape, whatever is written first.
 * @internal
 */
export class SpanRarities {
  remote: RemoteOrigin | undefined = undefined;
  otel: OtelIds | undefined = undefined;
  outputsOverride: { value: JsonValue; bytes: number } | undefined = undefined;
  events: RunEvent[] = NO_EVENTS;
  error: string | undefined = undefined;
  /** Something it recorded was left out for want of queue room (counted once in `stats().trimmed`). */
  trimmed = false;
  /** Stops watching what its call handed back for consumption (see `watchConsumption`): called once, as it ends. */
  unwatch: (() => void) | undefined = undefined;
  /**
   * Ends it, as an error saying `why`, the way its call would: a stream's values so far kept, the call's `onEnd`
   * called. For what ends a span its call did not (shutdown, exit); set only where there is more to do than
   * ending it (a stream, an `onEnd`).
   */
  forcedEnd: ((why: string) => void) | undefined = undefined;
  /**
   * How far (µs) its trace's times are ahead of this host's clock: as far as the caller's clock was ahead when the
   * trace arrived (its parent's time in `langsmith-trace` later than this host's now), so that no run starts before
   * its parent, and every duration stays what this host measured. Inherited by its children.
   */
  skewMicros = 0;
  /** Where it is listed in a langsmith run's `child_runs`, for a span under one (see `RunMirror`). Inherited by its children. */
  mirror: RunMirror | undefined = undefined;
}

/**
 * @internal A span's place in the `child_runs` of the langsmith run it is under (directly, or through tracewire
 * spans listed there): see `lib/propagation/langsmith-child-runs.ts`.
 */
export interface RunMirror {
  /** The place of a child span: in this span's own listed run. */
  child(): RunMirror | undefined;
  /** The span started, its inputs recorded: it is listed. */
  started(span: Span): void;
  /** The span ended: its listed run is brought up to date. */
  ended(span: Span): void;
}

/**
 * @internal A span's W3C trace id, as a UUID: its `traceId` unless it is a
 * LangSmith root under an OpenTelemetry parent (see `SpanParent`). A function,
 * not a getter: only propagation and the bridge read it, and a bundle that
 * uses neither leaves it out.
 */
export function otelTraceIdOf(span: Span): string {
  return span.rare?.otel?.traceId ?? span.traceId;
}

/**
 * The OpenTelemetry ids of a span whose parent is `remote`, and of its
 * descendants when their W3C trace is not their LangSmith `traceId` or the
 * trace came with a `tracestate`: OpenTelemetry's SDK gives every span of a
 * trace its parent's trace state, so each descendant carries it to OTLP too
 * (one object shared by all of them, made here, once per continued trace).
 */
function otelIdsOf(remote: SpanParent, traceId: string): OtelIds {
  const otelParent = remote.otelParent;
  const otelTraceId = otelParent === undefined ? remote.traceId : otelParent.traceId;
  const tracestate = remote.remote?.tracestate;
  let children: { -readonly [K in keyof OtelIds]: OtelIds[K] } | undefined;
  if (otelTraceId !== traceId || tracestate !== undefined) {
    children = { traceId: otelTraceId, parentId: undefined, parentIsRemote: false, entry: false, tracestate, children: undefined };
    children.children = children;
  }
  const parentId = remote.dottedOrder === undefined ? remote.id : otelParent?.id;
  return { traceId: otelTraceId, parentId, parentIsRemote: remote.isRemote ?? remote.remote !== undefined, entry: true, tracestate, children };
}

/** Captured inputs or outputs as a value (text captured as such is parsed back). */
function jsonValue(captured: JsonObject | string): JsonObject {
  return typeof captured === 'string' ? (JSON.parse(captured) as JsonObject) : captured;
}
