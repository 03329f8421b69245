import type { LangSmithSettings } from '../../config-langsmith.js';
import type { IngestLimitsFetch, LangSmithExporterOptions } from './langsmith-exporter-options.js';
import { runtimeEnv } from '../../runtime-env.js';
import { booleanOption, optionsObject } from '../../config-env.js';
import { refuse } from '../../errors.js';
import { takesRecords } from '../record-batch.js';
import { readLangSmithAnswer } from './langsmith-answer.js';
import { secretsRedactor, type SecretsRedactor } from '../http/redact-secrets.js';
import { JSON_TYPE, type Transport } from '../http/transport.js';
import { answerLater, EXPORT_NOW, exportsByCallback, notEncodable, postMaybeGzipped, type ExportDone } from '../callback-export.js';
import { destinationLabels, keysOf, nameDestinations } from '../replicated.js';
import { nameDestinationIdentities } from '../destination-identity.js';
import { stringify } from '../../natives.js';
import { EXPORT_OK, type ExportBatch, type ExportOptions, type ExportResult, type SpanExporter } from '../span-exporter.js';
import { answerWithDelivered, halveRequest, sendInOrder, type DeliveredRuns } from '../http/request-sequence.js';
import { pacedSend } from '../http/paced-requests.js';
import { DEFAULT_INGEST_LIMITS, type IngestLimits } from './server-info.js';
import { SealedBatch } from '../sealed-batch.js';
import { sealRecords, sealRuns } from './seal-batch.js';
import { LangSmithFraming, splitIntoRequests } from './wire-body.js';
import { newBoundary, type LangSmithWireMode } from './wire-op.js';
import { destinationLabel, langsmithDestinations, rewriteFor, type LangSmithDestination } from './replica-destinations.js';
import { wireReplicas, type Framings, type ReplicaWiring } from './replica-wiring.js';
import { requestUrl } from './request-url.js';
import { runExtraBlock, type RunExtraBlock, type RunExtraSources } from './traced-runtime-info.js';
import { SAMPLE_RATE_FROM_CLIENT } from '../client-offers.js';
import { hiddenByEnv, sampleRateInEnv } from '../../config.js';

export type { IngestLimitsFetch, LangSmithExporterOptions } from './langsmith-exporter-options.js';

/** A 404 or 405 from `/runs/multipart`: the server predates it. */
function NO_MULTIPART(status: number | undefined): boolean {
  return status === 404 || status === 405;
}

/**
 * Sends runs to LangSmith's run-ingestion API (`POST /runs/multipart`, or
 * `POST /runs/batch`), or to anything that speaks it, such as tracewire's
 * local collector.
 *
 * A batch larger than the server's limits (`/info`: runs and bytes per
 * request) goes as several requests, one after another; it counts as
 * delivered when all of them are. If one fails, its failure is the
 * export's, naming the runs that did get through (`delivered`): when the
 * pipeline retries that batch only the others go again, and only they are
 * counted failed or spooled.
 *
 * With several destinations (`LANGSMITH_RUNS_ENDPOINTS`: langsmith's write
 * replicas), every batch goes to each, at once, through a sender of each
 * one's own (its key, workspace, `/info` limits and wire mode), and each
 * replica with a project of its own gets the runs there, re-keyed as
 * langsmith re-keys them (see `ReplicaFanOut`, `IdPolicy`).
 *
 * The API key travels only in the `x-api-key` header; it is never part of a
 * log line, an error message or `stats()`. Nor are the endpoint's query
 * (sent on every request) and `user:password@` (sent as `Authorization: Basic`).
 */
