import { DELIVERY_OPTIONS, hiddenByEnv, resolveDeliveryConfig, spoolDirIgnored, type DeliveryConfig, type DeliveryOptions } from '../config.js';
import { A_FUNCTION, errorName, refuse } from '../errors.js';
import { readOptions, readSafely, type OptionsShape } from '../read-options.js';
import { deliversToOpenTelemetry, offerSampleRate, offerServiceName } from '../exporters/client-offers.js';
import { sampledAsOpenTelemetry } from '../propagation/span-parent.js';
import { checkExporter } from './exporter-check.js';
import { LANGSMITH_CLIENT_INSTEAD } from './langsmith-client-options.js';
import type { SpanExporter } from '../exporters/span-exporter.js';
import type { Captured, CapturedJson } from '../instrument/capture.js';
import { redactError, redactMetadata, type RedactionHooks } from '../instrument/redact.js';
import type { RunStatus } from '../model/run.js';
import { nowMicros } from '../model/clock.js';
import { hostMillis } from '../host-timers.js';
import { Span, type RunMirror } from '../model/span.js';
import { listingOf } from '../propagation/langsmith-child-runs.js';
import type { SpanParent, SpanRequest } from '../model/span-types.js';
import { withUsageMetadata } from '../model/usage-metadata.js';
import { BatchSpanProcessor } from '../pipeline/batch-span-processor.js';
import type { BridgedLangSmithClass } from '../pipeline/bridged-langsmith.js';
import { waitDeadline } from '../pipeline/wait-deadline.js';
import { DropWarnings, ForwardedWarnings, type TracewireLogger } from '../pipeline/drop-warnings.js';
import type { LangSmithSender } from '../propagation/langsmith-sender.js';
import { DEFAULT_SERIALIZE_LIMITS, type SerializeLimits } from '../serialize/to-json-safe.js';
import { DeliveryCounters, type TracingStats } from './delivery-stats.js';
import { STRATEGY_FOR_MODE, type DeliveryStrategy } from './delivery-strategy.js';
import { runtimeEnv } from '../runtime-env.js';
import { noteInvocationClient, runningInvocations } from '../lifecycle/invocation-deadline.js';
import type { FlushOptions, FlushResult, SpanProcessor } from './span-processor.js';
import { entries, isFunction, isPositive, keys } from '../natives.js';
import { LangSmithClientExporter } from '../exporters/langsmith/langsmith-client-exporter.js';
import { SenderClients } from './sender-clients.js';
import { destinationIdentitiesOf } from '../exporters/destination-identity.js';

/** Options of a {@link TracingClient}: where runs go, plus every delivery setting (see `DeliveryOptions`). */
export interface TracingClientOptions extends DeliveryOptions {
  /** Where runs go. Required. */
  readonly exporter: SpanExporter;
  /** Size caps for captured inputs, outputs and metadata. Defaults: `DEFAULT_SERIALIZE_LIMITS`. */
  readonly serializeLimits?: Partial<SerializeLimits> | undefined;
  /** Where drop warnings and summaries go. Default `console`. */
  readonly logger?: TracewireLogger | undefined;
  /** Rewrite every captured input and output before it is queued (secrets, personal data). Fails closed. */
  readonly redact?: RedactionHooks | undefined;
}


/** The hooks `redact` takes. */
const REDACTION_HOOKS = ['inputs', 'outputs', 'metadata', 'error'] as const;

/**
 * @internal How many clients were made enabled and not shut down: none, and no traced call can record anywhere
 * (`@FlushOnExit` then calls its handler as is).
 */
export const recordingClients = { count: 0 };

/** Set while a client makes one for a langsmith `Client` of your own (see `throughLangSmith`): what the new one shares with it. */
let deriving: { readonly parent: TracingClient; readonly counters: DeliveryCounters; readonly warnings: DropWarnings } | undefined;

/**
 * Records spans and delivers them through a batching pipeline, by the
 * strategy its options (or environment) choose. Every public method is safe
 * at any time: none throws, and every wait resolves — never rejects — within
 * its deadline.
 */
