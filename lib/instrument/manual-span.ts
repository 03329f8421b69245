import { clientSending, ownTraceParent, parentOf } from '../propagation/root-parent.js';
import { currentScope, TRACING_OFF } from '../context/span-context.js';
import { enterSpan } from '../otel/bridge-hook.js';
import { globalClient } from '../client/global-client.js';
import type { TracingClient } from '../client/tracing-client.js';
import type { Run, RunType } from '../model/run.js';
import type { Span } from '../model/span.js';
import type { ActiveSpan } from '../model/span-types.js';
import { captureInputs } from './capture.js';
import type { ClientOption } from './client-source.js';
import { redact } from './redact.js';
import { SpanOutcome } from './span-outcome.js';
import { followResult, runId } from './trace-call.js';
import { callSiteOf, KNOWN_OPTIONS, TRACE_SHAPE, type CallSite } from './trace-options.js';
import { readOptions, type OptionsShape } from '../read-options.js';
import { freeze, isFunction, isObject, isString } from '../natives.js';
import { A_FUNCTION, refuse, TracewireConfigError } from '../errors.js';

/** Options of {@link startSpan} and {@link withSpan}. Every field is optional. */
export interface SpanOptions {
  /** Default `chain`. */
  readonly runType?: RunType | undefined;
  /** Recorded on the run (LangSmith's `tags`), each once; not inherited by its children. Default: none. */
  readonly tags?: readonly string[] | undefined;
  /** Recorded on the span and inherited by its children. */
  readonly metadata?: Readonly<Record<string, unknown>> | undefined;
  /** What to record as the run's inputs (serialized and redacted now). Default: none. */
  readonly inputs?: unknown | undefined;
  /** As `TraceOptions.client`; default: the current run's client, else the global one. */
  readonly client?: ClientOption | undefined;
  /** As `TraceOptions.projectName`: the project (LangSmith) this run and its children report to. Default: the parent's, else the client's. */
  readonly projectName?: string | undefined;
  /** The run's id (a UUID). */
  readonly id?: string | undefined;
  /** Called once when the span ends, with the finished run. */
  readonly onEnd?: ((run: Run) => void) | undefined;
}

/** A span started by hand: the current-run handle plus ending it and running code inside it. */
export interface SpanHandle extends ActiveSpan {
  /** Ends the span as `success`, recording `outputs` if given. Later calls are ignored. */
  end(outputs?: unknown): void;
  /** Ends the span as `error` with this error. Later calls are ignored. */
  fail(error: unknown): void;
  /** Runs `fn` inside this span, so traced calls it makes become children; returns what `fn` returns. */
  run<T>(fn: () => T): T;
}

/**
 * Starts a span by hand, as a child of the current run (or a new trace),
 * for work that is not one function call — a step inside a function, a
 * callback-driven operation. End it with `end(outputs)` or `fail(error)`.
 * Never throws: with tracing off, or options it cannot use (warned once),
 * it returns a handle that records nothing.
 *
 * @example
 * const step = startSpan('rerank', { runType: 'tool', inputs: { docs: docs.length } });
 * try { step.end(await step.run(() => rerank(docs))); } catch (error) { step.fail(error); throw error; }
 */
export function startSpan(name: string, options: SpanOptions = {}): SpanHandle {
  const outcome = begin(name, options, false);
  return outcome === undefined ? NOOP : new ManualSpan(outcome);
}

/**
 * Runs `fn` inside a new span named `name` and returns what it returns —
 * the same value or error; a promise, stream or generator is followed until
 * it settles or is consumed, like a traced function's result. `fn` gets the
 * span's handle (to set outputs, metadata, a better name).
 *
 * @example
 * const answer = await withSpan('plan', async (span) => { span.setMetadata('steps', 3); return plan(); });
 */
export function withSpan<T>(name: string, fn: (span: SpanHandle) => T, options: SpanOptions = {}): T {
  if (!isFunction(fn)) refuse('withSpan(name, fn)', fn, A_FUNCTION);
  const outcome = begin(name, options, true);
  if (outcome === undefined) return fn(NOOP);
  const handle = new ManualSpan(outcome);
  let result: unknown;
  try {
    result = enterSpan(outcome.span, fn, undefined, [handle]);
  } catch (error) {
    outcome.fail(error);
    throw error;
  }
  return followResult(outcome, result, fn) as T;
}


/** A traced function's options, and `inputs`, whose null is a value to record (`{ inputs: null }`, as langsmith records it). */
const SPAN_SHAPE: OptionsShape = {
  ...TRACE_SHAPE,
  setting: 'startSpan/withSpan options',
  accepted: 'an object of span options, or none',
  known: [...KNOWN_OPTIONS, 'inputs'],
  keepsNull: ['inputs'],
};

/**
 * The client `options` name as a client itself (not a token or a function, which may need what was refused): the
 * one a refusal is reported to, so a tenant's client hears of its own spans' mistakes with no global client set.
 * Read guardedly: the options may be what could not be read.
 */
