import { TracingClient, setGlobalTracingClient, traceable } from '../../../index';
import { GatedExporter } from '../../helpers/gated-exporter';
import { shutDownAfterEach } from '../../helpers/shut-down-after-each';

/**
 * A consumer that cancels a traced web `ReadableStream` in blocking mode: the
 * span's end waits for delivery there, and the source's own cancel (an LLM
 * response body's, closing its connection) waited with it — 1 s behind a slow
 * endpoint, 5 s behind a hanging one (a report-only probe), where untraced it
 * runs at once, as a traced generator's `finally` and a Node stream's destroy do.
 */
const shutDown = shutDownAfterEach();
afterEach(() => setGlobalTracingClient(undefined));

test("in blocking mode a cancelled stream's source is cancelled at once; the consumer's cancel() settles after delivery", async () => {
  const exporter = new GatedExporter();
  exporter.holding = true;
  setGlobalTracingClient(shutDown(new TracingClient({ exporter, mode: 'blocking', logger: { warn() {} } })));
  const events: string[] = [];
  const tokens = traceable(function tokens() {
    let n = 0;
    return new ReadableStream<string>({
      pull: (controller) => controller.enqueue(`token ${n++}`),
      cancel: (reason) => void events.push(`source cancelled: ${String(reason)}`),
    });
  });
  const reader = tokens().getReader();
  await reader.read();
  const cancelled = reader.cancel('enough').then(() => events.push('cancel() settled'));
  for (let i = 0; i < 200 && exporter.heldCount === 0; i++) await new Promise((resolve) => setTimeout(resolve, 5));
  expect(exporter.heldCount).toBe(1); // the run's delivery is under way, held
  expect(events).toEqual(['source cancelled: enough']);
  exporter.holding = false;
  exporter.releaseAll();
  await cancelled;
  expect(events).toEqual(['source cancelled: enough', 'cancel() settled']);
  expect(exporter.batches.flatMap((batch) => batch.post.map((run) => run.status))).toEqual(['cancelled']);
});

test("a source whose cancel rejects: the consumer's cancel() rejects with it, after delivery, and nothing is left unhandled", async () => {
  const exporter = new GatedExporter();
  setGlobalTracingClient(shutDown(new TracingClient({ exporter, mode: 'blocking', logger: { warn() {} } })));
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
  process.on('unhandledRejection', onUnhandled);
  try {
    const refusing = traceable(() => new ReadableStream<string>({ pull: (controller) => controller.enqueue('x'), cancel: () => Promise.reject(new Error('cannot cancel')) }));
    const reader = refusing().getReader();
    await reader.read();
    exporter.holding = true; // delivery takes a while: the source's rejection waits that long for the consumer
    setTimeout(() => ((exporter.holding = false), exporter.releaseAll()), 50);
    await expect(reader.cancel()).rejects.toThrow('cannot cancel');
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(unhandled).toEqual([]);
  } finally {
    process.off('unhandledRejection', onUnhandled);
  }
});
