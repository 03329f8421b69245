import { gzipSync } from 'node:zlib';
import { memoryCollector, post } from './collector-client.js';
import { batch, postedRun } from './run-builders.js';

type Collector = Awaited<ReturnType<typeof memoryCollector>>;
let collector: Collector | undefined;
afterEach(async () => {
  await collector?.close();
  collector = undefined;
});

describe('idempotent ingestion', () => {
  test('a run received twice (a client retry) is stored once', async () => {
    collector = await memoryCollector();
    const root = postedRun({ name: 'retried' });
    for (let i = 0; i < 2; i++) expect((await post(`${collector.url}/runs/batch`, batch([root]))).status).toBe(202);
    expect(await collector.traces()).toEqual([expect.objectContaining({ name: 'retried', span_count: 1, status: 'running' })]);
    expect(await collector.trace(root.id)).toHaveLength(1);
  });

  test('a patch that arrives before its post is kept, then merged with it', async () => {
    collector = await memoryCollector();
    const root = postedRun({ name: 'late-start' });
    const end = { id: root.id, trace_id: root.id, end_time: '2026-01-01T00:00:02Z', outputs: { answer: 42 } };
    await post(`${collector.url}/runs/batch`, batch([], [end]));
    await post(`${collector.url}/runs/batch`, batch([root]));
    // The post's absent fields (no end, no outputs) must not erase what the patch brought.
    await post(`${collector.url}/runs/batch`, batch([root]));
    expect(await collector.trace(root.id)).toEqual([
      expect.objectContaining({ name: 'late-start', inputs: { question: 'why?' }, outputs: { answer: 42 }, end_time: '2026-01-01T00:00:02.000000Z' }),
    ]);
    expect(await collector.traces()).toEqual([expect.objectContaining({ status: 'ok', span_count: 1, end_time: '2026-01-01T00:00:02.000000Z' })]);
  });

  test('an error in any run marks its trace as error; a null field from the client erases nothing', async () => {
    collector = await memoryCollector();
    const root = postedRun({ name: 'parent', end_time: '2026-01-01T00:00:03Z' });
    const child = postedRun({ name: 'child', trace_id: root.id, parent_run_id: root.id, error: 'Error: boom', end_time: '2026-01-01T00:00:01Z' });
    await post(`${collector.url}/runs/batch`, batch([root, child], [{ id: child.id, trace_id: root.id, error: null, outputs: null }]));
    expect((await collector.traces())[0]).toMatchObject({ status: 'error', span_count: 2 });
    expect((await collector.trace(root.id)).find((run) => run.name === 'child')).toMatchObject({ error: 'Error: boom' });
  });

  test('gzip bodies are accepted', async () => {
    collector = await memoryCollector();
    const answer = await post(`${collector.url}/runs/batch`, gzipSync(batch([postedRun({ name: 'zipped' })])), { 'content-type': 'application/json', 'content-encoding': 'gzip' });
    expect(answer.status).toBe(202);
    expect((await collector.traces())[0]).toMatchObject({ name: 'zipped' });
  });
});

describe('one stored form', () => {
  test('ids and times in any accepted spelling are stored canonical; the stored form itself is kept as sent', async () => {
    collector = await memoryCollector();
    const canonical = postedRun({ name: 'canonical', start_time: '2028-02-29T23:59:59.999999Z', end_time: '2028-03-01T00:00:00.000001Z' });
    const spelled = postedRun({ id: '0190A0B0C0D07000800000000000ABCD', name: 'spelled', start_time: '2026-01-01T00:00:00.5+01:00', end_time: 1767225600000.25 });
    spelled.trace_id = spelled.id;
    const answer = await post(`${collector.url}/runs/batch`, batch([canonical, spelled]));
    expect(answer.status).toBe(202);
    const runs = await collector.runsByName();
    expect(runs.get('canonical')).toMatchObject({ id: canonical.id, trace_id: canonical.id, start_time: '2028-02-29T23:59:59.999999Z', end_time: '2028-03-01T00:00:00.000001Z' });
    expect(runs.get('spelled')).toMatchObject({ id: '0190a0b0-c0d0-7000-8000-00000000abcd', trace_id: '0190a0b0-c0d0-7000-8000-00000000abcd', start_time: '2025-12-31T23:00:00.500000Z', end_time: '2026-01-01T00:00:00.000250Z' });
  });

  test.each([
    ['February 30th', '2026-02-30T10:00:00.000000Z'],
    ['February 29th of a common year', '2026-02-29T10:00:00.000000Z'],
    ['hour 24', '2026-01-01T24:00:00.000000Z'],
    ['second 60', '2026-01-01T23:59:60.000000Z'],
  ])('a time in the stored layout that names no real time (%s) is refused', async (_what, time) => {
    collector = await memoryCollector();
    const answer = await post(`${collector.url}/runs/batch`, batch([postedRun({ start_time: time })]));
    expect(answer.status).toBe(400);
    expect(answer.body.rejected[0].reason).toContain('"start_time" must be');
  });
});

