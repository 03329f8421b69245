import { setGlobalTracingClient, traceable } from '../../../index';
import { finishedRuns, installMemoryTracing, only } from '../../helpers/memory-tracing';

/**
 * A traced function returning a byte stream (`fetch`'s `response.body`)
 * hands on a byte stream: a BYOB reader works on it, reading the same
 * bytes, to the end, and the run covers the reading as for any stream.
 */
let tracing: ReturnType<typeof installMemoryTracing>;
beforeEach(() => {
  tracing = installMemoryTracing();
});
afterEach(() => setGlobalTracingClient(undefined));

const download = traceable(function download() {
  return new ReadableStream({
    type: 'bytes',
    start(controller) {
      controller.enqueue(new Uint8Array([1, 2, 3]));
      controller.enqueue(new Uint8Array([4, 5]));
      controller.close();
    },
  });
});

test('a BYOB reader reads the same bytes through the traced function, then the end; the run ends success', async () => {
  const reader = download().getReader({ mode: 'byob' });
  const first = await reader.read(new Uint8Array(8));
  expect(Array.from(first.value!)).toEqual([1, 2, 3]);
  const second = await reader.read(new Uint8Array(8));
  expect(Array.from(second.value!)).toEqual([4, 5]);
  expect((await reader.read(new Uint8Array(8))).done).toBe(true);
  expect(only(await finishedRuns(tracing.client, tracing.exporter), 'download').status).toBe('success');
});

test('the traced byte stream read with a default reader (after a BYOB one was taken and released) gives the same bytes', async () => {
  const stream = download();
  stream.getReader({ mode: 'byob' }).releaseLock();
  const chunks: number[][] = [];
  for await (const chunk of stream) chunks.push(Array.from(chunk as Uint8Array));
  expect(chunks).toEqual([
    [1, 2, 3],
    [4, 5],
  ]);
  expect(only(await finishedRuns(tracing.client, tracing.exporter), 'download').status).toBe('success');
});
