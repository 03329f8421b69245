import type { Run, RunEvent } from '../../model/run.js';
import type { RunRecord } from '../../model/run-record.js';
import { runLiteral, runOtel, type RunSource } from '../../model/run-literal.js';
import type { OtelIds } from '../../model/span-types.js';
import type { JsonValue } from '../../serialize/to-json-safe.js';
import { encodeUtf8 } from '../http/utf8-body.js';
import type { RecordBatch } from '../record-batch.js';
import { opFlags, OP_STATUS_SHIFT, SealedBatch, STATUSES, type SealedFraming } from '../sealed-batch.js';
import type { ExportBatch } from '../span-exporter.js';
import { OtlpJsonRequest, recordSpanJson } from './otlp-json-text.js';
import type { OtlpResource } from './otlp-resource.js';
import { runSpanJson } from './to-otlp-span.js';
import type { SpanLimits } from '../../config-span-limits.js';
import { OTHER_ATTRIBUTES_MAX } from './otlp-span-limits.js';
import { parse } from '../../natives.js';

type JsonObject = { [key: string]: JsonValue };

/** No spans' byte ranges: an OTLP batch is always one request, never cut. */
const NO_RANGES = new Uint32Array(0);

/**
 * What a span's OTLP/JSON leaves out or maps one way only, kept beside a
 * sealed batch for reading its runs back: the metadata object (OTLP flattens
 * it), and, only where a run has them, its events, its error text, its
 * OpenTelemetry ids, its trace id (when not its own id) and its parent's id.
 * References to what the runs already shared: no object per run.
 */
class OtlpAside {
  readonly metadata: JsonObject[] = [];
  events: RunEvent[][] | undefined;
  errors: string[] | undefined;
  otel: OtelIds[] | undefined;
  traceIds: string[] | undefined;
  parentIds: string[] | undefined;
}

/** An attribute as OTLP/JSON has it. */
interface JsonAttribute {
  readonly key: string;
  readonly value: { readonly stringValue?: string; readonly arrayValue?: { readonly values: ReadonlyArray<{ readonly stringValue: string }> } };
}

/** A span as its sealed body has it, parsed: only what `runOf` reads. */
interface JsonSpan {
  readonly name: string;
  readonly startTimeUnixNano: string;
  readonly endTimeUnixNano: string;
  readonly attributes: readonly JsonAttribute[];
}

/** OTLP's decimal nanoseconds back as the microseconds `microsToUnixNano` wrote them from. */
function microsOf(nanos: string): number {
  return Number(nanos.slice(0, -3));
}

/**
 * @internal How the OTLP exporter's http/json batches are sealed (see
 * `SealedBatch`) and read back. A batch is sealed only when it is one
 * request's spans in batch order: runs that ended (no start waiting for its
 * end, no end joined with inputs remembered from its start) of one service,
 * under span limits that leave what `runOf` reads back whole (no value length
 * limit, room for every attribute but the metadata's, which is kept aside and
 * alone may be cut). Any other batch keeps its records, and the exporter encodes it at
 * export.
 */
export class OtlpFraming implements SealedFraming {
  readonly #asides = new WeakMap<SealedBatch, OtlpAside>();
  readonly #parsed = new WeakMap<SealedBatch, readonly JsonSpan[]>();
  /** Batches sealed from runs (`sealRuns`): their runs, as given. */
  readonly #runs = new WeakMap<SealedBatch, readonly Run[]>();

  /** The exporter's `service.name`, read when a batch is sealed; undefined: each run's project. */
  private declare readonly serviceName: () => string | undefined;
  /** The exporter's resource, which sealed bodies are written under. */
  private declare readonly resource: OtlpResource;
  /** The exporter's span limits, which sealed bodies are written within. */
  private declare readonly limits: SpanLimits;

  constructor(serviceName: () => string | undefined, resource: OtlpResource, limits: SpanLimits) {
    this.serviceName = serviceName;
    this.resource = resource;
    this.limits = limits;
  }