export class LangSmithExporterBase implements SpanExporter {
  // A true private field: inspecting or serialising the exporter (or a client holding it) never shows the key.
  readonly #settings: LangSmithSettings;
  // Private too: its agents' sockets may still point at a failed request and its headers.
  readonly #transport: Transport;
  readonly #fetchIngestLimits: IngestLimitsFetch;
  readonly #gzip: boolean;
  readonly #fetchServerInfo: boolean;
  #wireMode: LangSmithWireMode;
  #limits: Promise<IngestLimits> | undefined;
  /** The server's limits once known: later exports go on at once, not a promise's turn later. */
  #knownLimits: IngestLimits | undefined;
  /** Runs of a batch already delivered by some of its requests, while the batch may be retried. */
  readonly #delivered: DeliveredRuns = new WeakMap();
  /** Made once: every request of an exporter goes to one of two URLs with the same credentials. */
  readonly #urls: Readonly<Record<LangSmithWireMode, URL>>;
  readonly #authHeaders: Readonly<Record<string, string>>;
  /** Cuts the API key and the endpoint's query values and credentials, in any encoding a server may quote them in, out of a failure's message; undefined without any. */
  readonly #redact: SecretsRedactor | undefined;
  /** Both wire forms, with one boundary for the exporter's life: batches sealed apart are sent together. Made by {@link #framings}. */
  #madeFramings: Framings | undefined;
  /** What every run's `extra` carries besides its own, made once (see `RunExtraBlock`); a replica's sender has its group's framings instead. */
  #extraBlock: RunExtraBlock | undefined;
  /** What {@link #extraBlock} was made of, until a client's `sampleRate` is offered (the first offer is taken). */
  #extraSources: RunExtraSources | undefined;
  /** Batches of a caller's own (or the pipeline's unsealed records) as sealed here, while they may be retried; a replica's, shared with those writing alike. */
  readonly #sealed: WeakMap<ExportBatch, SealedBatch>;
  /** A replica's: its group's wire forms (see `ReplicaWiring`), and how its runs differ from the pipeline's, if they do. */
  readonly #groupFramings: (() => Framings) | undefined;
  readonly #rewrite: ((batch: ExportBatch) => ExportBatch) | undefined;
  /** With several destinations: the sender of each. */
  #replicas: readonly LangSmithExporterBase[] | undefined;

