import fc from 'fast-check';
import { continueTrace, extractTraceContext, traceable, type Run } from '../../../index';
import { installMemoryTracing } from '../../helpers/memory-tracing';

/**
 * Incoming headers are untrusted. Whatever arrives — random text, valid
 * headers with one character changed, kilobytes of padding, hostile
 * objects — continuing from it never throws, the traced call runs and
 * returns its own value, and unless the headers were valid the trace is a
 * fresh one.
 */
const VALID_TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
const VALID_DOTTED = '20260101T120000000001Z0191e2f4-5a6b-7c8d-9e0f-a1b2c3d4e5f6.20260101T120000000002Z0191e2f4-5a6c-7aaa-8bbb-cccccccccccc';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A valid header with one edit: a character replaced, inserted or removed, or the value cut or padded. */
const mutated = (valid: string) =>
  fc.oneof(
    fc.tuple(fc.nat(valid.length - 1), fc.string({ minLength: 1, maxLength: 1, unit: "binary-ascii" })).map(([i, c]) => valid.slice(0, i) + c + valid.slice(i + 1)),
    fc.tuple(fc.nat(valid.length), fc.string({ minLength: 1, maxLength: 3 })).map(([i, s]) => valid.slice(0, i) + s + valid.slice(i)),
    fc.nat(valid.length - 1).map((i) => valid.slice(0, i) + valid.slice(i + 1)),
    fc.nat(valid.length - 1).map((i) => valid.slice(0, i)),
    fc.integer({ min: 1, max: 20_000 }).map((n) => valid + '.'.repeat(n % 3) + 'x'.repeat(n)),
  );

const headerValue = (valid: string) => fc.oneof(mutated(valid), fc.string({ maxLength: 200 }), fc.string({ unit: 'binary', maxLength: 200 }), fc.constant(valid), fc.array(fc.constant(valid), { maxLength: 3 }));

const carrier = fc.record(
  {
    traceparent: headerValue(VALID_TRACEPARENT),
    'langsmith-trace': headerValue(VALID_DOTTED),
    tracestate: fc.oneof(fc.string({ maxLength: 600 }), fc.constant('a=1,b=2'), fc.constant('x'.repeat(2000) + '=1')),
    baggage: fc.oneof(
      fc.string({ maxLength: 300 }),
      fc.string({ maxLength: 300 }).map((s) => `langsmith-metadata=${s},langsmith-tags=${s},langsmith-project=${s}`),
      fc.jsonValue().map((v) => `langsmith-metadata=${encodeURIComponent(JSON.stringify(v))}`),
      fc.nat(100_000).map((n) => `langsmith-project=${'p'.repeat(n)}`),
    ),
  },
  { requiredKeys: [] },
);

/** A valid dotted order of `n` runs, each started a microsecond after its parent. */
function chainOf(n: number): string {
  return Array.from({ length: n }, (_, i) => `20260101T120000${String(i).padStart(6, '0')}Z0191e2f4-5a6b-7c8d-9e0f-${String(i).padStart(12, '0')}`).join('.');
}

const hostile: unknown[] = [
  new Proxy({}, { get: () => { throw new Error('get'); }, ownKeys: () => { throw new Error('keys'); }, has: () => { throw new Error('has'); } }),
  (() => { const { proxy, revoke } = Proxy.revocable({}, {}); revoke(); return proxy; })(),
  { get: () => { throw new Error('Headers.get'); } },
  { get traceparent() { throw new Error('getter'); } },
  { traceparent: 42, 'langsmith-trace': { toString: () => VALID_DOTTED } },
  'traceparent', 7, null, undefined,
];

