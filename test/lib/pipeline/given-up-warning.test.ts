import { LangSmithExporter, TracingClient, traceable } from '../../../index';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

test('a batch the server asked to retry later than maxBackoffMillis allows is said to be not retried for that, naming the setting to raise', async () => {
  const warnings = await warningsAfter({ kind: 'status', status: 429, headers: { 'retry-after': '120' } });
  expect(sink.requests.filter((request) => request.path !== '/info')).toHaveLength(1); // retries were left, none was made
  expect(warnings).toHaveLength(1);
  expect(warnings[0]).toMatch(
    /^tracewire: an export was not retried: the server asked to wait 120 s \(Retry-After\), longer than maxBackoffMillis \(5 ms\); raise maxBackoffMillis to wait that long \(last error: .*429.*\); its spans were dropped/,
  );
});

test('a run refused with 413 (alone: nothing to halve) is said to be larger than the server takes, naming serializeLimits; another refusal is not', async () => {
  const [tooLarge] = await warningsAfter({ kind: 'status', status: 413 });
  expect(tooLarge).toMatch(/^tracewire: an export was refused, so it was not retried \(last error: .*413.*\) — larger than the server takes: a run alone, .*serializeLimits.*; its spans were dropped/);
  await sink.stop();
  sink = await ScriptedSink.start();
  const [unauthorized] = await warningsAfter({ kind: 'status', status: 401 });
  expect(unauthorized).not.toContain('maxBatchBytes');
});

test('a batch whose retry the server asked for past shutdown()’s deadline is said to be not retried for that deadline', async () => {
  sink.script({ kind: 'status', status: 503, headers: { 'retry-after': '3' } });
  const warnings: string[] = [];
  const client = new TracingClient({
    exporter: new LangSmithExporter({ endpoint: sink.url, apiKey: 'k' }),
    manualFlushMode: true,
    maxBackoffMillis: 10_000,
    logger: { warn: (message: string) => void warnings.push(message) },
  });
  traceable(function work() {
    return 1;
  }, { client })();
  await client.shutdown({ timeoutMillis: 1_000 });
  expect(sink.requests.filter((request) => request.path !== '/info')).toHaveLength(1);
  const dropped = warnings.filter((warning) => warning.includes('its spans were dropped'));
  expect(dropped).toHaveLength(1);
  expect(dropped[0]).toMatch(/^tracewire: an export was not retried: the server asked to wait 3 s \(Retry-After\), which would end past shutdown\(\)'s deadline \(\d+ ms were left of its timeoutMillis\); give shutdown\(\) a longer timeoutMillis/);
});

test('a spooled batch’s warning points to stats().spooled, not to drops it did not make', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tracewire-tails-'));
  sink.otherwise({ kind: 'status', status: 503 });
  const warnings: string[] = [];
  const client = new TracingClient({
    exporter: new LangSmithExporter({ endpoint: sink.url, apiKey: 'k' }),
    manualFlushMode: true,
    maxRetries: 0,
    spoolDir: dir,
    logger: { warn: (message: string) => void warnings.push(message) },
  });
  try {
    traceable(function work() {
      return 1;
    }, { client })();
    await client.flush();
    expect(warnings).toEqual([
      'tracewire: an export failed after its retries (last error: HTTP 503: {"detail":"scripted"}); its spans were spooled, to be sent when the endpoint answers again (by this client, else the next). Further ones are counted in stats().spooled.',
    ]);
  } finally {
    await client.shutdown({ timeoutMillis: 100 });
    rmSync(dir, { recursive: true, force: true });
  }
});
