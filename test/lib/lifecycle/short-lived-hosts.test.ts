import { TracingClient, traceable } from '../../../index';
import { GatedExporter } from '../../helpers/gated-exporter';

/**
 * On hosts that drop I/O once the request that started it is over
 * (Cloudflare's workerd, edge runtimes), a background client must start no
 * export nobody awaits: its batches wait for `flush()` (or `@FlushOnExit`).
 * The real runtimes run `dist/` in `test/runtimes/`; here the host's marks
 * are set in this process so the sources' detection is what decides.
 */
type HostGlobals = { navigator?: unknown; EdgeRuntime?: unknown };
const hostGlobals = globalThis as HostGlobals;

function withGlobal(key: keyof HostGlobals, value: unknown): () => void {
  const before = Object.getOwnPropertyDescriptor(globalThis, key);
  Object.defineProperty(globalThis, key, { value, configurable: true, writable: true });
  return () => {
    if (before === undefined) delete hostGlobals[key];
    else Object.defineProperty(globalThis, key, before);
  };
}

/**
 * How many batches a background client exported on its own, before anyone
 * flushed: on a long-lived host waited for (up to a generous deadline),
 * elsewhere looked at after 200 ms — a long-lived host starts the export on
 * the next turn, so a wrongly detected host shows it long before that.
 */
async function exportsOnItsOwn(longLived: boolean): Promise<{ before: number; afterFlush: number }> {
  const exporter = new GatedExporter();
  const client = new TracingClient({ exporter, maxBatchSize: 1, flushIntervalMillis: 10, logger: { warn() {} } });
  const work = traceable(function work() {
    return 1;
  }, { client });
  work();
  const deadline = Date.now() + (longLived ? 20_000 : 200);
  while (exporter.batches.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
  const before = exporter.batches.length;
  await client.flush();
  const afterFlush = exporter.batches.length;
  await client.shutdown();
  return { before, afterFlush };
}

let restore: (() => void) | undefined;
afterEach(() => {
  restore?.();
  restore = undefined;
});

test('a long-lived Node process sends a closed batch in the background, unasked', async () => {
  expect(await exportsOnItsOwn(true)).toEqual({ before: 1, afterFlush: 1 });
});

test("on Cloudflare's workerd (navigator.userAgent 'Cloudflare-Workers') a background client exports only when flushed", async () => {
  restore = withGlobal('navigator', { userAgent: 'Cloudflare-Workers' });
  expect(await exportsOnItsOwn(false)).toEqual({ before: 0, afterFlush: 1 });
});

test('on an edge runtime (EdgeRuntime defined) a background client exports only when flushed', async () => {
  restore = withGlobal('EdgeRuntime', 'edge-runtime');
  expect(await exportsOnItsOwn(false)).toEqual({ before: 0, afterFlush: 1 });
});

test("Supabase's EdgeRuntime (an object with waitUntil, on Deno) is no Vercel Edge: a background client still sends unasked", async () => {
  // A report-only probe: any EdgeRuntime was taken for Vercel Edge's (a string), and a client set up from the
  // environment under Supabase's sent nothing, where langsmith's sent every run.
  restore = withGlobal('EdgeRuntime', { waitUntil() {} });
  expect(await exportsOnItsOwn(true)).toEqual({ before: 1, afterFlush: 1 });
});

test('another navigator (a browser-like user agent) is still a long-lived host', async () => {
  restore = withGlobal('navigator', { userAgent: 'Node.js/20' });
  expect(await exportsOnItsOwn(true)).toEqual({ before: 1, afterFlush: 1 });
});
