import { configErrorOf } from '../../helpers/config-error';
import { resolveOtlpSettings } from '../../../lib/config-otlp';
import { OtlpHttpExporter } from '../../../lib/exporters/otlp/otlp-http-exporter';
import { withEnv } from '../../helpers/with-env';

const SECRET = 'otlp-secret-token-9f8e7d';
/** What a refusal says instead of a header value: unquoted, so it is not taken for the value set. */
const HIDDEN_RECEIVED = ': received [value not shown: header values may be credentials]; expected ';

const configError = configErrorOf;

describe('endpoint', () => {
  test('defaults to http://localhost:4318/v1/traces', () => {
    expect(resolveOtlpSettings({}, {}).url.href).toBe('http://localhost:4318/v1/traces');
  });

  test.each([
    ['https://collector.example:4318', 'https://collector.example:4318/v1/traces'],
    ['https://collector.example:4318/', 'https://collector.example:4318/v1/traces'],
    ['https://gateway.example/otlp', 'https://gateway.example/otlp/v1/traces'],
    ['https://gateway.example/otlp/?tenant=a', 'https://gateway.example/otlp/v1/traces?tenant=a'],
  ])('OTEL_EXPORTER_OTLP_ENDPOINT %s gets /v1/traces appended: %s', (endpoint, url) => {
    expect(resolveOtlpSettings({}, { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint }).url.href).toBe(url);
  });

  test('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is used as is and wins over the base endpoint', () => {
    const env = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://base:4318', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://traces:9999/custom/path' };
    expect(resolveOtlpSettings({}, env).url.href).toBe('http://traces:9999/custom/path');
  });

  test('options win over the environment; tracesEndpoint wins over endpoint', () => {
    const env = { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://env-traces:1/x' };
    expect(resolveOtlpSettings({ endpoint: 'http://option:4318' }, env).url.href).toBe('http://option:4318/v1/traces');
    expect(resolveOtlpSettings({ endpoint: 'http://option:4318', tracesEndpoint: 'http://option-traces:2/y' }, env).url.href).toBe('http://option-traces:2/y');
  });

  test('a bad URL names the variable and what is accepted', () => {
    const error = configError(() => resolveOtlpSettings({}, { OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' }));
    expect(error.setting).toBe('OTEL_EXPORTER_OTLP_ENDPOINT');
    expect(error.message).toMatch(/expected an http\(s\) URL: add the scheme, as in http:\/\/collector:4318\./);
    expect(configError(() => resolveOtlpSettings({ tracesEndpoint: 'not a url' }, {})).setting).toBe('tracesEndpoint');
  });

  test('the exporter reads the process environment once, in its constructor', () => {
    const exporter = withEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://from-env:4318', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: undefined }, () => new OtlpHttpExporter());
    expect(exporter.url).toBe('http://from-env:4318/v1/traces');
    expect(exporter.protocol).toBe('http/json');
  });

  test('the url shown never includes credentials or a query', () => {
    expect(new OtlpHttpExporter({ endpoint: `https://user:${SECRET}@collector.example/?token=${SECRET}` }).url).toBe('https://collector.example/v1/traces');
  });
});

describe('headers', () => {
  test('OTEL_EXPORTER_OTLP_HEADERS: comma-separated key=value, trimmed, values URL-decoded, names lower-cased', () => {
    const env = { OTEL_EXPORTER_OTLP_HEADERS: ' Authorization = Basic%20dXNlcjpwYXNz , x-team=search%2Cops,,x-empty=' };
    expect(resolveOtlpSettings({}, env).headers).toEqual({ authorization: 'Basic dXNlcjpwYXNz', 'x-team': 'search,ops', 'x-empty': '' });
  });

  test('a value may contain "=": only the first one splits', () => {
    expect(resolveOtlpSettings({}, { OTEL_EXPORTER_OTLP_HEADERS: 'api-key=abc==' }).headers).toEqual({ 'api-key': 'abc==' });
  });

  test('traces headers and option headers are merged over the general ones, per name', () => {
    const env = { OTEL_EXPORTER_OTLP_HEADERS: 'a=1,b=1,c=1', OTEL_EXPORTER_OTLP_TRACES_HEADERS: 'b=2,c=2' };
    expect(resolveOtlpSettings({ headers: { C: '3', d: '3' } }, env).headers).toEqual({ a: '1', b: '2', c: '3', d: '3' });
  });

  test.each([
    ['an entry without =', `Authorization: Bearer ${SECRET}`],
    ['a bad % escape', `api-key=${SECRET}%zz`],
    ['a line break in a value', `api-key=${SECRET}%0d%0aX-Injected: 1`],
    ['a malformed name', `api key:${SECRET}=x`],
  ])('%s is refused, naming the variable and the entry but never showing the value', (_, raw) => {
    const error = configError(() => resolveOtlpSettings({}, { OTEL_EXPORTER_OTLP_HEADERS: `x-ok=1,${raw}` }));
    expect(error.setting).toMatch(/^OTEL_EXPORTER_OTLP_HEADERS \(entry 2\)/);
    expect(error.message).not.toContain(SECRET);
    expect(error.message).toContain(HIDDEN_RECEIVED);
  });

  test('an option header value with a line break is refused without showing it', () => {
    const error = configError(() => new OtlpHttpExporter({ headers: { authorization: `Bearer ${SECRET}\r\nx: y` } }));
    expect(error.setting).toBe('headers header "authorization"');
    expect(error.message).not.toContain(SECRET);
    expect(error.message).toContain(HIDDEN_RECEIVED);
  });
});

describe('service name, protocol, compression', () => {
  test('service name: option, else OTEL_SERVICE_NAME, else each run\'s project (undefined here)', () => {
    expect(resolveOtlpSettings({ serviceName: 'opt' }, { OTEL_SERVICE_NAME: 'env' }).serviceName).toBe('opt');
    expect(resolveOtlpSettings({}, { OTEL_SERVICE_NAME: 'env' }).serviceName).toBe('env');
    expect(resolveOtlpSettings({}, {}).serviceName).toBeUndefined();
  });

  test('protocol: option, else the traces variable, else the general one, else http/json', () => {
    expect(resolveOtlpSettings({}, {}).protocol).toBe('http/json');
    expect(resolveOtlpSettings({}, { OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf' })).toMatchObject({ protocol: 'http/protobuf', protocolSetting: 'OTEL_EXPORTER_OTLP_PROTOCOL' });
    const both = { OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf', OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json' };
    expect(resolveOtlpSettings({}, both).protocol).toBe('http/json');
    expect(resolveOtlpSettings({ protocol: 'http/protobuf' }, both)).toMatchObject({ protocol: 'http/protobuf', protocolSetting: 'protocol' });
  });

  test('grpc is refused with the accepted values', () => {
    const error = configError(() => resolveOtlpSettings({}, { OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'grpc' }));
    expect(error.setting).toBe('OTEL_EXPORTER_OTLP_TRACES_PROTOCOL');
    expect(error.message).toMatch(/http\/json, http\/protobuf/);
    expect(configError(() => resolveOtlpSettings({ protocol: 'grpc' as never }, {})).message).toMatch(/http\/json or http\/protobuf/);
  });

  test('gzip: option, else OTEL_EXPORTER_OTLP_(TRACES_)COMPRESSION', () => {
    expect(resolveOtlpSettings({}, {}).gzip).toBe(false);
    expect(resolveOtlpSettings({}, { OTEL_EXPORTER_OTLP_COMPRESSION: 'gzip' }).gzip).toBe(true);
    // Enumerated values in any case, as OpenTelemetry's SDK reads them.
    expect(resolveOtlpSettings({}, { OTEL_EXPORTER_OTLP_COMPRESSION: 'GZIP' }).gzip).toBe(true);
    expect(resolveOtlpSettings({}, { OTEL_EXPORTER_OTLP_PROTOCOL: 'HTTP/PROTOBUF' }).protocol).toBe('http/protobuf');
    expect(resolveOtlpSettings({}, { OTEL_EXPORTER_OTLP_COMPRESSION: 'gzip', OTEL_EXPORTER_OTLP_TRACES_COMPRESSION: 'none' }).gzip).toBe(false);
    expect(resolveOtlpSettings({ gzip: false }, { OTEL_EXPORTER_OTLP_COMPRESSION: 'gzip' }).gzip).toBe(false);
    expect(configError(() => resolveOtlpSettings({}, { OTEL_EXPORTER_OTLP_COMPRESSION: 'zstd' })).setting).toBe('OTEL_EXPORTER_OTLP_COMPRESSION');
  });

  test('maxPendingStarts must be a whole number', () => {
    expect(resolveOtlpSettings({}, {}).maxPendingStarts).toBe(10_000);
    expect(configError(() => resolveOtlpSettings({ maxPendingStarts: 1.5 }, {})).setting).toBe('maxPendingStarts');
  });
});

/**
 * Every refusal, message and all: it names the option or the variable (and
 * the header entry), the value unless it may be a credential (then an
 * unquoted placeholder, not a quoted string that reads as the value), and
 * what is accepted; and each boundary of what is accepted.
 */
test('an endpoint may be a URL object, read as its text (the object itself left as it was)', () => {
  const given = new URL('https://user:pw@collector.example:4318/base?k=v');
  expect(resolveOtlpSettings({ endpoint: given }, {}).url.href).toBe('https://collector.example:4318/base/v1/traces?k=v');
  expect(resolveOtlpSettings({ tracesEndpoint: new URL('http://collector.example/t') }, {}).url.href).toBe('http://collector.example/t');
  expect(given.href).toBe('https://user:pw@collector.example:4318/base?k=v');
});

describe('every OTLP setting refuses a bad value with a message naming it and what is accepted', () => {
  test.each([
    [{ endpoint: 'http://not a url' }, 'Invalid endpoint: received "http://not a url"; expected an http(s) URL such as http://localhost:4318.'],
    [{ tracesEndpoint: 'http://not a url' }, 'Invalid tracesEndpoint: received "http://not a url"; expected an http(s) URL such as http://localhost:4318/v1/traces.'],
    [{ endpoint: 'ftp://collector.example' }, 'Invalid endpoint: received "ftp://collector.example"; expected an http or https URL.'],
    [{ endpoint: new URL('ftp://collector.example') }, 'Invalid endpoint: received "ftp://collector.example/"; expected an http or https URL.'],
    [{ endpoint: { href: 'http://collector.example' } }, 'Invalid endpoint: received an object; expected an http or https URL.'],
    [{ headers: 'a=1' }, 'Invalid headers: received [value not shown: header values may be credentials]; expected a plain object of header names to string values (a Headers or Map: Object.fromEntries(it)).'],
    [{ headers: null }, 'Invalid headers: received null; expected a plain object of header names to string values (a Headers or Map: Object.fromEntries(it)).'],
    // Neither has own entries to read: no header at all would have been sent.
    [{ headers: new Map([['authorization', 'Bearer t']]) }, 'Invalid headers: received an object; expected a plain object of header names to string values (a Headers or Map: Object.fromEntries(it)).'],
    [{ headers: new Headers({ authorization: 'Bearer t' }) }, 'Invalid headers: received an object; expected a plain object'],
    [{ headers: ['authorization: Bearer t'] }, 'Invalid headers: received an array; expected a plain object'],
    [{ serviceName: '' }, 'Invalid serviceName: received ""; expected a non-empty string.'],
    [{ serviceName: 42 }, 'Invalid serviceName: received 42; expected a non-empty string.'],
    [{ protocol: 'grpc' }, 'Invalid protocol: received "grpc"; expected http/json or http/protobuf.'],
    [{ gzip: 'yes' }, 'Invalid gzip: received "yes"; expected true or false.'],
    [{ maxPendingStarts: -1 }, 'Invalid maxPendingStarts: received -1; expected a whole number from 0 to 9007199254740991.'],
    [{ maxPendingStarts: 1.5 }, 'Invalid maxPendingStarts: received 1.5; expected a whole number from 0 to 9007199254740991.'],
    [{ maxPendingStarts: 1e300 }, 'Invalid maxPendingStarts: received 1e+300; expected a whole number from 0 to 9007199254740991.'],
    [{ headers: { 'x-n': 1 } }, 'Invalid headers header "x-n": received [value not shown: header values may be credentials]; expected a string without line breaks or control characters.'],
    [{ headers: { 'a:b': 'v' } }, `Invalid headers: received [value not shown: header values may be credentials]; expected a header name made of letters, digits and !#$%&'*+.^_\`|~-.`],
  ])('option %j', (options, message) => {
    expect(() => resolveOtlpSettings(options as never, {})).toThrow(message);
  });

  test.each([
    ['OTEL_EXPORTER_OTLP_ENDPOINT', 'http://not a url', 'Invalid OTEL_EXPORTER_OTLP_ENDPOINT: received "http://not a url"; expected an http(s) URL such as http://localhost:4318.'],
    ['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', 'ftp://x', 'Invalid OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: received "ftp://x"; expected an http or https URL.'],
    ['OTEL_EXPORTER_OTLP_PROTOCOL', 'grpc', 'Invalid OTEL_EXPORTER_OTLP_PROTOCOL: received "grpc"; expected one of http/json, http/protobuf.'],
    ['OTEL_EXPORTER_OTLP_TRACES_COMPRESSION', 'zstd', 'Invalid OTEL_EXPORTER_OTLP_TRACES_COMPRESSION: received "zstd"; expected one of gzip, none.'],
    ['OTEL_EXPORTER_OTLP_HEADERS', 'a=1,novalue', 'Invalid OTEL_EXPORTER_OTLP_HEADERS (entry 2): received [value not shown: header values may be credentials]; expected comma-separated key=value pairs, e.g. api-key=abc,x-team=ops.'],
    ['OTEL_EXPORTER_OTLP_TRACES_HEADERS', '=v', 'Invalid OTEL_EXPORTER_OTLP_TRACES_HEADERS (entry 1): received [value not shown: header values may be credentials]; expected comma-separated key=value pairs, e.g. api-key=abc,x-team=ops.'],
    ['OTEL_EXPORTER_OTLP_HEADERS', ',,k=%E0%A4%A', 'Invalid OTEL_EXPORTER_OTLP_HEADERS (entry 3): received [value not shown: header values may be credentials]; expected a value whose % escapes are valid URL encoding (e.g. %20 for a space).'],
    ['OTEL_EXPORTER_OTLP_HEADERS', 'k=a%0Ab', 'Invalid OTEL_EXPORTER_OTLP_HEADERS (entry 1) header "k": received [value not shown: header values may be credentials]; expected a string without line breaks or control characters.'],
  ])('%s=%s', (variable, value, message) => {
    expect(() => resolveOtlpSettings({}, { [variable]: value })).toThrow(message);
  });

  test('URLs are trimmed, of a BOM or a no-break space too (as variables are); a base URL loses all its trailing slashes before /v1/traces', () => {
    expect(resolveOtlpSettings({ endpoint: '\ufeffhttp://c.example\u00a0' }, {}).url.href).toBe('http://c.example/v1/traces');
    expect(resolveOtlpSettings({ endpoint: ' http://c.example/otlp// ' }, {}).url.href).toBe('http://c.example/otlp/v1/traces');
    expect(resolveOtlpSettings({ tracesEndpoint: ' https://c.example/t/ ' }, {}).url.href).toBe('https://c.example/t/');
  });

  test('protocolSetting names the variable that chose the protocol, else "protocol"', () => {
    expect(resolveOtlpSettings({}, {}).protocolSetting).toBe('protocol');
    expect(resolveOtlpSettings({}, { OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/protobuf', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' })).toMatchObject({
      protocol: 'http/protobuf',
      protocolSetting: 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL',
    });
  });

  test('compression: the traces variable wins; gzip only for "gzip"; the option wins over both', () => {
    expect(resolveOtlpSettings({}, { OTEL_EXPORTER_OTLP_TRACES_COMPRESSION: 'gzip', OTEL_EXPORTER_OTLP_COMPRESSION: 'none' }).gzip).toBe(true);
    expect(resolveOtlpSettings({}, { OTEL_EXPORTER_OTLP_COMPRESSION: 'none' }).gzip).toBe(false);
    expect(resolveOtlpSettings({ gzip: true }, { OTEL_EXPORTER_OTLP_COMPRESSION: 'none' }).gzip).toBe(true);
  });

  test('maxPendingStarts: 0 is accepted (no start is kept), as is the option given', () => {
    expect(resolveOtlpSettings({ maxPendingStarts: 0 }, {}).maxPendingStarts).toBe(0);
    expect(resolveOtlpSettings({ maxPendingStarts: 3 }, {}).maxPendingStarts).toBe(3);
  });

  test("header names: every token character is accepted; values: tab, visible ASCII and bytes 0x80-0xff are, DEL and control characters are not", () => {
    const name = "!#$%&'*+.^_`|~09AZaz-";
    expect(resolveOtlpSettings({ headers: { [name]: '\t ~é\u00ff' } }, {}).headers).toEqual({ [name.toLowerCase()]: '\t ~é\u00ff' });
    for (const bad of ['\x7f', '\x00', 'a\rb', '\u0100']) {
      expect(() => resolveOtlpSettings({ headers: { k: bad } }, {})).toThrow('Invalid headers header "k"');
    }
    for (const badName of ['', 'a b', 'a:b', 'é', '(x)']) {
      expect(() => resolveOtlpSettings({ headers: { [badName]: 'v' } }, {})).toThrow('expected a header name made of');
    }
  });

  test('blank entries are skipped, and counted in the entry numbers of errors', () => {
    expect(resolveOtlpSettings({}, { OTEL_EXPORTER_OTLP_HEADERS: 'a=1, ,\tb=2,' }).headers).toEqual({ a: '1', b: '2' });
  });

  test('headers from the option are added to those from the environment; an absent option changes nothing', () => {
    expect(resolveOtlpSettings({ headers: {} }, { OTEL_EXPORTER_OTLP_HEADERS: 'a=1' }).headers).toEqual({ a: '1' });
    expect(resolveOtlpSettings({}, {}).headers).toEqual({});
  });
});
