import type { ExportBatch, ExportResult, SpanExporter } from '../../../index';
import { EXPORT_NOW, exportsByCallback, type CallbackExporter, type ExportDone } from '../../../lib/exporters/callback-export';
import { startSend, type SendContext, type SendOutcome } from '../../../lib/pipeline/send-batch';
import { countOwnPromises } from '../../helpers/own-promises';

/**
 * The send the background sender starts for every closed batch. Once an
 * AsyncLocalStorage is in a Node 20 process every promise pays V8's promise
 * hooks, so a send that delivers at its first attempt makes no promise of its
 * own; retries keep working from there.
 */

const batch: ExportBatch = { post: [], patch: [] };

function contextFor(exporter: SpanExporter, maxRetries = 0): SendContext {
  return {
    exporter,
    retry: { maxRetries, initialBackoffMillis: 1, maxBackoffMillis: 1 },
    exportTimeoutMillis: 20_000,
    limiter: undefined,
    onRequest: () => {},
    retryDeadline: () => undefined,
  };
}

/** Starts a send and returns its outcome, with whether `done` was called before `startSend` returned. */
function send(context: SendContext): Promise<{ outcome: SendOutcome; onCallerStack: boolean }> {
  return new Promise((resolve) => {
    let returned = false;
    startSend(context, batch, undefined, (outcome) => resolve({ outcome, onCallerStack: !returned }));
    returned = true;
  });
}

test('a send delivered at its first attempt makes two promises: the exporter’s and the one that follows it', async () => {
  const exporter: SpanExporter = { export: () => Promise.resolve<ExportResult>({ ok: true }) };
  const { result: outcome, promises } = await countOwnPromises<SendOutcome>((done) => startSend(contextFor(exporter), batch, undefined, done));
  expect(outcome).toBe('delivered');
  expect(promises).toBe(2);
});

test.each([
  ['returns its result without a promise', (): ExportResult => ({ ok: true })],
  ['throws', (): never => {
    throw new Error('socket hang up');
  }],
])('when the exporter %s, the send ends after the caller’s stack, not on it', async (_how, answer) => {
  const exporter = { export: answer } as unknown as SpanExporter;
  const { onCallerStack } = await send(contextFor(exporter));
  expect(onCallerStack).toBe(false);
});

test('a first attempt that fails is retried, and the retry’s answer is the outcome', async () => {
  const answers: ExportResult[] = [
    { ok: false, retryable: true, error: new Error('503') },
    { ok: false, retryable: true, error: new Error('503') },
    { ok: true },
  ];
  let calls = 0;
  const exporter: SpanExporter = { export: () => Promise.resolve(answers[calls++]!) };
  expect(await send(contextFor(exporter, 2))).toEqual({ outcome: 'delivered', onCallerStack: false });
  expect(calls).toBe(3);
});

test('a first attempt refused for good is not retried', async () => {
  let calls = 0;
  const exporter: SpanExporter = { export: () => (calls++, Promise.resolve<ExportResult>({ ok: false, retryable: false, error: new Error('400') })) };
  expect((await send(contextFor(exporter, 3))).outcome).toBe('rejected');
  expect(calls).toBe(1);
});

test('a fault of the pipeline making an export’s records gives that batch up, counted, and the next batch is delivered', async () => {
  const { TracingClient, traceable } = await import('../../../index');
  const { PendingBatch } = await import('../../../lib/pipeline/pending-batch');
  const names: string[] = [];
  const exporter: SpanExporter = { export: (sent: ExportBatch) => (names.push(...sent.post.map((run) => run.name)), Promise.resolve<ExportResult>({ ok: true })) };
  const client = new TracingClient({ exporter, manualFlushMode: true, logger: { warn: () => {} } });
  const fault = jest.spyOn(PendingBatch.prototype, 'records').mockImplementationOnce(() => {
    throw new Error('fault');
  });
  try {
    traceable(function first() {}, { client })();
    expect(await client.flush({ timeoutMillis: 20_000 })).toMatchObject({ delivered: 0, failed: 1, timedOut: false });
    traceable(function second() {}, { client })();
    expect(await client.flush({ timeoutMillis: 20_000 })).toMatchObject({ delivered: 1, failed: 0, timedOut: false });
    expect(names).toEqual(['second']);
    expect(client.stats()).toMatchObject({ delivered: 1, dropped: { exportFailed: 1 } });
  } finally {
    fault.mockRestore();
    await client.shutdown();
  }
});

describe('a built-in exporter, which answers by callback', () => {
  class ByCallback implements CallbackExporter {
    calls: string[] = [];
    constructor(private readonly answer: (done: ExportDone) => void) {}
    export(exported: ExportBatch, options: { signal: AbortSignal }): Promise<ExportResult> {
      this.calls.push('export');
      return new Promise((resolve) => this[EXPORT_NOW](exported, options, resolve));
    }
    [EXPORT_NOW](_batch: ExportBatch, _options: unknown, done: ExportDone): void {
      this.calls.push('callback');
      this.answer(done);
    }
  }
  exportsByCallback(ByCallback);

  test('is called by its callback, and an answer on the caller’s stack still ends the send after it', async () => {
    const exporter = new ByCallback((done) => done({ ok: true }));
    expect(await send(contextFor(exporter))).toEqual({ outcome: 'delivered', onCallerStack: false });
    expect(exporter.calls).toEqual(['callback']);
  });

  test('is called through its export() when an instance replaced it', async () => {
    const exporter = new ByCallback((done) => setImmediate(() => done({ ok: false, retryable: false, error: new Error('400') })));
    const own = exporter.export.bind(exporter);
    exporter.export = (sent, options) => (exporter.calls.push('replaced'), own(sent, options));
    expect((await send(contextFor(exporter))).outcome).toBe('rejected');
    expect(exporter.calls).toEqual(['replaced', 'export', 'callback']);
  });
});
