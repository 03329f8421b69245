import { resolveOtlpSettings, type OtlpOptions, type OtlpProtocol, type OtlpSettings } from '../../config-otlp.js';
import { recordsOf, takesRecords, type RecordBatch } from '../record-batch.js';
import { runtimeEnv } from '../../runtime-env.js';
import { optionsObject } from '../../config-env.js';
import { secretsRedactor, type SecretsRedactor } from '../http/redact-secrets.js';
import { reusableBody } from '../http/body-pool.js';
import { utf8BodyOf } from '../http/utf8-body.js';
import { answerLater, EXPORT_NOW, exportsByCallback, notEncodable, postMaybeGzipped, type ExportDone } from '../callback-export.js';
import { JSON_TYPE, type Transport } from '../http/transport.js';
import { nameDestinationIdentities } from '../destination-identity.js';
import { stringify } from '../../natives.js';
import { EXPORT_OK, type ExportBatch, type ExportOptions, type ExportResult, type SpanExporter } from '../span-exporter.js';
import { toOtlpRequest, type ServiceSpan } from './otlp-request.js';
import type { OtlpExportRequest } from './otlp-types.js';
import { OtlpJsonRequest, recordSpanJson } from './otlp-json-text.js';
import { PendingStarts } from './pending-starts.js';
import { loadProtobufEncoder } from './protobuf-encoder.js';
import { readOtlpJsonAnswer } from './otlp-answer.js';
import type { AnswerReader } from '../http/partial-success.js';
import { otlpSpanOf } from './to-otlp-span.js';
import { runSpans } from './run-spans.js';
import { SERVICE_FROM_PROJECT } from '../client-offers.js';
import { SealedBatch } from '../sealed-batch.js';
import { OtlpFraming } from './seal-otlp.js';
import { OtlpResource } from './otlp-resource.js';
import { TRACEWIRE_USER_AGENT } from '../../version.js';
import { withRequestDeadline } from '../http/request-deadline.js';
import { answerWithDelivered, halveRequest, PAYLOAD_TOO_LARGE, sendInOrder, type DeliveredRuns } from '../http/request-sequence.js';
import { pacedSend } from '../http/paced-requests.js';
import { BatchOps } from '../batch-ops.js';

/** Options of an {@link OtlpHttpExporter}; each falls back to the standard `OTEL_*` variable named on it. */
export type OtlpHttpExporterOptions = OtlpOptions;

const utf8 = new TextEncoder();

/**
 * Sends runs as OpenTelemetry spans over OTLP/HTTP (`POST {endpoint}/v1/traces`),
 * to a collector or any OTLP backend (Jaeger, Tempo, Honeycomb, Phoenix…).
 *
 * OTLP spans cannot be updated after they are sent, so a span leaves once its
 * run has ended. A run exported while still in progress (its start in one
 * batch, its end later as a patch) is held back: its inputs are remembered
 * (up to `maxPendingStarts` runs, oldest dropped first) and joined with its
 * end. A run whose start was forgotten is sent without inputs.
 *
 * `http/json` needs nothing beyond Node. `http/protobuf` uses the encoder of
 * `@opentelemetry/otlp-transformer`, loaded only by an exporter that asks for it.
 *
 * Header values (often credentials) are never part of an error, a log line or
 * this object's enumerable state.
 */
export class OtlpHttpExporterBase implements SpanExporter {
  readonly #settings: OtlpSettings;
  readonly #transport: Transport;
  readonly #pending: PendingStarts;
  readonly #encode: (request: OtlpExportRequest) => Uint8Array;
  /** What reads a 2xx answer's `partial_success`, in the protocol's encoding. */
  readonly #readAnswer: AnswerReader | undefined;
  readonly #headers: Readonly<Record<string, string>>;
  /** Cuts the settings' secrets (header values, the URL's query values and credentials) out of a failure's message. */
  readonly #redact: SecretsRedactor;
  /** http/json: the pipeline's records are written as OTLP/JSON text directly. */
  readonly #jsonText: boolean;
  /** How this exporter's batches are sealed and read back. */
  readonly #framing: OtlpFraming;
  /** The resource every request's spans go under: tracewire's SDK attributes and `OTEL_RESOURCE_ATTRIBUTES`, read once. */
  readonly #resource: OtlpResource;
  /** Runs of a batch already delivered by some of its requests (a batch refused as too large goes in parts), while the batch may be retried. */
  readonly #delivered: DeliveredRuns = new WeakMap();
  /** `service.name`: `serviceName`, else `OTEL_SERVICE_NAME`, else `OTEL_RESOURCE_ATTRIBUTES`'s, else the client's project; set by none, each run's project. */
  #serviceName: string | undefined;

