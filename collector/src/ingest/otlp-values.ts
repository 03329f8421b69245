import { badRequest } from '../http/http-error.js';
import { canonicalUuid } from './normalize-run.js';
import type { Json } from './run-op.js';
import { LIMITS } from './validate/limits.js';

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

/**
 * A KeyValue list as an object without a prototype: a key is the sender's,
 * and `__proto__` written to a plain object would replace its prototype
 * (an inherited `tracewire.run_id` then switched the span's mapping).
 */
export function plainAttributes(list: OtlpKeyValue[] | undefined): { [key: string]: Json } {
  const out = Object.create(null) as { [key: string]: Json };
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
  let hex: string | undefined;
  if (new RegExp(`^[0-9a-fA-F]{${bytes * 2}}$`).test(value)) hex = value.toLowerCase();
  else {
    const decoded = Buffer.from(value, 'base64');
    if (decoded.length === bytes && /^[A-Za-z0-9+/]+=*$/.test(value)) hex = decoded.toString('hex');
  }
  // All zeros is OTLP's invalid id: it names no span (and every such span would be one run).
  if (hex === undefined || /^0+$/.test(hex)) throw badRequest(`${what} must be ${bytes * 2} hex digits, not all zero, got ${JSON.stringify(value)}`);
  return hex;
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
  // The int64 range OTLP's field has: a later time would sort after every real trace (retention removes oldest first).
  if (nanos < 0n || nanos > LIMITS.maxUnixNanos) throw badRequest(`${what} must be nanoseconds since the Unix epoch, at most ${LIMITS.maxUnixNanos}, got ${JSON.stringify(value)}`);
  const micros = nanos / 1000n;
  const millis = micros / 1000n;
  const iso = new Date(Number(millis)).toISOString();
  return `${iso.slice(0, 19)}.${(micros % 1_000_000n).toString().padStart(6, '0')}Z`;
}