export class TracingClient {
  /** Size caps applied to everything this client captures. */
  declare readonly limits: SerializeLimits;
  /** Every delivery setting, resolved from options and environment. */
  declare readonly config: Readonly<DeliveryConfig>;
  /** How traced calls and delivery meet: background, manual or blocking. */
  declare readonly strategy: DeliveryStrategy;
  /** Where runs go — e.g. the `MemoryExporter` that `exporter: 'memory'` built, to read its runs. */
  declare readonly exporter: SpanExporter;
  /** @internal Client-wide redaction of captured inputs and outputs. */
  declare readonly redaction: RedactionHooks;
  /** @internal The exporter is a built-in one, reading records: primitive inputs and outputs may be captured straight to JSON text. */
  declare readonly capturesJson: boolean;
  readonly #counters: DeliveryCounters;
  readonly #processor: SpanProcessor;
  /** The options as read, for the clients made for langsmith `Client`s of your own. */
  readonly #read: TracingClientOptions;
  /** Made for a langsmith `Client` of your own: the client it was made by (see `throughLangSmith`). */
  readonly #parent: TracingClient | undefined;
  /** The clients this one made for langsmith senders: flushed, awaited and shut down with it while they may have work. */
  #through: SenderClients<TracingClient> | undefined;
  /** Spans of this client (one made for a langsmith `Client`) not ended yet: it is not idle while any runs. */
  #running = 0;
  readonly #warnings: DropWarnings;
  #isShutdown = false;
  /** Its exporter sends to OpenTelemetry: a W3C parent's sampled flag decides for its children (see `sampledAsOpenTelemetry`). */
  readonly #followsOpenTelemetrySampling: boolean;

