import { proxyCheck } from '../serialize/proxy-check.js';

/**
 * @internal Whether langsmith records `value` as it is rather than under a
 * key (its `isKVMap`): an object whose prototype is `Object.prototype` (of
 * any realm: a response parsed by Node's fetch in a test's VM context) or
 * null, and that is neither tagged (`Symbol.toStringTag`) nor iterable.
 */
export function isKeyValueMap(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || proxyCheck.isProxy(value)) return false;
  try {
    const prototype: unknown = Object.getPrototypeOf(value);
    return (prototype === null || Object.getPrototypeOf(prototype) === null) && !(Symbol.toStringTag in value) && !(Symbol.iterator in value);
  } catch {
    // A revoked Proxy, or one whose traps throw: not a plain object, and never a throw into the traced call.
    return false;
  }
}

/**
 * @internal A call's arguments as langsmith's `processInputs` gets them (its
 * `runInputsToMap`), not yet copied: no argument or an undefined first one →
 * `{}`, a null first one → `{ inputs: null }`, one plain object → that
 * object, one other value → `{ input }`, several → `{ args }`. The recorded
 * form of the same convention is `captureInputs`'s (capture.ts), which
 * copies as it shapes.
 */
export function langsmithInputs(args: readonly unknown[]): Record<string, unknown> {
  const first = args[0];
  if (first === undefined) return {};
  if (first === null) return { inputs: null };
  if (args.length > 1) return { args: [...args] };
  return isKeyValueMap(first) ? first : { input: first };
}

/** @internal A result as langsmith's `processOutputs` gets it: undefined → `{}`, a plain object as is, anything else as `{ outputs }`. */
export function langsmithOutputs(output: unknown): Record<string, unknown> {
  if (output === undefined) return {};
  return isKeyValueMap(output) ? output : { outputs: output };
}
