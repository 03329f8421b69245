import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { classifyResponse, MAX_ERROR_BODY_CHARS, RETRYABLE_STATUS } from '../../../../lib/exporters/http/classify-response';
import { HttpTransport } from '../../../../lib/exporters/http/http-transport';
import { secretsRedactor } from '../../../../lib/exporters/http/redact-secrets';
import type { ExportResult } from '../../../../lib/exporters/span-exporter';
import { parseRetryAfter } from '../../../../lib/exporters/http/retry-after';
import { within } from '../../../helpers/within';

/** The result with every secret cut out of its error message: a redactor made for `secrets`, applied once. */
const withoutSecrets = (result: ExportResult, secrets: readonly string[]): ExportResult => secretsRedactor(secrets)(result);

/**
 * How an HTTP answer becomes an ExportResult, the rules both transports
 * share: which statuses are deliveries, which are worth retrying (and when),
 * what the error says, and that no secret travels in it.
 */

describe('classifyResponse', () => {
  test.each([200, 201, 202, 204, 299])('%i is a delivery', (status) => {
    expect(classifyResponse(status, '5', 'ignored')).toEqual({ ok: true });
  });

  test.each([408, 429, 500, 502, 503, 504])('%i is retryable, with Retry-After when the server gave one', (status) => {
    expect(RETRYABLE_STATUS.has(status)).toBe(true);
    expect(classifyResponse(status, undefined, 'busy')).toEqual({ ok: false, retryable: true, status, error: new Error(`HTTP ${status}: busy`) });
    expect(classifyResponse(status, '7', 'busy')).toEqual({ ok: false, retryable: true, retryAfterMillis: 7000, status, error: new Error(`HTTP ${status}: busy`) });
  });

  test.each([100, 199, 300, 304, 400, 401, 403, 404, 405, 409, 413, 422, 501, 505, 599])('%i is a final failure; a Retry-After does not change that', (status) => {
    expect(classifyResponse(status, '7', 'no')).toEqual({ ok: false, retryable: false, status, error: new Error(`HTTP ${status}: no`) });
  });

  test('the message quotes the body with its white space collapsed and trimmed, at most MAX_ERROR_BODY_CHARS of it', () => {
    expect(classifyResponse(400, undefined, '  {"detail":\n\t "bad   run"}\r\n')).toMatchObject({ error: { message: 'HTTP 400: {"detail": "bad run"}' } });
    const long = 'x'.repeat(MAX_ERROR_BODY_CHARS) + 'TAIL';
    expect(MAX_ERROR_BODY_CHARS).toBe(300);
    expect(classifyResponse(400, undefined, long)).toMatchObject({ error: { message: `HTTP 400: ${'x'.repeat(300)}` } });
    expect(classifyResponse(400, undefined, ' \n\t ')).toMatchObject({ error: { message: 'HTTP 400' } });
    expect(classifyResponse(503, undefined, '')).toMatchObject({ error: { message: 'HTTP 503' } });
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');
  test.each([
    ['delta-seconds', '120', 120_000],
    ['zero', '0', 0],
    ['padded', '  3 ', 3000],
    ['an HTTP date ahead', 'Thu, 01 Jan 2026 00:00:30 GMT', 30_000],
    ['an HTTP date past: at once', 'Wed, 31 Dec 2025 23:59:00 GMT', 0],
    ['the first of several headers', ['2', '9'], 2000],
  ] as const)('%s', (_, header, millis) => {
    expect(parseRetryAfter(header as string | string[], now)).toBe(millis);
  });

  test.each([undefined, '', '   ', 'soon', '-5x', []])('nothing usable (%j) is undefined', (header) => {
    expect(parseRetryAfter(header as string | string[] | undefined, now)).toBeUndefined();
  });

  test('a date is measured from now by default', () => {
    const inAMinute = new Date(Date.now() + 60_000).toUTCString();
    expect(parseRetryAfter(inAMinute)).toBeGreaterThan(55_000);
    expect(parseRetryAfter(inAMinute)).toBeLessThanOrEqual(60_000);
  });
});

describe('secretsRedactor', () => {
  const failed = (message: string) => ({ ok: false as const, retryable: true, retryAfterMillis: 5, error: new Error(message) });

  test('every occurrence of every secret is cut out; the rest of the result is kept', () => {
    expect(withoutSecrets(failed('key=abcd1 and abcd1, token tok-9'), ['abcd1', 'tok-9'])).toEqual(failed('key=[redacted] and [redacted], token [redacted]'));
  });

  test('secrets shorter than 4 characters are left alone (they would cut ordinary words); 4 are cut', () => {
    expect(withoutSecrets(failed('a bad abc'), ['abc', 'a'])).toEqual(failed('a bad abc'));
    expect(withoutSecrets(failed('a bad abcd'), ['abcd'])).toEqual(failed('a bad [redacted]'));
  });

  // Base64-style: `+`, `/` and `=` are what a URL, a form or JSON escape.
  const KEY = 'S3cr3tKeyValue+z/w=';
  test.each([
    ['as itself', KEY],
    ['percent-encoded (encodeURIComponent)', encodeURIComponent(KEY)],
    ['percent-encoded in lower-case hex', 'S3cr3tKeyValue%2bz%2fw%3d'],
    ['partly percent-encoded, as typed', 'S3cr3tKeyValue%2Bz/w='],
    ['form-encoded (URLSearchParams)', new URLSearchParams({ k: KEY }).toString().slice(2)],
    ['percent-encoded twice (a URL quoted in another)', encodeURIComponent(encodeURIComponent(KEY))],
    ['JSON-escaped (\\u and \\/)', 'S3cr3tKeyValue\\u002bz\\/w\\u003D'],
    ['as HTML character references', 'S3cr3tKeyValue&#43;z&#x2F;w&#61;'],
  ])('a secret quoted %s is cut out', (_how, quoted) => {
    expect(withoutSecrets(failed(`HTTP 401: Cannot POST /v1/traces?api_key=${quoted} (try again)`), [KEY])).toEqual(failed('HTTP 401: Cannot POST /v1/traces?api_key=[redacted] (try again)'));
  });

  test("a space is found as a form's + and as %20", () => {
    expect(withoutSecrets(failed('a+pass+phrase and a%20pass%20phrase'), ['a pass phrase'])).toEqual(failed('[redacted] and [redacted]'));
  });

  test('a non-ASCII secret is found by its UTF-8 bytes percent-encoded', () => {
    expect(withoutSecrets(failed(`key=${encodeURIComponent('clé-secrète')}`), ['clé-secrète'])).toEqual(failed('key=[redacted]'));
  });

  test('a % of the secret is found as itself or encoded, whichever the text has', () => {
    // `%25` could start either form of `%`: both are tried.
    expect(withoutSecrets(failed('a %25abc b %2525abc c %abc'), ['%25abc'])).toEqual(failed('a [redacted] b [redacted] c %abc'));
  });

  test('a secret cut short by the end of the quote, within an escape or after one, is cut out', () => {
    for (const end of ['S3cr3t', 'S3cr3tKeyValue%', 'S3cr3tKeyValue%2', 'S3cr3tKeyValue%2Bz%2Fw%3']) {
      expect(withoutSecrets(failed(`x ${end}`), [KEY])).toEqual(failed('x [redacted]'));
    }
    expect(withoutSecrets(failed('x S3c'), [KEY])).toEqual(failed('x S3c')); // 3 characters say nothing of it
  });

  test('the letters of a secret keep their case: other text is not taken for it', () => {
    expect(withoutSecrets(failed(`x ${KEY.toLowerCase()}`), [KEY])).toEqual(failed(`x ${KEY.toLowerCase()}`));
  });

  test('a secret within another is cut out with it, whichever comes first', () => {
    expect(withoutSecrets(failed('creds admin:pa%24%24word1, password pa$$word1'), ['pa$$word1', 'admin:pa$$word1'])).toEqual(failed('creds [redacted], password [redacted]'));
  });

  test('a long token (a JWT) cut short by the end of the quote is cut out, in well under a second', () => {
    const token = 'eyJ' + 'x'.repeat(4_000);
    const message = `HTTP 401: ${'eyJxxxx '.repeat(30)}${'x'.repeat(50)} ${token.slice(0, 40)}`;
    const started = performance.now();
    expect(withoutSecrets(failed(message), [`Bearer ${token}`])).toEqual(failed(`HTTP 401: ${'eyJxxxx '.repeat(30)}${'x'.repeat(50)} [redacted]`));
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  test('a delivery, or a message without a secret, is handed back as it is', () => {
    const ok = { ok: true as const };
    expect(withoutSecrets(ok, ['abcd'])).toBe(ok);
    const clean = failed('HTTP 400');
    expect(withoutSecrets(clean, ['abcd'])).toBe(clean);
  });
});

describe('the Node transport', () => {
  let server: Server;
  let url: URL;
  let answer: (res: import('node:http').ServerResponse) => void;
  beforeEach(async () => {
    server = createServer((req, res) => req.resume().on('end', () => answer(res)));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/traces`);
  });
  afterEach(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  /**
   * The transport's answer, or `'timed out'` after 10 s: an answer comes only once the body is read to
   * its end, so a transport that never reads it fails here, not at jest's 120 s time-out.
   */
  const post = (transport: HttpTransport) =>
    within(transport.post({ url, headers: { 'content-type': 'application/json' }, body: Buffer.from('{}'), options: { signal: new AbortController().signal } }), 10_000);

  test('an error body is quoted up to MAX_ERROR_BODY_CHARS, however long it is and in however many chunks it comes', async () => {
    answer = (res) => {
      res.writeHead(429, { 'retry-after': '2' });
      for (let i = 0; i < 50; i++) res.write('ab'.repeat(50));
      res.end();
    };
    const transport = new HttpTransport();
    expect(await post(transport)).toEqual({ ok: false, retryable: true, retryAfterMillis: 2000, status: 429, error: new Error(`HTTP 429: ${'ab'.repeat(150)}`) });
    transport.close();
  });

  test('a non-ASCII error body is quoted to the same MAX_ERROR_BODY_CHARS characters as an ASCII one, without a broken last character', async () => {
    // 3-byte and 4-byte (two UTF-16 units) characters: a byte cap at MAX_ERROR_BODY_CHARS would quote a third of them and end in U+FFFD.
    const body = 'a' + '€'.repeat(199) + '😀'.repeat(100);
    answer = (res) => {
      res.writeHead(400);
      res.end(body);
    };
    const transport = new HttpTransport();
    expect(await post(transport)).toEqual({ ok: false, retryable: false, status: 400, error: new Error(`HTTP 400: ${body.slice(0, MAX_ERROR_BODY_CHARS)}`) });
    transport.close();
  });

  test('a 2xx with a body is a delivery', async () => {
    answer = (res) => res.writeHead(200).end('{"accepted":true}');
    const transport = new HttpTransport();
    expect(await post(transport)).toEqual({ ok: true });
    transport.close();
  });

  test('an unreachable server is a retryable failure; a malformed URL a final one', async () => {
    const transport = new HttpTransport();
    const refused = await transport.post({ url: new URL('http://127.0.0.1:1/'), headers: {}, body: Buffer.from(''), options: { signal: new AbortController().signal } });
    expect(refused).toMatchObject({ ok: false, retryable: true, error: { code: 'ECONNREFUSED' } });
    const badHeader = await transport.post({ url, headers: { 'x-bad': 'line\nbreak' }, body: Buffer.from(''), options: { signal: new AbortController().signal } });
    expect(badHeader).toMatchObject({ ok: false, retryable: false, error: expect.any(Error) });
    transport.close();
  });
});