test('random and mutated headers: never a throw, the call runs, an invalid parent gives a fresh trace', async () => {
  const { client, exporter } = installMemoryTracing();
  const handle = traceable((n: number) => n * 2, { name: 'handle' });
  let calls = 0;
  fc.assert(
    fc.property(carrier, (headers) => {
      calls++;
      const context = extractTraceContext(headers as Record<string, string>);
      expect(continueTrace(headers as Record<string, string>, () => handle(calls))).toBe(calls * 2);
      if (context !== undefined) {
        expect(context.traceId).toMatch(UUID);
        expect(context.parentRunId).toMatch(UUID);
        expect(context.parentSpanId).toMatch(/^[0-9a-f]{16}$/);
        expect(context.parentSpanId).not.toBe('0000000000000000');
        expect(JSON.stringify(context).length).toBeLessThan(20_000);
      }
      return true;
    }),
    { numRuns: 400, seed: 20261201 },
  );
  await client.flush({ timeoutMillis: 5_000 });
  const runs: Run[] = exporter.finishedRuns;
  expect(runs).toHaveLength(client.stats().spansStarted - client.stats().dropped.sampledOut);
  for (const run of runs) {
    if (run.parent_run_id === undefined) expect(run.trace_id).toBe(run.id);
    else expect(run.dotted_order.split('.').at(-2)!.slice(22)).toBe(run.parent_run_id);
  }
  // The generator did reach both outcomes.
  expect(runs.some((run) => run.parent_run_id === undefined)).toBe(true);
  expect(runs.some((run) => run.parent_run_id !== undefined)).toBe(true);
});

test('hostile carriers (throwing getters, revoked proxies, non-strings) read as no headers', () => {
  installMemoryTracing();
  const handle = traceable(() => 'ran', { name: 'handle' });
  for (const headers of hostile) {
    expect(extractTraceContext(headers as Record<string, string>)).toBeUndefined();
    expect(continueTrace(headers as Record<string, string>, () => handle())).toBe('ran');
    expect(traceable(() => 'ran', { parent: () => headers as Record<string, string> })()).toBe('ran');
  }
});

test.each([
  ['traceparent version ff', { traceparent: 'ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' }],
  ['traceparent all-zero trace id', { traceparent: '00-00000000000000000000000000000000-00f067aa0ba902b7-01' }],
  ['traceparent all-zero span id', { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01' }],
  ['traceparent upper-case hex', { traceparent: '00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01' }],
  ['traceparent version 00 with a fifth field', { traceparent: VALID_TRACEPARENT + '-extra' }],
  ['langsmith-trace over 8 KiB', { 'langsmith-trace': chainOf(139) }],
  ['langsmith-trace with a run twice', { 'langsmith-trace': `${VALID_DOTTED}.${VALID_DOTTED.split('.')[1]}` }],
  ['langsmith-trace with an impossible date', { 'langsmith-trace': VALID_DOTTED.replace('20260101T12', '20261341T12') }],
  ['langsmith-trace with the nil UUID', { 'langsmith-trace': '20260101T120000000001Z00000000-0000-0000-0000-000000000000' }],
])('%s: refused', (_, headers) => {
  expect(extractTraceContext(headers)).toBeUndefined();
});

test('the 8 KiB limit of langsmith-trace: a chain of 138 runs (8 141 chars) continues, 139 (8 200) does not', () => {
  expect(chainOf(138)).toHaveLength(8141);
  expect(extractTraceContext({ 'langsmith-trace': chainOf(138) })?.parentRunId).toBe('0191e2f4-5a6b-7c8d-9e0f-000000000137');
});

test('a dotted order whose times go back (hosts with skewed clocks) still continues', () => {
  const skewed = VALID_DOTTED.replace('20260101T120000000002Z', '20260101T115959990000Z');
  expect(extractTraceContext({ 'langsmith-trace': skewed })?.parentRunId).toBe('0191e2f4-5a6c-7aaa-8bbb-cccccccccccc');
});

test('a future traceparent version with more fields is accepted, as the spec asks', () => {
  expect(extractTraceContext({ traceparent: '01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-future' })?.parentSpanId).toBe('00f067aa0ba902b7');
});
