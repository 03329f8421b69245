import { TracewireConfigError } from '../../../index';
import { loadProtobufEncoder } from '../../../lib/exporters/otlp/protobuf-encoder';
import type { OtlpExportRequest, OtlpSpan } from '../../../lib/exporters/otlp/otlp-types';
import { EXPORT_TRACE_REQUEST, canonical, decodeProtobuf, type Json } from '../../helpers/otlp-proto';

/**
 * The protobuf encoder feeds OpenTelemetry's serializer span-shaped views of
 * the OTLP/JSON request: decoded with the official definitions, the bytes
 * must be that request, field by field (proto3 defaults aside).
 */

const TRACE = '0192f3a45b6c7d8e9f0123456789abcd';
const span = (fields: Partial<OtlpSpan> & Pick<OtlpSpan, 'spanId' | 'name'>): OtlpSpan => ({
  traceId: TRACE,
  flags: 0x101,
  kind: 1,
  startTimeUnixNano: '1731999200123456789',
  endTimeUnixNano: '1731999201000000001',
  attributes: [],
  events: [],
  status: { code: 0 },
  ...fields,
});

const request: OtlpExportRequest = {
  resourceSpans: [
    {
      resource: { attributes: [{ key: 'service.name', value: { stringValue: 'checkout' } }, { key: 'telemetry.sdk.name', value: { stringValue: 'tracewire' } }] },
      scopeSpans: [
        {
          scope: { name: 'tracewire' },
          spans: [
            span({
              spanId: '9f0123456789abcd',
              name: 'root',
              attributes: [
                { key: 'text', value: { stringValue: 'é "quoted"\n' } },
                { key: 'yes', value: { boolValue: true } },
                { key: 'no', value: { boolValue: false } },
                { key: 'int', value: { intValue: '-42' } },
                { key: 'big', value: { intValue: '9007199254740991' } },
                { key: 'double', value: { doubleValue: 0.25 } },
                { key: 'list', value: { arrayValue: { values: [{ stringValue: 'a' }, { intValue: '7' }, { doubleValue: 1.5 }, { boolValue: true }, { arrayValue: { values: [{ stringValue: 'nested' }] } }] } } },
              ],
              events: [
                { timeUnixNano: '1731999200500000007', name: 'cache.miss', attributes: [{ key: 'key', value: { stringValue: 'user:1' } }, { key: 'attempt', value: { intValue: '2' } }] },
                { timeUnixNano: '1731999200600000000', name: 'no attributes', attributes: [] },
              ],
              status: { code: 2, message: 'TypeError: boom' },
            }),
            span({ spanId: '0000000000000001', parentSpanId: '9f0123456789abcd', name: 'local child', startTimeUnixNano: '1731999200200000000', endTimeUnixNano: '1731999200200000000' }),
          ],
        },
      ],
    },
    {
      resource: { attributes: [{ key: 'service.name', value: { stringValue: 'billing' } }] },
      scopeSpans: [{ scope: { name: 'tracewire' }, spans: [span({ spanId: '00000000000000ff', parentSpanId: 'aaaaaaaaaaaaaaaa', flags: 0x301, name: 'remote child', status: { code: 2 } })] }],
    },
  ],
};

test('a request decodes, with the official OTLP definitions, to itself: resources, scopes, ids, parents, times, kinds, every value kind, events and statuses', () => {
  const bytes = loadProtobufEncoder('protocol')(request);
  const decoded = decodeProtobuf(EXPORT_TRACE_REQUEST, bytes);
  expect(canonical(EXPORT_TRACE_REQUEST, decoded)).toEqual(canonical(EXPORT_TRACE_REQUEST, JSON.parse(JSON.stringify(request)) as { [key: string]: Json }));
});

test('the remote-parent flag is carried: a root and a local child say "not remote", a remote child says "remote"', () => {
  const decoded = decodeProtobuf(EXPORT_TRACE_REQUEST, loadProtobufEncoder('protocol')(request)) as { resourceSpans: { scopeSpans: { spans: { name: string; flags?: number }[] }[] }[] };
  const flags = decoded.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans.map((one) => [one.name, one.flags])));
  expect(flags).toEqual([['root', 0x101], ['local child', 0x101], ['remote child', 0x301]]);
});

describe('loading the encoder', () => {
  const configError = (load: (id: string) => unknown): TracewireConfigError => {
    try {
      loadProtobufEncoder('OTEL_EXPORTER_OTLP_PROTOCOL', load);
    } catch (error) {
      return error as TracewireConfigError;
    }
    throw new Error('expected a TracewireConfigError');
  };

  test('a package that fails to load is a config error naming the setting, the package to install, and the first line of the failure', () => {
    const cause = new Error('Cannot find module \'@opentelemetry/otlp-transformer\'\nRequire stack:\n- /app/index.js');
    let asked = '';
    const error = configError((id) => {
      asked = id;
      throw cause;
    });
    expect(asked).toBe('@opentelemetry/otlp-transformer');
    expect(error).toBeInstanceOf(TracewireConfigError);
    expect(error.message).toBe(
      'Invalid OTEL_EXPORTER_OTLP_PROTOCOL: received "http/protobuf"; expected http/json, or http/protobuf with @opentelemetry/otlp-transformer installed (npm install @opentelemetry/otlp-transformer); loading it failed: Error: Cannot find module \'@opentelemetry/otlp-transformer\'.',
    );
    expect(error.cause).toBe(cause);
  });

  test.each([
    ['no ProtobufTraceSerializer', {}],
    ['a ProtobufTraceSerializer without serializeRequest', { ProtobufTraceSerializer: {} }],
    ['a serializeRequest that is not a function', { ProtobufTraceSerializer: { serializeRequest: 'yes' } }],
  ])('a package with %s is a config error asking for a version that exports it', (_, exported) => {
    const error = configError(() => exported);
    expect(error).toBeInstanceOf(TracewireConfigError);
    expect(error.message).toBe('Invalid OTEL_EXPORTER_OTLP_PROTOCOL: received "http/protobuf"; expected http/json, or a version of @opentelemetry/otlp-transformer that exports ProtobufTraceSerializer.');
  });

  test('a serializer that returns nothing makes the encoding throw, naming the package (the exporter then fails the batch)', () => {
    const encode = loadProtobufEncoder('protocol', () => ({ ProtobufTraceSerializer: { serializeRequest: () => undefined } }));
    expect(() => encode(request)).toThrow(new Error('@opentelemetry/otlp-transformer could not encode the request'));
  });
});
