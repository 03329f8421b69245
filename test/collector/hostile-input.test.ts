import { connect } from 'node:net';
import { memoryCollector, post } from './collector-client.js';
import { batch, postedRun } from './run-builders.js';

/**
 * Malformed bodies found by fuzzing an earlier collector (each once a 500):
 * now every one is a 4xx with a reason, or — inside an otherwise valid
 * request — rejected alone while the valid runs beside it are stored.
 */
type Collector = Awaited<ReturnType<typeof memoryCollector>>;
let collector: Collector;
beforeAll(async () => {
  collector = await memoryCollector();
});
afterAll(() => collector?.close());

const TRACE = '0af7651916cd43dd8448eb211c80319c';
const span = (overrides: Record<string, unknown>) => ({ traceId: TRACE, spanId: '00f067aa0ba902b7', name: 'span', startTimeUnixNano: '1767225600000000000', endTimeUnixNano: '1767225600500000000', ...overrides });
const otlp = (spans: unknown) => JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans }] }] });
/** JSON text of an object nested `depth` deep (as text: JSON.stringify itself overflows the stack on such values). */
const nested = (depth: number) => `${'{"deeper":'.repeat(depth)}"bottom"${'}'.repeat(depth)}`;
const DEEP = '"__deep__"';
/** JSON text of `value` with the DEEP marker replaced by nesting of `depth`. */
const withDeep = (value: unknown, depth: number) => JSON.stringify(value).replace(DEEP, nested(depth));

test.each([
  ['an epoch-ms start_time past year 9999', batch([postedRun({ start_time: 1e20 })]), '"start_time" must be'],
  ['a calendar date that does not exist', batch([postedRun({ start_time: '2026-13-45T00:00:00Z' })]), '"start_time" must be'],
  ['inputs nested 5 000 deep', withDeep({ post: [postedRun({ inputs: '__deep__' })], patch: [] }, 5000), 'nested deeper than 64 levels'],
  ['inputs nested 1 000 deep', withDeep({ post: [postedRun({ inputs: '__deep__' })], patch: [] }, 1000), 'nested deeper than 64 levels'],
  ['tags that are not strings', batch([postedRun({ tags: [1, {}] })]), '"tags" must be an array of at most 256 strings'],
  ['a run that is null', batch([null as unknown as object]), 'must be object'],
  // Before the epoch: it would sort before every real trace, and retention removes the oldest first.
  ['a start_time in year 0', batch([postedRun({ start_time: '0000-01-01T00:00:00Z' })]), '"start_time" must be'],
  ['a start_time of 1969', batch([postedRun({ start_time: '1969-12-31T23:59:59.000000Z' })]), '"start_time" must be'],
])('LangSmith: %s is rejected alone, named, and its valid neighbour is stored', async (_what, badBatch, reason) => {
  const good = postedRun({ name: `good-${Math.random()}` });
  const answer = await post(`${collector.url}/runs/batch`, badBatch.replace(/\]\s*,\s*"patch"/, `,${JSON.stringify(good)}],"patch"`));
  expect(answer.status).toBe(202);
  expect(answer.body).toMatchObject({ accepted: 1, rejected_count: 1, rejected: [{ where: 'post[0]', reason: expect.stringContaining(reason) }] });
  expect((await collector.trace(good.id)).map((run) => run.name)).toEqual([good.name]);
});

test('LangSmith: a batch whose every run is invalid is a 400 naming them', async () => {
  const answer = await post(`${collector.url}/runs/batch`, batch([postedRun({ start_time: 1e20 })], [{ id: 'nope' }]));
  expect(answer.status).toBe(400);
  expect(answer.body.rejected.map((r: { where: string }) => r.where)).toEqual(['post[0]', 'patch[0]']);
});

test.each([
  ['scopeSpans that is not an array', JSON.stringify({ resourceSpans: [{ scopeSpans: {} }] })],
  ['spans that is not an array', JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: 5 }] }] })],
  ['a body that is an array', '[]'],
])('OTLP: %s is a 400 with a reason', async (_what, body) => {
  const answer = await post(`${collector.url}/v1/traces`, body);
  expect(answer.status).toBe(400);
  expect(answer.body.detail).toMatch(/ExportTraceServiceRequest/);
});

