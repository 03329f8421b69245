import { callUntraced } from '../context/span-context.js';
import { toJsonSafe, type JsonValue, type SerializeLimits } from '../serialize/to-json-safe.js';
import type { Captured } from './capture.js';
import { isRecord } from '../natives.js';
import type { RunType } from '../model/run.js';

/** A JSON object: what the redaction hooks are given. */
type JsonObject = { [key: string]: JsonValue };

/** Where a value being redacted comes from. */
export interface RedactionContext {
  /** The run's name, as it is when the hook is called (`setName` may have changed it by the run's end). */
  readonly name: string;
  /** The run's type (`runType`). */
  readonly runType: RunType;
}

/**
 * Client-wide hooks that rewrite captured inputs, outputs and metadata
 * before they are queued, e.g. to remove secrets or personal data. Each
 * receives the JSON-safe copy and returns what to record instead: a value
 * that is no object is recorded as `{ redacted: value }`. They fail closed:
 * a hook that throws or returns a promise has nothing of the original
 * recorded (`{ redacted: '[redaction hook threw: value withheld]' }`).
 */
export interface RedactionHooks {
  /**
   * A run's inputs as captured (`{ input }`, `{ args }`, the one plain object argument, or `startSpan`'s `inputs`),
   * once, as the run starts. With `captureInputs: false`, it gets `{}`.
   */
  readonly inputs?: ((inputs: JsonObject, context: RedactionContext) => unknown) | undefined;
  /**
   * A run's outputs (what it returned or produced, or was given through `setOutputs()` or `end(outputs)`), once, as
   * it ends. Not called when none are recorded: `captureOutputs: false` without `setOutputs()`, or a call that threw
   * (but a failed stream keeps what it produced, and `setOutputs()` its value).
   */
  readonly outputs?: ((outputs: JsonObject, context: RedactionContext) => unknown) | undefined;
  /**
   * A run's metadata, whole, each time it is given or changes: when a call
   * gives metadata (`traceable`'s `metadata`, `startSpan`'s), on each
   * `setMetadata`, and when token counts (`usage_metadata`) join it at the
   * end. Inherited metadata comes already rewritten. langsmith's
   * `hideMetadata`; what the exporter adds (the environment's
   * `LANGSMITH_*` variables, `revision_id`) is not the run's own and is not
   * passed through it, as langsmith's client adds it after its own hook.
   */
  readonly metadata?: ((metadata: JsonObject, context: RedactionContext) => unknown) | undefined;
  /**
   * A run's error text, once, as it ends with one: the thrown error's stack with its causes (see README, "What a
   * traced call promises"), an error's message may quote a token, a key, a customer's data. Returns the text to
   * record; anything but a string (or a throw) records `[redaction hook threw: error withheld]`.
   */
  readonly error?: ((error: string, context: RedactionContext) => unknown) | undefined;
}

const WITHHELD = { redacted: '[redaction hook threw: value withheld]' };

/**
 * @internal Applies a hook to a captured value. Fails closed: if the hook
 * throws, or returns a promise (hooks are synchronous: the value is queued
 * now), nothing of the original is kept — a broken redactor must not leak
 * what it was meant to hide.
 */
export function redact(
  hook: ((value: JsonObject, context: RedactionContext) => unknown) | undefined,
  captured: Captured,
  context: RedactionContext,
  limits: SerializeLimits,
): Captured {
  if (hook === undefined) return captured;
  let replaced: unknown;
  try {
    replaced = callUntraced(hook, undefined, [captured.value, context]);
  } catch {
    replaced = WITHHELD;
  }
  if (replaced instanceof Promise) replaced = WITHHELD;
  const serialized = toJsonSafe(replaced, limits);
  const value = serialized.value;
  if (isRecord(value)) return { value, bytes: serialized.bytes };
  return { value: { redacted: value }, bytes: serialized.bytes + 13 };
}

/**
 * @internal `metadata` as `hook` rewrites it (see {@link RedactionHooks.metadata}); failing closed as {@link redact}
 * does. The hook gets a copy: a span's metadata may be its parent's or the call site's object (the program's own,
 * given as an option), which a hook that edits what it is given would change.
 */
export function redactMetadata(
  hook: NonNullable<RedactionHooks['metadata']>,
  metadata: JsonObject,
  context: RedactionContext,
  limits: SerializeLimits,
): JsonObject {
  return redact(hook, toJsonSafe(metadata, limits) as Captured, context, limits).value as JsonObject;
}

/** @internal `error` as `hook` rewrites it (see {@link RedactionHooks.error}); failing closed as {@link redact} does. */
export function redactError(hook: NonNullable<RedactionHooks['error']>, error: string, context: RedactionContext): string {
  try {
    const replaced = callUntraced(hook, undefined, [error, context]);
    return typeof replaced === 'string' ? replaced : ERROR_WITHHELD;
  } catch {
    return ERROR_WITHHELD;
  }
}

const ERROR_WITHHELD = '[redaction hook threw: error withheld]';
