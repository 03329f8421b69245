// No `import 'reflect-metadata'` here, on purpose: tracewire must load the polyfill itself before tsyringe.
import { configureTracing, MemoryExporter, setGlobalTracingClient } from '../../../index';

afterEach(() => setGlobalTracingClient(undefined));

test('configureTracing loads reflect-metadata itself: an app that never imported it gets a working container', () => {
  expect((Reflect as { getMetadata?: unknown }).getMetadata).toBeUndefined(); // the test starts without the polyfill
  const client = configureTracing({ exporter: new MemoryExporter() });
  expect(typeof (Reflect as { getMetadata?: unknown }).getMetadata).toBe('function');
  expect(client.isRecording).toBe(true);
});
