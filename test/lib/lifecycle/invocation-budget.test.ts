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
