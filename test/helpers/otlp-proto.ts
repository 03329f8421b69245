import { OTLP_TRACE_PROTOS } from './otlp-proto-definitions';

/**
 * A small proto3 schema reader and codec, driven by the official OTLP
 * definitions in `otlp-proto-definitions.ts`, for checking what exporters
 * send: `decodeProtobuf` reads binary bodies, `verifyOtlpJson` checks JSON
 * bodies against the OTLP/HTTP JSON rules (lowerCamelCase names, hex trace and
 * span ids, enums as integers, 64-bit integers as decimal strings), and
 * `canonical` drops proto3 default values so the two can be compared.
 */

export const EXPORT_TRACE_REQUEST = 'opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest';

interface Field {
  name: string;
  jsonName: string;
  number: number;
  /** A scalar type name; after parsing, the full name of a message or enum otherwise. */
  type: string;
  repeated: boolean;
  oneof: string | undefined;
}
type ProtoType = { kind: 'message'; fields: Field[] } | { kind: 'enum'; values: Set<number> };
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const SCALARS = new Set(['double', 'float', 'int32', 'int64', 'uint32', 'uint64', 'sint32', 'sint64', 'fixed32', 'fixed64', 'sfixed32', 'sfixed64', 'bool', 'string', 'bytes']);
const INT64 = new Set(['int64', 'uint64', 'sint64', 'fixed64', 'sfixed64']);
const WIRE_TYPE: Record<string, number> = { double: 1, fixed64: 1, sfixed64: 1, float: 5, fixed32: 5, sfixed32: 5, string: 2, bytes: 2 };
/** OTLP/JSON's exception to proto3 JSON: these bytes fields are hex, not base64 (value: their length in bytes). */
const HEX_IDS: Record<string, number> = { traceId: 16, spanId: 8, parentSpanId: 8 };

/** Every message and enum of the definitions, by full name (`package.Outer.Inner`). */
export const OTLP_SCHEMA: ReadonlyMap<string, ProtoType> = parseProtos(OTLP_TRACE_PROTOS);

function parseProtos(files: readonly string[]): Map<string, ProtoType> {
  const types = new Map<string, ProtoType>();
  const references: { scope: string; field: Field }[] = [];
  for (const file of files) {
    const tokens = file.replace(/\/\/.*$/gm, '').match(/"[^"]*"|[A-Za-z_][\w.]*|-?0x[0-9A-Fa-f]+|-?\d+|[{}=;()<>,[\]]/g) ?? [];
    let at = 0;
    const skipStatement = (): void => {
      let depth = 0;
      for (let token = tokens[at++]; ; token = tokens[at++]) {
        if (token === '{') depth++;
        else if (token === '}' && --depth === 0) return;
        else if (token === ';' && depth === 0) return;
      }
    };
    // A file, message, enum or oneof body: declarations until `}` (or the end of the file).
    const readBody = (scope: string, into: ProtoType | undefined, oneof?: string): void => {
      while (at < tokens.length && tokens[at] !== '}') {
        const word = tokens[at++]!;
        if (word === ';') continue;
        if (word === 'package') {
          scope = tokens[at++]!;
          at++;
        } else if (word === 'message' || word === 'enum') {
          const name = `${scope ? scope + '.' : ''}${tokens[at]!}`;
          const type: ProtoType = word === 'message' ? { kind: 'message', fields: [] } : { kind: 'enum', values: new Set() };
          types.set(name, type);
          at += 2; // name {
          readBody(name, type);
          at++; // }
        } else if (word === 'oneof') {
          at += 2; // name {
          readBody(scope, into, tokens[at - 2]);
          at++; // }
        } else if (into === undefined || ['syntax', 'import', 'option', 'reserved', 'service'].includes(word)) {
          at--;
          skipStatement();
        } else if (into.kind === 'enum') {
          into.values.add(Number(tokens[at + 1])); // NAME = value ;
          at += 3;
        } else {
          const repeated = word === 'repeated';
          const type = repeated ? tokens[at++]! : word;
          const name = tokens[at]!; // name = number ;
          const field: Field = { name, jsonName: name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase()), number: Number(tokens[at + 2]), type, repeated, oneof };
          at += 4;
          into.fields.push(field);
          if (!SCALARS.has(type)) references.push({ scope, field });
        }
      }
    };
    readBody('', undefined);
  }
  // Protobuf scoping: a name is looked up from the innermost enclosing scope outwards.
  for (const { scope, field } of references) {
    const parts = scope.split('.');
    let found: string | undefined;
    for (let i = parts.length; i >= 0 && found === undefined; i--) {
      const candidate = [...parts.slice(0, i), field.type].join('.');
      if (types.has(candidate)) found = candidate;
    }
    if (found === undefined) throw new Error(`Unresolved type ${field.type} in ${scope}`);
    field.type = found;
  }
  return types;
}

