import { thenOf } from '../lifecycle/lambda-invocation.js';
import { noop } from '../noop.js';
import { booleanOption, nonEmptyOption } from '../config-env.js';
import { A_FUNCTION, refuse } from '../errors.js';
import { readOptions, readSafely, type OptionsShape } from '../read-options.js';
import { RUN_TYPES, type Run, type RunType } from '../model/run.js';
import { clientSource, type ClientOption, type ClientSource } from './client-source.js';
import { toJsonSafe, type JsonValue } from '../serialize/to-json-safe.js';
import type { TraceParent } from '../propagation/remote-context.js';
import { entries, freeze, isArray, isFunction, isObject, isPlainObject, isString } from '../natives.js';
import { langsmithInputs, langsmithOutputs } from './langsmith-shapes.js';

/**
 * The arguments of a traced function as its hooks (`captureInputs`, `id`,
 * `parent`) receive them: `F`'s parameters, or `readonly unknown[]` where
 * they are not known (a decorator's options, a class).
 */
export type TracedArgs<F> = F extends (...args: infer A) => unknown ? Readonly<A> : readonly unknown[];

/**
 * How one traced function or method is recorded. Every field is optional.
 * `F`: the function `traceable(fn, options)` traces, which types the hooks'
 * arguments; any function's by default (`@Traceable(options)`).
 */
export interface TraceOptions<F = Function> {
  /** Span name. Default: the function's or method's name. */
  readonly name?: string | undefined;
  /** Default `chain`. */
  readonly runType?: RunType | undefined;
  /** LangSmith's spelling of `runType`, so its options move over unchanged; with both, they must agree. */
  readonly run_type?: RunType | undefined;
  /** Recorded on the run (LangSmith's `tags`), each once; not inherited by its children. Default: none. */
  readonly tags?: readonly string[] | undefined;
  /** Recorded on the span and inherited by its children. */
  readonly metadata?: Readonly<Record<string, unknown>> | undefined;
  /**
   * `true` (default) records the arguments as at call time; `false` records
   * none; a function returns what to record instead (e.g. to redact secrets).
   */
  readonly captureInputs?: boolean | ((args: TracedArgs<F>) => unknown) | undefined;
  /**
   * `true` (default) records the return value (for generators, streams and
   * observables: the values produced); `false` records none; a function
   * returns what to record instead.
   */
  readonly captureOutputs?: boolean | ((output: unknown) => unknown) | undefined;
  /**
   * langsmith's: gets the inputs as they would be recorded (`{ input }`,
   * `{ args }`, or the one plain object argument) and returns what to record
   * instead. Not with `captureInputs` (pick one).
   */
  readonly processInputs?: ((inputs: Readonly<Record<string, unknown>>) => unknown) | undefined;
  /**
   * langsmith's: gets the outputs as they would be recorded (`{ outputs }`,
   * or the plain object returned) and returns what to record instead. For a
   * stream, the values it produced, as `{ outputs: [...] }`. Not with
   * `captureOutputs` (pick one).
   */
  readonly processOutputs?: ((outputs: Readonly<Record<string, unknown>>) => unknown) | undefined;
  /**
   * Report to this client instead of the parent's (or, at a root, the global
   * one): a `TracingClient`; a function called on every call with the call's
   * `this`, e.g. `(service: Orders) => service.tracing`; or a DI token such as
   * `TRACING_CLIENT`, resolved on every call from the container that built
   * `this` (see `registerTracing`). An unresolvable client falls back to the
   * inherited one.
   */
  readonly client?: ClientOption | undefined;
  /** The project (LangSmith) this run and its children report to. Default: the parent's, else the client's. */
  readonly projectName?: string | undefined;
  /** langsmith's spelling of `projectName`; with both, they must agree. */
  readonly project_name?: string | undefined;
  /**
   * `false` runs the function untraced, and its children too unless they set
   * `enabled: true`. Default: inherited from the parent (on by default).
   */
  readonly enabled?: boolean | undefined;
  /** langsmith's name for `enabled`; with both, they must agree. */
  readonly tracingEnabled?: boolean | undefined;
  /**
   * The run's id, a UUID: a string (for a function called once), or a
   * function of the call's arguments returning one per call. An id that is
   * not a UUID is replaced by a generated one and warned about once.
   */
  readonly id?: string | ((args: TracedArgs<F>) => string) | undefined;
  /** Called once when the run ends, with the finished run. What it throws is swallowed. */
  readonly onEnd?: ((run: Run) => void) | undefined;
  /**
   * Continue a trace from another service when the call starts a trace here:
   * incoming headers (W3C `traceparent`, LangSmith `langsmith-trace`, with
   * `tracestate` / `baggage`) or an `extractTraceContext()` result, or a
   * function of the call's arguments returning them (e.g.
   * `([event]) => event.headers`). Malformed headers start a fresh trace,
   * and so does any other value (`null`, a string): it is data, often a
   * message's (`parent: job.data.headers`), never refused, never thrown.
   * A call nested in a traced call stays that call's child.
   */
  readonly parent?: TraceParent | ((args: TracedArgs<F>) => TraceParent | null | undefined) | undefined;
}

