import OpenAI from 'openai';
import { setGlobalTracingClient, traceable } from '../../../index';
import { finishedRuns, installMemoryTracing, only } from '../../helpers/memory-tracing';

/**
 * A traced function given an SDK client or a database connection records it
 * without the secrets it holds: beneath a class instance (or an error), a
 * field naming a secret (`apiKey`, `password`, `secretAccessKey`, …) is
 * `"[redacted]"`. A plain object the program passes is its data, recorded
 * as given. Before, `answer(openai, question)` recorded the OpenAI key.
 */
let tracing: ReturnType<typeof installMemoryTracing>;
beforeEach(() => {
  tracing = installMemoryTracing();
});
afterEach(() => setGlobalTracingClient(undefined));

test("a traced function given the OpenAI client records it without its API key", async () => {
  const openai = new OpenAI({ apiKey: 'sk-OPENAISECRETKEY', baseURL: 'http://127.0.0.1:9/v1' });
  const answer = traceable(async function answer(client: OpenAI, question: string) {
    return `${client.baseURL} ${question}`;
  });
  expect(await answer(openai, 'why?')).toBe('http://127.0.0.1:9/v1 why?');
  const run = only(await finishedRuns(tracing.client, tracing.exporter), 'answer');
  expect(JSON.stringify(run)).not.toContain('OPENAISECRETKEY');
  const [client] = (run.inputs as { args: [Record<string, unknown>] }).args;
  expect(client).toMatchObject({ $type: 'OpenAI', apiKey: '[redacted]', baseURL: 'http://127.0.0.1:9/v1' });
  expect(openai.apiKey).toBe('sk-OPENAISECRETKEY'); // the client itself is untouched
});

test("a class instance's secret fields are redacted at any depth beneath it, in any spelling; the rest is recorded", async () => {
  class Connection {
    config = { host: 'db.internal', user: 'app', password: 'DBPASSWORDSECRET', options: { connection_string: 'postgres://app:DBURLSECRET@db/app' } };
    credentials = { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'AWSSECRET', sessionToken: 'AWSSESSIONSECRET' };
    'API-KEY' = 'DASHEDKEYSECRET';
    auth_token = 'TOKENSECRET';
    maxTokens = 256;
  }
  const save = traceable(function save(_db: Connection, row: { id: number }) {
    return row.id;
  });
  save(new Connection(), { id: 7 });
  const run = only(await finishedRuns(tracing.client, tracing.exporter), 'save');
  const text = JSON.stringify(run);
  for (const secret of ['DBPASSWORDSECRET', 'DBURLSECRET', 'AWSSECRET', 'AWSSESSIONSECRET', 'DASHEDKEYSECRET', 'TOKENSECRET']) expect(text).not.toContain(secret);
  expect(run.inputs).toEqual({
    args: [
      {
        $type: 'Connection',
        config: { host: 'db.internal', user: 'app', password: '[redacted]', options: { connection_string: '[redacted]' } },
        credentials: { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: '[redacted]', sessionToken: '[redacted]' },
        'API-KEY': '[redacted]',
        auth_token: '[redacted]',
        maxTokens: 256,
      },
      { id: 7 },
    ],
  });
});

test('a plain object the program passes is its data: a password in it is recorded as given (hide it with redact or captureInputs)', async () => {
  const signUp = traceable(function signUp(form: { user: string; password: string }) {
    return form.user;
  });
  signUp({ user: 'ada', password: 'typed-by-the-user' });
  const run = only(await finishedRuns(tracing.client, tracing.exporter), 'signUp');
  expect(run.inputs).toEqual({ user: 'ada', password: 'typed-by-the-user' });
});

test("an error's own fields are its internals: an HTTP client's error records its request config without the password", async () => {
  const call = traceable(function call(failure: Error) {
    return failure.message;
  });
  const failure = Object.assign(new Error('Request failed with status code 401'), { config: { url: '/v1/me', auth: { username: 'ada', password: 'BASICAUTHSECRET' } }, status: 401 });
  call(failure);
  const run = only(await finishedRuns(tracing.client, tracing.exporter), 'call');
  expect(JSON.stringify(run)).not.toContain('BASICAUTHSECRET');
  expect(run.inputs).toMatchObject({ input: { $type: 'Error', status: 401, config: { url: '/v1/me', auth: { username: 'ada', password: '[redacted]' } } } });
});
