import { LangSmithExporter, type ExportBatch, type Run } from '../../../index';
import { LangSmithExporter as EdgeLangSmithExporter } from '../../../edge';
import { LangSmithSink } from '../../helpers/langsmith-sink';
import { withEnv } from '../../helpers/with-env';

/**
 * A LangSmith endpoint works as written: its query (an API gateway's or an
 * Azure Function's `?code=` key) goes on every request the exporter makes,
 * after the path, and its `user:password@` as `Authorization: Basic` — from
 * the `endpoint` option, `LANGSMITH_ENDPOINT` and `LANGSMITH_RUNS_ENDPOINTS`
 * alike, through Node's `http` and through `fetch`. Before, both were
 * dropped without a word and every request went out without them.
 */
const CLEAN = Object.fromEntries(['LANGSMITH_API_KEY', 'LANGCHAIN_API_KEY', 'LANGSMITH_ENDPOINT', 'LANGCHAIN_ENDPOINT', 'LANGSMITH_WORKSPACE_ID', 'LANGSMITH_RUNS_ENDPOINTS'].map((name) => [name, undefined]));
const API_KEY = 'lsv2_pt_endpoint_url_key';
/** Characters a URL encodes, as in a base64 key: the query travels as written, percent-encoding and all. */
const CODE = 'gw+Key/9==';
const QUERY = `?code=${encodeURIComponent(CODE)}&team=ops`;
const PASSWORD = 'p:ss/w@rd';
/** `us@er:p:ss/w@rd`, percent-encoded in the URL, decoded in the header as Node's `http` and curl send it. */
const BASIC = 'Basic ' + Buffer.from(`us@er:${PASSWORD}`).toString('base64');
const signal = new AbortController().signal;

const ID = '0192f3a4-5b6c-7d8e-9f01-23456789abce';
const run: Run = {
  id: ID, trace_id: ID, dotted_order: `20241119T071320123456Z${ID}`,
  name: 'f', run_type: 'chain', start_time: '2024-11-19T07:13:20.123456Z', end_time: '2024-11-19T07:13:20.124456Z', status: 'success',
  inputs: { a: 1 }, outputs: { output: 2 }, tags: [], extra: { metadata: {} }, events: [], session_name: 'default',
};
const batch: ExportBatch = { post: [run], patch: [] };

let sink: LangSmithSink;
const exporters: LangSmithExporter[] = [];
beforeEach(async () => {
  // No /runs/multipart: the exporter asks /info, tries multipart, then falls back to /runs/batch — every kind of request it makes.
  sink = await LangSmithSink.start({ multipartStatus: 404 });
});
afterEach(async () => {
  await Promise.all(exporters.splice(0).map((exporter) => exporter.shutdown()));
  await sink.stop();
});

/** The sink's URL with credentials and a query, a trailing slash before the query as people write it. */
const endpointOf = (url: string): string => url.replace('http://', `http://us%40er:${encodeURIComponent(PASSWORD)}@`) + '/' + QUERY;

const runtimes = [
  ['Node', (options: ConstructorParameters<typeof LangSmithExporter>[0]) => new LangSmithExporter(options)],
  ['the edge (fetch)', (options: ConstructorParameters<typeof LangSmithExporter>[0]) => new EdgeLangSmithExporter(options) as unknown as LangSmithExporter],
] as const;
const sources = [
  ['the endpoint option', (endpoint: string) => [{ endpoint, apiKey: API_KEY }, {}] as const],
  ['LANGSMITH_ENDPOINT', (endpoint: string) => [{}, { LANGSMITH_ENDPOINT: endpoint, LANGSMITH_API_KEY: API_KEY }] as const],
  ['LANGSMITH_RUNS_ENDPOINTS', (endpoint: string) => [{}, { LANGSMITH_RUNS_ENDPOINTS: JSON.stringify({ [endpoint]: API_KEY }) }] as const],
] as const;

describe.each(runtimes)("on %s's transport", (_runtime, make) => {
  test.each(sources)("%s: the query goes on /info, /runs/multipart and /runs/batch after the path, the credentials as Basic auth on each", async (_source, settings) => {
    const [options, env] = settings(endpointOf(sink.url));
    const exporter = withEnv({ ...CLEAN, ...env }, () => make({ ...options, fetchServerInfo: true }));
    exporters.push(exporter);
    expect(await exporter.export(batch, { signal })).toEqual({ ok: true });
    expect(sink.requests.map((request) => [request.method, request.path, request.headers.authorization, request.headers['x-api-key']])).toEqual([
      ['GET', `/info${QUERY}`, BASIC, API_KEY],
      ['POST', `/runs/multipart${QUERY}`, BASIC, API_KEY],
      ['POST', `/runs/batch${QUERY}`, BASIC, API_KEY],
    ]);
    // What the exporter reports is where runs go, without what may be a key.
    expect(exporter.endpoint).toBe(sink.url);
  });
});

test('a path before the query: requests go below the path, the query after theirs; a query value ending in a slash keeps it', async () => {
  const exporter = new LangSmithExporter({ endpoint: `${sink.url}/api/v1//?code=abc/`, apiKey: API_KEY, fetchServerInfo: true });
  exporters.push(exporter);
  await exporter.export(batch, { signal }); // the sink serves the root path only: 404s here
  expect(sink.requests.map((request) => request.path)).toEqual(['/api/v1/info?code=abc/', '/api/v1/runs/multipart?code=abc/', '/api/v1/runs/batch?code=abc/']);
  expect(sink.requests.map((request) => request.headers.authorization)).toEqual([undefined, undefined, undefined]);
  expect(exporter.endpoint).toBe(sink.url + '/api/v1');
});
