import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MemoryExporter, setGlobalTracingClient, traceable, TracewireConfigError, TracingClient } from '../../../index';
import { finishedRuns, installMemoryTracing, only } from '../../helpers/memory-tracing';

/**
 * A run's error says what a reader needs to debug the failure, as Node itself shows the error: its stack, then its
 * `cause` chain and an `AggregateError`'s errors as `[cause]: …` / `[errors][i]: …` lines. `fetch failed` says why
 * only in its cause, `Promise.any`'s error only in its errors: before, both were lost, and so was every cause (a
 * report-only probe). A getter that throws loses only itself; an error whose message is no string is still an error.
 * The caller always gets the very value thrown.
 */
let tracing: ReturnType<typeof installMemoryTracing>;
beforeEach(() => (tracing = installMemoryTracing()));
afterEach(() => setGlobalTracingClient(undefined));

let calls = 0;
/** The error a traced call records for `thrown`, after checking the caller got `thrown` itself. */
async function recorded(thrown: unknown): Promise<string> {
  const name = `fail${++calls}`;
  const fail = traceable(
    async () => {
      throw thrown;
    },
    { name },
  );
  const caught = await fail().then(
    () => 'resolved',
    (error: unknown) => error,
  );
  expect(caught === thrown).toBe(true);
  return only(await finishedRuns(tracing.client, tracing.exporter), name).error!;
}

test('a cause chain five deep: every level, each with its frames, in order', async () => {
  let error = new Error('level5 root cause: disk full');
  for (let level = 4; level >= 1; level--) error = new Error(`level${level}`, { cause: error });
  const text = await recorded(error);
  expect(text).toMatch(/^Error: level1\n {4}at /);
  const causes = text.split('\n').filter((line) => line.startsWith('[cause]: '));
  expect(causes).toEqual(['[cause]: Error: level2', '[cause]: Error: level3', '[cause]: Error: level4', '[cause]: Error: level5 root cause: disk full']);
});

test('a cause cycle ends where it comes round', async () => {
  const first = new Error('first');
  const second = new Error('second', { cause: first });
  (first as { cause?: unknown }).cause = second;
  expect((await recorded(first)).split('\n').filter((line) => line.startsWith('[cause]: '))).toEqual(['[cause]: Error: second']);
});

test("fetch failed: the connection's refusal, in its cause", async () => {
  // A port just freed: nothing listens there.
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  await new Promise((closed) => server.close(closed));
  const refused = await fetch(`http://127.0.0.1:${port}/`).catch((error: unknown) => error);
  const text = await recorded(refused);
  expect(text).toMatch(/^TypeError: fetch failed\n/);
  expect(text).toContain(`\n[cause]: Error: connect ECONNREFUSED 127.0.0.1:${port}\n`);
});

test("Promise.any's AggregateError: each error it gathered", async () => {
  const gathered = await Promise.any([Promise.reject(new Error('first failed')), Promise.reject(new TypeError('second failed'))]).catch((error: unknown) => error);
  const text = await recorded(gathered);
  expect(text).toMatch(/^AggregateError: All promises were rejected/);
  expect(text.split('\n').filter((line) => line.startsWith('[errors]'))).toEqual(['[errors][0]: Error: first failed', '[errors][1]: TypeError: second failed']);
});

test("a Node system error keeps its message (code, syscall, path), and a cause that is no error is written as thrown", async () => {
  const missing = await readFile('/no/such/file').catch((error: unknown) => error);
  expect(await recorded(missing)).toMatch(/^Error: ENOENT: no such file or directory, open '\/no\/such\/file'/);
  expect((await recorded(new Error('outer', { cause: { code: 42 } }))).split('\n').at(-1)).toBe('[cause]: Thrown: {"code":42}');
});

test('a stack getter that throws loses only the stack; a message getter that throws, only what needs it', async () => {
  const stackless = new Error('stackless');
  Object.defineProperty(stackless, 'stack', { get: () => { throw new Error('no stack for you'); } });
  expect(await recorded(stackless)).toBe('Error: stackless');
  const messageless = new Error('said at first');
  Object.defineProperty(messageless, 'message', { get: () => { throw new Error('no message for you'); } });
  // V8 writes the stack from the message when it is first read: neither can be read, the name still is.
  expect(await recorded(messageless)).toBe('Error: [unreadable message]');
});

test('an error whose message is no string is an error, its message written as JSON, with one head line', async () => {
  const numbered = Object.assign(new Error(), { message: 404, stack: undefined });
  expect(await recorded(numbered)).toBe('Error: 404');
  const detailed = new Error({ detail: 'quota' } as unknown as string);
  (detailed as { message: unknown }).message = { detail: 'quota' };
  expect(await recorded(detailed)).toMatch(/^Error: \{"detail":"quota"\}\n {4}at /);
});

describe('the redact.error hook', () => {
  test("rewrites the run's error text before it is queued: a token the message quotes is not recorded; the caller's error is untouched", async () => {
    setGlobalTracingClient(undefined);
    tracing = installMemoryTracing({ redact: { error: (text, { name }) => `${name}: ${text.replace(/Bearer \S+/g, 'Bearer [redacted]')}` } });
    const thrown = new Error('request failed: Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.SECRETPAYLOAD rejected');
    const text = await recorded(thrown);
    expect(text).toMatch(/^fail\d+: Error: request failed: Authorization: Bearer \[redacted\] rejected\n {4}at /);
    expect(thrown.message).toContain('SECRETPAYLOAD');
  });

  test.each([
    ['throws', () => { throw new Error('redactor broke'); }],
    ['returns no string', () => ({ text: 'x' })],
    ['returns a promise', async () => 'later'],
  ])('one that %s withholds the text', async (_, hook) => {
    setGlobalTracingClient(undefined);
    tracing = installMemoryTracing({ redact: { error: hook } });
    expect(await recorded(new Error('sk-proj-SECRETKEY leaked'))).toBe('[redaction hook threw: error withheld]');
  });

  test('anything but a function is a TracewireConfigError naming redact.error', () => {
    expect(() => new TracingClient({ exporter: new MemoryExporter(), redact: { error: 'scrub' as never } })).toThrow(TracewireConfigError);
    expect(() => new TracingClient({ exporter: new MemoryExporter(), redact: { error: 'scrub' as never } })).toThrow(/redact\.error/);
  });
});
