import type { Json } from '../run-op.js';
import { INT64, OTLP_SCHEMA, SCALARS, messageType, type Field, type ProtoType } from './schema.js';

/**
 * Decodes protobuf bytes into the OTLP/JSON form of the same message, so one
 * mapping serves both OTLP/HTTP encodings: lowerCamelCase names, trace and
 * span ids as hex (OTLP's exception to proto3 JSON's base64), other bytes as
 * base64, enums as integers, 64-bit integers as decimal strings.
 */

export type { Json };
/** A decoded message. */
export type JsonObject = { [key: string]: Json };

/** How strictly to read. */
export interface DecodeOptions {
  /**
   * `true`: an unknown field number is an error (tests checking what an
   * encoder sends against the schema). `false`: it is skipped by its wire
   * type, as protobuf requires of a receiver, so that bodies from senders on
   * a newer OTLP version still decode.
   */
  strict: boolean;
}

/** Bytes that are not a valid encoding of the message; the message says where and why. */
export class ProtobufDecodeError extends Error {
  override readonly name = 'ProtobufDecodeError';
}

/** OTLP/JSON writes these bytes fields as hex (value: their length in bytes). */
export const HEX_IDS: Readonly<Record<string, number>> = { traceId: 16, spanId: 8, parentSpanId: 8 };
/** The wire type each scalar is written with (the rest: 0, varint). */
const WIRE_TYPE: Readonly<Record<string, number>> = { double: 1, fixed64: 1, sfixed64: 1, float: 5, fixed32: 5, sfixed32: 5, string: 2, bytes: 2 };
/** Nested messages deeper than this are refused: AnyValue nests without bound and each level costs the sender 2 bytes but us a stack frame (protobuf's own default limit). */
const MAX_DEPTH = 100;
const UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The message `typeName` (a full name, e.g. `EXPORT_TRACE_REQUEST` of `schema.ts`) in
 * `bytes`, in OTLP/JSON form. Throws {@link ProtobufDecodeError} on truncation,
 * a wire type the field does not allow, invalid UTF-8, nesting past 100
 * levels, groups (deprecated, never used by OTLP) and, when `strict`, unknown
 * fields.
 */
export function decodeProtobuf(typeName: string, bytes: Uint8Array, options: DecodeOptions, schema: ReadonlyMap<string, ProtoType> = OTLP_SCHEMA): JsonObject {
  messageType(typeName, schema); // a wrong type name is the caller's bug, not the sender's: a plain Error
  return decodeMessage(typeName, bytes, '$', 0, options, schema);
}

function decodeMessage(typeName: string, bytes: Uint8Array, path: string, depth: number, options: DecodeOptions, schema: ReadonlyMap<string, ProtoType>): JsonObject {
  if (depth > MAX_DEPTH) throw new ProtobufDecodeError(`${path}: messages nested deeper than ${MAX_DEPTH} levels`);
  const { fields, byNumber } = messageType(typeName, schema);
  const out: JsonObject = {};
  let at = 0;
  let where = path;
  const fail = (reason: string): never => {
    throw new ProtobufDecodeError(`${where}: ${reason} (byte ${at} of ${bytes.length})`);
  };
  const varint = (): bigint => {
    let value = 0n;
    // At most 10 bytes (64 bits): longer is malformed, and would let a sender grow a huge bigint.
    for (let shift = 0n; shift < 70n; shift += 7n) {
      if (at >= bytes.length) return fail('truncated varint');
      const byte = bytes[at++]!;
      value |= BigInt(byte & 0x7f) << shift;
      if (byte < 0x80) return value;
    }
    return fail('varint longer than 10 bytes');
  };
  const take = (length: number): Uint8Array => {
    if (length > bytes.length - at) fail(`truncated: ${length} bytes announced, ${bytes.length - at} left`);
    at += length;
    return bytes.subarray(at - length, at);
  };
  const skip = (wireType: number): void => {
    if (wireType === 0) varint();
    else if (wireType === 1) take(8);
    else if (wireType === 2) take(Number(varint()));
    else if (wireType === 5) take(4);
    else if (wireType === 3 || wireType === 4) fail('groups (wire types 3 and 4) are deprecated and not part of OTLP');
    else fail(`invalid wire type ${wireType}`);
  };
  while (at < bytes.length) {
    where = path;
    const key = varint();
    const number = Number(key >> 3n);
    const wireType = Number(key & 7n);
    if (number === 0) fail('field number 0 is invalid');
    const field = byNumber.get(number);
    if (field === undefined) {
      if (options.strict) fail(`unknown field number ${number} in ${typeName}`);
      skip(wireType);
      continue;
    }
    where = `${path}.${field.jsonName}${field.repeated ? `[${((out[field.jsonName] as Json[] | undefined) ?? []).length}]` : ''}`;
    const type = schema.get(field.type);
    const expected = type === undefined ? (WIRE_TYPE[field.type] ?? 0) : type.kind === 'enum' ? 0 : 2;
    // A known field with another wire type is corrupt data, not a newer schema: an error in both modes.
    if (wireType !== expected) fail(`wire type ${wireType}, expected ${expected} for ${field.type}`);
    const value: Json =
      type?.kind === 'message' ? decodeMessage(field.type, take(Number(varint())), where, depth + 1, options, schema)
      : type?.kind === 'enum' ? Number(BigInt.asIntN(32, varint()))
      : scalar(field, wireType, varint, take, fail);
    if (field.repeated) ((out[field.jsonName] ??= []) as Json[]).push(value);
    else {
      if (field.oneof !== undefined) for (const other of fields) if (other.oneof === field.oneof) delete out[other.jsonName];
      out[field.jsonName] = value;
    }
  }
  return out;
}

/** One scalar value, read with `varint` / `take` from the field's position; `fail` reports where. */
function scalar(field: Field, wireType: number, varint: () => bigint, take: (length: number) => Uint8Array, fail: (reason: string) => never): Json {
  if (!SCALARS.has(field.type)) throw new Error(`Unresolved type ${field.type}`);
  if (wireType === 2) {
    const raw = take(Number(varint()));
    if (field.type === 'string') {
      try {
        return UTF8.decode(raw);
      } catch {
        return fail('string is not valid UTF-8');
      }
    }
    return Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString(field.jsonName in HEX_IDS ? 'hex' : 'base64');
  }
  if (wireType === 1 || wireType === 5) {
    const raw = take(wireType === 1 ? 8 : 4);
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    if (field.type === 'double') return view.getFloat64(0, true);
    if (field.type === 'float') return view.getFloat32(0, true);
    if (field.type === 'fixed32') return view.getUint32(0, true);
    if (field.type === 'sfixed32') return view.getInt32(0, true);
    return (field.type === 'sfixed64' ? view.getBigInt64(0, true) : view.getBigUint64(0, true)).toString();
  }
  const raw = varint();
  if (field.type === 'bool') return raw !== 0n;
  if (field.type === 'sint32' || field.type === 'sint64') {
    const zigzag = (raw >> 1n) ^ -(raw & 1n); // protobuf's zigzag: 0, -1, 1, -2… as 0, 1, 2, 3…
    return field.type === 'sint32' ? Number(BigInt.asIntN(32, zigzag)) : BigInt.asIntN(64, zigzag).toString();
  }
  if (field.type === 'int64') return BigInt.asIntN(64, raw).toString();
  if (INT64.has(field.type)) return BigInt.asUintN(64, raw).toString();
  return field.type === 'int32' ? Number(BigInt.asIntN(32, raw)) : Number(BigInt.asUintN(32, raw));
}
