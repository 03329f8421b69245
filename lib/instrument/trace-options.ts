import { TracewireConfigError } from '../errors.js';
import type { TracingClient } from '../client/tracing-client.js';
import { RUN_TYPES, type RunType } from '../model/run.js';
import { toJsonSafe, type JsonValue } from '../serialize/to-json-safe.js';
import type { TraceParent } from '../propagation/remote-context.js';

/** How one traced function or method is recorded. Every field is optional. */
export interface TraceOptions {
  /** Span name. Default: the function's or method's name. */
  readonly name?: string;
  /** Default `chain`. */
  readonly runType?: RunType;
  readonly tags?: readonly string[];
  /** Recorded on the span and inherited by its children. */
  readonly metadata?: Readonly<Record<string, unknown>>;
  /**
   * `true` (default) records the arguments as at call time; `false` records
   * none; a function returns what to record instead (e.g. to redact secrets).
   */
  readonly captureInputs?: boolean | ((args: readonly unknown[]) => unknown);
  /**
   * `true` (default) records the return value (for generators, streams and
   * observables: the values produced); `false` records none; a function
   * returns what to record instead.
   */
  readonly captureOutputs?: boolean | ((output: unknown) => unknown);
  /** Report to this client instead of the global one. */
  readonly client?: TracingClient;
  /**
   * Continue a trace from another service when the call starts a trace here:
   * incoming headers (W3C `traceparent`, LangSmith `langsmith-trace`, with
   * `tracestate` / `baggage`) or an `extractTraceContext()` result, or a
   * function of the call's arguments returning them (e.g.
   * `([event]) => event.headers`). Malformed headers start a fresh trace.
   * A call nested in a traced call stays that call's child.
   */
  readonly parent?: TraceParent | ((args: readonly unknown[]) => TraceParent | null | undefined);
}

/** @internal A validated, pre-computed form of `TraceOptions` for one function. */
export interface CallSite {
  readonly name: string;
  readonly runType: RunType;
  readonly tags: readonly string[];
  readonly metadata: { [key: string]: JsonValue } | undefined;
  readonly captureInputs: boolean | ((args: readonly unknown[]) => unknown);
  readonly captureOutputs: boolean | ((output: unknown) => unknown);
  readonly client: TracingClient | undefined;
  readonly parent: TraceOptions['parent'];
}

const KNOWN_OPTIONS = new Set(['name', 'runType', 'tags', 'metadata', 'captureInputs', 'captureOutputs', 'client', 'parent']);

/**
 * @internal Validates options once, at decoration time, so a mistake fails
 * when the class loads rather than silently on the first call.
 */
export function resolveCallSite(options: TraceOptions | undefined, fallbackName: string): CallSite {
  if (options === undefined) options = {};
  if (options === null || typeof options !== 'object') throw new TracewireConfigError('Traceable options', options, 'an options object or nothing');
  for (const key of Object.keys(options)) {
    if (!KNOWN_OPTIONS.has(key)) throw new TracewireConfigError(`option "${key}"`, key, `one of ${[...KNOWN_OPTIONS].join(', ')}`);
  }
  const { name, runType = 'chain', tags = [], metadata, captureInputs = true, captureOutputs = true, client, parent } = options;
  if (name !== undefined && (typeof name !== 'string' || name.length === 0)) throw new TracewireConfigError('name', name, 'a non-empty string');
  if (!RUN_TYPES.includes(runType)) throw new TracewireConfigError('runType', runType, `one of ${RUN_TYPES.join(', ')}`);
  if (!Array.isArray(tags) || tags.some((tag) => typeof tag !== 'string')) throw new TracewireConfigError('tags', tags, 'an array of strings');
  if (metadata !== undefined && (metadata === null || typeof metadata !== 'object' || Array.isArray(metadata))) {
    throw new TracewireConfigError('metadata', metadata, 'a plain object');
  }
  checkCapture('captureInputs', captureInputs);
  checkCapture('captureOutputs', captureOutputs);
  if (client !== undefined && (client === null || typeof client !== 'object' || typeof client.startSpan !== 'function')) {
    throw new TracewireConfigError('client', client, 'a TracingClient');
  }
  if (parent !== undefined && (parent === null || (typeof parent !== 'object' && typeof parent !== 'function'))) {
    throw new TracewireConfigError('parent', parent, 'incoming headers, an extractTraceContext() result, or a function of the arguments returning them');
  }
  return {
    name: name ?? (fallbackName || 'anonymous'),
    runType,
    tags: Object.freeze([...tags]),
    metadata: metadata === undefined ? undefined : (toJsonSafe(metadata).value as { [key: string]: JsonValue }),
    captureInputs,
    captureOutputs,
    client,
    parent,
  };
}

function checkCapture(setting: string, value: unknown): void {
  if (typeof value !== 'boolean' && typeof value !== 'function') throw new TracewireConfigError(setting, value, 'true, false or a function');
}