describe('bad input is answered, never crashes the collector', () => {
  test.each([
    ['JSON that does not parse', '/runs/batch', '{"post": [', 'Body is not JSON'],
    ['a run without a UUID id', '/runs/batch', batch([{ id: 'seven', start_time: '2026-01-01T00:00:00Z' }]), 'post[0]: "id" must be a UUID'],
    ['a post without a start time', '/runs/batch', batch([{ id: '0190a0b0-0000-7000-8000-000000000001' }]), 'needs "start_time"'],
    ['a time that is not a time', '/runs/batch', batch([postedRun({ start_time: 'yesterday' })]), '"start_time" must be an ISO 8601 time'],
    ['"post" that is not a list', '/runs/batch', '{"post": {}}', '"post" must be an array'],
    ['an OTLP body that is not an ExportTraceServiceRequest', '/v1/traces', JSON.stringify({ resourceSpans: { scopeSpans: [] } }), '"resourceSpans" must be an array'],
  ])('%s gets 400 with the reason', async (_what, path, body, reason) => {
    collector = await memoryCollector();
    const answer = await post(collector.url + path, body);
    expect(answer.status).toBe(400);
    expect(answer.body.detail).toContain(reason);
    expect((await fetch(`${collector.url}/healthz`)).status).toBe(200);
  });

  test('a multipart body that is not multipart gets 400', async () => {
    collector = await memoryCollector();
    const answer = await post(`${collector.url}/runs/multipart`, 'not multipart', { 'content-type': 'multipart/form-data; boundary=xyz' });
    expect(answer).toEqual({ status: 400, body: { detail: expect.stringContaining('multipart/form-data') } });
  });

  test('a gzip body that is not gzip gets 400; an unknown encoding gets 415', async () => {
    collector = await memoryCollector();
    expect((await post(`${collector.url}/runs/batch`, 'plain', { 'content-encoding': 'gzip' })).status).toBe(400);
    expect((await post(`${collector.url}/runs/batch`, 'plain', { 'content-encoding': 'zstd' })).status).toBe(415);
  });

  test('a body over the size limit gets 413, compressed or once decompressed', async () => {
    collector = await memoryCollector({ maxBodyBytes: 4096 });
    const big = batch([postedRun({ inputs: { text: 'x'.repeat(10_000) } })]);
    const answer = await post(`${collector.url}/runs/batch`, big);
    expect(answer).toEqual({ status: 413, body: { detail: expect.stringContaining('4096 bytes') } });
    const bomb = await post(`${collector.url}/runs/batch`, gzipSync(big), { 'content-encoding': 'gzip' });
    expect(bomb.status).toBe(413);
    expect(await collector.traces()).toEqual([]);
    const info = await (await fetch(`${collector.url}/info`)).json();
    expect(info).toMatchObject({ version: expect.any(String), batch_ingest_config: { size_limit: 100, size_limit_bytes: 4096 } });
  });

  test('unknown routes get 404, wrong methods 405', async () => {
    collector = await memoryCollector();
    expect((await fetch(`${collector.url}/nope`)).status).toBe(404);
    expect((await fetch(`${collector.url}/runs/batch`)).status).toBe(405);
    expect((await fetch(`${collector.url}/api/traces/0190a0b0-0000-7000-8000-00000000dead`)).status).toBe(404);
  });
});

describe('with a token', () => {
  test('ingestion and the API require it, as a Bearer token or x-api-key; health does not', async () => {
    collector = await memoryCollector({ token: 's3cret' });
    const body = batch([postedRun({ name: 'guarded' })]);
    expect((await post(`${collector.url}/runs/batch`, body)).status).toBe(401);
    expect((await post(`${collector.url}/runs/batch`, body, { 'x-api-key': 'wrong' })).status).toBe(401);
    expect((await fetch(`${collector.url}/api/traces`)).status).toBe(401);
    expect((await post(`${collector.url}/runs/batch`, body, { 'x-api-key': 's3cret' })).status).toBe(202);
    expect((await post(`${collector.url}/runs/batch`, body, { authorization: 'Bearer s3cret' })).status).toBe(202);
    expect((await fetch(`${collector.url}/healthz`)).status).toBe(200);
    expect(await collector.traces()).toEqual([expect.objectContaining({ name: 'guarded', span_count: 1 })]);
  });
});