  /**
   * @internal The public classes pass the transport of their runtime and its way to ask `/info`; the exporter that fans
   * out passes them on to each replica's sender, with its `wiring`.
   */
  protected constructor(options: LangSmithExporterOptions, transport: Transport, fetchIngestLimits: IngestLimitsFetch, wiring?: ReplicaWiring) {
    let destinations: LangSmithDestination[] = [];
    let extraBlock: RunExtraBlock | undefined;
    let extraSources: RunExtraSources | undefined;
    if (wiring === undefined) {
      // Read once into a snapshot (see `readOptions`): every check below, the replicas' included, reads that.
      options = optionsObject(options, 'LangSmithExporter', ['endpoint', 'apiKey', 'workspaceId', 'revisionId', 'gzip', 'mode', 'fetchServerInfo', 'omitTracedRuntimeInfo']);
      const env = runtimeEnv();
      destinations = langsmithDestinations(options, env);
      // Read once, as langsmith's client reads it when it is made: never per run.
      extraSources = {
        env,
        revisionId: destinations[0]!.settings.revisionId,
        revisionGiven: options.revisionId !== undefined,
        sampleRate: sampleRateInEnv(env),
        secrets: destinations.flatMap((destination) => destination.settings.secrets),
        omitTracedRuntimeInfo: booleanOption(options.omitTracedRuntimeInfo, 'omitTracedRuntimeInfo', false),
        hideMetadata: hiddenByEnv(env).metadata,
      };
      extraBlock = runExtraBlock(extraSources);
    }
    this.#transport = transport;
    this.#fetchIngestLimits = fetchIngestLimits;
    const { endpoint, authorization, secrets, apiKey, workspaceId } = (this.#settings = wiring?.settings ?? destinations[0]!.settings);
    this.#gzip = wiring?.gzip ?? booleanOption(options.gzip, 'gzip', false);
    this.#fetchServerInfo = wiring?.fetchServerInfo ?? booleanOption(options.fetchServerInfo, 'fetchServerInfo', true);
    const mode = wiring?.mode ?? options.mode ?? 'multipart';
    if (mode !== 'multipart' && mode !== 'batch') refuse('LangSmith mode', mode, 'multipart or batch');
    this.#wireMode = mode;
    this.#urls = { multipart: requestUrl(endpoint, '/runs/multipart'), batch: requestUrl(endpoint, '/runs/batch') };
    const headers: Record<string, string> = { Accept: JSON_TYPE };
    if (apiKey !== undefined) headers['x-api-key'] = apiKey;
    if (workspaceId !== undefined) headers['x-tenant-id'] = workspaceId;
    if (authorization !== undefined) headers.Authorization = authorization;
    this.#authHeaders = headers;
    // A replica's sender cuts every replica's secrets, not its own alone: they may share a gateway that quotes another's.
    const redacted = wiring?.secrets ?? secrets;
    this.#redact = redacted.length === 0 ? undefined : secretsRedactor(redacted);
    this.#extraBlock = extraBlock;
    this.#extraSources = extraSources;
    this.#sealed = wiring?.sealed ?? new WeakMap();
    this.#groupFramings = wiring?.framings;
    this.#rewrite = wiring?.rewrite;
    if (wiring !== undefined) return; // a replica's sender: the pipeline's exporter is the one that fans out
    // Each destination's place and credentials, and the project it sets: what a spool file of its runs is replayed to.
    // Its labels are named below (one destination, or a fan-out's, in the destinations' order).
    const identities = destinations.map(({ settings, project }) => stringify([settings.endpoint.href, settings.workspaceId, settings.apiKey, settings.authorization, project]));
    let byLabel: ReadonlyMap<string, string> | undefined;
    nameDestinationIdentities(this, () => (byLabel ??= new Map((destinationLabels(this) ?? []).map((label, i) => [label, identities[i]!]))));
    if (destinations.length > 1 || rewriteFor(destinations[0]!) !== undefined) {
      this.#fanOutTo(destinations);
      return;
    }
    nameDestinations(this, { labels: [destinationLabel(destinations[0]!, this.endpoint, 1)] });
    // The pipeline seals its batches as they close, in the mode of the moment (a later change of mode reseals them);
    // the server's limits are asked for as the first span starts: its export then need not wait for them.
    takesRecords(this, (records) => sealRecords(records, this.#framings()[this.#wireMode]), () => void this.#ingestLimits());
  }

  /**
   * Sends every batch to each of `destinations`, through a sender of its own (see `wireReplicas`), which the pipeline
   * seals as the runs are. The single destination's export is replaced on this instance alone: that path, by far the
   * most common, keeps its code and its cost.
   */
  #fanOutTo(destinations: readonly LangSmithDestination[]): void {
    const exporter = this;
    // The block is read when a group's wire forms are made (at their first use), after a client's offer.
    const shared = {
      gzip: this.#gzip,
      fetchServerInfo: this.#fetchServerInfo,
      mode: this.#wireMode,
      get extraBlock() {
        return exporter.#extraBlock;
      },
    };
    const { fanOut, senders, canonical, first } = wireReplicas(destinations, shared, (wiring) => new LangSmithExporterBase({}, this.#transport, this.#fetchIngestLimits, wiring));
    this.#replicas = senders;
    takesRecords(this, (records) => sealRecords(records, canonical()[first.#wireMode]), () => senders.forEach((sender) => void sender.#ingestLimits()));
    Object.defineProperty(this, EXPORT_NOW, { value: (batch: ExportBatch, options: ExportOptions, done: ExportDone) => fanOut.export(batch, options, done) });
    nameDestinations(this, { labels: fanOut.labels, replicated: fanOut });
  }

  /**
   * The wire forms, made at their first use rather than at construction: the boundary is drawn at random, and a
   * Cloudflare Worker refuses random values at global scope, where an exporter is most often made (the Worker then
   * failed to start: "Disallowed operation called within global scope").
   */
  #framings(): Readonly<Record<LangSmithWireMode, LangSmithFraming>> {
    if (this.#madeFramings === undefined && this.#groupFramings !== undefined) this.#madeFramings = this.#groupFramings();
    else if (this.#madeFramings === undefined) {
      const boundary = newBoundary();
      this.#madeFramings = { multipart: new LangSmithFraming('multipart', boundary, this.#extraBlock), batch: new LangSmithFraming('batch', boundary, this.#extraBlock) };
    }
    return this.#madeFramings;
  }

  /**
   * @internal A `sampleRate` given to a client in code, recorded as `ls_tracing_sample_rate` over the environment's, as
   * langsmith's `tracingSamplingRate` option is. The first client's is taken (before it makes a span, so every run of
   * the exporter carries the same); `omitTracedRuntimeInfo` records none, as in langsmith.
   */
  [SAMPLE_RATE_FROM_CLIENT](sampleRate: number): void {
    const sources = this.#extraSources;
    if (sources === undefined) return;
    this.#extraSources = undefined;
    this.#extraBlock = runExtraBlock({ ...sources, sampleRate });
  }

  /** The endpoint runs are sent to: origin and path, never its credentials or its query (either may be a key); with several, the first. */
  get endpoint(): string {
    return this.#settings.endpoint.origin + this.#settings.endpoint.pathname.replace(/\/$/, '');
  }

  /** Every endpoint runs are sent to: the one, or each write replica `LANGSMITH_RUNS_ENDPOINTS` names (never credentials or queries). */
  get endpoints(): readonly string[] {
    return this.#replicas?.map((sender) => sender.endpoint) ?? [this.endpoint];
  }

  /** How runs travel now: the configured mode, or `batch` once the server turned out to lack `/runs/multipart`; with several endpoints, to the first. */
  get mode(): LangSmithWireMode {
    return this.#replicas?.[0]!.mode ?? this.#wireMode;
  }

  /** Sends the batch, in several requests when it is past the server's limits; never rejects (see {@link SpanExporter.export}). */
  export(batch: ExportBatch, options: ExportOptions): Promise<ExportResult> {
    return new Promise<ExportResult>((resolve) => this[EXPORT_NOW](batch, options, resolve));
  }

  /** @internal `export` by callback: the pipeline's way (see `CallbackExporter`). */
  [EXPORT_NOW](batch: ExportBatch, options: ExportOptions, done: ExportDone): void {
    let sealed: SealedBatch;
    try {
      sealed = this.#sealedOf(batch); // while /info is on its way
    } catch (error) {
      // Serializing failed: the same batch would fail the same way again.
      return answerLater(done, notEncodable(error));
    }
    if (sealed.opCount === 0) return answerLater(done, EXPORT_OK);
    const limits = this.#knownLimits;
    if (limits !== undefined) this.#sendBatch(batch, limits, options, done);
    else void this.#ingestLimits().then((known) => this.#sendBatch(batch, known, options, done));
  }

  /**
   * `batch` in the wire form of the current mode: a batch the pipeline sealed as it is; anything else (runs of a
   * caller's own, the pipeline's sealed batches sent together) sealed here once, kept for a retry, which must name the
   * same runs delivered; and again if the mode changed since.
   */
  #sealedOf(batch: ExportBatch): SealedBatch {
    const framing = this.#framings()[this.#wireMode];
    if (batch instanceof SealedBatch && batch.framing === framing) return batch;
    const known = this.#sealed.get(batch);
    if (known !== undefined && known.framing === framing) return known;
    // A replica writing the runs its own way (its project, its ids) seals them rewritten, each still remembered by its key.
    const rewrite = this.#rewrite;
    const sealed =
      rewrite !== undefined ? framing.sealRuns(rewrite(batch instanceof SealedBatch ? batch.runs() : batch), [...keysOf(batch)])
      : batch instanceof SealedBatch ? framing.sealRuns(batch.runs(), batch.keys())
      : sealRuns(batch, framing);
    this.#sealed.set(batch, sealed);
    return sealed;
  }

  /** Sends `batch` in the current mode within the server's limits; once the server turns out to lack multipart, again as `batch`. */
  #sendBatch(batch: ExportBatch, limits: IngestLimits, options: ExportOptions, done: ExportDone): void {
    let sealed: SealedBatch;
    let requests: number[][];
    if (!limits.multipart) this.#wireMode = 'batch';
    const mode = this.#wireMode;
    const framing = this.#framings()[mode];
    try {
      sealed = this.#sealedOf(batch);
      requests = splitIntoRequests(sealed, framing, this.#delivered.get(batch), limits.maxRuns, limits.maxBytes);
    } catch (error) {
      return answerLater(done, notEncodable(error));
    }
    const send = pacedSend((part: readonly number[], answer: ExportDone): void => this.#send(sealed, framing, part, options, answer), options);
    const answer = answerWithDelivered(this.#delivered, batch, done);
    sendInOrder(this.#delivered, batch, requests, (part) => part.map((i) => sealed.keys()[i]!), 0, send, (result) => {
      if (result.ok || mode !== 'multipart' || !NO_MULTIPART(result.status)) return answer(result);
      this.#wireMode = 'batch'; // for good; this batch goes again at once
      this.#sendBatch(batch, limits, options, done);
    }, halveRequest);
  }

  /** Closes the keep-alive connections of Node's `http` (with `fetch`, nothing: it owns its connections). */
  async shutdown(): Promise<void> {
    this.#transport.close();
  }

  /** The server's limits, asked for once. */
  #ingestLimits(): Promise<IngestLimits> {
    this.#limits ??= (this.#fetchServerInfo ? this.#fetchIngestLimits(requestUrl(this.#settings.endpoint, '/info'), this.#authHeaders) : Promise.resolve(DEFAULT_INGEST_LIMITS)).then((limits) => (this.#knownLimits = limits));
    return this.#limits;
  }

  /** One request of operations `part` of `sealed`: the sealed body itself when they are all of it; `done` never on the caller's stack. */
  #send(sealed: SealedBatch, framing: LangSmithFraming, part: readonly number[], options: ExportOptions, done: ExportDone): void {
    let body: Uint8Array;
    try {
      body = sealed.pick(part).body;
    } catch (error) {
      return answerLater(done, notEncodable(error));
    }
    const headers: Record<string, string> = { ...this.#authHeaders, 'Content-Type': framing.contentType };
    const redact = this.#redact;
    const answered: ExportDone = redact === undefined ? done : (result) => done(redact(result));
    const gzip = this.#gzip && framing.mode === 'multipart';
    postMaybeGzipped(this.#transport, gzip, { url: this.#urls[framing.mode], headers, body, bodyReusable: false, options, readAnswer: readLangSmithAnswer }, answered, 'Content-Encoding');
  }
}

exportsByCallback(LangSmithExporterBase);
