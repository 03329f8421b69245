import { ProtobufDecodeError, decodeProtobuf } from '../../collector/src/ingest/otlp-protobuf/decode.js';

const ANY_VALUE = 'opentelemetry.proto.common.v1.AnyValue';
const KEY_VALUE = 'opentelemetry.proto.common.v1.KeyValue';
const STRICT = { strict: true };
const LENIENT = { strict: false };

describe('decodeProtobuf', () => {
  // KeyValue { key: "k", 9: varint 1, 10: "x", 11: fixed64, 12: fixed32 }
  const withUnknown = new Uint8Array([0x0a, 1, 0x6b, 9 << 3, 1, (10 << 3) | 2, 1, 0x78, (11 << 3) | 1, 0, 0, 0, 0, 0, 0, 0, 0, (12 << 3) | 5, 0, 0, 0, 0]);

  test('strict mode refuses a field number the schema does not define, saying which', () => {
    expect(() => decodeProtobuf(KEY_VALUE, withUnknown, STRICT)).toThrow(/unknown field number 9 in opentelemetry\.proto\.common\.v1\.KeyValue/);
  });

  test('lenient mode skips unknown fields of every wire type and keeps the known ones', () => {
    expect(decodeProtobuf(KEY_VALUE, withUnknown, LENIENT)).toEqual({ key: 'k' });
  });

  test('a known field with the wrong wire type is an error in both modes', () => {
    const body = new Uint8Array([(1 << 3) | 0, 1]); // key as a varint
    for (const options of [STRICT, LENIENT]) expect(() => decodeProtobuf(KEY_VALUE, body, options)).toThrow(/\$\.key: wire type 0, expected 2/);
  });

  test('an unknown field cut short is still truncation in lenient mode', () => {
    expect(() => decodeProtobuf(KEY_VALUE, new Uint8Array([(10 << 3) | 2, 5, 0x78]), LENIENT)).toThrow(ProtobufDecodeError);
  });

  test('varints longer than 10 bytes and nesting deeper than 100 levels are refused', () => {
    expect(() => decodeProtobuf(KEY_VALUE, new Uint8Array([9 << 3, ...Array(11).fill(0x80), 1]), LENIENT)).toThrow(/varint longer than 10 bytes/);
    expect(() => decodeProtobuf(ANY_VALUE, deepArray(60), LENIENT)).toThrow(/nested deeper than 100/);
    expect(decodeProtobuf(ANY_VALUE, deepArray(50), LENIENT)).toHaveProperty('arrayValue.values.0.arrayValue');
  });

  test('scalars come out in OTLP/JSON form: int64 as decimal text, bytes as base64', () => {
    expect(decodeProtobuf(ANY_VALUE, new Uint8Array([3 << 3, ...Array(9).fill(0xff), 1]), STRICT)).toEqual({ intValue: '-1' });
    expect(decodeProtobuf(ANY_VALUE, new Uint8Array([(7 << 3) | 2, 2, 0xfb, 0xff]), STRICT)).toEqual({ bytesValue: '+/8=' });
  });
});

function lengthOf(length: number): number[] {
  const out: number[] = [];
  for (; length >= 0x80; length >>>= 7) out.push((length & 0x7f) | 0x80);
  return [...out, length];
}

/** AnyValue { array_value { values { array_value { … } } } }, `levels` arrays deep (two messages per level). */
function deepArray(levels: number): Uint8Array {
  let body: number[] = [0x0a, 0];
  for (let i = 0; i < levels; i++) {
    const array = [0x0a, ...lengthOf(body.length), ...body]; // ArrayValue.values = 1
    body = [(5 << 3) | 2, ...lengthOf(array.length), ...array]; // AnyValue.array_value = 5
  }
  return new Uint8Array(body);
}
