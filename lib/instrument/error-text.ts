import { proxyCheck } from '../serialize/proxy-check.js';
import { withoutUrlPassword } from '../serialize/secret-fields.js';
import { DEFAULT_SERIALIZE_LIMITS, toJsonSafe } from '../serialize/to-json-safe.js';

const ObjectToString = Object.prototype.toString;
/** Causes followed, at most: a chain deeper than this is a loop built anew at each level, or a bug. */
const MAX_CAUSES = 8;
/** An `AggregateError`'s errors written out, at most; the rest are counted. */
const MAX_AGGREGATED = 10;

/**
 * A run's error text: the thrown error as Node shows it — its `stack` (which carries `name: message`), else
 * `name: message` — then its `cause` chain and an `AggregateError`'s `errors`, each as `[cause]: …` /
 * `[errors][i]: …` lines in Node's words: `fetch failed` says why only in its cause (`connect ECONNREFUSED …`), and
 * `Promise.any`'s error only in its errors (before 2026-12-06 all three were lost: a report-only probe). A URL's
 * password in it is hidden (Node's fetch quotes the URL it refused), and it is cut at `maxLength` units (marked).
 * Never throws.
 */
export function describeError(error: unknown, maxLength = Infinity): string {
  try {
    return withoutUrlPassword(errorText(error, maxLength), maxLength);
  } catch {
    // What the error is made of fought back past every guard below: the run still ends, as an error.
    return 'Thrown: [unreadable value]';
  }
}

function errorText(error: unknown, maxLength: number): string {
  let text = ownText(error);
  const seen = new Set<unknown>([error]);
  for (let depth = 0, at = error; depth < MAX_CAUSES && text.length <= maxLength; depth++) {
    if (isProxy(at)) break;
    const cause = read(at, 'cause');
    if (cause === undefined || cause === UNREADABLE || seen.has(cause)) break;
    seen.add(cause);
    text += `\n[cause]: ${ownText(cause)}`;
    at = cause;
  }
  const errors = !isProxy(error) && isAggregate(error) ? read(error, 'errors') : undefined;
  if (Array.isArray(errors)) {
    for (let i = 0; i < Math.min(errors.length, MAX_AGGREGATED) && text.length <= maxLength; i++) text += `\n[errors][${i}]: ${ownText(errors[i])}`;
    if (errors.length > MAX_AGGREGATED) text += `\n[errors]: ${errors.length - MAX_AGGREGATED} more`;
  }
  return text;
}

/**
 * One thrown value's own text. Each of `name`, `message` and `stack` is read alone: a getter that throws loses only
 * itself (one that threw made the whole error `Thrown: [unreadable value]`). An error whose message is no string
 * (`err.message = 404`, an object) is still an error, with that value written as JSON.
 */
function ownText(error: unknown): string {
  if (error === null || (typeof error !== 'object' && typeof error !== 'function')) return `Thrown: ${String(error as string)}`;
  // Its traps are the program's: never run them (as for a Proxy among the inputs or outputs).
  if (proxyCheck.isProxy(error)) return 'Thrown: [Proxy]';
  const name = read(error, 'name');
  const message = read(error, 'message');
  const stack = read(error, 'stack');
  const isError = error instanceof Error || tagOf(error) === '[object Error]';
  // Not error-like (no message, no stack: `throw { code: 42 }`): its content, as JSON, is all there is to say.
  if (!isError && typeof message !== 'string' && typeof stack !== 'string') return `Thrown: ${typeof error === 'function' ? String(error as unknown as string) : json(error)}`;
  const head = `${typeof name === 'string' ? name : 'Error'}: ${typeof message === 'string' ? message : message === undefined || message === UNREADABLE ? '' : json(message)}`;
  if (typeof stack !== 'string') return message === UNREADABLE ? `${head}[unreadable message]` : head;
  // V8's stack carries the message it had when made: it stands for one that cannot be read now.
  if (message === UNREADABLE) return stack;
  // One changed since says both; one that is no string, its own value and the frames.
  if (typeof message === 'string' || message === undefined) return typeof message === 'string' && stack.includes(message) ? stack : `${head}\n${stack}`;
  const frames = stack.search(/\n[ \t]+at /);
  return frames < 0 ? head : head + stack.slice(frames);
}

/** What {@link read} gives for a property whose getter threw. */
const UNREADABLE = Symbol('unreadable');

function read(target: unknown, key: string): unknown {
  try {
    return (target as Record<string, unknown>)[key];
  } catch {
    return UNREADABLE;
  }
}

function tagOf(value: object): string {
  try {
    return ObjectToString.call(value);
  } catch {
    return '';
  }
}

function isProxy(value: unknown): boolean {
  return value !== null && (typeof value === 'object' || typeof value === 'function') && proxyCheck.isProxy(value);
}

function isAggregate(error: unknown): boolean {
  return (typeof AggregateError === 'function' && error instanceof AggregateError) || read(error, 'name') === 'AggregateError';
}

function json(value: unknown): string {
  try {
    return JSON.stringify(toJsonSafe(value, DEFAULT_SERIALIZE_LIMITS).value) ?? String(value);
  } catch {
    return '[unreadable value]';
  }
}
