import { isPlainObject } from '../natives.js';

/**
 * @internal A call's arguments as langsmith's `processInputs` gets them (its
 * `runInputsToMap`), not yet copied: no argument or an undefined first one →
 * `{}`, a null first one → `{ inputs: null }`, one plain object → that
 * object, one other value → `{ input }`, several → `{ args }`. The recorded
 * form of the same convention is `captureInputs`'s (capture.ts), which
 * copies as it shapes.
 */
export const langsmithInputs = (args: readonly unknown[]): Record<string, unknown> => {
  const first = args[0];
  if (first === undefined) return {};
  if (first === null) return { inputs: null };
  if (args.length > 1) return { args: [...args] };
  return isPlainObject(first) ? first : { input: first };
};

/** @internal A result as langsmith's `processOutputs` gets it: undefined → `{}`, a plain object as is, anything else as `{ outputs }`. */
export const langsmithOutputs = (output: unknown): Record<string, unknown> => {
  if (output === undefined) return {};
  return isPlainObject(output) ? output : { outputs: output };
};