test.each([
  ['nanoseconds out of range', { startTimeUnixNano: '99999999999999999999999' }, 'startTimeUnixNano'],
  ['an intValue that is not a number', { attributes: [{ key: 'n', value: { intValue: 'abc' } }] }, 'intValue'],
  ['an arrayValue whose values is not a list', { attributes: [{ key: 'a', value: { arrayValue: { values: {} } } }] }, 'values'],
  ['events that is a number', { events: 5 }, 'events'],
  ['events holding null', { events: [null] }, 'events'],
  ['attributes nested 1 000 deep', { attributes: [{ key: 'deep', value: '__deep__' }] }, 'nested deeper'],
  ['a short trace id', { traceId: 'abc' }, 'traceId'],
  // What the LangSmith routes refuse, refused here too: its attributes carry what a run's fields would.
  ['300 tags (a run takes 256)', { attributes: [{ key: 'tracewire.tags', value: { arrayValue: { values: Array.from({ length: 300 }, () => ({ stringValue: 't' })) } } }] }, 'as a run, "tags" must be an array of at most 256'],
  ['a tag of 2 000 characters', { attributes: [{ key: 'tracewire.tags', value: { arrayValue: { values: [{ stringValue: 't'.repeat(2000) }] } } }] }, '"tags" must be'],
  ['a run type of 5 000 characters', { attributes: [{ key: 'tracewire.run_type', value: { stringValue: 'x'.repeat(5000) } }] }, 'as a run, "run_type"'],
  ['a start past int64 nanoseconds (year 2262)', { startTimeUnixNano: '9999999999999999999' }, 'startTimeUnixNano must be nanoseconds since the Unix epoch, at most'],
  ['an all-zero span id', { spanId: '0000000000000000' }, 'spanId must be 16 hex digits, not all zero'],
  ['an all-zero trace id', { traceId: '00000000000000000000000000000000' }, 'traceId must be 32 hex digits, not all zero'],
])('OTLP: a span with %s is rejected alone in partialSuccess; its neighbour is stored', async (_what, overrides, reason) => {
  const goodSpanId = Math.floor(Math.random() * 2 ** 48).toString(16).padStart(16, '0');
  const answer = await post(`${collector.url}/v1/traces`, otlp([span(overrides), span({ spanId: goodSpanId, name: 'neighbour' })]).replace(DEEP, nested(1000)));
  expect(answer.status).toBe(200);
  expect(answer.body.partialSuccess).toEqual({ rejectedSpans: '1', errorMessage: expect.stringContaining(reason) });
  expect(answer.body.partialSuccess.errorMessage).toContain('spans[0]');
  const runs = await collector.trace('0af76519-16cd-43dd-8448-eb211c80319c');
  expect(runs.some((run) => run.id.endsWith(goodSpanId.slice(4)) && run.name === 'neighbour')).toBe(true);
});

test.each([
  ['input.value', 1000],
  ['output.value', 6000],
])('OTLP: JSON text in %s nested %i deep is rejected alone; its neighbour is stored', async (key, depth) => {
  const goodSpanId = Math.floor(Math.random() * 2 ** 48).toString(16).padStart(16, '0');
  const deep = span({ attributes: [{ key, value: { stringValue: nested(depth) } }] });
  const answer = await post(`${collector.url}/v1/traces`, otlp([deep, span({ spanId: goodSpanId, name: 'deep-neighbour', attributes: [{ key, value: { stringValue: nested(63) } }] })]));
  expect(answer.status).toBe(200);
  expect(answer.body.partialSuccess).toEqual({ rejectedSpans: '1', errorMessage: expect.stringContaining(`spans[0]: ${key}: JSON nested deeper than 64 levels`) });
  const runs = await collector.trace('0af76519-16cd-43dd-8448-eb211c80319c');
  expect(runs.some((run) => run.id.endsWith(goodSpanId.slice(4)) && run.name === 'deep-neighbour')).toBe(true);
});

