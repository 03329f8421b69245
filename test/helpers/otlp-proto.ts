import { HEX_IDS, decodeProtobuf as decodeWith, type Json, type JsonObject } from '../../collector/src/ingest/otlp-protobuf/decode.js';
import { EXPORT_TRACE_REQUEST, INT64, OTLP_SCHEMA, messageType, type Field } from '../../collector/src/ingest/otlp-protobuf/schema.js';

/**
 * Checks of what exporters send, against the official OTLP definitions the
 * collector decodes with (`collector/src/ingest/otlp-protobuf/`):
 * `decodeProtobuf` reads binary bodies strictly (an unknown field is an error
 * here, where the collector skips it), `verifyOtlpJson` checks JSON bodies
 * against the OTLP/HTTP JSON rules (lowerCamelCase names, hex trace and span
 * ids, enums as integers, 64-bit integers as decimal strings), and
 * `canonical` drops proto3 default values so the two can be compared.
 */

export { EXPORT_TRACE_REQUEST, OTLP_SCHEMA };
export type { Json };

/** Decodes protobuf bytes into the OTLP/JSON form. Throws on anything the schema does not allow (unknown fields, wrong wire types, truncation). */
export function decodeProtobuf(typeName: string, bytes: Uint8Array): JsonObject {
  return decodeWith(typeName, bytes, { strict: true });
}

/** Every way `value` breaks the OTLP/JSON encoding of `typeName`; empty when it is valid. */
export function verifyOtlpJson(typeName: string, value: Json, path = '$'): string[] {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return [`${path}: expected an object for ${typeName}`];
  const { fields } = messageType(typeName);
  const problems: string[] = [];
  const oneofsSeen = new Map<string, string>();
  for (const [key, item] of Object.entries(value)) {
    const field = fields.find((candidate) => candidate.jsonName === key);
    if (field === undefined) {
      problems.push(`${path}.${key}: no such field in ${typeName}`);
      continue;
    }
    if (field.oneof !== undefined) {
      const other = oneofsSeen.get(field.oneof);
      if (other !== undefined) problems.push(`${path}: both ${other} and ${key} of oneof ${field.oneof} are set`);
      oneofsSeen.set(field.oneof, key);
    }
    if (field.repeated) {
      if (!Array.isArray(item)) problems.push(`${path}.${key}: expected an array`);
      else item.forEach((element, i) => problems.push(...verifyValue(field, element, `${path}.${key}[${i}]`)));
    } else problems.push(...verifyValue(field, item, `${path}.${key}`));
  }
  return problems;
}

function verifyValue(field: Field, value: Json, path: string): string[] {
  const type = OTLP_SCHEMA.get(field.type);
  if (type?.kind === 'message') return verifyOtlpJson(field.type, value, path);
  if (type?.kind === 'enum') return Number.isInteger(value) && type.values.has(value as number) ? [] : [`${path}: expected one of the integer values of ${field.type}`];
  const ok = ((): boolean => {
    if (field.type === 'string') return typeof value === 'string';
    if (field.type === 'bool') return typeof value === 'boolean';
    if (field.type === 'double' || field.type === 'float') return typeof value === 'number';
    if (INT64.has(field.type)) return typeof value === 'string' && /^-?\d+$/.test(value) && BigInt(value) >= -(2n ** 63n) && BigInt(value) < 2n ** 64n;
    if (field.type === 'bytes') {
      const hexLength = HEX_IDS[field.jsonName];
      if (hexLength === undefined) return typeof value === 'string' && /^[A-Za-z0-9+/]*={0,2}$/.test(value);
      return typeof value === 'string' && new RegExp(`^[0-9a-fA-F]{${hexLength * 2}}$`).test(value) && !/^0+$/.test(value);
    }
    return Number.isInteger(value) && (value as number) >= -(2 ** 31) && (value as number) < 2 ** 32;
  })();
  return ok ? [] : [`${path}: ${JSON.stringify(value)} is not a valid OTLP/JSON ${field.type}${field.jsonName in HEX_IDS ? ' (hex id)' : ''}`];
}

/** `value` without the fields proto3 treats as unset (0, "", false, empty lists), except inside a oneof, where presence is the value. */
export function canonical(typeName: string, value: JsonObject): JsonObject {
  const { fields } = messageType(typeName);
  const out: JsonObject = {};
  for (const field of fields) {
    const item = value[field.jsonName];
    if (item === undefined) continue;
    const isMessage = OTLP_SCHEMA.get(field.type)?.kind === 'message';
    const clean = (element: Json): Json => (isMessage ? canonical(field.type, element as JsonObject) : element);
    if (field.repeated) {
      if ((item as Json[]).length > 0) out[field.jsonName] = (item as Json[]).map(clean);
    } else if (field.oneof !== undefined || isMessage || !(item === 0 || item === '0' || item === '' || item === false)) {
      out[field.jsonName] = clean(item);
    }
  }
  return out;
}
