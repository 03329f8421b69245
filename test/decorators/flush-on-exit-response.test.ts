import 'reflect-metadata';
import { createReadStream, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { createServer, ServerResponse, type IncomingMessage, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { connect, type AddressInfo } from 'node:net';
import { FlushOnExit, Traceable, TracingClient, setGlobalTracingClient, traceable, type InvocationFlushResult, type TracingClientOptions } from '../../index';
import { detectDecoratorMode } from '../helpers/decorator-mode';
import { arrivesOnlyAfterRelease, GatedExporter, settle } from '../helpers/gated-exporter';
import { shutDownAfterEach } from '../helpers/shut-down-after-each';

/**
 * `@FlushOnExit` on an Express-style `(req, res)` handler (a Cloud Run
 * function's, Firebase's `onRequest`, Express's): the response's end is
 * the invocation's end there, so it waits for the invocation's spans. A
 * real HTTP server on 127.0.0.1; the exporter holds every batch until
 * released. The same under Google's Functions Framework, its process
 * killed as the response arrives: test/runtimes/cloud-run-functions.test.ts.
 */
const mode = detectDecoratorMode();
let exporter: GatedExporter;
const reports: InvocationFlushResult[] = [];
const onFlushResult = (result: InvocationFlushResult) => reports.push(result);
const shutDown = shutDownAfterEach();
const servers: Server[] = [];

function install(options: Partial<TracingClientOptions> = {}): TracingClient {
  exporter = new GatedExporter();
  exporter.holding = true;
  const client = new TracingClient({ exporter, logger: { warn() {} }, flushIntervalMillis: 60_000, ...options });
  setGlobalTracingClient(client);
  return shutDown(client);
}

beforeEach(() => (reports.length = 0));
afterEach(async () => {
  setGlobalTracingClient(undefined);
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

const step = traceable(async function step(i: number) {
  await settle();
  return i;
});

/** Serves `handle` on 127.0.0.1 and requests it once: the body when the response has arrived whole. */
async function request(handle: (req: IncomingMessage, res: ServerResponse) => unknown): Promise<string> {
  const server = createServer((req, res) => void handle(req, res));
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
  return response.text();
}

const names = () => exporter.batches.flatMap((batch) => batch.post.map((run) => run.name)).sort();
const patched = () => exporter.batches.flatMap((batch) => batch.patch.map((run) => run.name));

class Handlers {
  @FlushOnExit({ onFlushResult })
  @Traceable({ name: 'handle' })
  async handle(_req: IncomingMessage, res: ServerResponse): Promise<void> {
    res.end(`sum ${(await step(1)) + (await step(2))}`);
  }

  @Traceable({ name: 'handle' })
  @FlushOnExit({ onFlushResult })
  async reversed(_req: IncomingMessage, res: ServerResponse): Promise<void> {
    res.end(`sum ${(await step(1)) + (await step(2))}`);
  }

  /** Answers, then goes on working: the response waits for what was traced by then, not for the work after it. */
  @FlushOnExit({ onFlushResult })
  @Traceable({ name: 'answersEarly' })
  async answersEarly(_req: IncomingMessage, res: ServerResponse, after: Promise<void>): Promise<void> {
    await step(1);
    res.end('early');
    await after;
    await step(2);
  }

  /** A platform's `waitUntil` among the arguments: the flush is handed to it, and the response is not held. */
  @FlushOnExit({ onFlushResult, waitUntil: 'auto' })
  @Traceable({ name: 'handedOff' })
  async handedOff(_req: IncomingMessage, res: ServerResponse, _ctx: { waitUntil(promise: Promise<unknown>): void }): Promise<void> {
    await step(1);
    res.end('handed off');
  }

  /** Its whole body written before the end, with a Content-Length: for the client the answer is whole there. */
  @FlushOnExit({ onFlushResult })
  @Traceable({ name: 'writesWhole' })
  async writesWhole(_req: IncomingMessage, res: ServerResponse, declare: 'writeHead' | 'setHeader'): Promise<void> {
    const body = `sum ${(await step(1)) + (await step(2))}`;
    if (declare === 'writeHead') res.writeHead(200, { 'content-length': Buffer.byteLength(body) });
    else res.setHeader('Content-Length', Buffer.byteLength(body));
    res.write(body.slice(0, 2));
    res.write(body.slice(2));
    await step(3);
    res.end();
  }

  /** A file piped with its length, as `res.sendFile` and `express.static` send one; settles once it is sent. */
  @FlushOnExit({ onFlushResult })
  @Traceable({ name: 'sendsFile' })
  async sendsFile(_req: IncomingMessage, res: ServerResponse, file: string): Promise<void> {
    await step(1);
    res.setHeader('Content-Length', statSync(file).size);
    await pipeline(createReadStream(file), res);
  }

  /** A stream of events, no length declared: each write goes out as it is made. */
  @FlushOnExit({ onFlushResult })
  @Traceable({ name: 'streamsEvents' })
  async streamsEvents(_req: IncomingMessage, res: ServerResponse, firstSeen: Promise<void>): Promise<void> {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write(`data: ${await step(1)}\n\n`);
    await firstSeen;
    res.end(`data: ${await step(2)}\n\n`);
  }

  @FlushOnExit({ onFlushResult })
  endsWith(_req: IncomingMessage, res: ServerResponse, chunk: unknown): void {
    (res.end as (chunk: unknown) => void)(chunk);
  }
}

describe(`@FlushOnExit on a (req, res) handler (${mode} decorators)`, () => {
  test.each(['handle', 'reversed'] as const)('background: %s\'s response arrives only after its spans were delivered, whole', async (method) => {
    install();
    const handlers = new Handlers();
    const response = request((req, res) => handlers[method](req, res));
    expect(await arrivesOnlyAfterRelease(exporter, response)).toBe(true);
    await expect(response).resolves.toBe('sum 3');
    expect(names()).toEqual(['handle', 'step', 'step']);
    expect(reports).toEqual([expect.objectContaining({ delivered: 3, timedOut: false })]);
  });

  test.each(['writeHead', 'setHeader'] as const)('a body of declared length (%s) written whole before the end arrives only after the spans were delivered', async (declare) => {
    // A review: the end then sends nothing, and the body, whole for the client, went out before the flush.
    install();
    const handlers = new Handlers();
    const response = request((req, res) => handlers.writesWhole(req, res, declare));
    expect(await arrivesOnlyAfterRelease(exporter, response)).toBe(true);
    await expect(response).resolves.toBe('sum 3');
    expect(names()).toEqual(['step', 'step', 'step', 'writesWhole']);
  });

  test('a file piped with its length (as res.sendFile sends one) arrives only after the spans were delivered, whole', async () => {
    install();
    const file = join(mkdtempSync(join(tmpdir(), 'tracewire-file-')), 'body.txt');
    const text = 'x'.repeat(200_000); // several reads of the file stream: the last one completes it
    writeFileSync(file, text);
    const handlers = new Handlers();
    const response = request((req, res) => handlers.sendsFile(req, res, file));
    expect(await arrivesOnlyAfterRelease(exporter, response)).toBe(true);
    await expect(response).resolves.toBe(text);
    expect(names()).toEqual(['sendsFile', 'step']);
  });

  test('a stream of events with no declared length is not held: its first event arrives while the handler is still at work', async () => {
    install(); // the exporter holds every batch: a held write would wait for its release
    const handlers = new Handlers();
    let sawFirst!: () => void;
    const firstSeen = new Promise<void>((resolve) => (sawFirst = resolve));
    const server = createServer((req, res) => void handlers.streamsEvents(req, res, firstSeen));
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const reading = (async () => {
      const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
      const reader = response.body!.getReader();
      return { reader, first: await reader.read() };
    })();
    // Held, its headers and first event would come at the flush's deadline (2 s), the exporter holding the batch.
    const raced = await Promise.race([reading, new Promise<'held'>((resolve) => setTimeout(() => resolve('held'), 500))]);
    expect(raced).not.toBe('held');
    const { reader, first } = await reading;
    expect(new TextDecoder().decode(first.value)).toBe('data: 1\n\n');
    sawFirst();
    exporter.holding = false;
    exporter.releaseAll();
    let rest = '';
    for (let part = await reader.read(); !part.done; part = await reader.read()) rest += new TextDecoder().decode(part.value);
    expect(rest).toBe('data: 2\n\n');
  });

  test("an answer from a callback that traced nothing, while the handler's own flush is under way, still waits for that flush", async () => {
    // The second review's fix skipped the late flush where nothing ended since the handler settled: the handler's own
    // spans, still being delivered, then went out after the response.
    install();
    class Later {
      @FlushOnExit({ onFlushResult })
      @Traceable({ name: 'later' })
      async answer(_req: IncomingMessage, res: ServerResponse): Promise<void> {
        await step(1);
        setTimeout(() => res.end('later'), 10);
      }
    }
    const later = new Later();
    const response = request((req, res) => later.answer(req, res));
    expect(await arrivesOnlyAfterRelease(exporter, response)).toBe(true);
    await expect(response).resolves.toBe('later');
    expect(names()).toEqual(['later', 'step']);
  });

  test('a response given to two invocations is held once: its end arrives whole, after their spans', async () => {
    // A review: each held it, and where the hold made last let go first (its deadline nearer), what the first one held
    // went nowhere — the end of a stream whose reply was passed to each message's handler never arrived.
    install();
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    class Messages {
      @FlushOnExit({ onFlushResult, timeoutMillis: 5_000 })
      @Traceable({ name: 'patient' })
      async patient(_req: IncomingMessage, res: ServerResponse): Promise<void> {
        res.write(`data: ${await step(1)}\n\n`);
        await gate;
      }

      @FlushOnExit({ onFlushResult, timeoutMillis: 10 })
      @Traceable({ name: 'quick' })
      async quick(_req: IncomingMessage, res: ServerResponse): Promise<void> {
        res.write(`data: ${await step(2)}\n\n`);
        await gate;
      }
    }
    const messages = new Messages();
    const response = request(async (req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const handled = Promise.all([messages.patient(req, res), messages.quick(req, res)]);
      await new Promise((resolve) => setTimeout(resolve, 20));
      res.end('data: bye\n\n'); // both still at work: each invocation's hold, if each had one, holds it
      open();
      await handled;
    });
    expect(await arrivesOnlyAfterRelease(exporter, response)).toBe(true);
    await expect(response).resolves.toBe('data: 1\n\ndata: 2\n\ndata: bye\n\n');
  }, 15_000); // lost, the end never arrives

  test.each(['a body of declared length', 'an end'] as const)("a client gone during the hold of %s: the program's callbacks and finish are called, as untraced", async (held) => {
    // A review: the held sends went to a socket already closed, which drops them without a call back — a program
    // waiting for `finish` or its write's callback hung.
    install(); // the exporter holds every batch: the hold lasts until the client is gone
    const events: string[] = [];
    class Answers {
      @FlushOnExit({ onFlushResult })
      @Traceable({ name: 'answers' })
      async answer(_req: IncomingMessage, res: ServerResponse): Promise<void> {
        await step(1);
        res.on('finish', () => events.push('finish'));
        res.writeHead(200, { 'content-length': '5' });
        if (held === 'an end') res.end('hello', () => events.push('end callback'));
        else {
          res.write('hello', (error) => events.push(`write callback: ${error?.message ?? 'ok'}`));
          setTimeout(() => res.end(() => events.push('end callback')), 100);
        }
      }
    }
    const answers = new Answers();
    const server = createServer((req, res) => void answers.answer(req, res));
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const socket = connect((server.address() as AddressInfo).port, '127.0.0.1');
    socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    await new Promise((resolve) => setTimeout(resolve, 50));
    socket.destroy();
    for (let i = 0; i < 100 && !events.includes('end callback'); i++) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(events.sort()).toEqual(held === 'an end' ? ['end callback', 'finish'] : ['end callback', 'finish', 'write callback: ok']);
    exporter.holding = false;
    exporter.releaseAll();
  });

  test('blocking: the response arrives only after the handler\'s root span was delivered (its own wait is still under way at the end)', async () => {
    install({ mode: 'blocking' });
    const handlers = new Handlers();
    const response = request((req, res) => handlers.handle(req, res));
    expect(await arrivesOnlyAfterRelease(exporter, response)).toBe(true);
    expect(names()).toEqual(['handle', 'step', 'step']);
  });

  test('a handler working on after its response: the response waits for what was traced by then; the rest is delivered when it settles', async () => {
    install();
    let finishWork!: () => void;
    const after = new Promise<void>((resolve) => (finishWork = resolve));
    const handlers = new Handlers();
    let settled!: Promise<void>;
    const response = request((req, res) => (settled = handlers.answersEarly(req, res, after)));
    expect(await arrivesOnlyAfterRelease(exporter, response)).toBe(true);
    await expect(response).resolves.toBe('early');
    // The step ended; the handler's run was sent open (it is still running).
    expect([exporter.completePosts, patched()]).toEqual([['step'], []]);
    exporter.holding = false;
    finishWork();
    await settled;
    expect([exporter.completePosts, patched()]).toEqual([['step', 'step'], ['answersEarly']]);
    expect(reports).toEqual([expect.objectContaining({ timedOut: false, pending: 0 }), expect.objectContaining({ timedOut: false, pending: 0 })]);
  });

  test('the flush its response waits for and the one when it settles share one deadline, not timeoutMillis each', async () => {
    // A review: each had timeoutMillis, and a handler awaiting its own response settled after twice that.
    install();
    class Slow {
      @FlushOnExit({ onFlushResult, timeoutMillis: 1_000 })
      @Traceable({ name: 'slow' })
      async answer(_req: IncomingMessage, res: ServerResponse): Promise<void> {
        await step(1);
        await new Promise((resolve) => res.end('done', resolve as () => void)); // settles once the response is out
      }
    }
    const slow = new Slow();
    await expect(request((req, res) => slow.answer(req, res))).resolves.toBe('done');
    for (let i = 0; i < 400 && reports.length < 2; i++) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(reports).toEqual([expect.objectContaining({ timedOut: true }), expect.objectContaining({ timedOut: true })]);
    // The first used the deadline up; the second had nothing left (with a deadline of its own it waited 1 000 ms).
    expect(reports[0]!.waitedMillis).toBeGreaterThanOrEqual(990);
    expect(reports[1]!.waitedMillis).toBeLessThan(500);
  });

  test('with a waitUntil to hand the flush to, the response is not held', async () => {
    install();
    const handedOver: Promise<unknown>[] = [];
    const handlers = new Handlers();
    let flushed = false;
    const body = await request((req, res) => handlers.handedOff(req, res, { waitUntil: (promise) => handedOver.push(promise.then(() => (flushed = true))) }));
    expect(body).toBe('handed off');
    // The exporter still holds the batch: the flush handed over has not ended, and the response came anyway.
    expect([handedOver.length, flushed]).toEqual([1, false]);
    exporter.holding = false;
    exporter.releaseAll();
    await Promise.all(handedOver);
    expect(names()).toEqual(['handedOff', 'step']);
  });

  // A review: the end deferred whole, `headersSent` and `writableEnded` read false after it, headers could still be
  // set, a second end went through, an end's throw was lost — a framework's 500 went out over the program's answer,
  // Express's server died of a write after end. The end now runs at once; only its bytes wait.
  type Answer = (res: ServerResponse, log: string[]) => unknown;
  const answers: Array<[string, Answer]> = [
    ['an error thrown after the answer (a framework answers 500 only if nothing was sent)', (res) => {
      res.end('ok');
      throw new Error('after the answer');
    }],
    ['an end, then the response destroyed', (res) => {
      res.end('bye');
      res.destroy();
    }],
    ['a second end guarded by writableEnded', (res) => {
      res.end('first');
      if (!res.writableEnded) res.end('second');
    }],
    ['a header set after the end', (res, log) => {
      res.end('ok');
      try {
        res.setHeader('x-after', '1');
      } catch (error) {
        log.push((error as { code: string }).code);
      }
    }],
    ['a write after the end', (res, log) => {
      res.end('a');
      res.write('b', (error) => log.push(`write: ${(error as { code?: string } | null | undefined)?.code}`));
    }],
    ['an end Node refuses (a number), then a good one', (res, log) => {
      try {
        (res.end as (chunk: unknown) => void)(42);
      } catch (error) {
        log.push((error as { code: string }).code);
        res.end('recovered');
      }
    }],
    ['an unknown encoding, then a good end', (res, log) => {
      try {
        (res.end as (chunk: unknown, encoding: string) => void)('x', 'no-such-encoding');
      } catch (error) {
        log.push((error as { code: string }).code);
        res.end('recovered');
      }
    }],
    ["a middleware's end that throws, then Node's own", (res, log) => {
      try {
        res.end('x');
      } catch (error) {
        log.push((error as Error).message);
        Reflect.apply(ServerResponse.prototype.end, res, ['recovered']);
      }
    }],
    ['a detached end, then a good one', (res, log) => {
      const { end } = res;
      try {
        (end as (chunk: string) => void)('x');
      } catch (error) {
        log.push((error as Error).name);
        res.end('recovered');
      }
    }],
  ];

  class Answering {
    @FlushOnExit({ onFlushResult })
    @Traceable({ name: 'answering' })
    answer(_req: IncomingMessage, res: ServerResponse, answer: Answer, log: string[]): unknown {
      return answer(res, log);
    }
  }

  /** What the client and the program see of `answer`, called as `handle` calls it, behind a framework's error handler. */
  async function seen(answer: Answer, handle: (req: IncomingMessage, res: ServerResponse, answer: Answer, log: string[]) => unknown): Promise<unknown> {
    const log: string[] = [];
    const server = createServer((req, res) => {
      res.on('error', (error: { code?: string }) => log.push(`error event: ${error.code}`));
      // A middleware's own end that throws, installed before the handler (for the case that needs one).
      if (answer === answers[7]![1]) res.end = () => { throw new Error('middleware end'); };
      try {
        handle(req, res, answer, log);
      } catch {
        // What Express's finalhandler and the Functions Framework's crash response do: answer 500 unless already sent.
        log.push(`caught; headersSent ${res.headersSent}`);
        if (!res.headersSent) res.writeHead(500).end('crash');
        else req.socket.destroy(); // Express's finalhandler, for a response already sent
      }
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    const body = await response.text();
    await new Promise((resolve) => setTimeout(resolve, 20)); // a write's callback, an error event
    return { status: response.status, body, after: response.headers.get('x-after'), log };
  }

  test.each(answers)('%s: the client and the program see what they see untraced', async (_name, answer) => {
    install();
    exporter.holding = false;
    const untraced = await seen(answer, (_req, res, given, log) => given(res, log));
    const answering = new Answering();
    const traced = await seen(answer, (req, res, given, log) => answering.answer(req, res, given, log));
    expect(traced).toEqual(untraced);
    expect(names()).toEqual(['answering']);
  });

  test("an end of the response's own (a middleware's) is its own again once the response ended, as it was; with none, none", async () => {
    install();
    exporter.holding = false;
    const handlers = new Handlers();
    const seen: Array<[boolean, boolean | undefined]> = [];
    const middlewareEnd = async (res: ServerResponse, own: boolean): Promise<void> => {
      if (own) {
        const base = res.end;
        // What compression's middleware does: an own, enumerable `end` wrapping the prototype's.
        res.end = function (this: ServerResponse, ...args: unknown[]) {
          return Reflect.apply(base, this, args);
        } as ServerResponse['end'];
      }
      const before = Object.getOwnPropertyDescriptor(res, 'end');
      const ended = new Promise((resolve) => res.on('finish', resolve));
      handlers.endsWith({} as IncomingMessage, res, 'x');
      await ended;
      const after = Object.getOwnPropertyDescriptor(res, 'end');
      seen.push([after?.value === before?.value, after?.enumerable]);
    };
    await request((_req, res) => middlewareEnd(res, true));
    await request((_req, res) => middlewareEnd(res, false));
    expect(seen).toEqual([
      [true, true],
      [true, undefined],
    ]);
  });
});