function namedClient(options: unknown): TracingClient | undefined {
  try {
    const named = isObject(options) ? (options as { client?: unknown }).client : undefined;
    return isObject(named) && isFunction((named as Partial<TracingClient>).note) ? (named as TracingClient) : undefined;
  } catch {
    return undefined;
  }
}

/** `captureOutputs`: `withSpan` records what its function returns; a started span only what `end()` is given. */
function begin(name: string, options: SpanOptions, captureOutputs: boolean): SpanOutcome | undefined {
  const scope = currentScope();
  if (scope === TRACING_OFF) return undefined;
  const parent = scope as Span | undefined;
  let given: SpanOptions;
  let site: CallSite;
  try {
    // Read once; `inputs` is taken from this snapshot too.
    given = readOptions(options, SPAN_SHAPE) as SpanOptions;
    const { inputs: _inputs, ...traceOptions } = given;
    site = callSiteOf({ ...traceOptions, name, captureOutputs }, name);
  } catch (error) {
    // Only a refusal is quoted (it names the setting and never shows a secret); anything else thrown is not read at all.
    const refused = error instanceof TracewireConfigError ? error : undefined;
    const client = namedClient(options) ?? parent?.client ?? globalClient.current;
    // Once per setting, not once in all: a second, different mistake would drop its spans unreported.
    client?.note(
      `startSpan options: ${refused?.setting ?? ''}`,
      `tracewire: startSpan/withSpan(${isString(name) ? `"${name}"` : 'a name that is not a string'}) ignored options it cannot use (${refused?.message ?? 'checking them threw'}); the span was not recorded. Reported once per setting.`,
    );
    return undefined;
  }
  let client: TracingClient | undefined;
  try {
    const own = site.client?.(undefined);
    client = own ?? parent?.client ?? globalClient.current;
    if (client === undefined || !client.isRecording) return undefined;
    // A client of its own inside another client's run: a trace of its own there (see ownTraceParent).
    const crossing = own !== undefined && parent !== undefined && own !== parent.client;
    const spanParent = crossing ? ownTraceParent(site, []) : parentOf(site, [], parent);
    if (own === undefined && spanParent !== parent && spanParent !== undefined) client = clientSending(client, spanParent);
    const span = client.startSpan(site, spanParent, site.id === undefined ? undefined : runId(client, site, []));
    if (span.sampled && 'inputs' in given) {
      span.recordInputs(redact(client.redaction.inputs, captureInputs(site, [given.inputs], client.limits), span, client.limits));
    }
    client.spanStarted(span);
    return new SpanOutcome(site, span);
  } catch (error) {
    // A tracer fault never reaches the caller: the span is not recorded (counted, and warned once).
    client?.untracedCall(error);
    return undefined;
  }
}

class ManualSpan implements SpanHandle {
  constructor(private readonly outcome: SpanOutcome) {}
  get id(): string { return this.outcome.span.id; }
  get traceId(): string { return this.outcome.span.traceId; }
  get parentId(): string | undefined { return this.outcome.span.parentId; }
  get name(): string { return this.outcome.span.name; }
  get runType(): RunType { return this.outcome.span.runType; }
  get isRecording(): boolean { return this.outcome.span.isRecording; }
  setMetadata(key: string, value: unknown): this { this.outcome.span.setMetadata(key, value); return this; }
  addTags(...tags: Array<string | readonly string[]>): this { this.outcome.span.addTags(...tags); return this; }
  addEvent(name: string, attributes?: Record<string, unknown>): this;
  addEvent(event: { readonly name?: string; readonly kwargs?: Record<string, unknown>; readonly message?: string }): this;
  addEvent(nameOrEvent: unknown, attributes?: Record<string, unknown>): this { this.outcome.span.addEvent(nameOrEvent as string, attributes); return this; }
  setName(name: string): this { this.outcome.span.setName(name); return this; }
  setOutputs(outputs: unknown): this { this.outcome.span.setOutputs(outputs); return this; }
  end(outputs?: unknown): void {
    if (outputs !== undefined) this.outcome.span.setOutputs(outputs);
    void this.outcome.succeed(undefined);
  }
  fail(error: unknown): void {
    void this.outcome.fail(error);
  }
  run<T>(fn: () => T): T {
    return enterSpan(this.outcome.span, fn, undefined, []) as T;
  }
}

/** The handle given when nothing is recorded: every method is a no-op, `run` just calls. */
const NOOP: SpanHandle = freeze({
  id: '',
  traceId: '',
  parentId: undefined,
  name: '',
  runType: 'chain' as RunType,
  isRecording: false,
  setMetadata() { return NOOP; },
  addTags() { return NOOP; },
  addEvent() { return NOOP; },
  setName() { return NOOP; },
  setOutputs() { return NOOP; },
  end() {},
  fail() {},
  run: <T>(fn: () => T): T => fn(),
}) as SpanHandle;
