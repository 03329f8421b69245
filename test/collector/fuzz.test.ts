import fc from 'fast-check';
import { randomUUID } from 'node:crypto';
import { memoryCollector } from './collector-client.js';
import { postedRun } from './run-builders.js';

/**
 * Property-based fuzzing of every route (fast-check): whatever a client
 * sends, the answer is never a 5xx, and a valid run sent in the same request
 * is stored intact. Runs and spans are drawn field by field, each field
 * either valid or any JSON value, so the cases sit near the valid shapes
 * where mapping code lives, not only in "not JSON" land.
 */
// Thousands of cases: generous for a loaded 2-core machine, where the same run takes several times longer.
jest.setTimeout(300_000);

type Collector = Awaited<ReturnType<typeof memoryCollector>>;
let collector: Collector;
beforeAll(async () => {
  collector = await memoryCollector({ maxTraces: 2000 });
});
afterAll(() => collector?.close());

/** Either a plausible value or anything at all. */
const maybe = <T>(valid: fc.Arbitrary<T>) => fc.oneof({ weight: 3, arbitrary: valid }, { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 4 }) }, { weight: 1, arbitrary: fc.constantFrom(null, 1e20, -1, '', 'NaN', [], {}) });
const isoTime = fc.date({ min: new Date(0), max: new Date('9999-12-31T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString());
const anyTime = fc.oneof(isoTime, fc.double(), fc.string({ maxLength: 30 }), fc.integer());
const uuid = fc.uuid();

const fuzzedRun = fc.record(
  {
    id: maybe(uuid),
    trace_id: maybe(uuid),
    parent_run_id: maybe(uuid),
    name: maybe(fc.string({ maxLength: 40 })),
    run_type: maybe(fc.constantFrom('chain', 'llm', 'tool')),
    start_time: maybe(anyTime),
    end_time: maybe(anyTime),
    inputs: maybe(fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 3 }))),
    outputs: maybe(fc.object({ maxDepth: 3 })),
    error: fc.jsonValue({ maxDepth: 2 }),
    tags: maybe(fc.array(fc.string({ maxLength: 10 }), { maxLength: 4 })),
    extra: maybe(fc.record({ metadata: fc.object({ maxDepth: 2 }) })),
    events: maybe(fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 3 })),
    dotted_order: maybe(fc.string({ maxLength: 60 })),
  },
  { requiredKeys: [] },
);

