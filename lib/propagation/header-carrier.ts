import { isArray, isFunction, isObject, isString, keys } from '../natives.js';
/**
 * Where incoming trace headers can come from: Node's `IncomingMessage.headers`
 * (lower-case keys, `string | string[]`), a Fetch `Headers`, or any plain
 * record (an AWS API Gateway event's `headers`, with any key case).
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
    const get = (carrier as { get?: unknown }).get;
    if (isFunction(get)) return asList(Reflect.apply(get, carrier, [name]));
    const record = carrier as Record<string, unknown>;
    // Plain records from gateways keep whatever case the client sent, and two keys of one name in different cases are
    // two lines of that header (a trace header sent twice is refused, not taken from whichever key comes first).
    const lines: string[] = [];
    for (const key of keys(record)) if (key.length === name.length && (key === name || key.toLowerCase() === name)) lines.push(...asList(record[key]));
    return lines;
  } catch {
    return [];
  }
}

function asList(value: unknown): string[] {
  if (isString(value)) return [value];
  if (isArray(value)) return value.filter(isString);
  return [];
}
