import { LangSmithExporter, TracingClient, traceable } from '../../../index';
import { ScriptedSink } from '../../helpers/scripted-sink';

/** What the one warning of a batch given up on says: refused at once, or failed after its retries. */
let sink: ScriptedSink;
beforeEach(async () => (sink = await ScriptedSink.start()));
afterEach(() => sink.stop());

async function warningsAfter(...answers: Parameters<ScriptedSink['script']>): Promise<string[]> {
  sink.script(...answers);
  const warnings: string[] = [];
  const client = new TracingClient({
    exporter: new LangSmithExporter({ endpoint: sink.url, apiKey: 'k' }),
    manualFlushMode: true,
    maxRetries: 2,
    initialBackoffMillis: 1,
    maxBackoffMillis: 5,
    logger: { warn: (message: string) => void warnings.push(message) },
  });
  traceable(function work() {
    return 1;
  }, { client })();
  await client.flush();
  await client.shutdown();
  return warnings.filter((warning) => warning.includes('its spans were dropped'));
}

test('a batch the destination refused (401) is said to be refused, not to have failed after retries it never had', async () => {
  const warnings = await warningsAfter({ kind: 'status', status: 401 });
  expect(sink.requests.filter((request) => request.path !== '/info')).toHaveLength(1);
  expect(warnings).toHaveLength(1);
  expect(warnings[0]).toMatch(/^tracewire: an export was refused, so it was not retried \(last error: .*401.*\); its spans were dropped/);
});

test('a batch whose retries all failed (503) is said to have failed after its retries', async () => {
  const warnings = await warningsAfter({ kind: 'status', status: 503 }, { kind: 'status', status: 503 }, { kind: 'status', status: 503 });
  expect(warnings).toHaveLength(1);
  expect(warnings[0]).toMatch(/^tracewire: an export failed after its retries \(last error: .*503.*\); its spans were dropped/);
});
