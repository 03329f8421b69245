import { startCollector, type RunningCollector } from '../../collector/src/server.js';
import type { CollectorOptions } from '../../collector/src/options.js';

/** A run as `GET /api/traces/{id}` serves it. */
export type ApiRun = Record<string, any> & { id: string; name: string; trace_id: string; parent_run_id?: string };

/** A collector in memory on a free loopback port, with typed calls to its JSON API. */
export async function memoryCollector(options: CollectorOptions = {}): Promise<RunningCollector & ApiCalls> {
  const collector = await startCollector({ memory: true, port: 0, ...options });
  return Object.assign(collector, apiCalls(collector.url, options.token));
}

interface ApiCalls {
  traces(query?: string): Promise<Array<{ trace_id: string; name: string; status: string; span_count: number; start_time: string; end_time: string | null }>>;
  trace(traceId: string): Promise<ApiRun[]>;
  /** Every run of every listed trace, by name (names are unique within a test). */
  runsByName(): Promise<Map<string, ApiRun>>;
}

function apiCalls(url: string, token?: string): ApiCalls {
  const headers: Record<string, string> = token === undefined ? {} : { authorization: `Bearer ${token}` };
  const get = async (path: string) => {
    const response = await fetch(url + path, { headers });
    if (!response.ok) throw new Error(`GET ${path}: ${response.status} ${await response.text()}`);
    return response.json() as Promise<any>;
  };
  const calls: ApiCalls = {
    traces: async (query = '') => (await get(`/api/traces${query}`)).traces,
    trace: async (traceId) => (await get(`/api/traces/${traceId}`)).spans,
    runsByName: async () => {
      const runs = new Map<string, ApiRun>();
      for (const trace of await calls.traces('?limit=1000')) for (const run of await calls.trace(trace.trace_id)) runs.set(run.name, run);
      return runs;
    },
  };
  return calls;
}

/** The tree as `parent > child` names, sorted: what each test expects to see. */
export function edges(runs: Map<string, ApiRun>): string[] {
  const nameOf = new Map([...runs.values()].map((run) => [run.id, run.name]));
  return [...runs.values()]
    .filter((run) => run.parent_run_id !== undefined)
    .map((run) => `${nameOf.get(run.parent_run_id!) ?? '?'} > ${run.name}`)
    .sort();
}

/** POSTs a body to the collector (as JSON unless `headers` say otherwise); returns status and parsed JSON answer. */
export async function post(url: string, body: string | Uint8Array, headers: Record<string, string> = {}): Promise<{ status: number; body: any }> {
  const response = await fetch(url, { method: 'POST', body: body as BodyInit, headers: { 'content-type': 'application/json', ...headers } });
  const text = await response.text();
  return { status: response.status, body: text === '' ? undefined : JSON.parse(text) };
}