  /** `records` as one OTLP/JSON request body, or undefined if they are not all ended runs of one service. */
  sealRecords(records: RecordBatch): SealedBatch | undefined {
    const posts = records.postRecords;
    const limits = this.limits;
    if (records.patchRecords.length > 0 || posts.length === 0 || limits.attributeValueLengthLimit !== Infinity || limits.attributeCountLimit < OTHER_ATTRIBUTES_MAX) return undefined;
    const named = this.serviceName();
    const service = named ?? posts[0]!.projectName;
    for (let i = 0; i < posts.length; i++) {
      const record = posts[i]!;
      if (record.endMicros === undefined || (named === undefined && record.projectName !== service)) return undefined;
    }
    const request = new OtlpJsonRequest(this.resource);
    const flags = new Uint8Array(posts.length);
    const aside = new OtlpAside();
    for (let i = 0; i < posts.length; i++) {
      const record = posts[i]!;
      request.add(service, recordSpanJson(record, undefined, undefined, limits));
      flags[i] = opFlags(false, true, record.status, record.error);
      keepAside(aside, i, record);
    }
    const sealed = new SealedBatch(this, encodeUtf8(request.text()), NO_RANGES, flags, aside.otel?.map(runOtel));
    this.#asides.set(sealed, aside);
    return sealed;
  }

  runOf(batch: SealedBatch, index: number): Run {
    const runs = this.#runs.get(batch);
    if (runs !== undefined) return runs[index]!;
    let spans = this.#parsed.get(batch);
    if (spans === undefined) {
      const request = parse(new TextDecoder().decode(batch.body)) as { resourceSpans: Array<{ scopeSpans: Array<{ spans: JsonSpan[] }> }> };
      spans = request.resourceSpans[0]!.scopeSpans[0]!.spans;
      this.#parsed.set(batch, spans);
    }
    const span = spans[index]!;
    const aside = this.#asides.get(batch)!;
    const attributes = new Map(span.attributes.map((attribute) => [attribute.key, attribute.value] as const));
    const text = (key: string): string | undefined => attributes.get(key)?.stringValue;
    const id = text('tracewire.run_id')!;
    const status = STATUSES[batch.flags[index]! >> OP_STATUS_SHIFT];
    const source: RunSource = {
      id,
      traceId: aside.traceIds?.[index] ?? id,
      parentId: aside.parentIds?.[index],
      dottedOrder: text('tracewire.dotted_order')!,
      name: span.name,
      runType: text('tracewire.run_type') as Run['run_type'],
      projectName: text('tracewire.session_name')!,
      startMicros: microsOf(span.startTimeUnixNano),
      endMicros: microsOf(span.endTimeUnixNano),
      status,
      error: aside.errors?.[index],
      tags: attributes.get('tracewire.tags')?.arrayValue?.values.map((value) => value.stringValue) ?? [],
      metadata: aside.metadata[index]!,
      events: aside.events?.[index] ?? [],
      otel: aside.otel?.[index],
    };
    const inputs = text('input.value');
    const outputs = text('output.value');
    return runLiteral(source, inputs === undefined ? undefined : (parse(inputs) as JsonObject), true, outputs === undefined ? undefined : (parse(outputs) as JsonObject));
  }

  /** Ended runs (what a sealed batch holds) sealed again, as the exporter would send them. */
  sealRuns(runs: ExportBatch, keys: object[]): SealedBatch {
    const all = [...runs.post, ...runs.patch];
    const request = new OtlpJsonRequest(this.resource);
    for (const run of all) request.add(this.serviceName() ?? run.session_name, runSpanJson(run, undefined, this.limits));
    const flags = Uint8Array.from(all, (run, i) => opFlags(i >= runs.post.length, true, run.status, run.error));
    const sealed = new SealedBatch(this, encodeUtf8(request.text()), NO_RANGES, flags, undefined, keys);
    this.#runs.set(sealed, all);
    return sealed;
  }
}

/** Keeps beside the batch what the span's JSON of `record` (operation `index`) does not give back. */
function keepAside(aside: OtlpAside, index: number, record: RunRecord): void {
  aside.metadata[index] = record.metadata;
  if (record.events.length > 0) (aside.events ??= [])[index] = record.events;
  if (record.error !== undefined) (aside.errors ??= [])[index] = record.error;
  if (record.otel !== undefined) (aside.otel ??= [])[index] = record.otel;
  if (record.traceId !== record.id) (aside.traceIds ??= [])[index] = record.traceId;
  if (record.parentId !== undefined) (aside.parentIds ??= [])[index] = record.parentId;
}
