import { badRequest } from '../http/http-error.js';
import { canonicalUuid } from './normalize-run.js';
import type { Json } from './run-op.js';

/** An OTLP/JSON `AnyValue`. */
export interface OtlpAnyValue {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: string | number;
  doubleValue?: number | string;
  bytesValue?: string;
  arrayValue?: { values?: OtlpAnyValue[] };
  kvlistValue?: { values?: OtlpKeyValue[] };
}

/** An OTLP/JSON `KeyValue`. */
export interface OtlpKeyValue {
  key: string;
  value?: OtlpAnyValue;
}

/** An `AnyValue` as plain JSON: ints as numbers (as text past 2^53, to stay exact), lists as arrays, kvlists as objects. */
export function plainValue(value: OtlpAnyValue | undefined): Json {
  if (value === undefined || value === null) return null;
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.boolValue !== undefined) return value.boolValue;
  if (value.intValue !== undefined) {
    const big = BigInt(value.intValue);
    return big <= BigInt(Number.MAX_SAFE_INTEGER) && big >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(big) : big.toString();
  }
  if (value.doubleValue !== undefined) return Number(value.doubleValue);
  if (value.bytesValue !== undefined) return value.bytesValue;
  if (value.arrayValue !== undefined) return (value.arrayValue.values ?? []).map(plainValue);
  if (value.kvlistValue !== undefined) return plainAttributes(value.kvlistValue.values);
  return null;
}

/** A KeyValue list as an object. */
export function plainAttributes(list: OtlpKeyValue[] | undefined): { [key: string]: Json } {
  const out: { [key: string]: Json } = {};
  if (!Array.isArray(list)) return out;
  for (const entry of list) if (typeof entry?.key === 'string') out[entry.key] = plainValue(entry.value);
  return out;
}

/**
 * An OTLP id as lower-case hex: OTLP/JSON sends hex, but some encoders use
 * protobuf's JSON mapping (base64); both are accepted.
 */
export function hexId(value: unknown, bytes: 8 | 16, what: string): string {
  if (typeof value !== 'string') throw badRequest(`${what} must be a string of ${bytes * 2} hex digits`);
  if (new RegExp(`^[0-9a-fA-F]{${bytes * 2}}$`).test(value)) return value.toLowerCase();
  const decoded = Buffer.from(value, 'base64');
  if (decoded.length === bytes && /^[A-Za-z0-9+/]+=*$/.test(value)) return decoded.toString('hex');
  throw badRequest(`${what} must be ${bytes * 2} hex digits, got ${JSON.stringify(value)}`);
}

/** 32 hex digits as a dashed UUID. */
export function uuidOfHex(hex: string): string {
  return canonicalUuid(hex);
}

/** Nanoseconds since the epoch (decimal text or number) as ISO 8601 UTC with microseconds. */
export function unixNanoToIso(value: unknown, what: string): string {
  let nanos: bigint;
  try {
    if (typeof value !== 'string' && typeof value !== 'number') throw new Error();
    nanos = BigInt(typeof value === 'number' ? Math.round(value) : value);
  } catch {
    throw badRequest(`${what} must be nanoseconds since the Unix epoch, got ${JSON.stringify(value ?? null)}`);
  }
  const micros = nanos / 1000n;
  const millis = micros / 1000n;
  const iso = new Date(Number(millis)).toISOString();
  return `${iso.slice(0, 19)}.${(micros % 1_000_000n).toString().padStart(6, '0')}Z`;
}