/** @internal A validated, pre-computed form of `TraceOptions` for one function. */
export interface CallSite {
  readonly name: string;
  readonly runType: RunType;
  readonly tags: readonly string[];
  readonly metadata: { [key: string]: JsonValue } | undefined;
  readonly captureInputs: boolean | ((args: readonly unknown[]) => unknown);
  readonly captureOutputs: boolean | ((output: unknown) => unknown);
  readonly client: ClientSource | undefined;
  readonly projectName: string | undefined;
  readonly enabled: boolean | undefined;
  readonly id: string | ((args: readonly unknown[]) => string) | undefined;
  readonly onEnd: ((run: Run) => void) | undefined;
  readonly parent: TraceOptions['parent'];
}

const CAPTURE_INPUTS = 'captureInputs';
const CAPTURE_OUTPUTS = 'captureOutputs';
/** @internal Every option `traceable` and `@Traceable` take (the codemod checks `--decorator-options` against its copy). */
export const KNOWN_OPTIONS = [
  'name', 'runType', 'run_type', 'tags', 'metadata', CAPTURE_INPUTS, CAPTURE_OUTPUTS, 'processInputs', 'processOutputs',
  'client', 'projectName', 'project_name', 'enabled', 'tracingEnabled', 'id', 'onEnd', 'parent',
];
/** langsmith's options tracewire does not take, and what to use instead: a refusal that says how to move over. */
const LANGSMITH_INSTEAD: Readonly<Record<string, string>> = {
  aggregator: 'captureOutputs, a function that gets the values a stream produced',
  on_end: 'onEnd, which gets the finished run',
  getInvocationParams: 'metadata (ls_provider, ls_model_name…)',
  argsConfigPath: 'nothing: tracewire finds the parent run from the call, not from a config argument',
  extra: 'metadata for extra.metadata (tracewire records the runtime in extra itself)',
  on_start: 'getCurrentSpan() at the function\'s start, which gives the run as it starts',
  extractAttachments: 'nothing: tracewire uploads no attachments (record a reference in metadata)',
  attachments: 'nothing: tracewire uploads no attachments (record a reference in metadata)',
  replicas: 'LANGSMITH_RUNS_ENDPOINTS, which the LangSmith exporter reads',
  tracer: 'enableOpenTelemetryBridge(), which joins an OpenTelemetry tracer\'s traces',
  reference_example_id: 'metadata (tracewire runs no LangSmith evaluation)',
  serialized: 'metadata',
  start_time: 'nothing: a run starts when its call does',
  parent_run_id: 'parent: the parent\'s headers, or an extractTraceContext() result',
  trace_id: 'parent: the parent\'s headers, or an extractTraceContext() result',
};
/** What the `id` and `parent` refusals share. */
const OR_FUNCTION_OF_ARGUMENTS = ', or a function of the arguments returning ';
const UUID = /^[0-9a-f]{8}(?:-[0-9a-f]{4}){3}-[0-9a-f]{12}$/i;

/**
 * @internal Set once any function is wrapped with a `client` or `enabled`
 * option: until then every trace reports to the global client and nothing
 * is turned off below a parent, so an untraced call need not look up its
 * scope (the cheapest possible "tracing off" path).
 */
export const scopedOptions = { used: false };

/** A UUID's last 8 bytes all zero: they are its run's OpenTelemetry span id (the nil UUID's, its trace id too), which OTLP calls invalid. */
const ZERO_SPAN_ID = /0000-0{12}$/;

/** @internal True for a UUID string (any version; LangSmith takes no other run id) that makes valid OpenTelemetry ids. */
export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID.test(value) && !ZERO_SPAN_ID.test(value);
}

/** @internal How `traceable` and `@Traceable` options are read (`startSpan` adds its `inputs`). */
export const TRACE_SHAPE: OptionsShape = {
  setting: 'Traceable options',
  accepted: 'an options object or nothing',
  known: KNOWN_OPTIONS,
  // `parent` is data (a message's headers): null is none, as a function of the arguments may answer.
  keepsNull: ['parent'],
  // A refusal that says how to move over from langsmith.
  instead: Object.fromEntries(entries(LANGSMITH_INSTEAD).map(([key, use]) => [key, `langsmith's option ${key} is not taken; use ${use}`])),
};

/**
 * @internal Options read once, at decoration time (see `readOptions`): the snapshot every check of them, and the
 * traced function, read — never the caller's object again, and nothing on a traced call's path.
 */
export function readTraceOptions(options: unknown): TraceOptions {
  return readOptions(options, TRACE_SHAPE);
}

/**
 * @internal Validates options once, at decoration time, so a mistake fails
 * when the class loads rather than silently on the first call.
 */
export function resolveCallSite(options: unknown, fallbackName: string): CallSite {
  return callSiteOf(readTraceOptions(options), fallbackName);
}

