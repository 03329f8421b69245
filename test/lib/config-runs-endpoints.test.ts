import { configureTracing, LangSmithExporter, setGlobalTracingClient, traceable, TracewireConfigError } from '../../index';
import { acceptedOps, acceptedRuns, LangSmithSink } from '../helpers/langsmith-sink';
import { withEnv } from '../helpers/with-env';
import { configErrorOf } from '../helpers/config-error';

/**
 * `LANGSMITH_RUNS_ENDPOINTS`, langsmith's write replicas: its `traceable`
 * then sends every run to those endpoints, with their keys, and not to
 * `LANGSMITH_ENDPOINT`. tracewire reads it as langsmith does, and refuses a
 * malformed value (where langsmith warns and skips it) rather than send the
 * runs to fewer places than the environment said. Before, the variable was
 * ignored: a program with `LANGSMITH_API_KEY` set sent its runs to
 * LangSmith's cloud with that key. Several endpoints: langsmith-replicas.test.ts.
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

test('set up from the environment alone, several endpoints: each gets every run, with its own key', async () => {
  const other = await LangSmithSink.start();
  try {
    const client = withEnv({ ...CLEAN, LANGSMITH_TRACING: 'true', LANGSMITH_RUNS_ENDPOINTS: JSON.stringify({ [sink.url]: 'key-a', [other.url]: 'key-b' }) }, () => configureTracing({ manualFlushMode: true }));
    traceable(function replicated() { return 1; })();
    expect(await client.flush()).toMatchObject({ delivered: 1, failed: 0 });
    expect([sink, other].map((each) => each.ingestRequests.map((request) => request.headers['x-api-key']))).toEqual([['key-a'], ['key-b']]);
    expect(await acceptedOps(other)).toEqual(await acceptedOps(sink));
  } finally {
    await other.stop();
  }
});

test('an exporter given its endpoint in code does not read the variable', () => {
  const exporter = withEnv({ ...CLEAN, LANGSMITH_RUNS_ENDPOINTS: 'not even JSON' }, () => new LangSmithExporter({ endpoint: 'http://127.0.0.1:9' }));
  expect(exporter.endpoint).toBe('http://127.0.0.1:9');
});

test('the array form with one replica of its own project: its runs go there, re-keyed as langsmith re-keys them', async () => {
  const requests = await traceWith({ LANGSMITH_RUNS_ENDPOINTS: JSON.stringify([{ api_url: sink.url, api_key: 'replica-key', project_name: 'mirror' }]) });
  expect(requests.map((request) => request.headers['x-api-key'])).toEqual(['replica-key']);
  expect([...(await acceptedRuns(sink)).values()].map((run) => run.session_name)).toEqual(['mirror']);
});

test.each([
  ['text that is not JSON', { LANGSMITH_RUNS_ENDPOINTS: '{lsv2-key-a' }, /^Invalid LANGSMITH_RUNS_ENDPOINTS: received \[value not shown: it holds API keys\]; expected JSON: \{"<url>"/],
  ['the object form beside LANGSMITH_ENDPOINT', { LANGSMITH_ENDPOINT: 'https://c.example', LANGSMITH_RUNS_ENDPOINTS: JSON.stringify({ 'https://a.example': 'lsv2-key-a' }) }, /not beside LANGSMITH_ENDPOINT/],
  ['the object form with a key that is not text', { LANGSMITH_RUNS_ENDPOINTS: JSON.stringify({ 'https://a.example': 'lsv2-key-a', 'https://b.example': 7 }) }, /value not shown: it holds API keys; replica 2: api_key is not text\]/],
  ['two replicas marked primary', { LANGSMITH_RUNS_ENDPOINTS: JSON.stringify([{ api_url: 'https://a.example', api_key: 'lsv2-key-a', primary: true }, { api_url: 'https://b.example', api_key: 'lsv2-key-b', primary: true }]) }, /2 replicas are marked primary\]; expected .*with at most one primary/],
  ['a replica whose primary is not true or false', { LANGSMITH_RUNS_ENDPOINTS: JSON.stringify([{ api_url: 'https://a.example', api_key: 'lsv2-key-a', primary: 'yes' }]) }, /replica 1: primary is not true or false/],
  ['a replica whose project is blank', { LANGSMITH_RUNS_ENDPOINTS: JSON.stringify([{ api_url: 'https://a.example', api_key: 'lsv2-key-a' }, { api_url: 'https://b.example', api_key: 'lsv2-key-b', project_name: ' ' }]) }, /replica 2: project_name is not a non-blank text/],
  ['a replica without its key', { LANGSMITH_RUNS_ENDPOINTS: JSON.stringify([{ api_url: 'https://a.example' }]) }, /^Invalid LANGSMITH_RUNS_ENDPOINTS: received \[value not shown: it holds API keys; replica 1: api_key is not text/],
  ['a replica whose workspace is not text', { LANGSMITH_RUNS_ENDPOINTS: JSON.stringify([{ api_url: 'https://a.example', api_key: 'lsv2-key-a', workspace_id: 7 }]) }, /^Invalid LANGSMITH_RUNS_ENDPOINTS: received \[value not shown/],
  ['a replica whose URL is not one', { LANGSMITH_RUNS_ENDPOINTS: JSON.stringify([{ api_url: 'https://a.example', api_key: 'lsv2-key-a' }, { api_url: 'ftp://b.example', api_key: 'lsv2-key-b' }]) }, /replica 2: api_url is not an http\(s\) URL/],
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

test.each(['apiKey', 'workspaceId'] as const)('%s given in code beside several replicas is refused: which one’s would it be? (one key sent to each server would hand it to all)', (option) => {
  const env = { ...CLEAN, LANGSMITH_RUNS_ENDPOINTS: JSON.stringify({ 'https://a.example': 'lsv2-key-a', 'https://b.example': 'lsv2-key-b' }) };
  const make = () => withEnv(env, () => new LangSmithExporter({ [option]: option === 'apiKey' ? 'lsv2-code-key' : 'ws-code' }));
  expect(make).toThrow(TracewireConfigError);
  expect(make).toThrow(new RegExp(`^Invalid ${option}: .*expected nothing beside the 2 endpoints of LANGSMITH_RUNS_ENDPOINTS`));
  try {
    make();
  } catch (error) {
    expect(String((error as Error).message)).not.toMatch(/lsv2-(key|code)/);
  }
});

/**
 * The exporter's options are read once into a snapshot (see `readOptions`) before the replicas are: `null` is refused
 * as for one endpoint, not taken for "none" beside several; an option that cannot be read is refused by its name;
 * a getter runs once, and what the replica check read is what it refused.
 */