test('multipart: a run whose part is not JSON is named; the other run is stored', async () => {
  const good = postedRun({ name: 'multipart-good' });
  const form = new FormData();
  form.append(`post.${good.id}`, JSON.stringify(good));
  form.append('post.0190a0b0-0000-7000-8000-0000000000ff', '{not json');
  const response = await fetch(`${collector.url}/runs/multipart`, { method: 'POST', body: form });
  const body = await response.json();
  expect(response.status).toBe(202);
  expect(body.rejected).toEqual([{ where: 'part post.0190a0b0-0000-7000-8000-0000000000ff', id: '0190a0b0-0000-7000-8000-0000000000ff', reason: expect.stringContaining('not JSON') }]);
  expect((await collector.trace(good.id))[0]!.name).toBe('multipart-good');
});

test('a trace id that is not valid percent-encoding is a 400', async () => {
  const response = await fetch(`${collector.url}/api/traces/%E0%A4%A`);
  expect(response.status).toBe(400);
  expect((await response.json()).detail).toContain('percent-encoding');
});

test('a request line no URL parser accepts is a 400, and the collector keeps serving', async () => {
  const reply = await new Promise<string>((resolve, reject) => {
    const socket = connect(collector.port, '127.0.0.1', () => socket.write('GET //[ HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n'));
    let text = '';
    socket.on('data', (chunk) => (text += chunk));
    socket.on('end', () => resolve(text));
    socket.on('error', reject);
  });
  expect(reply).toMatch(/^HTTP\/1\.1 400/);
  expect((await fetch(`${collector.url}/healthz`)).status).toBe(200);
});

test('a path of 15 000 slashes then a letter costs what a plain path of its length does: 404, not seconds of a held event loop', async () => {
  // The collector stripped a path's trailing slashes with /\/+$/ on every request, before the token check: tried from
  // each slash of a run that does not end the path, it is quadratic (a report-only probe: 170–300 ms per request at
  // this length, every other client waiting). Compared with a plain path in the same run, so a busy machine moves both.
  const timeOf = async (path: string): Promise<number> => {
    const started = performance.now();
    const answer = await fetch(`${collector.url}${path}`);
    await answer.arrayBuffer();
    expect(answer.status).toBe(404);
    return performance.now() - started;
  };
  const hostile = `/a${'/'.repeat(15_000)}x`;
  const plain = `/a${'b'.repeat(15_000)}x`;
  const hostileTimes: number[] = [];
  const plainTimes: number[] = [];
  for (let round = 0; round < 5; round++) {
    plainTimes.push(await timeOf(plain));
    hostileTimes.push(await timeOf(hostile));
  }
  const median = (times: number[]): number => [...times].sort((a, b) => a - b)[2]!;
  expect(median(hostileTimes)).toBeLessThan(5 * median(plainTimes) + 25);
});

test('CONNECT (which no route sees) is a 405 with a reason, not a dropped connection, and the collector keeps serving', async () => {
  const reply = await new Promise<string>((resolve, reject) => {
    const socket = connect(collector.port, '127.0.0.1', () => socket.write('CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n'));
    let text = '';
    socket.on('data', (chunk) => (text += chunk));
    socket.on('close', () => resolve(text));
    socket.on('error', reject);
  });
  expect(reply).toMatch(/^HTTP\/1\.1 405 /);
  expect(reply).toMatch(/\r\nallow: GET, HEAD, POST, PATCH\r\n/);
  expect(reply).toContain('"detail":"CONNECT is not served');
  expect((await fetch(`${collector.url}/healthz`)).status).toBe(200);
});

test('headers larger than Node accepts get 431 with a reason, and the collector keeps serving', async () => {
  const reply = await new Promise<string>((resolve) => {
    const socket = connect(collector.port, '127.0.0.1', () => socket.write(`GET /healthz HTTP/1.1\r\nHost: localhost\r\nx-big: ${'a'.repeat(20 * 1024)}\r\n\r\n`));
    let text = '';
    socket.on('data', (chunk) => (text += chunk));
    // The collector closes after answering; a reset of the unread rest may follow the answer.
    socket.on('close', () => resolve(text));
    socket.on('error', () => undefined);
  });
  expect(reply).toMatch(/^HTTP\/1\.1 431/);
  expect(reply).toContain('headers are larger than');
  expect((await fetch(`${collector.url}/healthz`)).status).toBe(200);
});