const hex = (bytes: number) => fc.uint8Array({ minLength: bytes, maxLength: bytes }).map((b) => Buffer.from(b).toString('hex'));
/** JSON text, some nested around the depth limit and far past it: OTLP carries inputs and outputs as JSON inside a string attribute. */
const jsonText = fc.oneof(fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify(value)), fc.constantFrom(1, 62, 63, 64, 65, 999, 1001, 6000).map((depth) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`));
const anyValue: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.record({ stringValue: maybe(fc.oneof(fc.string({ maxLength: 20 }), jsonText)) }),
    fc.record({ intValue: maybe(fc.oneof(fc.bigInt().map(String), fc.integer())) }),
    fc.record({ doubleValue: maybe(fc.double()) }),
    fc.record({ boolValue: maybe(fc.boolean()) }),
    fc.record({ arrayValue: fc.record({ values: maybe(fc.array(tie('value'), { maxLength: 3 })) }) }),
    fc.record({ kvlistValue: fc.record({ values: fc.array(fc.record({ key: maybe(fc.string({ maxLength: 8 })), value: tie('value') }), { maxLength: 3 }) }) }),
  ),
})).value;
/** Keys the mapping reads (tracewire's own, OpenInference's) as often as any other string. */
const attributeKey = fc.oneof(fc.string({ maxLength: 20 }), fc.constantFrom('input.value', 'output.value', 'tracewire.run_id', 'tracewire.dotted_order', 'tracewire.tags', 'tracewire.run_type', 'tracewire.session_name', 'tracewire.status', 'openinference.span.kind', 'service.name'));
const attributes = maybe(fc.array(fc.record({ key: maybe(attributeKey), value: anyValue }), { maxLength: 4 }));
const nanos = maybe(fc.oneof(fc.bigInt({ min: 0n, max: 2n ** 70n }).map(String), fc.integer()));
const fuzzedSpan = fc.record(
  {
    traceId: maybe(hex(16)),
    spanId: maybe(hex(8)),
    parentSpanId: maybe(hex(8)),
    name: maybe(fc.string({ maxLength: 40 })),
    startTimeUnixNano: nanos,
    endTimeUnixNano: nanos,
    attributes,
    events: maybe(fc.array(fc.record({ name: maybe(fc.string({ maxLength: 10 })), timeUnixNano: nanos, attributes }, { requiredKeys: [] }), { maxLength: 3 })),
    status: maybe(fc.record({ code: maybe(fc.constantFrom(0, 1, 2)), message: maybe(fc.string({ maxLength: 20 })) }, { requiredKeys: [] })),
  },
  { requiredKeys: [] },
);

async function send(method: string, path: string, body?: string | Uint8Array, contentType = 'application/json'): Promise<number> {
  const response = await fetch(collector.url + path, { method, body: body as BodyInit | undefined, headers: body === undefined ? {} : { 'content-type': contentType } });
  const text = await response.text();
  if (response.status >= 500) throw new Error(`${method} ${path} answered ${response.status}: ${text}`);
  return response.status;
}

/** The valid run that travels with every fuzzed one: it must come back exactly as sent. */
async function expectIntact(run: ReturnType<typeof postedRun>): Promise<void> {
  const answer = (await (await fetch(`${collector.url}/api/traces/${run.trace_id}`)).json()) as { spans: Array<Record<string, unknown>> };
  const stored = answer.spans.find((span) => span.id === run.id);
  expect(stored).toMatchObject({ name: run.name, inputs: run.inputs, start_time: '2026-01-01T00:00:00.000001Z' });
}

test('LangSmith /runs/batch: fuzzed runs beside a valid one: never a 5xx, the valid run intact', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(fuzzedRun, { maxLength: 4 }), fc.array(fuzzedRun, { maxLength: 2 }), fc.nat(4), async (posts, patches, at) => {
      const valid = postedRun({ name: `valid-${randomUUID()}`, inputs: { n: at } });
      posts.splice(at, 0, valid);
      await send('POST', '/runs/batch', JSON.stringify({ post: posts, patch: patches }));
      await expectIntact(valid);
    }),
    { numRuns: 800 },
  );
});

test('LangSmith single-run routes and the envelope itself: never a 5xx', async () => {
  await fc.assert(
    fc.asyncProperty(fuzzedRun, fc.jsonValue({ maxDepth: 3 }), fc.string({ maxLength: 40 }), async (run, envelope, id) => {
      await send('POST', '/runs', JSON.stringify(run));
      await send('PATCH', `/runs/${encodeURIComponent(id)}`, JSON.stringify(run));
      await send('POST', '/runs/batch', JSON.stringify(envelope));
      await send('POST', '/v1/traces', JSON.stringify(envelope));
    }),
    { numRuns: 300 },
  );
});

test('LangSmith /runs/multipart: fuzzed parts beside a valid run: never a 5xx, the valid run intact', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(fc.tuple(fc.constantFrom('post', 'patch', 'x'), fc.oneof(fc.uuid(), fc.string({ maxLength: 10 })), fc.constantFrom('', '.inputs', '.outputs', '.extra', '.nope'), fc.oneof(fuzzedRun.map((r) => JSON.stringify(r)), fc.string({ maxLength: 30 }))), { maxLength: 4 }), async (parts) => {
      const valid = postedRun({ name: `valid-${randomUUID()}` });
      const form = new FormData();
      form.append(`post.${valid.id}`, JSON.stringify(valid));
      for (const [op, id, field, text] of parts) if (id !== valid.id) form.append(`${op}.${id}${field}`, text);
      const response = await fetch(`${collector.url}/runs/multipart`, { method: 'POST', body: form });
      expect(response.status).toBeLessThan(500);
      await expectIntact(valid);
    }),
    { numRuns: 200 },
  );
});

test('OTLP /v1/traces (JSON): fuzzed spans beside a valid one: never a 5xx, the valid span intact', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(fuzzedSpan, { maxLength: 4 }), fc.option(fc.record({ attributes }), { nil: undefined }), async (spans, resource) => {
      const traceId = randomUUID().replace(/-/g, '');
      const name = `valid-${traceId}`;
      spans.push({ traceId, spanId: traceId.slice(16), name, startTimeUnixNano: '1767225600000000000', endTimeUnixNano: '1767225601000000000' } as never);
      const status = await send('POST', '/v1/traces', JSON.stringify({ resourceSpans: [{ ...(resource === undefined ? {} : { resource }), scopeSpans: [{ spans }] }] }));
      expect(status).toBe(200);
      const answer = await fetch(`${collector.url}/api/traces/${traceId}`);
      // A resource that is itself invalid rejects its spans (the valid one too); otherwise the valid span is there.
      if (answer.status === 200) expect(((await answer.json()) as { spans: Array<{ name: string }> }).spans.map((s) => s.name)).toContain(name);
      else expect(resource).toBeDefined();
    }),
    { numRuns: 700 },
  );
});

test('OTLP /v1/traces (JSON): well-formed spans with fuzzed attributes and events (what the mapping reads): never a 5xx', async () => {
  const mappedSpan = fc.record({
    traceId: hex(16),
    spanId: hex(8),
    startTimeUnixNano: fc.constant('1767225600000000000'),
    attributes: fc.array(fc.oneof(fc.record({ key: attributeKey, value: anyValue }), fc.record({ key: fc.constantFrom('input.value', 'output.value'), value: fc.record({ stringValue: jsonText }) })), { maxLength: 6 }),
    events: fc.array(fc.record({ name: fc.constantFrom('exception', 'log'), attributes }, { requiredKeys: ['name'] }), { maxLength: 2 }),
  });
  await fc.assert(
    fc.asyncProperty(fc.array(mappedSpan, { minLength: 1, maxLength: 4 }), async (spans) => {
      expect(await send('POST', '/v1/traces', JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans }] }] }))).toBe(200);
    }),
    { numRuns: 300 },
  );
});

test('OTLP /v1/traces (protobuf) and compressed bodies: arbitrary bytes never make a 5xx', async () => {
  await fc.assert(
    fc.asyncProperty(fc.uint8Array({ maxLength: 300 }), async (bytes) => {
      await send('POST', '/v1/traces', bytes, 'application/x-protobuf');
      const response = await fetch(`${collector.url}/runs/batch`, { method: 'POST', body: bytes, headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' } });
      expect(response.status).toBeLessThan(500);
    }),
    { numRuns: 300 },
  );
});

test('GET routes: any query and trace id never make a 5xx', async () => {
  const params = fc.dictionary(fc.constantFrom('limit', 'offset', 'name', 'status', 'tag', 'since', 'q', 'minutes', 'x'), fc.string({ maxLength: 20 }));
  await fc.assert(
    fc.asyncProperty(params, fc.string({ maxLength: 40 }), fc.constantFrom('', '/export'), async (query, id, suffix) => {
      await send('GET', `/api/traces?${new URLSearchParams(query)}`);
      await send('GET', `/api/traces/${encodeURIComponent(id)}${suffix}?${new URLSearchParams(query)}`);
      await send('GET', `/api/stats?${new URLSearchParams(query)}`);
    }),
    { numRuns: 300 },
  );
});
