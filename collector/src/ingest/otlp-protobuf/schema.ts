import { OTLP_TRACE_PROTOS } from './definitions.js';

/**
 * A small proto3 schema reader: just enough of the .proto grammar for the
 * OTLP definitions (packages, nested messages and enums, oneofs, repeated
 * fields), so the decoder can be driven by the official text instead of
 * hand-written field tables that could drift from it.
 */

/** The full name of the OTLP/HTTP trace request message. */
export const EXPORT_TRACE_REQUEST = 'opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest';

/** One field of a message. */
export interface Field {
  /** The name in the .proto (`trace_id`). */
  name: string;
  /** The OTLP/JSON name (`traceId`): lowerCamelCase, as proto3 JSON maps it. */
  jsonName: string;
  number: number;
  /** A scalar type name; after parsing, the full name of a message or enum otherwise. */
  type: string;
  repeated: boolean;
  /** The oneof the field belongs to, if any: setting it clears its siblings. */
  oneof: string | undefined;
}

/** A message (its fields, also by number for decoding) or an enum (its values). */
export type ProtoType =
  | { kind: 'message'; fields: Field[]; byNumber: Map<number, Field> }
  | { kind: 'enum'; values: Set<number> };

/** The proto3 scalar types. */
export const SCALARS: ReadonlySet<string> = new Set(['double', 'float', 'int32', 'int64', 'uint32', 'uint64', 'sint32', 'sint64', 'fixed32', 'fixed64', 'sfixed32', 'sfixed64', 'bool', 'string', 'bytes']);
/** The scalars proto3 JSON writes as decimal strings (a double cannot hold them exactly). */
export const INT64: ReadonlySet<string> = new Set(['int64', 'uint64', 'sint64', 'fixed64', 'sfixed64']);

/**
 * Every message and enum of `files`, by full name (`package.Outer.Inner`),
 * with field types resolved to full names. Throws on a type it cannot resolve.
 */
export function parseProtos(files: readonly string[]): Map<string, ProtoType> {
  const types = new Map<string, ProtoType>();
  const references: { scope: string; field: Field }[] = [];
  for (const file of files) {
    const tokens = file.replace(/\/\/.*$/gm, '').match(/"[^"]*"|[A-Za-z_][\w.]*|-?0x[0-9A-Fa-f]+|-?\d+|[{}=;()<>,[\]]/g) ?? [];
    let at = 0;
    const skipStatement = (): void => {
      let depth = 0;
      for (let token = tokens[at++]; at <= tokens.length; token = tokens[at++]) {
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
          const type: ProtoType = word === 'message' ? { kind: 'message', fields: [], byNumber: new Map() } : { kind: 'enum', values: new Set() };
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
          into.byNumber.set(field.number, field);
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

/** Every message and enum of the OTLP trace definitions, by full name. */
export const OTLP_SCHEMA: ReadonlyMap<string, ProtoType> = parseProtos(OTLP_TRACE_PROTOS);

/** The message `typeName` of `schema`; throws if there is no such message. */
export function messageType(typeName: string, schema: ReadonlyMap<string, ProtoType> = OTLP_SCHEMA): Extract<ProtoType, { kind: 'message' }> {
  const type = schema.get(typeName);
  if (type?.kind !== 'message') throw new Error(`Not a message type: ${typeName}`);
  return type;
}
