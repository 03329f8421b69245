import { FlushOnExit, Traceable, type Run } from '../../../index';
import { installMemoryTracing, only } from '../../helpers/memory-tracing';

const DOTTED = '20260101T120000000001Z0191e2f4-5a6b-7c8d-9e0f-a1b2c3d4e5f6.20260101T120000000002Z0191e2f4-5a6c-7aaa-8bbb-cccccccccccc';

interface GatewayEvent {
  headers: Record<string, string>;
  body: string;
}

test('an @FlushOnExit handler continues the caller’s trace through @Traceable’s `parent`, and delivers it before returning', async () => {
  const { exporter } = installMemoryTracing({ manualFlushMode: true });
  class Handler {
    @FlushOnExit({ timeoutMillis: 2_000 })
    @Traceable({ name: 'handler', parent: ([event]) => (event as GatewayEvent).headers })
    async handle(event: GatewayEvent): Promise<string> {
      return event.body.toUpperCase();
    }
  }
  const handler = new Handler();
  expect(await handler.handle({ headers: { 'Langsmith-Trace': DOTTED }, body: 'ok' })).toBe('OK');
  // Delivered by @FlushOnExit (manual mode: nothing else flushes).
  const run: Run = only(exporter.finishedRuns, 'handler');
  expect(run.trace_id).toBe('0191e2f4-5a6b-7c8d-9e0f-a1b2c3d4e5f6');
  expect(run.parent_run_id).toBe('0191e2f4-5a6c-7aaa-8bbb-cccccccccccc');
  expect(handler.handle.length).toBe(1);
});
