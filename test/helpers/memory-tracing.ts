import { MemoryExporter, TracingClient, setGlobalTracingClient, type Run, type TracingClientOptions } from '../../index';

/** A client reporting to a fresh MemoryExporter, installed as the global client. */
export function installMemoryTracing(options: Partial<TracingClientOptions> = {}): { client: TracingClient; exporter: MemoryExporter } {
  const exporter = new MemoryExporter();
  const client = new TracingClient({ exporter, projectName: 'tests', ...options });
  setGlobalTracingClient(client);
  return { client, exporter };
}

/** Flushes and returns every finished run. */
export async function finishedRuns(client: TracingClient, exporter: MemoryExporter): Promise<Run[]> {
  const result = await client.flush({ timeoutMillis: 2_000 });
  expect(result.timedOut).toBe(false);
  return exporter.finishedRuns;
}

/** The single run with this name; fails the test if there is not exactly one. */
export function only(runs: Run[], name: string): Run {
  const named = runs.filter((run) => run.name === name);
  expect(named).toHaveLength(1);
  return named[0]!;
}
