import { isArray, isFunction, isObject, isString, keys } from '../natives.js';
/**
 * Where incoming trace headers can come from: Node's `IncomingMessage.headers`
 * (lower-case keys, `string | string[]`), a Fetch `Headers`, or any plain
 * record (an AWS API Gateway event's `headers`, with any key case). Also read,
 * for a queue's messages: a `Map`, a list of `[name, value]` pairs, and values
 * that are bytes (a `Buffer`, Kafka's and AMQP's headers), as UTF-8.
 */
export type HeaderCarrier =
  | {
      /** One header's value by name, as a Fetch `Headers` gives it (`null` when absent). */
      get(name: string): string | null | undefined;
    }
  | { readonly [name: string]: string | readonly string[] | undefined | null };

/**
 * @internal One header's value as a list (several lines of one header, as
 * HTTP allows), `[]` when absent. Never throws: a carrier with throwing
 * getters or a revoked proxy reads as empty — headers are untrusted input.
 */
export function readHeader(carrier: unknown, name: string): string[] {
  try {
    if (!isObject(carrier)) return [];
    // A Map (a message's headers, any case) and a list of [name, value] pairs (what injectTraceHeaders([...]) writes)
    // are read by entry, names in any case, as a record is: Map's own get() knows one case only.
    if (carrier instanceof Map || isArray(carrier)) return fromEntries(carrier as Iterable<unknown>, name);
    const get = (carrier as { get?: unknown }).get;
    if (isFunction(get)) return asList(Reflect.apply(get, carrier, [name]));
    const record = carrier as Record<string, unknown>;
    // Plain records from gateways keep whatever case the client sent, and two keys of one name in different cases are
    // two lines of that header (a trace header sent twice is refused, not taken from whichever key comes first).
    const lines: string[] = [];
    for (const key of keys(record)) if (isNamed(key, name)) lines.push(...asList(record[key]));
    return lines;
  } catch {
    return [];
  }
}

/**
 * At most this many entries of a Map or a list of pairs are read: headers are untrusted, and an endless iterator or a
 * sparse array 2³² − 1 long held the traced call forever (a report-only review). HTTP servers cap a request's headers
 * near this (Node: 2 000).
 */
const MAX_ENTRIES = 2_000;

function fromEntries(entries: Iterable<unknown>, name: string): string[] {
  const lines: string[] = [];
  let read = 0;
  for (const entry of entries) {
    if (++read > MAX_ENTRIES) break;
    if (!isArray(entry)) continue;
    if (isNamed(entry[0], name)) lines.push(...asList(entry[1]));
  }
  return lines;
}

/** Whether `key` names header `name` (lower case), in any case: a length test first, which most keys fail. */
function isNamed(key: unknown, name: string): boolean {
  return isString(key) && key.length === name.length && (key === name || key.toLowerCase() === name);
}

let decoder: TextDecoder | undefined;

/** A header's value as lines: a string, a list of them, or bytes — Kafka's and AMQP's headers are Buffers — as UTF-8. */
function asList(value: unknown): string[] {
  if (isString(value)) return [value];
  if (value instanceof Uint8Array) return [(decoder ??= new TextDecoder()).decode(value)];
  if (isArray(value)) return value.flatMap((line: unknown) => (isString(line) ? [line] : line instanceof Uint8Array ? asList(line) : []));
  return [];
}
