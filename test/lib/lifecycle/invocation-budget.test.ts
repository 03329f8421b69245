import { FlushOnExit, MemoryExporter, TracingClient, setGlobalTracingClient, traceable, type ExportBatch, type ExportResult } from '../../../index';

/** A MemoryExporter that answers only after `delayMillis`: delivery takes time, as over a network. */
class SlowExporter extends MemoryExporter {
  constructor(private readonly delayMillis: number) {
    super();
  }
  override async export(batch: ExportBatch): Promise<ExportResult> {
    await new Promise((resolve) => setTimeout(resolve, this.delayMillis));
    return super.export(batch);
  }
}

afterEach(() => setGlobalTracingClient(undefined));

test('inside @FlushOnExit a blocking client still waits for delivery, within the invocation budget: the run has arrived when the handler settles', async () => {
  const exporter = new SlowExporter(200);
  const client = new TracingClient({ exporter, mode: 'blocking', logger: { warn() {} } });
  setGlobalTracingClient(client);
  const work = traceable(async function work() {
    await null;
    return 'done';
  });
  class Handler {
    // A generous budget: the 200 ms export fits many times over, even on a loaded machine.
    @FlushOnExit({ timeoutMillis: 20_000 })
    async handle(): Promise<string> {
      return work();
    }
  }
  await expect(new Handler().handle()).resolves.toBe('done');
  // A blocking client reports no flush of its own ("none"): only the traced call's wait delivered the run.
  expect(exporter.runs.filter((run) => run.end_time !== undefined).map((run) => run.name)).toEqual(['work']);
  await client.shutdown();
});

/**
 * A decorated entry point that leaves something running — a server it
 * started, a timer, a queue consumer — leaves its context to every callback
 * of it. Once the entry point has settled, a decorated handler called from
 * there is an invocation of its own: before, each was taken as nested inside
 * the finished one, skipped its flush, and returned with its spans undelivered
 * (in blocking mode, every request shared the first one's spent budget).
 */
describe('a handler called from what a finished @FlushOnExit invocation left running', () => {
  test('flushes its own spans before it settles', async () => {
    const exporter = new SlowExporter(50);
    const client = new TracingClient({ exporter, logger: { warn() {} } });
    const flushes: unknown[] = [];
    const step = traceable(async function step() {}, { client });
    let handled: Promise<void> | undefined;
    class App {
      @FlushOnExit({ client, timeoutMillis: 20_000, onFlushResult: (result) => flushes.push(result) })
      async handle(): Promise<void> {
        await step();
      }

      @FlushOnExit({ client, timeoutMillis: 20_000 })
      async main(): Promise<void> {
        // What a server's listen callback or a timer set up here does later: runs in main's context.
        setTimeout(() => (handled = this.handle()), 20);
      }
    }
    await new App().main();
    await new Promise((resolve) => setTimeout(resolve, 100));
    await handled;
    // The handler's own flush ran, and its run had arrived when it settled.
    expect(flushes).toEqual([expect.objectContaining({ action: 'awaited-pending', delivered: 1, timedOut: false })]);
    expect(exporter.finishedRuns.map((run) => run.name)).toEqual(['step']);
    await client.shutdown();
  });

  test('in blocking mode, waits for its own delivery within a budget of its own', async () => {
    const exporter = new SlowExporter(100);
    const client = new TracingClient({ exporter, mode: 'blocking', logger: { warn() {} } });
    const step = traceable(async function step() {}, { client });
    const arrivedWhenSettled: boolean[] = [];
    class App {
      @FlushOnExit({ client, timeoutMillis: 20_000 })
      async handle(): Promise<void> {
        await step();
        arrivedWhenSettled.push(exporter.finishedRuns.length > 0);
      }

      // A budget of 10 ms: had the handlers shared it, the first would spend it and none would wait for delivery.
      @FlushOnExit({ client, timeoutMillis: 10 })
      async main(): Promise<void> {
        setTimeout(() => void this.handle().then(() => exporter.reset()).then(() => this.handle()), 20);
      }
    }
    await new App().main();
    for (let waited = 0; arrivedWhenSettled.length < 2 && waited < 10_000; waited += 20) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(arrivedWhenSettled).toEqual([true, true]);
    await client.shutdown();
  });
});
