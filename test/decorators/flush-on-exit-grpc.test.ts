import 'reflect-metadata';
import * as grpc from '@grpc/grpc-js';
import { FlushOnExit, Traceable, TracingClient, setGlobalTracingClient, traceable } from '../../index';
import { detectDecoratorMode } from '../helpers/decorator-mode';
import { arrivesOnlyAfterRelease, GatedExporter, settle } from '../helpers/gated-exporter';
import { shutDownAfterEach } from '../helpers/shut-down-after-each';

/**
 * `@FlushOnExit` on gRPC methods that answer through grpc-js's callback, `(call, callback)` — unary and
 * client-streaming: the callback sends the response, so it is the invocation's end (Cloud Run throttles the CPU once a
 * response is sent). A report-only probe: a callback-style method's response went out before its spans, 1 of 2
 * delivered when the server was killed at the response. A real grpc-js server and client on 127.0.0.1 (messages as
 * JSON: no .proto needed); the exporter holds every batch until released.
 */
const mode = detectDecoratorMode();
let exporter: GatedExporter;
const shutDown = shutDownAfterEach();
let server: grpc.Server | undefined;
let client: grpc.Client | undefined;

beforeEach(() => {
  exporter = new GatedExporter();
  exporter.holding = true;
  setGlobalTracingClient(shutDown(new TracingClient({ exporter, logger: { warn() {} }, flushIntervalMillis: 60_000 })));
});
afterEach(async () => {
  setGlobalTracingClient(undefined);
  client?.close();
  await new Promise<void>((resolve) => (server === undefined ? resolve() : server.tryShutdown(() => resolve())));
  server = client = undefined;
});

interface Ask {
  id: number;
}
type Answer = grpc.sendUnaryData<{ id: number; who: string }>;

const step = traceable(async function step(id: number) {
  await settle();
  return `who-${id}`;
});
/** The runs delivered ended (posted whole, or patched with their end), by name. */
const names = () => exporter.batches.flatMap((batch) => [...batch.post, ...batch.patch].filter((run) => run.end_time !== undefined).map((run) => run.name)).sort();
const runNamed = (name: string) => exporter.batches.flatMap((batch) => [...batch.post, ...batch.patch]).find((run) => run.name === name && run.end_time !== undefined);

class Echo {
  /** Returns at once; answers from a promise's reaction, as callback-style gRPC code does. */
  @FlushOnExit()
  @Traceable({ name: 'callsBack' })
  callsBack(call: grpc.ServerUnaryCall<Ask, unknown>, callback: Answer): void {
    if (call.request.id < 0) {
      void step(call.request.id).then(() => callback({ code: grpc.status.NOT_FOUND, details: `no ${call.request.id}` }));
      return;
    }
    void step(call.request.id).then((who) => callback(null, { id: call.request.id, who }));
  }

  /** Never calls back: the client's deadline cancels the call. */
  @FlushOnExit()
  @Traceable({ name: 'neverCallsBack' })
  neverCallsBack(_call: grpc.ServerUnaryCall<Ask, unknown>, _callback: Answer): void {}

  /** An async method that calls back later, from work it does not await: grpc-js ignores the promise it returns. */
  @FlushOnExit()
  @Traceable({ name: 'callsBackLater' })
  async callsBackLater(call: grpc.ServerUnaryCall<Ask, unknown>, callback: Answer): Promise<void> {
    void step(call.request.id).then((who) => callback(null, { id: call.request.id, who }));
  }

  /** An async method that answers through the callback, then settles. */
  @Traceable({ name: 'answersThenSettles' })
  @FlushOnExit()
  async answersThenSettles(call: grpc.ServerUnaryCall<Ask, unknown>, callback: Answer): Promise<void> {
    callback(null, { id: call.request.id, who: await step(call.request.id) });
  }
}

const json = { serialize: (value: unknown) => Buffer.from(JSON.stringify(value)), deserialize: (bytes: Buffer) => JSON.parse(bytes.toString()) as unknown };
const unary = (path: string): grpc.MethodDefinition<unknown, unknown> => ({
  path,
  requestStream: false,
  responseStream: false,
  requestSerialize: json.serialize,
  requestDeserialize: json.deserialize,
  responseSerialize: json.serialize,
  responseDeserialize: json.deserialize,
});
const SERVICE = {
  CallsBack: unary('/probe.Echo/CallsBack'),
  AnswersThenSettles: unary('/probe.Echo/AnswersThenSettles'),
  NeverCallsBack: unary('/probe.Echo/NeverCallsBack'),
  CallsBackLater: unary('/probe.Echo/CallsBackLater'),
};