function messageType(typeName: string): Field[] {
  const type = OTLP_SCHEMA.get(typeName);
  if (type?.kind !== 'message') throw new Error(`Not a message type: ${typeName}`);
  return type.fields;
}

/** Decodes protobuf bytes into the OTLP/JSON form. Throws on anything the schema does not allow (unknown fields, wrong wire types, truncation). */
export function decodeProtobuf(typeName: string, bytes: Uint8Array): JsonObject {
  const fields = messageType(typeName);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: JsonObject = {};
  let at = 0;
  const varint = (): bigint => {
    let value = 0n;
    for (let shift = 0n; ; shift += 7n) {
      if (at >= bytes.length) throw new Error('Truncated varint');
      const byte = bytes[at++]!;
      value |= BigInt(byte & 0x7f) << shift;
      if (byte < 0x80) return value;
    }
  };
  const take = (length: number): Uint8Array => {
    if (at + length > bytes.length) throw new Error('Truncated field');
    at += length;
    return bytes.subarray(at - length, at);
  };
  while (at < bytes.length) {
    const key = Number(varint());
    const field = fields.find((candidate) => candidate.number === key >>> 3);
    if (field === undefined) throw new Error(`${typeName}: unknown field number ${key >>> 3}`);
    const wireType = key & 7;
    const scalar = SCALARS.has(field.type);
    const expected = scalar ? (WIRE_TYPE[field.type] ?? 0) : OTLP_SCHEMA.get(field.type)!.kind === 'enum' ? 0 : 2;
    if (wireType !== expected) throw new Error(`${typeName}.${field.name}: wire type ${wireType}, expected ${expected}`);
    let value: Json;
    if (!scalar) {
      value = OTLP_SCHEMA.get(field.type)!.kind === 'enum' ? Number(varint()) : decodeProtobuf(field.type, take(Number(varint())));
    } else if (wireType === 2) {
      const raw = take(Number(varint()));
      if (field.type === 'string') value = new TextDecoder('utf-8', { fatal: true }).decode(raw);
      else value = field.jsonName in HEX_IDS ? Buffer.from(raw).toString('hex') : Buffer.from(raw).toString('base64');
    } else if (wireType === 1) {
      const at0 = (at += 8) - 8;
      value = field.type === 'double' ? view.getFloat64(at0, true) : (field.type === 'sfixed64' ? view.getBigInt64(at0, true) : view.getBigUint64(at0, true)).toString();
    } else if (wireType === 5) {
      const at0 = (at += 4) - 4;
      value = field.type === 'float' ? view.getFloat32(at0, true) : field.type === 'sfixed32' ? view.getInt32(at0, true) : view.getUint32(at0, true);
    } else {
      const raw = varint();
      if (field.type === 'bool') value = raw !== 0n;
      else if (field.type === 'sint64' || field.type === 'sint32') value = ((raw >> 1n) ^ -(raw & 1n)).toString();
      else if (field.type === 'int64') value = BigInt.asIntN(64, raw).toString();
      else if (INT64.has(field.type)) value = BigInt.asUintN(64, raw).toString();
      else value = field.type === 'int32' ? Number(BigInt.asIntN(32, raw)) : Number(BigInt.asUintN(32, raw));
      if (field.type === 'sint32') value = Number(value);
    }
    if (field.repeated) ((out[field.jsonName] ??= []) as Json[]).push(value);
    else {
      if (field.oneof !== undefined) for (const other of fields) if (other.oneof === field.oneof) delete out[other.jsonName];
      out[field.jsonName] = value;
    }
  }
  return out;
}

/** Every way `value` breaks the OTLP/JSON encoding of `typeName`; empty when it is valid. */
export function verifyOtlpJson(typeName: string, value: Json, path = '$'): string[] {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return [`${path}: expected an object for ${typeName}`];
  const fields = messageType(typeName);
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
  const fields = messageType(typeName);
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