describe('LangSmithExporter options beside several replicas, read once', () => {
  const env = { ...CLEAN, LANGSMITH_RUNS_ENDPOINTS: JSON.stringify({ 'https://a.example': 'lsv2-key-a', 'https://b.example': 'lsv2-key-b' }) };
  const make = (options: object) => () => withEnv(env, () => new LangSmithExporter(options as never));

  test.each(['apiKey', 'workspaceId'] as const)('%s: null is refused as null, naming the option', (option) => {
    const error = configErrorOf(make({ [option]: null }));
    expect(error.setting).toBe(option);
    expect(error.message).toMatch(/received null; expected the option left out \(or undefined\) for its default/);
  });

  test.each(['apiKey', 'workspaceId'] as const)('%s: undefined is an option left out — each replica keeps its own', (option) => {
    expect(make({ [option]: undefined })().endpoints).toEqual(['https://a.example', 'https://b.example']);
  });

  test.each(['apiKey', 'workspaceId', 'endpoint'] as const)('%s: a getter that throws is refused by that name, nothing of what it threw shown', (option) => {
    const options = Object.defineProperty({}, option, {
      enumerable: true,
      get() {
        throw new Error('vault said lsv2-secret-from-vault');
      },
    });
    const error = configErrorOf(make(options));
    expect(error.setting).toBe(option);
    expect(error.message).toContain('received [value not shown: reading it threw]');
    expect(error.message).not.toMatch(/lsv2/);
  });

  test('an apiKey getter (a class of yours) runs once: the value refused beside several replicas is the one read', () => {
    let reads = 0;
    class Settings {
      get apiKey(): string {
        reads++;
        return reads === 1 ? 'lsv2-code-key' : '';
      }
    }
    const error = configErrorOf(make(new Settings()));
    expect(error.setting).toBe('apiKey');
    expect(error.message).toMatch(/expected nothing beside the 2 endpoints of LANGSMITH_RUNS_ENDPOINTS/);
    expect(reads).toBe(1);
  });
});

describe('a replica refused for its api_url or api_key names the replica and the field, never the key', () => {
  const KEY = 'lsv2_pt_0123SECRETKEY_abc';
  const make = (value: string) => () => withEnv({ ...CLEAN, LANGSMITH_RUNS_ENDPOINTS: value }, () => new LangSmithExporter());
  test.each([
    ['api_url and api_key swapped (array form)', JSON.stringify([{ api_url: KEY, api_key: 'https://api.smith.langchain.com' }]), /replica 1: api_url is not an http\(s\) URL/],
    ['key and URL swapped (object form)', JSON.stringify({ [KEY]: 'https://api.smith.langchain.com' }), /replica 1: api_url is not an http\(s\) URL/],
    ['an api_url that is no URL at all', JSON.stringify([{ api_url: 'https://ok.example', api_key: 'k' }, { api_url: `nota url ${KEY}`, api_key: 'k' }]), /replica 2: api_url is not/],
    ['an empty api_key', JSON.stringify([{ api_url: 'https://ok.example', api_key: '' }]), /replica 1: api_key is empty/],
    ['an api_key read from a file with its newline', JSON.stringify([{ api_url: 'https://ok.example', api_key: `${KEY}\n` }]), /replica 1: api_key has a space or a control character/],
  ])('%s', (_, value, says) => {
    const error = configErrorOf(make(value));
    expect(error.setting).toBe('LANGSMITH_RUNS_ENDPOINTS');
    expect(error.message).toMatch(says);
    expect(`${error.message} ${require('node:util').inspect(error, { depth: Infinity })}`).not.toContain('SECRETKEY');
  });

  test('LANGSMITH_ENDPOINT holding a key (the two variables swapped) is refused without quoting it; a mistyped URL is still shown', () => {
    const swapped = configErrorOf(() => withEnv({ ...CLEAN, LANGSMITH_ENDPOINT: KEY, LANGSMITH_API_KEY: 'https://api.smith.langchain.com' }, () => new LangSmithExporter()));
    expect(swapped.setting).toBe('LANGSMITH_ENDPOINT');
    expect(`${swapped.message} ${require('node:util').inspect(swapped, { depth: Infinity })}`).not.toContain('SECRETKEY');
    const typo = configErrorOf(() => withEnv({ ...CLEAN, LANGSMITH_ENDPOINT: 'https://api.smith .langchain.com', LANGSMITH_API_KEY: 'k' }, () => new LangSmithExporter()));
    expect(typo.message).toContain('"https://api.smith .langchain.com"');
  });
});