/** Starts the server with `implementation`; calls `method` with `id`, resolving with the reply or rejecting with the gRPC error. */
async function rpc(implementation: grpc.UntypedServiceImplementation, method: keyof typeof SERVICE, id: number, deadlineMillis?: number): Promise<unknown> {
  server = new grpc.Server();
  server.addService(SERVICE, implementation);
  const port = await new Promise<number>((resolve, reject) => server!.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))));
  client = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  const { path, requestSerialize, responseDeserialize } = SERVICE[method];
  const options = deadlineMillis === undefined ? {} : { deadline: Date.now() + deadlineMillis };
  return new Promise((resolve, reject) => client!.makeUnaryRequest(path, requestSerialize, responseDeserialize, { id }, new grpc.Metadata(), options, (error, reply) => (error ? reject(error) : resolve(reply))));
}

const echo = new Echo();
const traced: grpc.UntypedServiceImplementation = {
  CallsBack: (call: grpc.ServerUnaryCall<Ask, unknown>, callback: Answer) => echo.callsBack(call, callback),
  AnswersThenSettles: (call: grpc.ServerUnaryCall<Ask, unknown>, callback: Answer) => void echo.answersThenSettles(call, callback),
  NeverCallsBack: (call: grpc.ServerUnaryCall<Ask, unknown>, callback: Answer) => echo.neverCallsBack(call, callback),
  CallsBackLater: (call: grpc.ServerUnaryCall<Ask, unknown>, callback: Answer) => void echo.callsBackLater(call, callback),
};

describe(`@FlushOnExit on a gRPC method answering through its callback (${mode} decorators)`, () => {
  test("a method that returns at once and calls back later: the reply arrives only after the invocation's spans were delivered, the same reply", async () => {
    const reply = rpc(traced, 'CallsBack', 7);
    expect(await arrivesOnlyAfterRelease(exporter, reply)).toBe(true);
    await expect(reply).resolves.toEqual({ id: 7, who: 'who-7' });
    expect(names()).toEqual(['callsBack', 'step']);
    // Its span ends at the callback, with what it answered, not when the method returned (before its child ended).
    expect(runNamed('callsBack')).toMatchObject({ status: 'success', outputs: { id: 7, who: 'who-7' } });
  });

  test("an error status given to the callback reaches the client as such, after the spans; the span ends as an error", async () => {
    const reply = rpc(traced, 'CallsBack', -1);
    expect(await arrivesOnlyAfterRelease(exporter, reply)).toBe(true);
    await expect(reply).rejects.toMatchObject({ code: grpc.status.NOT_FOUND, details: 'no -1' });
    expect(runNamed('callsBack')).toMatchObject({ status: 'error' });
  });

  test('an async method that calls back later, from work it does not await: the reply waits for that work to be delivered too', async () => {
    // A review: its returned promise ended the invocation, and the reply went out before the work's span was sent.
    const reply = rpc(traced, 'CallsBackLater', 5);
    expect(await arrivesOnlyAfterRelease(exporter, reply)).toBe(true);
    await expect(reply).resolves.toEqual({ id: 5, who: 'who-5' });
    expect(names()).toEqual(['callsBackLater', 'step']);
  });

  test("a method that never calls back: the call's cancellation (the client's deadline) ends its span as an error, and it is delivered", async () => {
    // A review: its span never ended, and nothing was flushed.
    exporter.holding = false;
    await expect(rpc(traced, 'NeverCallsBack', 1, 300)).rejects.toMatchObject({ code: grpc.status.DEADLINE_EXCEEDED });
    for (let i = 0; i < 200 && runNamed('neverCallsBack') === undefined; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(runNamed('neverCallsBack')).toMatchObject({ status: 'error', error: expect.stringMatching(/cancelled before the method called back/) });
  });

  test('an async method that calls back before it settles: the reply waits for the flush too', async () => {
    const reply = rpc(traced, 'AnswersThenSettles', 3);
    expect(await arrivesOnlyAfterRelease(exporter, reply)).toBe(true);
    await expect(reply).resolves.toEqual({ id: 3, who: 'who-3' });
    expect(names()).toEqual(['answersThenSettles', 'step']);
  });
});