  /** @internal The public classes pass the transport of their runtime. */
  protected constructor(options: OtlpHttpExporterOptions, transport: Transport) {
    this.#transport = transport;
    // `header` for `headers` would send no credentials, silently: every export a 401.
    options = optionsObject(options, 'OtlpHttpExporter', ['endpoint', 'tracesEndpoint', 'headers', 'serviceName', 'resourceAttributes', 'spanLimits', 'protocol', 'gzip', 'maxPendingStarts', 'timeoutMillis']);
    // Locals, not the fields read back: each `this.#` read is bytes of every bundle.
    const settings = (this.#settings = resolveOtlpSettings(options, runtimeEnv()));
    this.#serviceName = settings.serviceName;
    this.#redact = secretsRedactor(settings.secrets);
    this.#pending = new PendingStarts(settings.maxPendingStarts);
    const jsonText = (this.#jsonText = settings.protocol === 'http/json'); // else http/protobuf, the only other protocol
    // http/json: a batch of ended runs that waits is sealed into its request body when the next one closes (see `SealedBatch`).
    const resource = (this.#resource = new OtlpResource(settings.resourceAttributes));
    const framing = (this.#framing = new OtlpFraming(() => this.#serviceName, resource, settings.spanLimits));
    // One about to be sent is not sealed: its records are written into a body used again once the request is over.
    // Node's HTTP client is loaded as the first span starts, while the traced code runs, not in the first export.
    takesRecords(this, jsonText ? (records, toWait) => (toWait ? framing.sealRecords(records) : undefined) : undefined, () => transport.prepare?.(settings.url));
    // tracewire's User-Agent under the configured headers (a user's own wins); these under the body's own Content-Type
    // and Content-Encoding, which must win.
    const headers: Record<string, string> = { 'user-agent': TRACEWIRE_USER_AGENT, ...settings.headers, 'content-type': jsonText ? JSON_TYPE : 'application/x-protobuf' };
    delete headers['content-encoding'];
    if (settings.gzip) headers['content-encoding'] = 'gzip';
    this.#headers = headers;
    // Its place, credentials and resource, and the service its spans go under: what a spool file of its runs is replayed to.
    nameDestinationIdentities(this, () => new Map([['', stringify([settings.url.href, settings.headers, this.#serviceName, [...settings.resourceAttributes]])]]));
    if (jsonText) {
      this.#encode = (request) => utf8.encode(JSON.stringify(request));
      this.#readAnswer = readOtlpJsonAnswer;
    } else {
      const encode = (this.#encode = loadProtobufEncoder(settings.protocolSetting));
      this.#readAnswer = encode.readAnswer;
    }
  }

  /** @internal Told by its client: a run may record in a caller's project, but the service is still this one. */
  [SERVICE_FROM_PROJECT](projectName: string): void {
    this.#serviceName ??= projectName;
  }

  /** The URL spans are posted to, without credentials or query. */
  get url(): string {
    const url = this.#settings.url;
    return url.origin + url.pathname;
  }

  /** How bodies are encoded. */
  get protocol(): OtlpProtocol {
    return this.#settings.protocol;
  }

  /** Sends the batch's ended runs as spans (a run still in progress is held until its end comes); never rejects (see {@link SpanExporter.export}). */
  export(batch: ExportBatch, options: ExportOptions): Promise<ExportResult> {
    return new Promise<ExportResult>((resolve) => this[EXPORT_NOW](batch, options, resolve));
  }

  /**
   * @internal `export` by callback: the pipeline's way (see `CallbackExporter`). A batch goes as one request. One
   * the server (or a proxy before it: nginx takes 1 MB by default) refuses as too large (413) goes again at once as
   * two requests of half its runs, down to one run, which alone is refused if still too large; a retry of a batch
   * some of whose requests got through sends only the rest.
   */
  [EXPORT_NOW](batch: ExportBatch, options: ExportOptions, done: ExportDone): void {
    const delivered = this.#delivered.get(batch);
    if (delivered !== undefined) return this.#sendParts(batch, (ops) => [ops.all().filter((i) => !delivered.has(ops.keys[i]!))], options, done);
    this.#post(batch, options, (result) => {
      if (result.ok || result.status !== PAYLOAD_TOO_LARGE) return done(result);
      this.#sendParts(batch, (ops) => halveRequest(ops.all()) ?? [], options, done, result);
    });
  }

  /**
   * Sends `batch`'s operations in the requests `partsOf` makes of them, one after another (see `sendInOrder`);
   * `refused`, the answer if they make none (a single run refused as too large).
   */
  #sendParts(batch: ExportBatch, partsOf: (ops: BatchOps) => ReadonlyArray<readonly number[]>, options: ExportOptions, done: ExportDone, refused: ExportResult = EXPORT_OK): void {
    let ops: BatchOps;
    let parts: Array<readonly number[]>;
    try {
      ops = new BatchOps(batch);
      parts = partsOf(ops).filter((part) => part.length > 0);
    } catch (error) {
      return answerLater(done, notEncodable(error));
    }
    const answer = answerWithDelivered(this.#delivered, batch, done);
    if (parts.length === 0) return answerLater(answer, refused);
    const send = pacedSend((part: readonly number[], answered: ExportDone): void => this.#post(ops.part(part), options, answered), options);
    sendInOrder(this.#delivered, batch, parts, (part) => part.map((i) => ops.keys[i]!), 0, send, answer, halveRequest);
  }

  /** `batch` as one request. */
  #post(batch: ExportBatch, options: ExportOptions, done: ExportDone): void {
    const spans: ServiceSpan[] = [];
    const joined: string[] = [];
    let body: Uint8Array | undefined;
    let pooled = false;
    try {
      const records = recordsOf(batch);
      if (batch instanceof SealedBatch && batch.framing === this.#framing) {
        body = batch.body;
      } else if (records !== undefined) {
        const request = new OtlpJsonRequest(this.#resource);
        this.#addRecords(records, request, spans, joined);
        if (!request.empty) body = utf8BodyOf(request.text(), undefined, undefined, reusableBody); // a body the transport gives back to the pool
        pooled = body !== undefined;
      } else {
        runSpans(batch, this.#pending, this.#serviceName, spans, joined, this.#settings.spanLimits);
      }
      if (body === undefined) {
        if (spans.length === 0) return answerLater(done, EXPORT_OK);
        body = this.#encode(toOtlpRequest(spans, this.#resource));
      }
    } catch (error) {
      // A record that cannot be mapped will not map on a retry either.
      return answerLater(done, notEncodable(error));
    }
    let answered = (answer: ExportResult): void => {
      const result = this.#redact(answer);
      // Inputs stay remembered while the pipeline may retry this batch, or close its runs (see PendingStarts.answered).
      this.#pending.answered(joined, result);
      done(result);
    };
    const settings = this.#settings;
    // The exporter's own timeout, when one is set (OTEL_EXPORTER_OTLP_TIMEOUT): within the pipeline's deadline of the attempt.
    const timeout = settings.timeoutMillis;
    if (timeout !== undefined) [options, answered] = withRequestDeadline(options, timeout, () => new Error(`OTLP request timed out after ${timeout} ms (${settings.timeoutSetting})`), answered);
    postMaybeGzipped(this.#transport, settings.gzip, { url: settings.url, headers: this.#headers, body, bodyReusable: pooled, options, readAnswer: this.#readAnswer }, answered);
  }

  /**
   * The pipeline's own batch, in one loop over posts then patches: its compact
   * records (numeric times, inputs as JSON already); for http/json each
   * span's text goes straight into `request`'s (no object graph to stringify,
   * no object or closure call per span), else the object of that text into `spans`. Apart
   * from {@link EXPORT_NOW}: V8 optimizes the function this loop runs in, and
   * inlined all of the export's once-per-request code with it (~3 ms of
   * TurboFan work in a fresh process's first flush).
   */
  #addRecords(records: RecordBatch, request: OtlpJsonRequest, spans: ServiceSpan[], joined: string[]): void {
    const serviceName = this.#serviceName;
    const limits = this.#settings.spanLimits;
    const posts = records.postRecords;
    const count = posts.length + records.patchRecords.length;
    for (let i = 0; i < count; i++) {
      const isPost = i < posts.length;
      const record = isPost ? posts[i]! : records.patchRecords[i - posts.length]!;
      let startInputs: string | undefined;
      if (record.endMicros === undefined) {
        // A start still running: nothing to send yet; its inputs wait for its end.
        if (isPost && record.inputsJson !== undefined) this.#pending.remember(record.id, record.inputsJson);
        continue;
      }
      if (!isPost) {
        startInputs = this.#pending.get(record.id);
        if (startInputs !== undefined) joined.push(record.id);
      }
      if (this.#jsonText) request.add(serviceName ?? record.projectName, recordSpanJson(record, startInputs, undefined, limits));
      else spans.push({ serviceName: serviceName ?? record.projectName, span: otlpSpanOf(recordSpanJson(record, startInputs, undefined, limits), record.metadata, record.events) });
    }
  }

  /** Closes the keep-alive connections of Node's `http` (with `fetch`, nothing: it owns its connections). */
  async shutdown(): Promise<void> {
    this.#transport.close();
  }
}

exportsByCallback(OtlpHttpExporterBase);

