import { configureTracing, LangSmithExporter, setGlobalTracingClient, traceable, TracewireConfigError } from '../../index';
import { acceptedOps, LangSmithSink } from '../helpers/langsmith-sink';
import { withEnv } from '../helpers/with-env';

/**
 * `LANGSMITH_RUNS_ENDPOINTS`, langsmith's write replicas: its `traceable`
 * then sends every run to those endpoints, with their keys, and not to
 * `LANGSMITH_ENDPOINT`. tracewire honours one endpoint and refuses what it
 * cannot do (several, a replica's own project) rather than send the runs
 * elsewhere. Before, the variable was ignored: a program with
 * `LANGSMITH_API_KEY` set sent its runs to LangSmith's cloud with that key.
 */
const CLEAN = Object.fromEntries(
  ['TRACEWIRE_TRACING', 'TRACEWIRE_EXPORTER', 'OTEL_TRACES_EXPORTER', 'LANGSMITH_API_KEY', 'LANGCHAIN_API_KEY', 'LANGSMITH_ENDPOINT', 'LANGCHAIN_ENDPOINT', 'LANGSMITH_WORKSPACE_ID', 'LANGSMITH_RUNS_ENDPOINTS', 'OTEL_EXPORTER_OTLP_ENDPOINT'].map((name) => [name, undefined]),
) as Record<string, string | undefined>;

let sink: LangSmithSink;
beforeEach(async () => (sink = await LangSmithSink.start()));
afterEach(async () => {
  setGlobalTracingClient(undefined);
  await sink.stop();
});

/** Tracing set up from `env` alone (LANGSMITH_TRACING=true), one traced call flushed: the requests the sink saw. */
async function traceWith(env: Record<string, string>): Promise<typeof sink.ingestRequests> {
  const client = withEnv({ ...CLEAN, LANGSMITH_TRACING: 'true', ...env }, () => configureTracing({ manualFlushMode: true }));
  traceable(function replicated() { return 1; })();
  expect((await client.flush()).delivered).toBe(1);
  expect(await acceptedOps(sink)).toHaveLength(1);
  return sink.ingestRequests;
}

test('the object form with one endpoint: runs go there with its key, not with LANGSMITH_API_KEY to LangSmith’s cloud', async () => {
  const requests = await traceWith({ LANGSMITH_API_KEY: 'cloud-key', LANGSMITH_RUNS_ENDPOINTS: JSON.stringify({ [`${sink.url}/`]: 'replica-key' }) });
  expect(requests.map((request) => request.headers['x-api-key'])).toEqual(['replica-key']);
});

test('the array form with one replica: its api_url, api_key and workspace_id (x-tenant-id)', async () => {
  const requests = await traceWith({ LANGSMITH_RUNS_ENDPOINTS: JSON.stringify([{ api_url: sink.url, api_key: 'replica-key', workspace_id: ' ws-7 ', project_name: null, primary: true }]) });
  expect(requests.map((request) => [request.headers['x-api-key'], request.headers['x-tenant-id']])).toEqual([['replica-key', 'ws-7']]);
});

test('an exporter given its endpoint in code does not read the variable', () => {
  const exporter = withEnv({ ...CLEAN, LANGSMITH_RUNS_ENDPOINTS: 'not even JSON' }, () => new LangSmithExporter({ endpoint: 'http://127.0.0.1:9' }));
  expect(exporter.endpoint).toBe('http://127.0.0.1:9');
});

test.each([
  ['two endpoints', { LANGSMITH_RUNS_ENDPOINTS: JSON.stringify({ 'https://a.example': 'lsv2-key-a', 'https://b.example': 'lsv2-key-b' }) }, /^Invalid LANGSMITH_RUNS_ENDPOINTS: received \[value not shown: 2 endpoints\]; expected JSON naming one endpoint/],
  ['text that is not JSON', { LANGSMITH_RUNS_ENDPOINTS: '{lsv2-key-a' }, /^Invalid LANGSMITH_RUNS_ENDPOINTS: received \[value not shown: it holds API keys\]; expected JSON naming one endpoint/],
  ['the object form beside LANGSMITH_ENDPOINT', { LANGSMITH_ENDPOINT: 'https://c.example', LANGSMITH_RUNS_ENDPOINTS: JSON.stringify({ 'https://a.example': 'lsv2-key-a' }) }, /not beside LANGSMITH_ENDPOINT/],
  ['a replica with its own project', { LANGSMITH_RUNS_ENDPOINTS: JSON.stringify([{ api_url: 'https://a.example', api_key: 'lsv2-key-a', project_name: 'mirror' }]) }, /^Invalid LANGSMITH_RUNS_ENDPOINTS: .*without a project_name/],
  ['a replica without its key', { LANGSMITH_RUNS_ENDPOINTS: JSON.stringify([{ api_url: 'https://a.example' }]) }, /^Invalid LANGSMITH_RUNS_ENDPOINTS: received \[value not shown/],
  ['a replica whose workspace is not text', { LANGSMITH_RUNS_ENDPOINTS: JSON.stringify([{ api_url: 'https://a.example', api_key: 'lsv2-key-a', workspace_id: 7 }]) }, /^Invalid LANGSMITH_RUNS_ENDPOINTS: received \[value not shown/],
  ['a replica whose URL is not one', { LANGSMITH_RUNS_ENDPOINTS: JSON.stringify([{ api_url: 'ftp://a.example', api_key: 'lsv2-key-a' }]) }, /^Invalid LANGSMITH_RUNS_ENDPOINTS: received "ftp:\/\/a\.example"/],
  ['a number', { LANGSMITH_RUNS_ENDPOINTS: '7' }, /^Invalid LANGSMITH_RUNS_ENDPOINTS: received \[value not shown/],
])('%s: refused by name, no key shown — tracing does not send the runs elsewhere', (_case, env, message) => {
  const configure = () => withEnv({ ...CLEAN, LANGSMITH_TRACING: 'true', ...env }, () => configureTracing());
  expect(configure).toThrow(TracewireConfigError);
  expect(configure).toThrow(message);
  try {
    configure();
  } catch (error) {
    expect(String((error as Error).message)).not.toMatch(/lsv2-key/);
  }
});
