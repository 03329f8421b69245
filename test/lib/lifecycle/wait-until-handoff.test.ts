import { FlushOnExit, TracingClient, setGlobalTracingClient, traceable, type InvocationFlushResult } from '../../../index';
import { GatedExporter, settle } from '../../helpers/gated-exporter';

/**
 * `@FlushOnExit({ waitUntil: 'auto' })` finds the platform's `ctx` wherever
 * it sits among the handler's arguments, and waits itself when the platform
 * refuses the hand-off. The exporter holds every batch, so "handed off"
 * (the handler returns with the run undelivered) and "awaited" (it returns
 * only after delivery) cannot be mistaken for each other.
 */
let exporter: GatedExporter;
let client: TracingClient;
const reports: InvocationFlushResult[] = [];

beforeEach(() => {
  reports.length = 0;
  exporter = new GatedExporter();
  exporter.holding = true;
  client = new TracingClient({ exporter, logger: { warn() {} }, flushIntervalMillis: 60_000 });
  setGlobalTracingClient(client);
});
afterEach(async () => {
  setGlobalTracingClient(undefined);
  exporter.holding = false;
  exporter.releaseAll();
  await client.shutdown({ timeoutMillis: 5_000 });
});

const step = traceable(async function step() {
  await settle();
});

type Ctx = { waitUntil(promise: Promise<unknown>): void };

class Handlers {
  @FlushOnExit({ waitUntil: 'auto', timeoutMillis: 10_000, onFlushResult: (result) => reports.push(result) })
  async ctxFirst(_ctx: Ctx, _event: unknown): Promise<string> {
    await step();
    return 'first';
  }
}

test("'auto' finds a ctx passed as the handler's first argument", async () => {
  const handedOver: Promise<unknown>[] = [];
  const ctx: Ctx = { waitUntil: (promise) => handedOver.push(promise) };
  await expect(new Handlers().ctxFirst(ctx, {})).resolves.toBe('first');
  expect(handedOver).toHaveLength(1); // handed off: the handler did not wait for the held export
  expect(reports).toHaveLength(0);
  exporter.holding = false;
  exporter.releaseAll();
  await handedOver[0];
  expect(reports).toEqual([expect.objectContaining({ delivered: 1, timedOut: false })]);
});

test("'auto' finds Supabase's EdgeRuntime.waitUntil (a global of its Edge Functions) where no argument has one", async () => {
  // A report-only probe: it was never looked at, and every response waited for delivery (320–443 ms against 16–67).
  const handedOver: Promise<unknown>[] = [];
  const edgeRuntime = { waitUntil: (promise: Promise<unknown>) => void handedOver.push(promise) };
  Object.defineProperty(globalThis, 'EdgeRuntime', { value: edgeRuntime, configurable: true, writable: true });
  try {
    class Supabase {
      @FlushOnExit({ waitUntil: 'auto', timeoutMillis: 10_000, onFlushResult: (result) => reports.push(result) })
      async serve(_request: unknown): Promise<string> {
        await step();
        return 'served';
      }
    }
    await expect(new Supabase().serve({})).resolves.toBe('served');
    expect(handedOver).toHaveLength(1); // handed off: the handler did not wait for the held export
    exporter.holding = false;
    exporter.releaseAll();
    await handedOver[0];
    expect(reports).toEqual([expect.objectContaining({ delivered: 1, timedOut: false })]);
  } finally {
    delete (globalThis as { EdgeRuntime?: unknown }).EdgeRuntime;
  }
});

test('a platform that refuses the hand-off (its waitUntil throws): the handler waits for delivery itself', async () => {
  const ctx: Ctx = {
    waitUntil() {
      throw new Error('waitUntil called after the response was sent');
    },
  };
  let settled = false;
  const call = new Handlers().ctxFirst(ctx, {}).then((value) => ((settled = true), value));
  // Correct code cannot settle while the export is held, however long this waits; the mutant
  // (hand-off taken as done) settles a few ticks after the export starts.
  for (let i = 0; i < 3_000 && exporter.heldCount === 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
  expect(exporter.heldCount).toBeGreaterThan(0);
  for (let i = 0; i < 20; i++) await settle();
  expect(settled).toBe(false);
  exporter.holding = false;
  exporter.releaseAll();
  await expect(call).resolves.toBe('first');
  expect(reports).toEqual([expect.objectContaining({ delivered: 1, timedOut: false })]);
});
