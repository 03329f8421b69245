import { toJsonSafe, type JsonValue, type SerializeLimits, type Serialized } from '../serialize/to-json-safe.js';
import type { CallSite } from './trace-options.js';

type JsonObject = { [key: string]: JsonValue };

/** A captured inputs or outputs object with its approximate JSON size, for batch byte limits. */
export interface Captured {
  readonly value: JsonObject;
  readonly bytes: number;
}

const NO_INPUTS: Captured = Object.freeze({ value: Object.freeze({}) as JsonObject, bytes: 2, truncated: false });

/**
 * Inputs in LangSmith's convention: no argument → `{}`, one plain object →
 * that object, one other value → `{ input }`, several → `{ args: [...] }`.
 * Serialized now, so a later mutation of an argument cannot change the trace.
 */
export function captureInputs(site: CallSite, args: ArrayLike<unknown>, limits: SerializeLimits): Captured {
  const capture = site.captureInputs;
  if (capture === false) return NO_INPUTS;
  if (capture === true) {
    if (args.length === 0) return NO_INPUTS;
    if (args.length === 1) return asObject(toJsonSafe(args[0], limits), 'input');
    return asObject(toJsonSafe(Array.prototype.slice.call(args), limits), 'args');
  }
  return asObject(toJsonSafe(guarded(capture, Array.prototype.slice.call(args)), limits), 'input');
}

/** Outputs in LangSmith's convention: a plain object as is, anything else as `{ outputs }`. */
export function captureOutputs(site: CallSite, output: unknown, limits: SerializeLimits): Captured | undefined {
  const capture = site.captureOutputs;
  if (capture === false) return undefined;
  return asObject(toJsonSafe(capture === true ? output : guarded(capture, output), limits), 'outputs');
}

/** Outputs set explicitly (`setOutputs`, a manual span's `end(outputs)`), already serialized, in the same convention. */
export function explicitOutputs(serialized: { value: JsonValue; bytes: number }): Captured {
  return asObject({ value: serialized.value, bytes: serialized.bytes, truncated: false }, 'outputs');
}

/** `stack` when it carries the message (V8's does), else `name: message`. Never throws. */
export function describeError(error: unknown): string {
  try {
    if (error !== null && typeof error === 'object') {
      const { name, message, stack } = error as { name?: unknown; message?: unknown; stack?: unknown };
      const head = `${typeof name === 'string' ? name : 'Error'}: ${typeof message === 'string' ? message : ''}`;
      if (typeof stack === 'string' && typeof message === 'string' && stack.includes(message)) return stack;
      return typeof stack === 'string' ? `${head}\n${stack}` : head;
    }
    return `Thrown: ${String(error)}`;
  } catch {
    return 'Thrown: [unreadable value]';
  }
}

/** Wraps a non-object value under `key`, reusing the serializer's fresh result object: this runs on every traced call. */
function asObject(serialized: Serialized, key: 'input' | 'args' | 'outputs'): Captured {
  const value = serialized.value;
  if (value !== null && typeof value === 'object' && !Array.isArray(value) && !('$type' in value)) return serialized as Captured;
  // One literal per key: a computed key would make a slow dictionary-mode object on every call.
  serialized.value = key === 'input' ? { input: value } : key === 'args' ? { args: value } : { outputs: value };
  serialized.bytes += key.length + 5;
  return serialized as Captured;
}

function guarded<A>(transform: (arg: A) => unknown, arg: A): unknown {
  try {
    return transform(arg);
  } catch (error) {
    return `[capture transform threw: ${describeError(error).split('\n')[0]}]`;
  }
}