test('OTLP protobuf: a span with a 3-byte trace id is rejected alone; the reply is a protobuf partial_success', async () => {
  const protobuf = (await import('protobufjs')).default;
  const { OTLP_TRACE_PROTOS } = await import('../../collector/src/ingest/otlp-protobuf/definitions.js');
  const root = new protobuf.Root();
  for (const text of OTLP_TRACE_PROTOS) protobuf.parse(text, root);
  const Request = root.lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest');
  const Response = root.lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse');
  const traceId = Buffer.from('5af7651916cd43dd8448eb211c80319c', 'hex');
  const good = { traceId, spanId: Buffer.from('0102030405060708', 'hex'), name: 'proto-neighbour', startTimeUnixNano: '1767225600000000000', endTimeUnixNano: '1767225600100000000' };
  const body = Request.encode(Request.fromObject({ resourceSpans: [{ scopeSpans: [{ spans: [{ ...good, traceId: Buffer.from([1, 2, 3]) }, good] }] }] })).finish();
  const response = await fetch(`${collector.url}/v1/traces`, { method: 'POST', body: body as unknown as BodyInit, headers: { 'content-type': 'application/x-protobuf' } });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toBe('application/x-protobuf');
  const reply = Response.toObject(Response.decode(new Uint8Array(await response.arrayBuffer())), { longs: Number });
  expect(reply).toEqual({ partialSuccess: { rejectedSpans: 1, errorMessage: expect.stringContaining('spans[0]') } });
  expect((await collector.trace('5af76519-16cd-43dd-8448-eb211c80319c')).map((run) => run.name)).toEqual(['proto-neighbour']);
});

test("OTLP: an attribute named __proto__ is stored as one, not taken for the attributes' prototype; a span kind named after Object's members maps to no run type", async () => {
  const spanId = '00f067aa0ba9beef';
  const smuggled = { kvlistValue: { values: [{ key: 'tracewire.run_id', value: { stringValue: '11111111-1111-4111-8111-111111111111' } }] } };
  const attributes = [{ key: '__proto__', value: smuggled }, { key: 'openinference.span.kind', value: { stringValue: 'constructor' } }];
  const answer = await post(`${collector.url}/v1/traces`, otlp([span({ spanId, name: 'proto', attributes })]));
  expect(answer.status).toBe(200);
  const runs = await collector.trace('0af76519-16cd-43dd-8448-eb211c80319c');
  const run = runs.find((r) => r.name === 'proto')!;
  // The generic mapping (its id from its span id), not tracewire's with the smuggled run id.
  expect(run.id).toBe(`00000000-0000-0000-${spanId.slice(0, 4)}-${spanId.slice(4)}`);
  expect(run.run_type).toBe('chain');
  expect(Object.getOwnPropertyDescriptor(run.extra.metadata, '__proto__')?.value).toEqual({ 'tracewire.run_id': '11111111-1111-4111-8111-111111111111' });
});

test('HEAD is answered as GET is, headers alone: /healthz, the API, the viewer', async () => {
  for (const path of ['/healthz', '/api/traces', '/']) {
    const response = await fetch(`${collector.url}${path}`, { method: 'HEAD' });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('');
  }
});

test.each([
  ['multipart/mixed; boundary=x', 415, /Content-Type must be multipart\/form-data with a boundary, got "multipart\/mixed; boundary=x"/],
  ['text/plain', 415, /Content-Type must be multipart\/form-data/],
  ['multipart/form-data', 400, /^Content-Type must be multipart\/form-data with a boundary$/],
])('multipart: a body sent as %s is a %i with its reason', async (contentType, status, reason) => {
  const answer = await post(`${collector.url}/runs/multipart`, '--x\r\n', { 'content-type': contentType });
  expect(answer.status).toBe(status);
  expect(answer.body.detail).toMatch(reason);
});
