import { OtlpHttpExporter, TracingClient, traceable } from '../../../index';
import { attributesOf, OtlpCollector } from '../../helpers/otlp-collector';

/**
 * A run whose end drop-oldest evicted is closed by tracewire, as an error
 * saying why (`tracewire: outputs dropped (…)`). Over OTLP its span's
 * `exception` event must say that whole: no `exception.type` (the user's
 * code threw nothing of a type; OpenTelemetry's conventions take the message
 * alone), `tracewire:` kept in the message. Received by a real OTLP receiver
 * on 127.0.0.1, decoded from JSON and from protobuf.
 */

const DROPPED = 'tracewire: outputs dropped (queue full, drop-oldest)';

let collector: OtlpCollector;
beforeEach(async () => (collector = await OtlpCollector.start()));
afterEach(() => collector.stop());

/** One long call posted open, ended (failing with `error` if given), then its end evicted by quick calls; flushed. */
async function droppedEnd(protocol: 'http/json' | 'http/protobuf', error?: Error): Promise<TracingClient> {
  const exporter = new OtlpHttpExporter({ endpoint: collector.url, serviceName: 'svc', protocol });
  const client = new TracingClient({ exporter, mode: 'manual', dropPolicy: 'drop-oldest', maxQueueSize: 8, maxBatchSize: 2, logger: { warn() {} } });
  let finish!: () => void;
  const gate = new Promise<void>((resolve) => (finish = resolve));
  const long = traceable(
    async () => {
      await gate;
      if (error !== undefined) throw error;
      return 'done';
    },
    { name: 'long', client },
  );
  const running = long().catch(() => undefined);
  await client.flush();
  finish();
  await running;
  const quick = traceable(async (i: number) => i, { name: 'quick', client });
  for (let i = 0; i < 8; i++) await quick(i);
  await client.flush();
  return client;
}

const exceptionOf = (name: string) => {
  const spans = collector.spans.filter(({ span }) => span.name === name);
  expect(spans).toHaveLength(1);
  const events = spans[0]!.span.events as { name: string; attributes: never }[];
  return { status: spans[0]!.span.status, exception: attributesOf(events.find((event) => event.name === 'exception')!.attributes) };
};

describe.each(['http/json', 'http/protobuf'] as const)('over %s', (protocol) => {
  test('the close of a run whose end was dropped is an exception with no type and the whole message, and no stack trace', async () => {
    const client = await droppedEnd(protocol);
    const { status, exception } = exceptionOf('long');
    expect(status).toMatchObject({ code: 2, message: DROPPED });
    expect(exception).toEqual({ 'exception.message': DROPPED });
    expect(new Set(collector.exports.map(({ headers }) => headers['content-type']))).toEqual(new Set([protocol === 'http/json' ? 'application/json' : 'application/x-protobuf']));
    await client.shutdown();
  });

  test("a close that quotes the call's own error keeps it whole in the message, its stack as the stack trace", async () => {
    const client = await droppedEnd(protocol, new TypeError('boom'));
    const { exception } = exceptionOf('long');
    expect(exception).not.toHaveProperty(['exception.type']);
    expect(exception['exception.message']).toBe(`${DROPPED}; the call's own error: TypeError: boom`);
    expect(String(exception['exception.stacktrace'])).toMatch(/^tracewire: outputs dropped .*; the call's own error: TypeError: boom\n\s+at /);
    await client.shutdown();
  });

  test("an ordinary error thrown by the user's code keeps its type, message and stack", async () => {
    const exporter = new OtlpHttpExporter({ endpoint: collector.url, serviceName: 'svc', protocol });
    const client = new TracingClient({ exporter, mode: 'manual' });
    const failing = traceable(
      async () => {
        throw new TypeError('boom');
      },
      { name: 'failing', client },
    );
    await failing().catch(() => undefined);
    await client.flush();
    const { status, exception } = exceptionOf('failing');
    expect(status).toMatchObject({ code: 2, message: 'TypeError: boom' });
    expect(exception).toMatchObject({ 'exception.type': 'TypeError', 'exception.message': 'boom' });
    expect(String(exception['exception.stacktrace'])).toMatch(/^TypeError: boom\n\s+at /);
    await client.shutdown();
  });
});
