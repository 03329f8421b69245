import { LangSmithExporter, TracingClient, traceable } from '../../../index';
import { LangSmithSink } from '../../helpers/langsmith-sink';
import { smallestQueueBytesWhere } from '../../helpers/queue-bytes';

/**
 * A call's inputs are charged to `maxQueueBytes` by their JSON size, however
 * they were captured: the fast path for primitive arguments charges what the
 * serializer charges for the same text. Sizes are found by bisection (the
 * smallest queue that still takes the span), each probe a fresh client
 * delivering to a real sink through the LangSmith exporter (the fast path
 * serves the built-in exporters only).
 */
let sink: LangSmithSink;
beforeAll(async () => {
  sink = await LangSmithSink.start();
});
afterAll(() => sink.stop());

type Options = Parameters<typeof traceable>[1];

async function smallestQueueBytes(options: Options, arg: unknown): Promise<number> {
  const delivers = async (maxQueueBytes: number): Promise<boolean> => {
    const client = new TracingClient({ exporter: new LangSmithExporter({ endpoint: sink.url, apiKey: 'lsv2_test_key', fetchServerInfo: false }), manualFlushMode: true, maxQueueBytes, logger: { warn: () => undefined } });
    traceable(function same(_input: unknown) {}, { ...options, client })(arg);
    const { delivered } = await client.shutdown();
    return delivered === 1 && client.stats().trimmed === 0;
  };
  return smallestQueueBytesWhere(delivers);
}

test.each([
  ['a number', 7, (args: readonly unknown[]) => args[0]],
  ['a short string', 'abc', (args: readonly unknown[]) => args[0]],
  ['true', true, (args: readonly unknown[]) => args[0]],
  ['null', null, () => ({ inputs: null })], // langsmith's `{ inputs: null }`
])('one primitive argument (%s) is charged as the same input captured through the serializer', async (_, arg, captureInputs) => {
  const fast = await smallestQueueBytes({}, arg);
  // The capture function makes the same text through the serializer (`{"input":…}`, or the plain object as it is).
  const serialized = await smallestQueueBytes({ captureInputs }, arg);
  expect(fast).toBe(serialized);
});