  /**
   * @param strategy normally left out: it follows `options.mode` (or the
   *   environment); `registerTracing()` passes the one registered in tsyringe.
   *   Given, it decides the mode (`config.mode` reports it); an explicit
   *   `options.mode` that disagrees is a `TracewireConfigError`.
   */
  constructor(options: TracingClientOptions, strategy?: DeliveryStrategy) {
    // Read once, as a snapshot: what is checked is what is used. None at all: the exporter is what is missing.
    const read = (this.#read = readOptions(options, CLIENT_SHAPE) as unknown as TracingClientOptions);
    checkExporter(read.exporter);
    const derived = deriving;
    this.#parent = derived?.parent;
    this.#counters = derived?.counters ?? new DeliveryCounters();
    // Locals, not the fields read back: each `this.` read is bytes of every bundle.
    const env = runtimeEnv();
    const resolved = agreeingConfig(resolveDeliveryConfig(read, env), read, strategy);
    // A langsmith Client's runs are never spooled: the spool is replayed by whichever client opens the directory next.
    const config = (this.config = derived === undefined ? resolved : { ...resolved, spoolDir: undefined });
    const exporter = (this.exporter = read.exporter);
    offerServiceName(exporter, config.projectName);
    if (read.sampleRate !== undefined) offerSampleRate(exporter, config.sampleRate);
    this.#followsOpenTelemetrySampling = deliversToOpenTelemetry(exporter);
    // A misspelt limit would be ignored: its default applies, silently.
    const limits = (this.limits = { ...DEFAULT_SERIALIZE_LIMITS, ...readOptions(read.serializeLimits, LIMITS_SHAPE) });
    for (const [key, value] of entries(limits)) {
      // Counts: a fraction (maxItems 1.5) cut every value down to a marker, as the count options refuse it.
      if (!isPositive(value) || !(Number.isInteger(value) || value === Infinity)) refuse(`serializeLimits.${key}`, value, 'a whole number greater than 0 (Infinity: no limit)');
    }
    const chosen = (this.strategy = strategy ?? new STRATEGY_FOR_MODE[config.mode]());
    // A hook misspelt or misplaced would redact nothing, silently: the secrets it was for would be recorded.
    const redaction: RedactionHooks = readOptions(read.redact, REDACT_SHAPE);
    for (const key of REDACTION_HOOKS) {
      if (redaction[key] !== undefined && !isFunction(redaction[key])) refuse(`redact.${key}`, redaction[key], A_FUNCTION);
    }
    // Hidden by the environment (LANGSMITH_HIDE_INPUTS…), as langsmith's client hides them: over any hook, the stricter.
    const hidden = hiddenByEnv(env);
    this.redaction =
      hidden.inputs || hidden.outputs || hidden.metadata
        ? { ...redaction, inputs: hidden.inputs ? hide : redaction.inputs, outputs: hidden.outputs ? hide : redaction.outputs, metadata: hidden.metadata ? hide : redaction.metadata }
        : redaction;
    // A logger without warn would lose every drop warning.
    const logger = read.logger;
    if (logger !== undefined && !readSafely('logger', () => isFunction(logger.warn))) refuse('logger', logger, 'an object with a warn(message) method, such as console');
    const warnings = (this.#warnings = derived === undefined ? new DropWarnings(logger ?? console, () => destinationScope(exporter)) : new ForwardedWarnings(derived.warnings));
    if (derived === undefined && spoolDirIgnored(read, env)) {
      warnings.note('spoolDir', 'tracewire: TRACEWIRE_SPOOL_DIR is ignored: this runtime has no files for a spool (only the Node entry has one), so spans an export gives up on are dropped and counted in stats().');
    }
    const processor = new BatchSpanProcessor(exporter, config, chosen, this.#counters, warnings);
    this.capturesJson = processor.readsRecords;
    this.#processor = processor;
    if (config.enabled && derived === undefined) recordingClients.count++;
  }

  /** The project (LangSmith) or service name every run carries. */
  get projectName(): string {
    return this.config.projectName;
  }

  /** False when disabled or shut down: traced calls then run untouched. */
  get isRecording(): boolean {
    return this.config.enabled && !this.#isShutdown;
  }

  /**
   * @internal Starts a span under `parent`, or a new trace. Whether a trace
   * is sampled is drawn once, at its root, so a trace is kept or dropped whole.
   */
  startSpan(request: SpanRequest, parent: SpanParent | undefined, id?: string): Span {
    // A trace lives in one project: a child reporting to its parent's client records in the parent's project, and a
    // trace continued from another service in the caller's (when it says), whatever project the child names — as
    // langsmith's createChild does. A named project applies to a root.
    let inherited: string | undefined;
    let listing: RunMirror | undefined;
    const ownParent = parent instanceof Span && parent.client === this;
    if (ownParent) inherited = (parent as Span).projectName;
    else {
      // A trace begins here: a running @FlushOnExit invocation flushes its client too — the one that made it, for one
      // made for a langsmith sender (its waits include this one's: noted alone too, they were waited for and counted
      // twice), and waits for that sender's langsmith client, whose own run around this one ends after it.
      if (runningInvocations.count > 0) noteInvocationClient(this.#parent ?? this, this.#parent === undefined ? undefined : (this.exporter as LangSmithClientExporter));
      if (parent !== undefined) {
        // Roots and remote parents only: a child of a span of this client never gets here.
        inherited = parent.remote?.projectName;
        // Under a langsmith run: listed in its child_runs, as langsmith's own children are (langsmith-child-runs.ts).
        listing = listingOf(parent);
        if (this.#followsOpenTelemetrySampling) parent = sampledAsOpenTelemetry(parent);
      }
    }
    const named = request.projectName;
    if (named !== undefined && inherited !== undefined && named !== inherited) this.#projectNotTaken(named, inherited);
    const project = inherited ?? named ?? this.config.projectName;
    // A field read, not the `dottedOrder` getter: this runs on every traced call.
    const above = (parent as { readonly parentDottedOrder?: string } | undefined)?.parentDottedOrder;
    const span =
      above !== undefined && above.length > MAX_NESTED_DOTTED_ORDER ? this.#rootInstead(request, parent as Span, project, id) : new Span(request, project, this.config.sampleRate, parent, id);
    span.client = this;
    if (listing !== undefined) span.rarities().mirror = listing;
    if (this.#parent !== undefined) this.#running++;
    // Rewritten when the call gives metadata, or inherits it from other than a span of this client (whose is rewritten
    // already): a caller's baggage, another client's span.
    if (this.redaction.metadata !== undefined && (request.metadata !== undefined || !ownParent)) span.metadata = this.metadataOf(span, span.metadata);
    this.#counters.spansStarted++;
    return span;
  }

  /** @internal `metadata` as the client's `redact.metadata` hook rewrites it for `span` (as it is without one). Never throws. */
  metadataOf(span: Span, metadata: Span['metadata']): Span['metadata'] {
    const hook = this.redaction.metadata;
    return hook === undefined ? metadata : redactMetadata(hook, metadata, span, this.limits);
  }

  /**
   * A span nested deeper than LangSmith's dotted order can carry well (a
   * poller re-arming itself inside its own span nests once per tick: 21 000
   * ticks made a 1.2 MB `dotted_order`, sent with every run) begins a trace of
   * its own instead, its metadata naming the run it would have been under.
   */
  #rootInstead(request: SpanRequest, parent: Span, project: string, id: string | undefined): Span {
    this.#warnings.note(
      'nested-too-deep',
      `tracewire: a traced call nested more than ${MAX_NESTED_DEPTH} levels deep (a loop re-arming itself inside its own run, or deep recursion) begins a trace of its own; its metadata's tracewire_nested_under names the run it was called under. Reported once per client.`,
    );
    const metadata = { ...parent.metadata, ...request.metadata, tracewire_nested_under: parent.id };
    return new Span({ name: request.name, runType: request.runType, tags: request.tags, metadata }, project, this.config.sampleRate, undefined, id);
  }

  /** Out of `startSpan`, every traced call's path: its message would make that function larger for V8 to compile. */
  #projectNotTaken(named: string, inherited: string): void {
    this.#warnings.note('project-inherited', `tracewire: a run naming projectName "${named}" records in its trace's project "${inherited}", as langsmith's do: a trace lives in one project.`);
  }

  /** @internal Hands a started span (inputs recorded) to delivery. */
  spanStarted(span: Span): void {
    if (!span.sampled) return;
    try {
      // Read in place: a call only for a span under a langsmith run (see RunMirror).
      if (span.rare !== undefined && span.rare.mirror !== undefined) span.rare.mirror.started(span);
      this.#processor.onStart(span);
    } catch {
      // A processor fault must not reach the traced call.
    }
  }

  /**
   * @internal Ends `span`, which has not ended yet (its outcome checks). Returns
   * a promise only when the strategy wants the traced call to wait for
   * delivery; that promise never rejects.
   */
  endSpan(span: Span, status: RunStatus, outputs?: Captured | CapturedJson, error?: string): Promise<void> | undefined {
    // The span's end written out here, its one caller: as a method of its own, V8 compiled it alone and again inside
    // this one, in every fresh process. Not checked for an earlier end: the caller, SpanOutcome.end, already did.
    // Never before its start: the wall clock may have stepped back while it ran (see nowMicros).
    span.endMicros = Math.max(nowMicros() + (span.rare === undefined ? 0 : span.rare.skewMicros), span.startMicros);
    if (this.#parent !== undefined) this.#running--;
    span.status = status;
    const kept = span.sampled ? outputs : undefined;
    span.outputs = kept === undefined ? undefined : 'json' in kept ? kept.json : kept.value;
    if (error !== undefined) {
      const recorded = this.redaction.error === undefined ? error : redactError(this.redaction.error, error, span);
      span.rarities().error = recorded;
      span.payloadBytes += recorded.length;
    }
    span.payloadBytes += kept?.bytes ?? 0;
    this.#counters.spansEnded++;
    if (!span.sampled) {
      this.#counters.sampledOut++;
      return undefined;
    }
    // Token counts, where langsmith puts them: read in place, a call only for the runs that have them.
    const recorded = span.outputs;
    if ((typeof recorded === 'object' && recorded.usage_metadata !== undefined) || span.metadata.usage_metadata !== undefined) withUsageMetadata(span, this.redaction.outputs === undefined);
    try {
      if (span.rare !== undefined && span.rare.mirror !== undefined) span.rare.mirror.ended(span);
      return this.#processor.onEnd(span);
    } catch {
      return undefined;
    }
  }

  /** @internal Whether a running span may grow by `bytes`; false leaves the addition out (the queue has no room). Never throws. */
  roomFor(span: Span, bytes: number): boolean {
    try {
      return this.#processor.roomFor(span, bytes);
    } catch {
      return true;
    }
  }

  /** Sends everything queued (in manual mode too) and waits for it and every in-flight export, within the deadline. */
  flush(options?: FlushOptions): Promise<FlushResult> {
    return this.#withThrough(this.#processor.flush(options), options, (client) => client.flush(options));
  }

  /**
   * Waits until what was enqueued before this call is delivered or given up;
   * spans enqueued later are not waited for, so it ends under steady traffic.
   * In manual mode it waits only for what a `flush()` already released.
   */
  awaitPendingTraceBatches(options?: FlushOptions): Promise<FlushResult> {
    return this.#withThrough(this.#processor.awaitPending(options), options, (client) => client.awaitPendingTraceBatches(options));
  }

  /**
   * Stops recording, then flushes: a traced call that starts from now on runs untraced. A span still running whose
   * start went out is ended now, as an error saying so (its run would otherwise stay open on the server); other spans
   * ending later are counted as dropped. Idempotent.
   */
  shutdown(options?: FlushOptions): Promise<FlushResult> {
    if (!this.#isShutdown && this.config.enabled && this.#parent === undefined) recordingClients.count--;
    this.#isShutdown = true;
    return this.#withThrough(this.#processor.shutdown(options), options, (client) => client.shutdown(options));
  }

  /**
   * @internal The client that sends a traced call made inside a langsmith run sent otherwise than langsmith's default
   * client would (`sender`: a `Client` of your own, replicas of its own; see `langsmithSenderOf`), and that names no
   * client itself: one made by this client on first use, with its options, that posts through langsmith's own code
   * (`LangSmithClientExporter`) — as langsmith's child is sent by its parent's client, to its replicas. It shares this
   * client's counters and warnings (its summaries are this client's), is flushed, awaited and shut down with it while
   * it has work, and never spools. Before 2026-12-07 such a call was sent by this client: a tenant's inputs at the
   * operator's endpoint, under its key (a report-only probe).
   */
  throughLangSmith(sender: LangSmithSender): TracingClient {
    const maker = this.#parent ?? this;
    const client = (maker.#through ??= new SenderClients()).clientFor(sender, () => {
      deriving = { parent: maker, counters: maker.#counters, warnings: maker.#warnings };
      // A langsmith Client in its manualFlushMode sends on your own flush() of it: each run is handed to it as its call
      // ends, as langsmith's own child is (in tracewire's batches, the runs of a call were not in it when that flush
      // came, and were lost at a freeze: a report-only probe). Handing waits for nothing: the Client sends nothing then.
      const manual = (sender.client as { manualFlushMode?: unknown }).manualFlushMode === true;
      try {
        const mode = manual ? 'blocking' : maker.config.mode;
        return newClient({ ...maker.#read, mode, manualFlushMode: undefined, exporter: new LangSmithClientExporter(sender) }, new STRATEGY_FOR_MODE[mode]());
      } finally {
        deriving = undefined;
      }
    });
    if (maker.#isShutdown) client.#isShutdown = true;
    (client.exporter as LangSmithClientExporter).noteTrace(sender);
    return client;
  }

  /**
   * `own`, and `wait` of each client made for a langsmith sender that may have work, each then waiting for its langsmith
   * client's queue (langsmith's own run around its runs ends after them: before 2026-12-07 a tenant's root was left
   * open at a freeze, a report-only probe), as one result, under the one deadline of `options`.
   */
  #withThrough(own: Promise<FlushResult>, options: FlushOptions | undefined, wait: (client: TracingClient) => Promise<FlushResult>): Promise<FlushResult> {
    const through = this.#through;
    if (through === undefined || through.idle) return own;
    const deadlineAt = hostMillis() + waitDeadline(options, this.config.flushTimeoutMillis, this.#warnings);
    const waitWithQueue = (client: TracingClient): Promise<FlushResult> =>
      wait(client).then((result) => (client.exporter as LangSmithClientExporter).awaitQueueSent(deadlineAt - hostMillis()).then((sent) => (sent ? result : { ...result, timedOut: true })));
    return through.waitWith(own, waitWithQueue, () => this.#warnings.summarize(this.#counters));
  }

  /** @internal No span of it running and nothing of it pending (a client made for a langsmith sender is then let go). */
  isIdle(): boolean {
    return this.#running === 0 && this.#processor.pendingCount() === 0;
  }

  /** @internal Its spans neither delivered nor given up yet, with those of the clients it made for langsmith senders. */
  pendingCount(): number {
    return this.#processor.pendingCount() + (this.#through?.pendingCount() ?? 0);
  }

  /**
   * @internal A traced call whose span could not be started runs untraced: counted, and warned once. The error's
   * name only: its message may quote what the call was given (a redaction hook's own error, say).
   */
  untracedCall(error: unknown): void {
    this.#counters.untraced++;
    // Never throws (the warning's logger is guarded, and so is the name's read).
    this.#warnings.note(
      'untraced',
      `tracewire: a traced call ran untraced: its span could not be started (${errorName(error)}). On Cloudflare Workers a call at global scope, as the worker loads, cannot be traced: the runtime gives no random values there and its clock reads 0. Counted in stats().untraced; reported once.`,
    );
  }

  /**
   * @internal `enableLangSmithBridge` made a langsmith `RunTree` for `span`, whose langsmith runs send with
   * `langsmithClient`: this client's waits wait for that client too. Never throws.
   */
  langsmithRunMade(span: Span, langsmithClient: object, Bridged: BridgedLangSmithClass): void {
    try {
      this.#processor.langsmithRunMade(span, langsmithClient, Bridged);
    } catch {
      // Bookkeeping must not reach langsmith's call.
    }
  }

  /** @internal Reports trouble through this client's logger (never throws). */
  warn(message: string): void {
    this.#warnings.emit(message);
  }

  /** @internal Reports trouble through this client's logger once per `reason` (never throws). */
  note(reason: string, message: string): void {
    this.#warnings.note(reason, message);
  }

  /** Counters since the client was created. `spansEnded = delivered + dropped.total + spooled + pending` (as the README says; `leftOpen` counts runs, apart). */
  stats(): TracingStats {
    return this.#counters.snapshot(this.pendingCount());
  }
}

/** Exporters of your own, each its own destination for the warnings' dedupe. */
const ownExporters = new WeakMap<SpanExporter, string>();

/**
 * What tells `exporter`'s destination from another's, for the warnings' dedupe: its destinations' identities (endpoint,
 * credentials, project: per-request clients to one tenant share them), else the exporter itself. Held only as a key of
 * drop-warnings' private map: never logged, never reachable from an object.
 */
function destinationScope(exporter: SpanExporter): string {
  const identities = destinationIdentitiesOf(exporter);
  if (identities.size > 0) return [...identities.values()].join('\n');
  let own = ownExporters.get(exporter);
  if (own === undefined) ownExporters.set(exporter, (own = `exporter ${++ownExporterCount}`));
  return own;
}
let ownExporterCount = 0;

/** A client made from its class's own methods, outside its body: a class naming itself there is renamed by bundlers (`_TracingClient`, which a span inspects as). */
function newClient(options: TracingClientOptions, strategy: DeliveryStrategy): TracingClient {
  return new TracingClient(options, strategy);
}

/** @internal Every option a client takes. */
export const CLIENT_OPTIONS: readonly string[] = ['exporter', 'serializeLimits', 'logger', 'redact', ...DELIVERY_OPTIONS];

/** `exporter: null` is refused by the exporter's own check, which says what an exporter is: it has no default to point to. */
const CLIENT_SHAPE: OptionsShape = {
  setting: 'TracingClient options',
  accepted: 'an object of options such as { exporter }',
  known: CLIENT_OPTIONS,
  keepsNull: ['exporter'],
  instead: LANGSMITH_CLIENT_INSTEAD,
};
const LIMIT_NAMES = keys(DEFAULT_SERIALIZE_LIMITS);
const LIMITS_SHAPE: OptionsShape = { setting: 'serializeLimits', accepted: `an object of ${LIMIT_NAMES.join(', ')}`, known: LIMIT_NAMES, within: 'serializeLimits' };
const REDACT_SHAPE: OptionsShape = { setting: 'redact', accepted: 'an object such as { inputs: (value) => value }', known: REDACTION_HOOKS, within: 'redact' };

/** What a hidden run's inputs or outputs are recorded as: nothing, as langsmith records them. */
function hide(): object {
  return {};
}

/** Levels a trace nests at most; deeper, a span begins a trace of its own (see `#rootInstead`). */
const MAX_NESTED_DEPTH = 256;
/** Its parent's parent's dotted order past this length: a segment is 59 characters (22 of time, a UUID, a dot). */
const MAX_NESTED_DOTTED_ORDER = (MAX_NESTED_DEPTH - 2) * 59;

/** The strategy in force decides the mode, so `config.mode` can never report one thing while another happens. */
function agreeingConfig(config: DeliveryConfig, options: TracingClientOptions, strategy: DeliveryStrategy | undefined): DeliveryConfig {
  if (strategy === undefined) return config;
  const given = strategy as Partial<DeliveryStrategy> | null;
  // Read once, safely: a revoked Proxy is refused as the strategy, not thrown as its TypeError.
  const [mode, ends, kind] = readSafely('strategy', () => [given?.mode, isFunction(given?.afterRootEnd), given?.constructor?.name] as const);
  if (mode === undefined || !Object.hasOwn(STRATEGY_FOR_MODE, mode) || !ends) {
    refuse('strategy', strategy, 'a DeliveryStrategy (BackgroundDelivery, ManualDelivery or BlockingDelivery)');
  }
  const asked = options.mode ?? (options.manualFlushMode === true ? 'manual' : undefined);
  if (asked !== undefined && asked !== mode) {
    refuse('mode', asked, `"${mode}", the mode of the delivery strategy in force (${kind ?? 'given'}); drop the option or change the strategy`);
  }
  return config.mode === mode ? config : { ...config, mode };
}