/** @internal {@link resolveCallSite} of options already read by {@link readTraceOptions}. */
export function callSiteOf(options: TraceOptions, fallbackName: string): CallSite {
  const { name, runType = options.run_type ?? 'chain', run_type = runType, tags = [], metadata, client, projectName = options.project_name, project_name = projectName, enabled = options.tracingEnabled, tracingEnabled = enabled, id, onEnd, parent } = options;
  nonEmptyOption(name, 'name');
  if (run_type !== runType) refuse('run_type', run_type, `the same as runType, ${String(runType)}`);
  if (project_name !== projectName) refuse('project_name', project_name, `the same as projectName, ${String(projectName)}`);
  if (tracingEnabled !== enabled) refuse('tracingEnabled', tracingEnabled, `the same as enabled, ${String(enabled)}`);
  const captureInputs = processedBy('processInputs', options.processInputs, CAPTURE_INPUTS, options.captureInputs, langsmithInputs);
  const captureOutputs = processedBy('processOutputs', options.processOutputs, CAPTURE_OUTPUTS, options.captureOutputs, langsmithOutputs);
  if (!RUN_TYPES.includes(runType)) refuse('runType' in options ? 'runType' : 'run_type', runType, `one of ${RUN_TYPES.join(', ')}`);
  // Copied once, safely (a revoked Proxy is refused as the tags): the copy checked is the copy recorded.
  const tagList = readSafely('tags', () => (isArray(tags) ? [...tags] : undefined));
  if (tagList === undefined || tagList.some((tag) => !isString(tag))) refuse('tags', tags, 'an array of strings');
  // A plain object: a Map, Date or Promise has no keys to record.
  if (metadata !== undefined && !readSafely('metadata', () => isPlainObject(metadata))) {
    refuse('metadata', metadata, 'a plain object');
  }
  checkCapture(CAPTURE_INPUTS, captureInputs);
  checkCapture(CAPTURE_OUTPUTS, captureOutputs);
  // Named as written: langsmith's spelling (project_name, tracingEnabled) where that is the one given.
  nonEmptyOption(projectName, 'projectName' in options ? 'projectName' : 'project_name');
  booleanOption(enabled, 'enabled' in options ? 'enabled' : 'tracingEnabled', undefined);
  if (id !== undefined && !isFunction(id) && !isUuid(id)) refuse('id', id, `a UUID string not ending in 16 zero hex digits (its OpenTelemetry span id)${OR_FUNCTION_OF_ARGUMENTS}one`);
  if (onEnd !== undefined && !isFunction(onEnd)) refuse('onEnd', onEnd, A_FUNCTION);
  if (client !== undefined || enabled !== undefined) scopedOptions.used = true;
  return {
    // langsmith's name for a function without one, so an anonymous function's runs are named alike.
    name: name ?? (fallbackName || '<lambda>'),
    runType,
    // Each once, as langsmith records them.
    tags: freeze([...new Set(tagList)]),
    metadata: metadata === undefined ? undefined : (toJsonSafe(metadata).value as { [key: string]: JsonValue }),
    captureInputs,
    captureOutputs,
    client: clientSource(client),
    projectName,
    enabled,
    id,
    onEnd,
    // Kept only when it can name a parent: headers, a context, a function of the arguments.
    parent: isObject(parent) || isFunction(parent) ? parent : undefined,
  };
}

/**
 * A capture setting, or langsmith's process hook in its place: a capture
 * function that hands the hook what would be recorded (`shape`d, as
 * langsmith hands it), for the hook's result to be recorded instead.
 */
function processedBy<T>(hookName: string, hook: unknown, captureName: string, capture: boolean | ((value: T) => unknown) | undefined, shape: (value: T) => unknown): boolean | ((value: T) => unknown) {
  // `null` is checked, not defaulted: `captureInputs: null` read as the default would record what was likely meant hidden.
  if (hook === undefined) return capture === undefined ? true : capture;
  if (!isFunction(hook)) refuse(hookName, hook, A_FUNCTION);
  if (capture !== undefined) refuse(hookName, hook, `no ${hookName} with ${captureName} (pick one)`);
  const payload = hookName === 'processInputs' ? 'inputs' : 'outputs';
  return (value) => {
    let processed: unknown;
    try {
      processed = hook(shape(value));
    } catch {
      // langsmith's marker for a hook that threw, word for word (and, as there, not the error: reading it runs user code).
      return { ls_error: `Processing failed; ${payload} dropped (${hookName})` };
    }
    // langsmith awaits a hook's promise; tracewire records what a call gives at once (an async hook would hold the
    // run's record for it). So the run says why it has no value, rather than "[Promise]"; a rejection is handled.
    const then = thenOf(processed);
    if (then !== undefined) {
      Reflect.apply(then, processed, [undefined, noop]);
      return `[${hookName} returned a promise: tracewire records a hook's value only when it returns one synchronously]`;
    }
    return processed;
  };
}

function checkCapture(setting: string, value: unknown): void {
  if (typeof value !== 'boolean' && !isFunction(value)) refuse(setting, value, `true, false or ${A_FUNCTION}`);
}
